"""Imports and exports: sync and async, every terminal state, consistent counters, limits."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from aionvision_cloud_emulator.config import key_fingerprint
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import (
    assert_error,
    connect,
    folder_id,
    list_all,
    proxy,
    session_for,
)

TERMINAL = ("completed", "partial", "failed", "cancelled")


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_consistent(job: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """The invariants a poller may rely on, at every single poll."""
    total, done, failed = job["total_files"], job["completed_files"], job["failed_files"]
    assert done >= 0
    assert failed >= 0
    assert done + failed <= total
    assert job["status"] in ("pending", "in_progress", *TERMINAL)
    assert _ts(job["created_at"]) <= _ts(job["updated_at"])
    if job["status"] == "pending":
        assert done == failed == 0
    if job["status"] in TERMINAL:
        assert job["completed_at"] is not None
        assert _ts(job["created_at"]) <= _ts(job["completed_at"]) <= _ts(job["updated_at"])
    else:
        assert job["completed_at"] is None
    if job["status"] == "completed":
        assert (done, failed) == (total, 0)
    if job["status"] == "partial":
        assert done > 0
        assert failed > 0
        assert done + failed == total
    if previous is not None:
        assert done >= previous["completed_files"]
        assert failed >= previous["failed_files"]
        assert _ts(job["updated_at"]) >= _ts(previous["updated_at"])
        assert previous["status"] not in TERMINAL or job == previous


def poll(api: httpx.Client, job_id: str, timeout: float = 20) -> tuple[dict[str, Any], set[str]]:
    seen: set[str] = set()
    previous = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = api.get(f"/cloud-storage/jobs/{job_id}")
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()["job"]
        check_consistent(job, previous)
        seen.add(job["status"])
        if job["status"] in TERMINAL:
            return job, seen
        previous = job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture
def conn(api: httpx.Client) -> dict[str, Any]:
    c: dict[str, Any] = connect(api)["connection"]
    return c


@pytest.fixture
def sid(api: httpx.Client, conn: dict[str, Any]) -> str:
    return session_for(api, conn["id"])


def images_in(api: httpx.Client, sid: str, folder: str, n: int) -> list[dict[str, Any]]:
    big = folder_id(api, sid, folder)
    r = proxy(
        api,
        sid,
        "files",
        q=f"'{big}' in parents",
        pageSize=n,
        fields="files(id,name,mimeType,size)",
    )
    return [
        {"id": f["id"], "name": f["name"], "mime_type": f["mimeType"], "size_bytes": int(f["size"])}
        for f in r.json()["files"]
    ]


def test_small_import_is_synchronous(api: httpx.Client, conn: dict[str, Any], sid: str) -> None:
    files = images_in(api, sid, "Camera Uploads", 5)
    r = api.post(
        "/cloud-storage/import",
        json={
            "connection_id": conn["id"],
            "files": files,
            "tags": ["drive"],
            "auto_describe": False,
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["is_async"] is False
    assert body["job_id"] is None
    assert body["status"] is None
    assert body["total_files"] == 5
    assert len(body["image_ids"]) == 5
    assert len(set(body["image_ids"])) == 5
    assert body["message"] == "5 files imported successfully"
    listed = api.get("/cloud-storage/connections").json()["connections"][0]
    assert listed["last_used_at"] is not None


def test_sync_import_reports_failures(api: httpx.Client, conn: dict[str, Any], sid: str) -> None:
    mixed = folder_id(api, sid, "Mixed")
    corrupt = list_all(api, sid, f"'{mixed}' in parents and name contains 'corrupt'", 10)
    files = [
        {"id": corrupt[0]["id"], "name": corrupt[0]["name"]},
        {"id": "missingFileId", "name": "ghost.jpg"},
        *[{"id": f["id"], "name": f["name"]} for f in images_in(api, sid, "Camera Uploads", 1)],
    ]
    body = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()
    assert body["is_async"] is False
    assert len(body["image_ids"]) == 1
    assert "1 of 3" in body["message"]
    assert "corrupt" in body["message"]
    assert "missingFileId" in body["message"]


def test_large_import_becomes_a_job_that_completes(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any], sid: str
) -> None:
    emu.admin.configure(job_start_delay=0.3)  # long enough for a poll to see `pending`
    files = images_in(api, sid, "Camera Uploads", 60)
    r = api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files})
    body = r.json()
    assert body["is_async"] is True
    assert body["image_ids"] is None
    assert body["status"] == "pending"
    assert body["total_files"] == 60
    job, seen = poll(api, body["job_id"])
    assert job["status"] == "completed"
    assert job["type"] == "import"
    assert job["connection_id"] == conn["id"]
    assert job["provider"] == "google_drive"
    assert job["completed_files"] == 60
    assert job["error"] is None
    assert "pending" in seen
    detail = emu.admin.job(body["job_id"])
    assert detail["backend_status"] == "completed"
    assert all(i["result"].startswith("img_") for i in detail["items"])


def test_job_passes_through_in_progress_and_partial(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any], sid: str
) -> None:
    emu.admin.configure(job_pace=100.0)
    files = [*images_in(api, sid, "Camera Uploads", 30), {"id": "nope_missing", "name": "x.jpg"}]
    body = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()
    job, seen = poll(api, body["job_id"])
    assert job["status"] == "partial"
    assert "in_progress" in seen
    assert (job["completed_files"], job["failed_files"]) == (30, 1)
    # The error names the file that failed and why, not only how many.
    assert job["error"] == "1 of 31 files failed: File nope_missing not found in Google Drive"
    assert emu.admin.job(body["job_id"])["backend_status"] == "completed_with_errors"


def test_job_where_every_file_fails(api: httpx.Client, conn: dict[str, Any], sid: str) -> None:
    docs = folder_id(api, sid, "Documents")
    gdocs = list_all(api, sid, f"'{docs}' in parents and mimeType contains 'google-apps'", 10)
    files = [{"id": f["id"], "name": f["name"]} for f in gdocs]
    files.append({"id": docs, "name": "Documents"})  # a folder
    assert len(files) > 5
    body = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()
    job, _ = poll(api, body["job_id"])
    assert job["status"] == "failed"
    assert job["failed_files"] == len(files)
    assert job["completed_files"] == 0
    reasons = [f"{f['name']} is a Google Docs Editors file (export it first)" for f in gdocs]
    reasons.append("Documents is a folder")
    shown = "; ".join(reasons[:5]) + (f"; and {len(reasons) - 5} more" if len(reasons) > 5 else "")
    assert job["error"] == f"All {len(files)} files failed: {shown}"


def test_admin_cancels_a_running_job(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any], sid: str
) -> None:
    emu.admin.configure(job_pace=5.0)
    files = images_in(api, sid, "Camera Uploads", 40)
    body = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()
    time.sleep(0.3)
    cancelled = emu.admin.cancel_job(body["job_id"])
    assert cancelled["status"] == "cancelled"
    job, _ = poll(api, body["job_id"])
    assert job["status"] == "cancelled"
    assert job["completed_files"] < 40
    time.sleep(0.2)
    # Nothing moves after cancellation.
    assert api.get(f"/cloud-storage/jobs/{body['job_id']}").json()["job"] == job
    r = httpx.post(
        f"{emu.root_url}/_emulator/jobs/{body['job_id']}/cancel",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 409
    assert (
        httpx.post(
            f"{emu.root_url}/_emulator/jobs/job_nope/cancel",
            headers={"Content-Type": "application/json"},
        ).status_code
        == 404
    )


def test_disconnect_fails_a_running_job(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any], sid: str
) -> None:
    emu.admin.configure(job_pace=5.0)
    files = images_in(api, sid, "Camera Uploads", 30)
    body = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()
    time.sleep(0.1)
    assert api.delete(f"/cloud-storage/connections/{conn['id']}").status_code == 200
    job, _ = poll(api, body["job_id"])
    assert job["status"] == "failed"
    assert "disconnected" in job["error"]


def test_export_into_new_folder(api: httpx.Client, conn: dict[str, Any], sid: str) -> None:
    files = images_in(api, sid, "Camera Uploads", 3)
    ids = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()["image_ids"]
    r = api.post(
        "/cloud-storage/export",
        json={
            "connection_id": conn["id"],
            "image_ids": [*ids, "img_unknown"],
            "folder_name": "Aionvision Export",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["is_async"] is True
    assert body["job_status"] == "pending"
    job, _ = poll(api, body["job_id"])
    assert job["type"] == "export"
    assert job["status"] == "partial"
    assert (job["completed_files"], job["failed_files"]) == (3, 1)
    new_folder = folder_id(api, sid, "Aionvision Export")
    exported = list_all(api, sid, f"'{new_folder}' in parents", 100)
    assert sorted(f["name"] for f in exported) == sorted(f["name"] for f in files)
    assert {f["size"] for f in exported} == {str(f["size_bytes"]) for f in files}


def test_export_into_new_folder_inside_given_folder(
    api: httpx.Client, conn: dict[str, Any], sid: str
) -> None:
    files = images_in(api, sid, "Camera Uploads", 1)
    ids = api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files})
    photos = folder_id(api, sid, "Photos")
    body = api.post(
        "/cloud-storage/export",
        json={
            "connection_id": conn["id"],
            "image_ids": ids.json()["image_ids"],
            "folder_id": photos,
            "folder_name": "From Aionvision",
        },
    ).json()
    assert poll(api, body["job_id"])[0]["status"] == "completed"
    inner = folder_id(api, sid, "From Aionvision", photos)
    assert inner in body["message"]
    assert [f["name"] for f in list_all(api, sid, f"'{inner}' in parents", 10)] == [
        files[0]["name"]
    ]


def test_export_into_existing_folder(api: httpx.Client, conn: dict[str, Any], sid: str) -> None:
    files = images_in(api, sid, "Camera Uploads", 2)
    ids = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()["image_ids"]
    empty = folder_id(api, sid, "Empty Folder")
    body = api.post(
        "/cloud-storage/export",
        json={"connection_id": conn["id"], "image_ids": ids, "folder_id": empty},
    ).json()
    job, _ = poll(api, body["job_id"])
    assert job["status"] == "completed"
    assert len(list_all(api, sid, f"'{empty}' in parents", 10)) == 2


def test_export_where_nothing_exists_fails(api: httpx.Client, conn: dict[str, Any]) -> None:
    body = api.post(
        "/cloud-storage/export", json={"connection_id": conn["id"], "image_ids": ["img_a", "img_b"]}
    ).json()
    job, _ = poll(api, body["job_id"])
    assert job["status"] == "failed"


def test_export_folder_errors(api: httpx.Client, conn: dict[str, Any], sid: str) -> None:
    r = api.post(
        "/cloud-storage/export",
        json={"connection_id": conn["id"], "image_ids": ["img_a"], "folder_id": "noSuchFolder"},
    )
    assert_error(r, 404, "NOT_FOUND")
    jpg = list_all(api, sid, "name = 'profile.jpg'", 10)[0]
    r = api.post(
        "/cloud-storage/export",
        json={"connection_id": conn["id"], "image_ids": ["img_a"], "folder_id": jpg["id"]},
    )
    assert_error(r, 422, "VALIDATION_ERROR")


def test_batch_limit(emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any]) -> None:
    files = [{"id": f"id{i}", "name": f"{i}.jpg"} for i in range(101)]
    r = api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files})
    body = assert_error(r, 422, "BATCH_LIMIT_EXCEEDED")
    assert "101" in body["error"]["message"]
    assert "100" in body["error"]["message"]
    assert body["error"]["details"]["max"] == 100
    r = api.post(
        "/cloud-storage/export",
        json={"connection_id": conn["id"], "image_ids": [f"img_{i}" for i in range(101)]},
    )
    assert_error(r, 422, "BATCH_LIMIT_EXCEEDED")
    emu.admin.configure(batch_limit=10, sync_import_limit=2)
    r = api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files[:11]})
    assert_error(r, 422, "BATCH_LIMIT_EXCEEDED")
    r = api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files[:3]})
    assert r.json()["is_async"] is True


def test_unknown_ids(api: httpx.Client) -> None:
    assert_error(api.get("/cloud-storage/jobs/job_doesnotexist"), 404, "NOT_FOUND")
    r = api.post(
        "/cloud-storage/import", json={"connection_id": "nope", "files": [{"id": "a", "name": "b"}]}
    )
    assert_error(r, 404, "NOT_FOUND")
    r = api.post("/cloud-storage/export", json={"connection_id": "nope", "image_ids": ["a"]})
    assert_error(r, 404, "NOT_FOUND")


def test_counters(emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any]) -> None:
    files = [{"id": f"id{i}", "name": f"{i}.jpg"} for i in range(6)]
    for _ in range(2):
        api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files})
    api.post("/cloud-storage/export", json={"connection_id": conn["id"], "image_ids": ["x"]})
    stats = emu.admin.stats()
    assert stats["jobs_created_by_key"] == {
        key_fingerprint(emu.api_key): {"import": 2, "export": 1}
    }
    assert stats["requests_by_operation"]["import_files"] == 2
    assert stats["requests_by_key"][key_fingerprint(emu.api_key)] >= 5
