"""The README's ``client.api`` snippet runs as written, for a job that exists and one that
does not (the second used to die with AttributeError on an ErrorResponse)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from overlay_testkit import FakeAPI, error_body, job_body, json_response

from aionvision_cloud import Client

README = Path(__file__).resolve().parents[2] / "README.md"


def _client_api_snippet() -> str:
    text = README.read_text(encoding="utf-8")
    after = text.split("The generated functions stay first-class", 1)[1]
    match = re.search(r"```python\n(.*?)```", after, re.S)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("reply", "printed"),
    [
        (json_response(200, job_body("job_550e8400", "completed")), "completed 30 / 50\n"),
        (json_response(404, error_body("NOT_FOUND", "Job not found")), "no such job: 404"),
    ],
)
def test_readme_client_api_snippet(
    client: Client,
    api: FakeAPI,
    capsys: pytest.CaptureFixture[str],
    reply: object,
    printed: str,
) -> None:
    api.on("GET", "/cloud-storage/jobs/job_550e8400", reply)  # type: ignore[arg-type]
    exec(_client_api_snippet(), {"client": client})  # noqa: S102 - the README's own code
    assert capsys.readouterr().out.startswith(printed)
