"""The example scripts run end to end against the fake API (no network, no sleeping)."""

from __future__ import annotations

import json
import runpy
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from overlay_testkit import FakeAPI, job_body, json_response

from aionvision_cloud import Client
from aionvision_cloud._results import FOLDER_MIME_TYPE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def run_example(
    make_client: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., None]:
    def run(name: str, *args: str) -> None:
        monkeypatch.setattr(Client, "from_env", classmethod(lambda cls, *a, **k: make_client()))
        monkeypatch.setattr(sys, "argv", [name, *args])
        runpy.run_path(str(EXAMPLES / name), run_name="__main__")

    return run


def test_connect_example(
    run_example: Callable[..., None],
    api: FakeAPI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def initiate(request: httpx.Request) -> httpx.Response:
        uri = json.loads(request.content)["redirect_uri"]
        url = f"https://accounts.google.test/auth?redirect_uri={uri}&state=st"
        return json_response(200, {"authorization_url": url, "state": "st"})

    def browser(url: str) -> bool:
        uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        threading.Thread(
            target=lambda: httpx.get(uri, params={"code": "c", "state": "st"}, timeout=5),
            daemon=True,
        ).start()
        return True

    conn = {"id": "conn_1", "provider": "google_drive", "provider_email": "user@gmail.com"}
    api.on("POST", "/cloud-storage/auth/google_drive", initiate)
    api.on(
        "POST",
        "/cloud-storage/auth/google_drive/callback",
        json_response(200, {"connection": conn, "is_new": True}),
    )
    api.on("GET", "/cloud-storage/connections", json_response(200, {"connections": [conn]}))
    monkeypatch.setattr("aionvision_cloud._oauth.open_in_browser", browser)
    run_example("connect_google_drive.py")
    out = capsys.readouterr().out
    assert "Connected user@gmail.com (new: True)" in out
    assert "- conn_1" in out


def test_browse_and_import_example(
    run_example: Callable[..., None], api: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.on(
        "GET",
        "/cloud-storage/connections/conn_1/picker-token",
        json_response(200, {"session": {"session_id": "s"}}),
    )

    def proxy(request: httpx.Request) -> httpx.Response:
        endpoint = json.loads(request.content)["endpoint"]
        if endpoint == "files/FOLDER":  # the folder, looked up by id
            folder = {"id": "FOLDER", "name": "Family", "mimeType": FOLDER_MIME_TYPE}
            return json_response(200, folder)
        files = [{"id": "f1", "name": "a.jpg", "mimeType": "image/jpeg"}]
        return json_response(200, {"files": files})

    api.on("POST", "/cloud-storage/picker-proxy", proxy)
    api.on(
        "POST", "/cloud-storage/import", json_response(200, {"job_id": "job_1", "is_async": True})
    )
    api.on(
        "GET",
        "/cloud-storage/jobs/job_1",
        json_response(
            200,
            job_body(
                "job_1",
                "completed",
                total_files=1,
                completed_files=1,
                failed_files=0,
                image_ids=["img_9"],
            ),
        ),
    )
    run_example("browse_and_import.py", "conn_1", "FOLDER")
    out = capsys.readouterr().out
    assert "1 images in the folder" in out
    assert "import completed: 1 of 1 files imported" in out
    assert "- job job_1: 1 done, 0 failed" in out
    assert "- img_9" in out


def test_export_example(
    run_example: Callable[..., None], api: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.on("POST", "/cloud-storage/export", json_response(200, {"job_id": "job_1"}))
    api.on(
        "GET",
        "/cloud-storage/jobs/job_1",
        json_response(200, job_body("job_1", "completed", failed_files=0)),
    )
    run_example("export_images.py", "conn_1", "img_001", "img_002")
    assert api.bodies("POST", "/cloud-storage/export")[0]["folder_name"] == "Aionvision Export"
    assert "job_1: completed" in capsys.readouterr().out


def test_wait_for_job_example(
    run_example: Callable[..., None], api: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    api.on(
        "GET",
        "/cloud-storage/jobs/job_550e8400",
        json_response(200, job_body()),
        json_response(200, job_body(status="cancelled")),
    )
    with pytest.raises(SystemExit, match="cancelled"):
        run_example("wait_for_job.py", "job_550e8400")
    assert "32/50 files, 2 failed (64%)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "args", "missing"),
    [
        ("browse_and_import.py", [], "connection_id, folder"),
        ("browse_and_import.py", ["conn_1"], "folder"),
        ("export_images.py", ["conn_1"], "image_id"),
        ("wait_for_job.py", [], "job_id"),
        ("resumable_import.py", [], "connection_id, folder"),
    ],
)
def test_examples_without_their_arguments_print_usage(
    run_example: Callable[..., None],
    api: FakeAPI,
    capsys: pytest.CaptureFixture[str],
    name: str,
    args: list[str],
    missing: str,
) -> None:
    """Not an IndexError: argparse's usage line, exit 2, and no request sent."""
    with pytest.raises(SystemExit) as exit_info:
        run_example(name, *args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {name} [-h]")
    assert f"the following arguments are required: {missing}" in err
    assert api.requests == []
