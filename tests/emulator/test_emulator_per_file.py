"""A result per file, through the public API against both profiles: importing a folder with a
corrupt photo names that file with the service's reason, the other files are done, and the ids
the result gives as safe are images ``export_and_wait`` exports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aionvision_cloud import Client, JobStatus
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import client_for, connect

REASON = "corrupt_photo.jpg is corrupt or not a readable file"


@pytest.fixture(scope="module", params=["service", "document"])
def emulator(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    with run_emulator(profile=request.param, job_pace=5000, job_start_delay=0) as emu:
        yield emu


@pytest.fixture
def conn(emulator: RunningEmulator) -> Iterator[tuple[Client, str]]:
    emulator.admin.reset()
    with (
        client_for(emulator) as api,
        Client(
            api_key=emulator.api_key,
            base_url=emulator.base_url,
            timeout=10,
            polling_interval=0.05,
        ) as client,
    ):
        yield client, str(connect(api)["connection"]["id"])
    assert emulator.admin.stats()["spec_violations"] == []


# Batches of 5: one batch for the folder's 5 images (the API document's service answers it at
# once, the service makes a job); of 2: three batches, the corrupt file in the first.
@pytest.mark.parametrize("batch_size", [5, 2])
def test_a_partial_import_names_the_failed_file_and_its_siblings_ids_export(
    emulator: RunningEmulator, conn: tuple[Client, str], batch_size: int
) -> None:
    client, cid = conn
    cs = client.cloud_storage
    files = list(cs.iter_drive_files(cid, folder="Mixed", mime_prefix="image/"))
    by_name = {f.name: f.id for f in files}
    assert len(files) == 5
    assert "corrupt_photo.jpg" in by_name

    imported = cs.import_and_wait(cid, files, batch_size=batch_size, raise_on_failure=False)

    assert imported.status is JobStatus.PARTIAL
    assert [f.file_id for f in imported.files] == [f.id for f in files]  # one per file, in order
    [failed] = imported.failed
    assert (failed.file_id, failed.name, failed.reason) == (
        by_name["corrupt_photo.jpg"],
        "corrupt_photo.jpg",
        REASON,
    )
    assert failed.image_id is None
    done = [f for f in imported.files if f.outcome == "done"]
    assert {f.name for f in done} == set(by_name) - {"corrupt_photo.jpg"}
    assert (imported.completed_files, imported.failed_files) == (4, 1)
    # The ids safe to export: one image per file done (tied to its file where the answer gives
    # one id per file sent), none for the corrupt one.
    assert len(imported.image_ids) == 4
    assert {f.image_id for f in done if f.image_id} <= set(imported.image_ids)
    if emulator.profile == "service":  # one placeholder per file: every done file has its id
        assert [f.image_id for f in done] == list(imported.image_ids)

    exported = cs.export_and_wait(cid, imported.image_ids, folder_name="Back from Aionvision")

    assert exported.status is JobStatus.COMPLETED
    assert [f.image_id for f in exported.files] == list(imported.image_ids)
    assert [f.outcome for f in exported.files] == ["done"] * 4
    assert exported.failed == ()
    assert set(emulator.admin.stats()["exports_by_image"]) == set(imported.image_ids)
    [folder] = cs.iter_drive_files(cid, query="name = 'Back from Aionvision'", include_folders=True)
    # The document's service names no file an export made: the folder is not learned there.
    assert exported.folder_id == (folder.id if emulator.profile == "service" else None)
    landed = {f.id for f in cs.iter_drive_files(cid, folder_id=folder.id)}
    assert len(landed) == 4
    if emulator.profile == "service":  # its jobs name the Drive files they made, one per image
        assert {f.file_id for f in exported.files} == landed


def test_an_import_whose_only_file_fails_names_it(conn: tuple[Client, str]) -> None:
    client, cid = conn
    cs = client.cloud_storage
    [corrupt] = [
        f for f in cs.iter_drive_files(cid, folder="Mixed") if f.name == "corrupt_photo.jpg"
    ]
    result = cs.import_and_wait(cid, [corrupt], raise_on_failure=False)
    assert result.status is JobStatus.FAILED
    assert [(f.file_id, f.outcome, f.reason) for f in result.files] == [
        (corrupt.id, "failed", REASON)
    ]
    assert result.image_ids == ()
