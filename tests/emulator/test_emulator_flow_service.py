"""The library's whole flow against the `service` profile, over real HTTP on 127.0.0.1.

The same user flow as test_emulator_flow.py (which runs the document profile), where the service
differs: the picker proxy wraps Drive's answers in `data`, a three-file import is a job too, and
its image ids are placeholder UUIDs. Uses only the public surface of the overlay.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import httpx
import pytest

from aionvision_cloud import Client, CloudFile, JobStatus
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="service", job_pace=5000, job_start_delay=0) as emu:
        yield emu


@pytest.fixture
def client(emulator: RunningEmulator) -> Iterator[Client]:
    emulator.admin.reset()
    with Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=10) as c:
        yield c
    assert emulator.admin.stats()["spec_violations"] == []


def play_browser(url: str) -> None:
    def visit() -> None:
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            browser.get(url)

    threading.Thread(target=visit, daemon=True).start()


def folder_named(client: Client, connection_id: str, name: str) -> CloudFile:
    for item in client.cloud_storage.iter_drive_files(connection_id, include_folders=True):
        if item.is_folder and item.name == name:
            return item
    raise AssertionError(f"no folder {name!r}")


def test_connect_browse_import_export_disconnect_under_service(client: Client) -> None:
    cs = client.cloud_storage
    connection_id = cs.connect("google_drive", open_browser=play_browser, timeout=20).id
    assert [c.id for c in cs.list_connections()] == [connection_id]

    # Wrapped proxy answers, read through every page.
    big = folder_named(client, connection_id, "Camera Uploads")
    images = list(cs.iter_drive_files(connection_id, folder_id=big.id, mime_prefix="image/"))
    assert len(images) > 1000
    assert len({f.id for f in images}) == len(images)

    result = cs.import_and_wait(connection_id, images[:250], batch_size=100)
    assert len(result.jobs) == 3
    assert all(job.status is JobStatus.COMPLETED for job in result.jobs)
    assert sum(job.completed_files or 0 for job in result.jobs) == 250

    # Three files: a job as well under the service, with placeholder ids given at once.
    small = cs.import_and_wait(connection_id, images[:3])
    assert len(small.jobs) == 1
    assert small.jobs[0].status is JobStatus.COMPLETED
    assert len(small.image_ids) == 3
    assert all(UUID.fullmatch(i) for i in small.image_ids)

    exported = cs.export_and_wait(connection_id, small.image_ids, folder_name="Aionvision Export")
    assert exported.jobs[0].status == "completed"
    export_folder = folder_named(client, connection_id, "Aionvision Export")
    names = [f.name for f in cs.iter_drive_files(connection_id, folder_id=export_folder.id)]
    assert len(names) == 3

    cs.disconnect(connection_id)
    assert cs.list_connections() == []
