"""Every user workflow, end to end over HTTP, replayed from its own cassette in tests/cassettes/.

Each test runs the same code in replay (``make test``) and while recording (``make record``);
``backend`` holds the few steps that differ: the consent page, and the emulator's knobs.
"""

from __future__ import annotations

import itertools
import os

import pytest
from cassette_backends import Backend
from cassette_kit import VirtualClock

from aionvision_cloud import Client, CloudFile, Connection, JobStatus, Progress
from aionvision_cloud.errors import (
    AuthenticationError,
    JobFailedError,
    NotFoundError,
)
from aionvision_cloud_api.api.cloud_storage import get_job, import_files, list_connections
from aionvision_cloud_api.models.import_file import ImportFile
from aionvision_cloud_api.models.import_request import ImportRequest
from aionvision_cloud_api.models.provider import Provider

pytestmark = pytest.mark.vcr

#: A folder with enough images to page through and import (the emulator's big seeded folder).
FOLDER = os.environ.get("AIONVISION_RECORD_FOLDER", "Camera Uploads")
FOLDER_MIME = "application/vnd.google-apps.folder"
TERMINAL = {"completed", "partial", "failed", "cancelled"}


def connect(client: Client, backend: Backend, cassette: object) -> Connection:
    """The loopback OAuth flow, step by step: start, consent, complete from the redirect URL."""
    cs = client.cloud_storage
    redirect_uri = f"http://127.0.0.1:{backend.redirect_port}/callback"
    start = cs.start_auth("google_drive", redirect_uri)
    assert start.redirect_uri == redirect_uri
    redirect_url = backend.consent(start.authorization_url, cassette)
    return cs.complete_auth_from_redirect("google_drive", redirect_url, start.state)


def connection_id(client: Client, backend: Backend, cassette: object) -> str:
    """An active Drive connection: the existing one, or a new one."""
    existing = client.cloud_storage.list_connections("google_drive")
    if existing:
        return existing[0].id
    return connect(client, backend, cassette).id


def folder(client: Client, cid: str, name: str) -> CloudFile:
    folders = client.cloud_storage.iter_drive_files(
        cid, folder_id="root", mime_prefix=FOLDER_MIME, include_folders=True
    )
    matches = [f for f in folders if f.name == name]
    assert matches, f"no folder named {name!r}"
    return matches[0]


def images(client: Client, cid: str, count: int) -> list[CloudFile]:
    found = client.cloud_storage.iter_drive_files(
        cid, folder_id=folder(client, cid, FOLDER).id, mime_prefix="image/", page_size=count
    )
    return list(itertools.islice(found, count))


# 1
def test_connect(client: Client, backend: Backend, vcr: object) -> None:
    connection = connect(client, backend, vcr)
    assert connection.provider == "google_drive"
    assert connection.is_active is True
    assert connection.provider_email


# 2
def test_reconnect(client: Client, backend: Backend, vcr: object) -> None:
    first = connection_id(client, backend, vcr)
    again = connect(client, backend, vcr)
    assert again.id == first
    assert again.is_new is False


# 3
def test_list_connections(client: Client, backend: Backend, vcr: object) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    assert cid in [c.id for c in cs.list_connections()]
    assert cid in [c.id for c in cs.list_connections("google_drive")]
    everything = cs.list_connections("google_drive", active_only=False)
    assert cid in [c.id for c in everything]
    assert all(c.provider == "google_drive" for c in everything)


# 4
def test_picker_paging(client: Client, backend: Backend, vcr: object) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    session = cs.get_picker_session(cid)
    assert session.session_id
    about = cs.picker_proxy(session, "about", {"fields": "user"})
    assert about.get("user")
    big = folder(client, cid, FOLDER)
    # Three pages of ten: the iterator follows nextPageToken lazily.
    files = list(itertools.islice(cs.iter_drive_files(cid, folder_id=big.id, page_size=10), 25))
    assert len(files) == 25
    assert len({f.id for f in files}) == 25


# 5
def test_import_sync(client: Client, backend: Backend, vcr: object) -> None:
    cid = connection_id(client, backend, vcr)
    result = client.cloud_storage.import_and_wait(cid, images(client, cid, 3), tags=["drive"])
    assert result.jobs == ()
    assert len(result.image_ids) == 3


# 6
def test_import_polled(client: Client, backend: Backend, vcr: object, clock: object) -> None:
    cid = connection_id(client, backend, vcr)
    seen: list[Progress] = []
    result = client.cloud_storage.import_and_wait(
        cid, images(client, cid, 30), tags=["drive"], on_progress=seen.append
    )
    (job,) = result.jobs
    assert job.status is JobStatus.COMPLETED
    assert job.completed_files == 30
    assert len(seen) >= 2
    assert seen[-1].fraction == 1.0
    if isinstance(clock, VirtualClock):
        assert clock.slept, "polling waited through the injected clock"


