"""The overlay and the emulator together, over real HTTP on 127.0.0.1: the whole user flow.

Both sides are held to openapi.yaml (the emulator validates every exchange), so a drift between
what the client sends or expects and what the contract says fails here.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import httpx
import pytest

from aionvision_cloud import Client, CloudFile, JobStatus, Progress
from aionvision_cloud.errors import AuthenticationError, NotFoundError, ValidationError
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="document", job_pace=5000, job_start_delay=0) as emu:
        yield emu


@pytest.fixture
def client(emulator: RunningEmulator) -> Iterator[Client]:
    emulator.admin.reset()
    with Client(api_key=emulator.api_key, base_url=emulator.base_url, timeout=10) as c:
        yield c


def play_browser(url: str) -> None:
    """The user clicks "Allow": follow the consent page's redirect to the loopback server."""

    def visit() -> None:
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            browser.get(url)

    threading.Thread(target=visit, daemon=True).start()


def connect(client: Client) -> str:
    connection = client.cloud_storage.connect("google_drive", open_browser=play_browser, timeout=20)
    assert connection.provider == "google_drive"
    assert connection.is_active is True
    return connection.id


def folder_named(client: Client, connection_id: str, name: str) -> CloudFile:
    for item in client.cloud_storage.iter_drive_files(connection_id, include_folders=True):
        if item.is_folder and item.name == name:
            return item
    raise AssertionError(f"no folder {name!r}")


def test_connect_browse_import_export_disconnect(client: Client) -> None:
    cs = client.cloud_storage
    connection_id = connect(client)
    assert [c.id for c in cs.list_connections()] == [connection_id]

    big = folder_named(client, connection_id, "Camera Uploads")
    images = list(cs.iter_drive_files(connection_id, folder_id=big.id, mime_prefix="image/"))
    assert len(images) > 1000
    assert len({f.id for f in images}) == len(images)
    assert all(f.mime_type and f.mime_type.startswith("image/") for f in images)

    # Three batches of at most 100 files, each a background job, waited for together.
    seen: list[Progress] = []
    result = cs.import_and_wait(
        connection_id, images[:250], tags=["drive"], batch_size=100, on_progress=seen.append
    )
    assert len(result.batches) == 3
    assert len(result.jobs) == 3
    assert all(job.status is JobStatus.COMPLETED for job in result.jobs)
    assert sum(job.completed_files or 0 for job in result.jobs) == 250
    assert seen
    assert seen[-1].fraction == 1.0

    # A handful of files finishes synchronously, with image ids and no job.
    small = cs.import_and_wait(connection_id, images[:3])
    assert small.jobs == ()
    assert len(small.image_ids) == 3

    exported = cs.export_and_wait(connection_id, small.image_ids, folder_name="Aionvision Export")
    assert exported.jobs[0].status == "completed"
    export_folder = folder_named(client, connection_id, "Aionvision Export")
    names = [f.name for f in cs.iter_drive_files(connection_id, folder_id=export_folder.id)]
    assert len(names) == 3

    cs.disconnect(connection_id)
    assert cs.list_connections() == []
    with pytest.raises(NotFoundError):
        cs.get_picker_session(connection_id)


def test_a_missing_file_makes_the_job_partial_not_failed(client: Client) -> None:
    cs = client.cloud_storage
    connection_id = connect(client)
    big = folder_named(client, connection_id, "Camera Uploads")
    # The first page only: reading the whole big folder ten files a page took seconds.
    files: list[CloudFile | dict[str, str]] = list(
        itertools.islice(cs.iter_drive_files(connection_id, folder_id=big.id, page_size=10), 9)
    )
    files.append({"id": "no-such-file", "name": "ghost.jpg"})
    result = cs.import_and_wait(connection_id, files)
    (job,) = result.jobs
    assert job.status is JobStatus.PARTIAL
    assert job.is_success
    assert (job.completed_files, job.failed_files) == (9, 1)


def test_the_emulator_refuses_what_the_contract_refuses(
    client: Client, emulator: RunningEmulator
) -> None:
    connection_id = connect(client)
    too_many = [{"id": f"f{i}", "name": f"{i}.jpg"} for i in range(101)]
    # batch_size above the plan's limit goes out as one request and the service says no.
    with pytest.raises(ValidationError) as caught:
        client.cloud_storage.import_files(connection_id, too_many, batch_size=101)
    assert caught.value.status_code == 422
    assert caught.value.request_id

    stranger = Client(api_key="aion_" + "x" * 30, base_url=emulator.base_url)
    with stranger, pytest.raises(AuthenticationError) as denied:
        stranger.cloud_storage.list_connections()
    assert denied.value.status_code == 401
    assert "x" * 30 not in str(denied.value)


def test_oauth_without_a_redirect_uri_uses_the_service_callback_page(client: Client) -> None:
    """The official SDK's call shape: no redirect_uri in either step. The consent page sends
    the browser to the service's own GET callback page, and the code exchange succeeds."""
    cs = client.cloud_storage
    auth = cs.initiate_auth(provider="google_drive")
    assert auth.redirect_uri == f"{client.base_url}/cloud-storage/auth/google_drive/callback"
    consent = httpx.get(auth.authorization_url, timeout=10)
    assert consent.status_code == 302
    location = consent.headers["location"]
    assert location.startswith(auth.redirect_uri + "?")
    page = httpx.get(location, timeout=10)
    assert page.status_code == 200
    code = httpx.URL(location).params["code"]
    result = cs.complete_auth(provider="google_drive", code=code, state=auth.state)
    assert result.connection.id == result.id
    assert [c.id for c in cs.list_connections().connections] == [result.id]
