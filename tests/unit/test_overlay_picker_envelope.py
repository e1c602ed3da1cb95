"""The picker proxy's answer, wrapped in ``data`` (the service's published schema) or bare (the
API document): read both ways at every endpoint, and never an empty listing for anything else."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from overlay_testkit import FakeAPI, json_response

from aionvision_cloud import Client
from aionvision_cloud._picker import unwrap_proxy_response
from aionvision_cloud.errors import APIResponseValidationError

PROXY = "/cloud-storage/picker-proxy"
TOKEN = "/cloud-storage/connections/conn_1/picker-token"
SESSION = {
    "session": {
        "session_id": "picker_sess_1",
        "access_token": "ya29.SECRET",
        "app_id": "app",
        "developer_key": "AIzaKEY",
        "expires_at": "2025-01-15T11:30:00Z",
    }
}
# What Drive v3 answers at each allowed endpoint (the export is the proxy's JSON form of it).
DRIVE = {
    "files": {"files": [{"id": "f1", "name": "a.jpg", "mimeType": "image/jpeg"}]},
    "files/f1": {"kind": "drive#file", "id": "f1", "name": "a.jpg"},
    "files/f1/export": {"kind": "drive#export", "id": "f1", "encoding": "base64", "data": "QQ=="},
    "about": {"user": {"displayName": "Ada"}},
}


@pytest.mark.parametrize("endpoint", sorted(DRIVE))
@pytest.mark.parametrize("wrapped", [True, False], ids=["service", "document"])
def test_every_endpoint_reads_both_shapes(
    client: Client, api: FakeAPI, endpoint: str, wrapped: bool
) -> None:
    drive = DRIVE[endpoint]
    api.on("POST", PROXY, json_response(200, {"data": drive} if wrapped else drive))
    assert client.cloud_storage.picker_proxy("picker_sess_1", endpoint) == drive


def pages(wrapped: bool) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        token = json.loads(request.content)["params"].get("pageToken")
        page: dict[str, Any] = {"files": [{"id": f"f{token or 0}", "name": "x.jpg"}]}
        if token is None:
            page["nextPageToken"] = "1"
        return json_response(200, {"data": page} if wrapped else page)

    return handler


@pytest.mark.parametrize("wrapped", [True, False], ids=["service", "document"])
def test_a_folder_listing_yields_its_files_in_both_shapes(
    client: Client, api: FakeAPI, wrapped: bool
) -> None:
    # The defect: a wrapped answer read as bare held no "files" and listed nothing.
    api.on("GET", TOKEN, json_response(200, SESSION))
    api.on("POST", PROXY, pages(wrapped))
    files = list(client.cloud_storage.iter_drive_files("conn_1", folder_id="FOLDER"))
    assert [f.id for f in files] == ["f0", "f1"]


@pytest.mark.parametrize(
    "body",
    [
        {"data": None},
        {"data": "text"},
        {"data": {"kind": "drive#about"}},  # wrapped, but no file list in it
        {"result": {"files": []}},  # some other wrapper
        {},
    ],
)
def test_a_listing_that_is_neither_shape_raises_and_never_lists_nothing(
    client: Client, api: FakeAPI, body: dict[str, Any]
) -> None:
    api.on("GET", TOKEN, json_response(200, SESSION))
    api.on("POST", PROXY, json_response(200, body))
    with pytest.raises(APIResponseValidationError):
        list(client.cloud_storage.iter_drive_files("conn_1"))


def test_a_data_envelope_whose_data_is_no_object_is_refused() -> None:
    with pytest.raises(APIResponseValidationError, match="data is not a JSON object"):
        unwrap_proxy_response({"data": [1]})


def test_drive_keys_beside_data_mean_the_answer_is_bare() -> None:
    # Drive's export answer carries its own "data" (a string); a file could carry an object.
    bare = {"kind": "drive#file", "id": "f1", "data": {"x": 1}}
    assert unwrap_proxy_response(bare) == bare


def test_a_listing_whose_fields_leave_out_files_needs_no_file_list(
    client: Client, api: FakeAPI
) -> None:
    api.on("POST", PROXY, json_response(200, {"data": {"nextPageToken": "t"}}))
    answer = client.cloud_storage.picker_proxy("s", "files", {"fields": "nextPageToken"})
    assert answer == {"nextPageToken": "t"}
