"""What the fault tests share: one fast emulator a module (its ids announced at once), a
connection with 20 Drive files before each test, and a client that polls often."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aionvision_cloud import Client
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import (
    client_for,
    connect,
    drive_json,
    folder_id,
    proxy,
    session_for,
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with run_emulator(
        profile="document", job_pace=2000, job_start_delay=0, async_image_ids=True
    ) as emu:
        yield emu


@pytest.fixture
def setup(emulator: RunningEmulator) -> tuple[str, list[dict[str, Any]]]:
    emulator.admin.reset()
    emulator.admin.configure(async_image_ids=True)
    with client_for(emulator) as api:
        conn_id = str(connect(api)["connection"]["id"])
        sid = session_for(api, conn_id)
        big = folder_id(api, sid, "Camera Uploads")
        # One page of 20: listing all 3,000 files of the folder to keep 20 cost 0.5 s a test.
        page = proxy(
            api, sid, "files", q=f"'{big}' in parents", pageSize=20, fields="files(id, name)"
        )
        drive = drive_json(page)["files"]
    assert len(drive) == 20
    return conn_id, [{"id": f["id"], "name": f["name"]} for f in drive]


@pytest.fixture
def client(emulator: RunningEmulator) -> Iterator[Client]:
    with Client(
        api_key=emulator.api_key,
        base_url=emulator.base_url,
        allow_insecure_http=True,
        polling_interval=0.05,
    ) as c:
        yield c
