"""A read is retried as a read: a listing of the 3,000-file folder completes, first time, while
the service fails 15% of requests with a 500, 502, 503 or a dropped connection (before or after
it acted), since a GET and the read-only picker proxy retry a 500 as they retry a 502."""

from __future__ import annotations

import pytest

from aionvision_cloud import Client
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import client_for, connect, folder_id, session_for

READ_FAULTS = ["500", "502", "503", "drop", "500_after", "drop_after"]


@pytest.mark.timeout(300)
def test_big_listing_completes_under_fifteen_percent_faults(
    emulator: RunningEmulator, client: Client
) -> None:
    # The emulator's faults are seeded: after a reset the same requests fail, every run.
    emulator.admin.reset()
    with client_for(emulator) as api:
        conn_id = str(connect(api)["connection"]["id"])
        big = folder_id(api, session_for(api, conn_id), "Camera Uploads")
    emulator.admin.configure(fault_ratio=0.15, fault_kinds=READ_FAULTS)
    try:
        listings = [
            list(client.cloud_storage.iter_drive_files(conn_id, folder_id=big, page_size=200))
            for _ in range(4)
        ]
        faults = emulator.admin.stats()
    finally:
        emulator.admin.configure(fault_ratio=0.0)
    assert [len({f.id for f in files}) for files in listings] == [3000] * 4
    # The faults did happen, 500s among them: the listings went through them, not around them.
    injected = faults["faults_injected"]
    assert injected.get("500", 0) + injected.get("500_after", 0) > 0, injected
