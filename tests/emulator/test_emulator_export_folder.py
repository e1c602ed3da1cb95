"""An export with ``folder_name`` makes one Drive folder however many batches it takes, through
the public API against both profiles: the service's jobs name the files they made (its folder
is learned through the picker proxy), the API document's do not (more than one batch is
refused, not scattered)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from aionvision_cloud import Client, CloudFile, ExportFolderError, JobStatus
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import client_for, connect


@pytest.fixture(scope="module")
def service() -> Iterator[RunningEmulator]:
    with run_emulator(profile="service", job_pace=5000, job_start_delay=0) as emu:
        yield emu


def _client(emu: RunningEmulator) -> Client:
    return Client(api_key=emu.api_key, base_url=emu.base_url, timeout=10, polling_interval=0.05)


@pytest.fixture
def svc(service: RunningEmulator) -> Iterator[tuple[Client, str]]:
    service.admin.reset()
    with client_for(service) as api, _client(service) as client:
        yield client, str(connect(api)["connection"]["id"])
    assert service.admin.stats()["spec_violations"] == []


@pytest.fixture
def doc(emu: RunningEmulator) -> Iterator[tuple[Client, str]]:
    with client_for(emu) as api, _client(emu) as client:
        yield client, str(connect(api)["connection"]["id"])


def _images(client: Client, cid: str, n: int) -> list[str]:
    cs = client.cloud_storage
    big = next(
        f
        for f in cs.iter_drive_files(cid, include_folders=True)
        if f.is_folder and f.name == "Camera Uploads"
    )
    files = list(itertools.islice(cs.iter_drive_files(cid, folder_id=big.id), n))
    # Batches of 5: small enough that the document's service answers them at once, with ids.
    result = cs.import_and_wait(cid, files, batch_size=5)
    assert len(result.image_ids) == n
    return list(result.image_ids)


def _folders(client: Client, cid: str, name: str) -> list[CloudFile]:
    listed = client.cloud_storage.iter_drive_files(
        cid, query=f"name = '{name}'", include_folders=True
    )
    return [f for f in listed if f.is_folder]


def _in(client: Client, cid: str, folder_id: str) -> set[str]:
    return {f.name for f in client.cloud_storage.iter_drive_files(cid, folder_id=folder_id)}


def test_forty_images_in_batches_of_ten_go_into_one_new_folder(svc: tuple[Client, str]) -> None:
    client, cid = svc
    ids = _images(client, cid, 40)
    result = client.cloud_storage.export_and_wait(
        cid, ids, folder_name="Trip export", batch_size=10
    )
    assert len(result.batches) == 4
    assert [j.status for j in result.jobs] == [JobStatus.COMPLETED] * 4
    (folder,) = _folders(client, cid, "Trip export")  # one folder, not one per batch
    assert result.folder_id == folder.id
    assert len(_in(client, cid, folder.id)) == 40
    made = {f for j in result.jobs for f in (j.cloud_file_ids or [])}
    listed = {f.id for f in client.cloud_storage.iter_drive_files(cid, folder_id=folder.id)}
    assert listed == made


def test_a_one_batch_export_names_its_new_folder_too(svc: tuple[Client, str]) -> None:
    client, cid = svc
    result = client.cloud_storage.export_and_wait(cid, _images(client, cid, 3), folder_name="Small")
    (folder,) = _folders(client, cid, "Small")
    assert result.folder_id == folder.id


def test_export_files_waits_for_the_first_job_only(svc: tuple[Client, str]) -> None:
    client, cid = svc
    cs = client.cloud_storage
    ids = _images(client, cid, 25)
    result = cs.export_files(cid, ids, folder_name="No wait", batch_size=10)
    assert len(result.batches) == 3
    assert cs.get_job(result.job_ids[0]).is_terminal  # waited for: its files name the folder
    (folder,) = _folders(client, cid, "No wait")
    assert result.folder_id == folder.id
    for job_id in result.job_ids:
        cs.wait_for_job(job_id)
    assert len(_in(client, cid, folder.id)) == 25


def test_a_journal_rerun_goes_on_into_the_same_folder(
    svc: tuple[Client, str], tmp_path: Path
) -> None:
    client, cid = svc
    cs = client.cloud_storage
    ids = _images(client, cid, 40)
    journal = tmp_path / "export.journal"
    # The first run stops after two batches (as if cut short); the re-run holds them all.
    first = cs.export_and_wait(cid, ids[:20], folder_name="Resumed", batch_size=10, journal=journal)
    again = cs.export_and_wait(cid, ids, folder_name="Resumed", batch_size=10, journal=journal)
    assert [b.from_journal for b in again.batches] == [True, True, False, False]
    (folder,) = _folders(client, cid, "Resumed")
    assert first.folder_id == again.folder_id == folder.id
    assert len(_in(client, cid, folder.id)) == 40


def test_a_rerun_learns_the_folder_an_unwaited_first_batch_made(
    svc: tuple[Client, str], tmp_path: Path
) -> None:
    client, cid = svc
    cs = client.cloud_storage
    ids = _images(client, cid, 30)
    journal = tmp_path / "export.journal"
    # One batch, not waited for: its folder is not known when this call returns.
    first = cs.export_files(cid, ids[:10], folder_name="Later", batch_size=10, journal=journal)
    assert first.folder_id is None
    again = cs.export_and_wait(cid, ids, folder_name="Later", batch_size=10, journal=journal)
    (folder,) = _folders(client, cid, "Later")
    assert again.folder_id == folder.id
    assert len(_in(client, cid, folder.id)) == 30


def test_a_folder_that_cannot_be_learned_stops_the_export(
    svc: tuple[Client, str],
) -> None:
    client, cid = svc
    ids = _images(client, cid, 5)
    # The first batch's images are unknown: its job fails and names no Drive file.
    missing = [f"img_missing_{i}" for i in range(10)]
    with pytest.raises(ExportFolderError) as caught:
        client.cloud_storage.export_and_wait(
            cid, missing + ids, folder_name="Nowhere", batch_size=10
        )
    assert "folder_id" in str(caught.value)
    assert "batch_size" in str(caught.value)
    partial = caught.value.partial
    assert [b.images_sent for b in partial.batches] == [10]
    assert partial.not_sent == tuple(ids)
    assert len(_folders(client, cid, "Nowhere")) == 1  # the first batch's, and no other


def test_the_document_profile_refuses_a_new_folder_over_several_batches(
    doc: tuple[Client, str],
) -> None:
    client, cid = doc
    ids = _images(client, cid, 25)
    with pytest.raises(ExportFolderError) as caught:
        client.cloud_storage.export_and_wait(cid, ids, folder_name="Doc export", batch_size=10)
    assert "cloud_file_ids" in str(caught.value)
    partial = caught.value.partial
    assert [b.images_sent for b in partial.batches] == [10]
    assert len(partial.not_sent) == 15
    (folder,) = _folders(client, cid, "Doc export")
    assert len(_in(client, cid, folder.id)) == 10  # the first batch, nothing scattered


def test_the_document_profile_exports_one_batch_into_a_new_folder(
    doc: tuple[Client, str],
) -> None:
    client, cid = doc
    cs = client.cloud_storage
    result = cs.export_and_wait(cid, _images(client, cid, 5), folder_name="One batch")
    assert result.status is JobStatus.COMPLETED
    assert result.folder_id is None  # its job names no file: the folder is not known
    (folder,) = _folders(client, cid, "One batch")
    assert len(_in(client, cid, folder.id)) == 5


def test_an_existing_folder_is_the_results_folder(doc: tuple[Client, str]) -> None:
    client, cid = doc
    cs = client.cloud_storage
    target = cs.resolve_folder(cid, "Photos")
    result = cs.export_and_wait(cid, _images(client, cid, 12), folder_id=target.id, batch_size=5)
    assert result.folder_id == target.id
    assert len(result.batches) == 3
