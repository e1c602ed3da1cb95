"""What ``import aionvision_cloud`` leaves for later, and that each of those fails loudly when
first used if it cannot be imported (``make bench`` measures the cold start itself)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from overlay_testkit import API_KEY, BASE_URL, FakeAPI, job_body, json_response

from aionvision_cloud import Client, RetryPolicy
from aionvision_cloud._journal import Journal

#: Imported where first used, not by `import aionvision_cloud`.
DEFERRED = (
    "aionvision_cloud_api",  # the generated client: its models package imports every model
    "aionvision_cloud._oauth",  # the loopback server and the browser
    "http.server",
    "webbrowser",
    "tenacity",  # the retry loop, built after a first attempt fails
    "dateutil",  # timestamps that datetime.fromisoformat cannot read
    "sqlite3",  # the journal
)


def test_import_leaves_the_deferred_modules_unloaded() -> None:
    probe = (
        "import sys, aionvision_cloud; "
        f"print(','.join(m for m in {DEFERRED!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def _open_journal(tmp_path: Path, client: Client) -> None:
    Journal(tmp_path / "import.journal")


def _retry_once(tmp_path: Path, client: Client) -> None:
    client.cloud_storage.get_job("job_1")


FIRST_USES: dict[str, Callable[[Path, Client], None]] = {
    "sqlite3": _open_journal,
    "tenacity": _retry_once,
}


@pytest.mark.parametrize("module", sorted(FIRST_USES))
def test_a_deferred_module_that_cannot_be_imported_fails_at_first_use(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeAPI().on(
        "GET",
        "/cloud-storage/jobs/job_1",
        json_response(503, {"error": {"code": "UNAVAILABLE", "message": "busy"}}),
        json_response(200, job_body("job_1", "completed", completed_files=50)),
    )
    with Client(
        api_key=API_KEY,
        base_url=BASE_URL,
        transport=httpx.MockTransport(api),
        retry_policy=RetryPolicy(max_retries=1, initial_backoff=0.01),
    ) as client:
        monkeypatch.setitem(sys.modules, module, None)  # what a missing or broken install does
        with pytest.raises(ImportError, match=module):
            FIRST_USES[module](tmp_path, client)
