"""The client's Drive iterator against Drive's short and empty pages (issue 12).

Drive may answer a page with fewer files than asked for, even none, and still a nextPageToken;
the emulator's `drive_short_pages` knob does the same, and `iter_drive_files` must keep going.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aionvision_cloud import Client
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import client_for, connect, folder_id, session_for


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="document", big_folder_size=300, drive_short_pages=1.0) as emu:
        yield emu


@pytest.mark.parametrize(
    ("folder", "page_size", "expected"), [("Vacation 2024", 5, 40), ("Camera Uploads", 50, 300)]
)
def test_iter_drive_files_survives_short_and_empty_pages(
    emulator: RunningEmulator, folder: str, page_size: int, expected: int
) -> None:
    emulator.admin.reset()
    with client_for(emulator) as api:
        connection_id = connect(api)["connection"]["id"]
        sid = session_for(api, connection_id)
        photos = folder_id(api, sid, "Photos")
        parent = photos if folder == "Vacation 2024" else "root"
        target = folder_id(api, sid, folder, parent)
    before = emulator.admin.stats()["requests_by_operation"].get("picker_proxy", 0)
    with Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=10) as client:
        files = list(
            client.cloud_storage.iter_drive_files(
                connection_id, folder_id=target, page_size=page_size
            )
        )
    assert len(files) == expected
    assert len({f.id for f in files}) == expected
    pages = emulator.admin.stats()["requests_by_operation"]["picker_proxy"] - before
    # More requests than full pages would need: some pages were short (or empty).
    assert pages > expected // page_size + 1