# 7
def test_import_partial(client: Client, backend: Backend, vcr: object) -> None:
    cid = connection_id(client, backend, vcr)
    files: list[CloudFile | dict[str, str]] = [*images(client, cid, 9)]
    files.append({"id": "no-such-file", "name": "ghost.jpg"})
    result = client.cloud_storage.import_and_wait(cid, files)
    (job,) = result.jobs
    assert job.status is JobStatus.PARTIAL
    assert job.is_success
    assert (job.completed_files, job.failed_files) == (9, 1)


# 8
def test_import_batched(client: Client, backend: Backend, vcr: object) -> None:
    cid = connection_id(client, backend, vcr)
    seen: list[Progress] = []
    result = client.cloud_storage.import_and_wait(
        cid, images(client, cid, 24), batch_size=10, on_progress=seen.append
    )
    assert [b.files_sent for b in result.batches] == [10, 10, 4]
    assert len(result.jobs) == 2  # the last batch of 4 finished synchronously
    assert all(job.status is JobStatus.COMPLETED for job in result.jobs)
    assert sum(job.completed_files or 0 for job in result.jobs) == 20
    assert len(result.batches[-1].image_ids) == 4
    assert seen[-1].fraction == 1.0


# 9
def test_export_new_folder(client: Client, backend: Backend, vcr: object) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    imported = cs.import_and_wait(cid, images(client, cid, 3))
    exported = cs.export_and_wait(cid, imported.image_ids, folder_name="Aionvision Export")
    assert exported.jobs[0].status is JobStatus.COMPLETED
    target = folder(client, cid, "Aionvision Export")
    names = [f.name for f in cs.iter_drive_files(cid, folder_id=target.id)]
    assert len(names) == 3


# 10
@pytest.mark.emulator_only("a job is cancelled through the emulator's admin API")
def test_job_errors(client: Client, backend: Backend, vcr: object) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    started = cs.import_files(cid, images(client, cid, 20))
    (job_id,) = started.job_ids
    backend.cancel_job(job_id)
    with pytest.raises(JobFailedError) as cancelled:
        cs.wait_for_job(job_id)
    assert cancelled.value.job.status is JobStatus.CANCELLED

    with pytest.raises(NotFoundError) as unknown:
        cs.get_job("job_000000000000")
    assert unknown.value.status_code == 404
    assert unknown.value.request_id

    stranger = Client(
        api_key="aion_" + "x" * 30, base_url=backend.base_url, clock=client.clock, max_retries=0
    )
    with stranger, pytest.raises(AuthenticationError) as denied:
        stranger.cloud_storage.list_connections()
    assert denied.value.status_code == 401
    assert "x" * 30 not in str(denied.value)


# 11
@pytest.mark.emulator_only("rate limits and 503s are forced through the emulator's knobs")
def test_rate_limit_and_unavailable(
    client: Client, backend: Backend, vcr: object, clock: object
) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    backend.configure(rate_limit=4)
    # A burst over the limit: the client waits out Retry-After and every call succeeds.
    for _ in range(6):
        assert [c.id for c in cs.list_connections()] == [cid]
    backend.configure(rate_limit=None)
    backend.fail_next("503")
    assert [c.id for c in cs.list_connections()] == [cid]
    if isinstance(clock, VirtualClock):
        assert any(s >= 10 for s in clock.slept), "waited the rate limit's Retry-After"
        assert clock.slept[-1] == 1, "waited the 503's Retry-After"


# 13
def test_generated_functions(client: Client, backend: Backend, vcr: object) -> None:
    cid = connection_id(client, backend, vcr)
    listed = list_connections.sync(client=client.api, provider=Provider.GOOGLE_DRIVE)
    assert [c.id for c in listed.connections] == [cid]

    picked = images(client, cid, 8)
    body = ImportRequest(
        connection_id=cid, files=[ImportFile(id=f.id, name=f.name) for f in picked]
    )
    started = import_files.sync(client=client.api, body=body)
    assert started.is_async is True
    detail = get_job.sync(job_id=started.job_id, client=client.api)
    while detail.job.status not in TERMINAL:
        client.clock.sleep(2)
        detail = get_job.sync(job_id=started.job_id, client=client.api)
    assert detail.job.status == "completed"
    assert detail.job.completed_files == 8


# 12, last: against the real service the workflows above reuse this connection.
def test_disconnect(client: Client, backend: Backend, vcr: object) -> None:
    cs = client.cloud_storage
    cid = connection_id(client, backend, vcr)
    assert cs.disconnect(cid).success is True
    assert cid not in [c.id for c in cs.list_connections()]
    with pytest.raises(NotFoundError):
        cs.get_picker_session(cid)
