"""Faults after acting, 429 and slow faults, and the stats that make duplicates visible."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from aionvision_cloud_emulator.config import ALL_FAULT_KINDS, EmulatorConfig
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import assert_error, connect, folder_id, proxy, session_for


@pytest.fixture
def conn(api: httpx.Client) -> dict[str, Any]:
    c: dict[str, Any] = connect(api)["connection"]
    return c


def _photos(api: httpx.Client, conn_id: str, n: int) -> list[dict[str, Any]]:
    sid = session_for(api, conn_id)
    parent = folder_id(api, sid, "Camera Uploads")
    r = proxy(api, sid, "files", q=f"'{parent}' in parents", pageSize=n, fields="files(id,name)")
    return [{"id": f["id"], "name": f["name"]} for f in r.json()["files"]]


def _wait(api: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(f"/cloud-storage/jobs/{job_id}").json()["job"]
        if job["status"] in ("completed", "partial", "failed", "cancelled"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish")


def test_every_kind_is_a_valid_knob() -> None:
    assert set(EmulatorConfig(fault_kinds=ALL_FAULT_KINDS).fault_kinds) == set(ALL_FAULT_KINDS)
    with pytest.raises(ValueError, match="fault_kinds"):
        EmulatorConfig(fault_kinds=("418",))


def test_500_after_acting_commits_the_import(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any]
) -> None:
    files = _photos(api, conn["id"], 20)
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["500_after"])
    body = assert_error(
        api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files}),
        500,
        "INTERNAL_ERROR",
    )
    assert body["error"]["details"] == {"injected": True}
    emu.admin.configure(fault_ratio=0.0)
    stats = emu.admin.stats()
    # The answer was lost, but the job exists: a blind resend would import these files twice.
    assert stats["jobs_created"] == {"import": 1}
    assert stats["faults_injected"] == {"500_after": 1}


def test_drop_after_acting_commits_the_export(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any]
) -> None:
    files = _photos(api, conn["id"], 3)  # synchronous: ids at once
    ids = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()["image_ids"]
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["drop_after"])
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/cloud-storage/export", json={"connection_id": conn["id"], "image_ids": ids})
    emu.admin.configure(fault_ratio=0.0)
    stats = emu.admin.stats()
    assert stats["jobs_created"] == {"export": 1}
    assert stats["faults_injected"] == {"drop_after": 1}


def test_fault_before_acting_commits_nothing(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any]
) -> None:
    files = _photos(api, conn["id"], 20)
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["500"])
    r = api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files})
    assert r.status_code == 500
    emu.admin.configure(fault_ratio=0.0)
    assert emu.admin.stats()["jobs_created"] == {}


def test_injected_429_carries_retry_after(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["429"])
    r = api.get("/cloud-storage/connections")
    assert_error(r, 429, "RATE_LIMIT_ERROR")
    assert r.headers["retry-after"] == "1"


def test_slow_fault_still_answers(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["slow"], fault_latency=0.05)
    assert api.get("/cloud-storage/connections").status_code == 200
    assert emu.admin.stats()["faults_injected"] == {"slow": 1}


def test_stats_show_duplicate_imports_and_exports(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any]
) -> None:
    files = _photos(api, conn["id"], 3)
    first = api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files})
    api.post("/cloud-storage/import", json={"connection_id": conn["id"], "files": files[:1]})
    stats = emu.admin.stats()
    assert stats["imports_by_source_file"] == {f["id"]: 1 for f in files} | {files[0]["id"]: 2}
    assert stats["duplicate_imports"] == {files[0]["id"]: 2}
    ids = first.json()["image_ids"]
    for _ in range(2):
        job_id = api.post(
            "/cloud-storage/export", json={"connection_id": conn["id"], "image_ids": ids[:1]}
        ).json()["job_id"]
        assert _wait(api, job_id)["status"] == "completed"
    stats = emu.admin.stats()
    assert stats["exports_by_image"] == {ids[0]: 2}
    assert stats["duplicate_exports"] == {ids[0]: 2}
    assert stats["jobs_created"] == {"export": 2}


def test_async_import_can_announce_its_image_ids(
    emu: RunningEmulator, api: httpx.Client, conn: dict[str, Any]
) -> None:
    emu.admin.configure(async_image_ids=True)
    files = _photos(api, conn["id"], 12)
    body = api.post(
        "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
    ).json()
    assert body["is_async"] is True
    assert body["job_id"]
    assert len(body["image_ids"]) == 12
    assert _wait(api, body["job_id"])["status"] == "completed"
    made = [i["result"] for i in emu.admin.job(body["job_id"])["items"]]
    assert made == body["image_ids"]  # the announced ids are the ones the job created
