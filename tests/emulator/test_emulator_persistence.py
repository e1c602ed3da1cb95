"""`--db`: a restart loses nothing, and a killed process never leaves a half-written job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from aionvision_cloud_emulator.server import run_emulator
from aionvision_cloud_emulator.state import Store
from aionvision_cloud_emulator.testing import (
    client_for,
    connect,
    folder_id,
    list_all,
    proxy,
    session_for,
)

FAST = {"big_folder_size": 200, "job_start_delay": 0.0}


def _wait(api: httpx.Client, job_id: str) -> dict[str, Any]:
    for _ in range(1000):
        job: dict[str, Any] = api.get(f"/cloud-storage/jobs/{job_id}").json()["job"]
        if job["status"] in ("completed", "partial", "failed", "cancelled"):
            return job
        time.sleep(0.02)
    raise AssertionError("job did not finish")


def test_restart_loses_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "state.sqlite")
    with (
        run_emulator(profile="document", db_path=db, job_pace=500, **FAST) as emu,
        client_for(emu) as api,
    ):
        extra = emu.admin.new_key()
        conn = connect(api)["connection"]
        sid = session_for(api, conn["id"])
        files = [
            {"id": f["id"], "name": f["name"]}
            for f in list_all(
                api, sid, f"'{folder_id(api, sid, 'Camera Uploads')}' in parents", 1000
            )[:8]
        ]
        imported = api.post(
            "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
        ).json()
        job = _wait(api, imported["job_id"])
        first_image = emu.admin.job(imported["job_id"])["items"][0]["result"]
        export = api.post(
            "/cloud-storage/export",
            json={"connection_id": conn["id"], "image_ids": [first_image], "folder_name": "Kept"},
        ).json()
        _wait(api, export["job_id"])
        before_connections = api.get("/cloud-storage/connections").json()
    with (
        run_emulator(profile="document", db_path=db, job_pace=500, **FAST) as emu,
        client_for(emu) as api,
    ):
        assert api.get("/cloud-storage/connections").json() == before_connections
        assert api.get(f"/cloud-storage/jobs/{imported['job_id']}").json()["job"] == job
        # The picker session, the key added at runtime and the exported file all survived.
        assert proxy(api, sid, "about", fields="user").status_code == 200
        with client_for(emu, extra) as other:
            assert other.get("/cloud-storage/connections").status_code == 200
        kept = folder_id(api, sid, "Kept")
        assert len(list_all(api, sid, f"'{kept}' in parents", 10)) == 1
        # New ids never collide with ids made before the restart.
        again = api.post(
            "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
        ).json()
        assert again["job_id"] != imported["job_id"]
        assert _wait(api, again["job_id"])["status"] == "completed"


def test_failed_step_rolls_back_entirely(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.sqlite"))
    job = {
        "id": "job_x",
        "api_key": "k",
        "type": "import",
        "connection_id": "c",
        "provider": "google_drive",
        "status": "pending",
        "total": 2,
        "created_at": 1.0,
        "updated_at": 1.0,
        "params": {},
    }

    def killed_mid_step() -> None:
        with store.transaction():
            store.add_job(job, [{"id": "a"}, {"id": "b"}])
            raise RuntimeError("killed mid-step")

    with pytest.raises(RuntimeError):
        killed_mid_step()
    assert store.job(None, "job_x") is None
    assert store.job_items("job_x") == []
    store.add_job(job, [{"id": "a"}])
    assert store.job(None, "job_x") is not None
    store.close()


def _start_cli(db: Path, *extra: str) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aionvision_cloud_emulator",
            "--port",
            "0",
            "--db",
            str(db),
            "--big-folder-size",
            "200",
            "--job-start-delay",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    base = key = ""
    while not (base and key):
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "no output"
        if line.startswith("export AIONVISION_BASE_URL="):
            base = line.strip().split("=", 1)[1]
        if line.startswith("export AIONVISION_API_KEY="):
            key = line.strip().split("=", 1)[1]
    return proc, base, key


def test_killed_process_leaves_consistent_jobs(tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite"
    proc, base, key = _start_cli(db, "--job-pace", "40")
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
            conn = connect(api)["connection"]
            sid = session_for(api, conn["id"])
            big = folder_id(api, sid, "Camera Uploads")
            files = [
                {"id": f["id"], "name": f["name"]}
                for f in list_all(api, sid, f"'{big}' in parents", 1000)[:80]
            ]
            job_id = api.post(
                "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
            ).json()["job_id"]
            time.sleep(0.6)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
        proc.stdout.close() if proc.stdout else None
        proc.stderr.close() if proc.stderr else None
    store = Store(str(db))
    job = store.job(None, job_id)
    assert job is not None
    items = store.job_items(job_id)
    done = sum(i["state"] == "done" for i in items)
    failed = sum(i["state"] == "failed" for i in items)
    # Counters match the per-file records exactly, and each imported file has its image.
    assert (job["completed"], job["failed"]) == (done, failed)
    assert 0 < done < 80
    assert len(store.images(key)) == done
    store.close()

    proc, base, key = _start_cli(db, "--job-pace", "1000")
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as api:
            finished = _wait(api, job_id)
            assert finished["status"] == "completed"
            assert finished["completed_files"] == 80
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0
