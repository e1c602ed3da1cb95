"""Code written for the official ``aion`` SDK runs against this package.

The official SDK publishes a cloud-storage example (``examples/cloud_storage.py`` in the
AionVision/AionVision repository) making eleven calls. Below are those calls, made synchronous by
dropping ``async``/``await`` and pointed at this package (``Client`` for ``AionVision``,
``CloudFile`` for ``CloudFileInput``); every method name, keyword argument, literal id and
attribute read is the example's, so nothing here was adapted to this package's own names.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from overlay_testkit import BASE_URL, FakeAPI, job_body, json_response

from aionvision_cloud import Client
from aionvision_cloud import CloudFile as CloudFileInput

AionVision = Client


# -- the official example's calls, synchronous ---------------------------------------------------


def connect_cloud_storage() -> None:
    with AionVision.from_env() as client:
        auth = client.cloud_storage.initiate_auth(provider="google_drive")
        print(f"Authorize at: {auth.authorization_url}")
        result = client.cloud_storage.complete_auth(
            provider="google_drive",
            code="oauth-callback-code",
            state=auth.state,
        )
        print(f"Connected: {result.connection.id}")


def list_connections() -> None:
    with AionVision.from_env() as client:
        connections = client.cloud_storage.list_connections()
        for conn in connections.connections:
            print(f"  {conn.provider}: {conn.provider_email} (active={conn.is_active})")


def import_files() -> None:
    with AionVision.from_env() as client:
        job = client.cloud_storage.import_and_wait(
            connection_id="connection-uuid",
            files=[
                CloudFileInput(id="drive-file-id-1", name="photo1.jpg"),
                CloudFileInput(id="drive-file-id-2", name="photo2.jpg"),
            ],
        )
        print(f"Imported {job.completed_files} files")
        print(f"Status: {job.status}")

        job = client.cloud_storage.start_import(
            connection_id="connection-uuid",
            files=[CloudFileInput(id="file-id", name="photo.jpg")],
        )
        print(f"Job ID: {job.job_id}")

        status = client.cloud_storage.get_job(job.job_id)
        print(f"Status: {status.status}")


def export_files() -> None:
    with AionVision.from_env() as client:
        job = client.cloud_storage.export_and_wait(
            connection_id="connection-uuid",
            image_ids=["image-id-1", "image-id-2"],
            folder_name="/Aionvision Exports",
        )
        print(f"Exported {job.completed_files} files")


# -- the service, faked --------------------------------------------------------------------------

CONNECTION = {
    "id": "connection-uuid",
    "provider": "google_drive",
    "provider_email": "user@gmail.com",
    "is_active": True,
}


@pytest.fixture
def service(
    api: FakeAPI, make_client: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> FakeAPI:
    monkeypatch.setattr(Client, "from_env", classmethod(lambda cls, *a, **k: make_client()))

    def initiate(request: httpx.Request) -> httpx.Response:
        uri = json.loads(request.content)["redirect_uri"]
        return json_response(
            200,
            {
                "authorization_url": f"https://accounts.google.test/o/oauth2/auth?redirect_uri={uri}",
                "state": "csrf_state_1",
                "provider": "google_drive",
            },
        )

    api.on("POST", "/cloud-storage/auth/google_drive", initiate)
    api.on(
        "POST",
        "/cloud-storage/auth/google_drive/callback",
        json_response(200, {"connection": CONNECTION, "is_new": True}),
    )
    api.on(
        "GET",
        "/cloud-storage/connections",
        json_response(200, {"connections": [CONNECTION], "total_count": 1}),
    )
    api.on(
        "POST",
        "/cloud-storage/import",
        json_response(200, {"job_id": "job_imp1", "is_async": True, "total_files": 2}),
        json_response(200, {"job_id": "job_imp2", "is_async": True, "total_files": 1}),
    )
    api.on(
        "GET",
        "/cloud-storage/jobs/job_imp1",
        json_response(
            200,
            job_body("job_imp1", "completed", total_files=2, completed_files=2, failed_files=0),
        ),
    )
    api.on(
        "GET",
        "/cloud-storage/jobs/job_imp2",
        json_response(200, job_body("job_imp2", "pending", total_files=1, completed_files=0)),
    )
    api.on(
        "POST",
        "/cloud-storage/export",
        json_response(200, {"job_id": "job_exp1", "job_status": "pending", "is_async": True}),
    )
    api.on(
        "GET",
        "/cloud-storage/jobs/job_exp1",
        json_response(
            200,
            job_body(
                "job_exp1",
                "completed",
                type="export",
                total_files=2,
                completed_files=2,
                failed_files=0,
            ),
        ),
    )
    return api


def test_the_official_example_runs_unchanged(
    service: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    connect_cloud_storage()
    list_connections()
    import_files()
    export_files()

    out = capsys.readouterr().out.splitlines()
    callback = f"{BASE_URL}/cloud-storage/auth/google_drive/callback"
    assert out == [
        f"Authorize at: https://accounts.google.test/o/oauth2/auth?redirect_uri={callback}",
        "Connected: connection-uuid",
        "  google_drive: user@gmail.com (active=True)",
        "Imported 2 files",
        "Status: completed",
        "Job ID: job_imp2",
        "Status: pending",
        "Exported 2 files",
    ]
    # Without a redirect_uri both steps send the service's own callback page.
    [initiate] = service.bodies("POST", "/cloud-storage/auth/google_drive")
    [complete] = service.bodies("POST", "/cloud-storage/auth/google_drive/callback")
    assert initiate == {"provider": "google_drive", "redirect_uri": callback}
    assert complete == {
        "code": "oauth-callback-code",
        "state": "csrf_state_1",
        "redirect_uri": callback,
    }
    assert service.bodies("POST", "/cloud-storage/export") == [
        {
            "connection_id": "connection-uuid",
            "image_ids": ["image-id-1", "image-id-2"],
            "folder_name": "/Aionvision Exports",
        }
    ]


def test_this_package_names_still_work_beside_the_official_ones(
    service: FakeAPI, client: Client
) -> None:
    cs = client.cloud_storage
    # Each official name is an alias, and says so (one name per thing; the alias is kept for
    # code written for the official SDK).
    for alias, name in (
        ("initiate_auth", "start_auth"),
        ("start_import", "import_files"),
        ("start_export", "export_files"),
    ):
        assert (getattr(cs, alias).__doc__ or "").startswith(
            f"Alias of [`{name}`][aionvision_cloud.CloudStorage.{name}]"
        )
    connections = cs.list_connections()
    assert connections == [connections[0]]
    assert connections.connections == list(connections)
    assert (len(connections), connections.total_count, connections[0].id) == (
        1,
        1,
        "connection-uuid",
    )
    result = cs.complete_auth("google_drive", "code", "csrf_state_1", "https://app.test/cb")
    assert result.id == result.connection.id == "connection-uuid"
    assert result.is_new is True
    # The connection's fields read on the result too, as when it was the connection itself.
    assert result.provider_email == result.connection.provider_email == "user@gmail.com"
