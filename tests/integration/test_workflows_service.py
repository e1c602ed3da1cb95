"""The workflows whose answers differ between the service as it runs today and the API document,
recorded against the emulator's ``service`` profile (or the real service) into
tests/cassettes/service/ and replayed offline: the proxy's ``data`` envelope while paging, every
import a job with placeholder ids, and exports that name the Drive files they made."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from cassette_backends import Backend, choose_backend
from cassette_kit import CASSETTE_DIR
from test_workflows import FOLDER, connection_id, folder, images

from aionvision_cloud import Client, JobStatus, Progress

pytestmark = pytest.mark.vcr


@pytest.fixture(scope="module")
def backend(pytestconfig: pytest.Config) -> Iterator[Backend]:
    # This module's own backend: the service profile where the emulator records.
    with choose_backend(pytestconfig.getoption("--record-mode"), "service") as chosen:
        yield chosen


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(Path(CASSETTE_DIR) / "service")


def test_picker_paging(client: Client, backend: Backend, vcr: object) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    about = cs.picker_proxy(cs.get_picker_session(cid), "about", {"fields": "user"})
    assert about.get("user")  # unwrapped from {"data": ...}
    big = folder(client, cid, FOLDER)
    files = list(itertools.islice(cs.iter_drive_files(cid, folder_id=big.id, page_size=10), 25))
    assert len({f.id for f in files}) == 25


def test_import_small(client: Client, backend: Backend, vcr: object) -> None:
    # Three files: the document answers them at once; the service makes a job of them too.
    cid = connection_id(client, backend, vcr)
    result = client.cloud_storage.import_and_wait(cid, images(client, cid, 3), tags=["drive"])
    (batch,) = result.batches
    assert batch.job_id
    assert batch.job_id.startswith("job_")
    assert len(batch.image_ids) == 3  # placeholders, given at once
    (job,) = result.jobs
    assert job.status is JobStatus.COMPLETED
    assert len(result.image_ids) == 3


def test_import_batched(client: Client, backend: Backend, vcr: object) -> None:
    cid = connection_id(client, backend, vcr)
    seen: list[Progress] = []
    result = client.cloud_storage.import_and_wait(
        cid, images(client, cid, 24), batch_size=10, on_progress=seen.append
    )
    assert [b.files_sent for b in result.batches] == [10, 10, 4]
    assert len(result.jobs) == 3  # every batch a job, the last one too
    assert all(job.status is JobStatus.COMPLETED for job in result.jobs)
    assert len(result.image_ids) == 24
    assert seen[-1].fraction == 1.0


def test_export_new_folder(client: Client, backend: Backend, vcr: object) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    imported = cs.import_and_wait(cid, images(client, cid, 3))
    exported = cs.export_and_wait(cid, imported.image_ids, folder_name="Aionvision Export")
    (batch,) = exported.batches
    assert batch.cloud_file_ids is None  # null while the job runs
    (job,) = exported.jobs
    assert job.status is JobStatus.COMPLETED
    assert job.cloud_file_ids is not None
    assert len(job.cloud_file_ids) == 3
    target = folder(client, cid, "Aionvision Export")
    in_drive = {f.id for f in cs.iter_drive_files(cid, folder_id=target.id)}
    assert in_drive == set(job.cloud_file_ids)
    assert exported.folder_id == target.id  # learned from a file it made, through the proxy
