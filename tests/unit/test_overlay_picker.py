"""The picker proxy allowlist, Drive listing across pages, and picker session renewal."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from overlay_testkit import FakeAPI, FakeClock, error_body, json_response

from aionvision_cloud import Client, CloudFile, PickerSession
from aionvision_cloud._picker import build_query, unwrap_proxy_response
from aionvision_cloud.errors import (
    APIResponseValidationError,
    AuthenticationError,
    InvalidInputError,
)

PROXY = "/cloud-storage/picker-proxy"
TOKEN = "/cloud-storage/connections/conn_1/picker-token"
FOLDER = "application/vnd.google-apps.folder"


def session_reply(n: int, expires_at: str = "2025-01-15T11:30:00Z") -> httpx.Response:
    return json_response(
        200,
        {
            "session": {
                "session_id": f"picker_sess_{n}",
                "access_token": f"ya29.SECRET{n}",
                "app_id": "app",
                "developer_key": f"AIzaKEY{n}",
                "expires_at": expires_at,
            }
        },
    )


@pytest.mark.parametrize(
    "endpoint", ["files", "files/abc123", "files/A-b_9/export", "about", "files/1"]
)
def test_allowed_endpoints_are_sent(client: Client, api: FakeAPI, endpoint: str) -> None:
    api.on("POST", PROXY, json_response(200, {"kind": "drive#file", "id": "abc123"}))
    data = client.cloud_storage.picker_proxy("picker_sess_abc123", endpoint, {"fields": "id,name"})
    assert data["id"] == "abc123"
    assert api.bodies("POST", PROXY) == [
        {"session_id": "picker_sess_abc123", "endpoint": endpoint, "params": {"fields": "id,name"}}
    ]


@pytest.mark.parametrize(
    "endpoint",
    [
        "",
        "files/",
        "/files",
        "files/../about",
        "..",
        "files/abc/../../admin",
        "files/abc/export/more",
        "files/abc/delete",
        "files/abc?alt=media",
        "files#x",
        "files/a%2Fb",
        "files/a%2e%2e",
        "files/a b",
        "files\n",
        "about/",
        "FILES",
        "drives",
        "files/abc.jpg",
        "files//export",
        "https://evil.test/files",
        "files/ab\u0441",  # a Cyrillic letter that looks Latin
    ],
)
def test_disallowed_endpoints_raise_before_any_request(
    client: Client, api: FakeAPI, endpoint: str
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the documented contract is ValueError
        client.cloud_storage.picker_proxy("picker_sess_abc123", endpoint)
    assert api.requests == []


@pytest.mark.parametrize("endpoint", [None, 5, b"files", ["files"]])
def test_non_string_endpoints_raise(client: Client, api: FakeAPI, endpoint: Any) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.picker_proxy("s", endpoint)
    assert api.requests == []


def test_bad_session_and_params_raise(client: Client, api: FakeAPI) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.picker_proxy("", "files")
    with pytest.raises(InvalidInputError):
        client.cloud_storage.picker_proxy("s", "files", ["q"])  # type: ignore[arg-type]
    assert api.requests == []


def test_params_omitted_when_none(client: Client, api: FakeAPI) -> None:
    api.on("POST", PROXY, json_response(200, {"user": {}}))
    session = PickerSession(session_id="picker_sess_x")
    client.cloud_storage.picker_proxy(session, "about")
    assert api.bodies("POST", PROXY) == [{"session_id": "picker_sess_x", "endpoint": "about"}]


@pytest.mark.parametrize(
    "body",
    [{"files": [], "nextPageToken": "t"}, {"id": "x", "data": {"y": 1}}, {"result": {"a": 1}}],
)
def test_proxy_response_is_the_drive_json_as_sent(body: dict[str, Any]) -> None:
    # openapi.yaml: the proxied Drive response, as Drive sent it; no wrapper is guessed at.
    assert unwrap_proxy_response(body) == body


@pytest.mark.parametrize("body", [[1, 2], "text", None])
def test_proxy_response_that_is_not_an_object_is_rejected(body: Any) -> None:
    with pytest.raises(APIResponseValidationError, match="not a JSON object"):
        unwrap_proxy_response(body)


def test_get_picker_session(client: Client, api: FakeAPI) -> None:
    api.on("GET", TOKEN, session_reply(1))
    session = client.cloud_storage.get_picker_session("conn_1")
    assert session.session_id == "picker_sess_1"
    assert session.connection_id == "conn_1"
    assert session.expires_at is not None
    assert "SECRET" not in repr(session)


def test_build_query() -> None:
    assert build_query("FOLDER_ID", None, "image/") == (
        "'FOLDER_ID' in parents and mimeType contains 'image/' and trashed = false"
    )
    assert (
        build_query(None, "name contains 'cat'", None)
        == "(name contains 'cat') and trashed = false"
    )
    assert build_query(None, None, "it's") == "mimeType contains 'it\\'s' and trashed = false"


@pytest.mark.parametrize(
    "kw",
    [
        {"folder_id": "a' or '1'='1"},
        {"folder_id": ""},
        {"mime_prefix": " "},
        {"query": ""},
        {"page_size": 0},
        {"page_size": 1001},
        {"page_size": "10"},
    ],
)
def test_iter_drive_files_bad_input(client: Client, api: FakeAPI, kw: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.iter_drive_files("conn_1", **kw)
    assert api.requests == []


def drive_pages(pages: list[list[dict[str, Any]]]) -> Callable[[httpx.Request], httpx.Response]:
    """A proxy serving ``pages`` by pageToken ("p1", "p2", ...)."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        token = body["params"].get("pageToken")
        index = int(token[1:]) if token else 0
        page: dict[str, Any] = {"files": pages[index]}
        if index + 1 < len(pages):
            page["nextPageToken"] = f"p{index + 1}"
        return json_response(200, page)

    return handler


def drive_file(i: int, mime: str = "image/jpeg") -> dict[str, Any]:
    return {"id": f"file{i}", "name": f"{i}.jpg", "mimeType": mime, "size": str(1000 + i)}


def test_iter_drive_files_is_lazy_across_pages(client: Client, api: FakeAPI) -> None:
    api.on("GET", TOKEN, session_reply(1))
    api.on(
        "POST",
        PROXY,
        drive_pages([[drive_file(0), drive_file(1)], [drive_file(2)], [drive_file(3)]]),
    )
    files = client.cloud_storage.iter_drive_files(
        "conn_1", folder_id="FOLDER_1", mime_prefix="image/", page_size=2
    )
    assert api.requests == []  # nothing until iterated
    first = next(files)
    assert isinstance(first, CloudFile)
    assert first.size_bytes == 1000
    assert len(api.calls("POST", PROXY)) == 1
    rest = list(files)
    assert [f.id for f in rest] == ["file1", "file2", "file3"]
    bodies = api.bodies("POST", PROXY)
    assert [b["params"].get("pageToken") for b in bodies] == [None, "p1", "p2"]
    assert bodies[0]["endpoint"] == "files"
    assert bodies[0]["params"]["pageSize"] == 2
    assert bodies[0]["params"]["q"] == (
        "'FOLDER_1' in parents and mimeType contains 'image/' and trashed = false"
    )
    assert "nextPageToken" in bodies[0]["params"]["fields"]
    assert len(api.calls("GET", TOKEN)) == 1


def test_iter_drive_files_skips_folders_unless_asked(client: Client, api: FakeAPI) -> None:
    api.on("GET", TOKEN, session_reply(1))
    api.on("POST", PROXY, drive_pages([[drive_file(0), drive_file(1, FOLDER), {"name": "no id"}]]))
    assert [f.id for f in client.cloud_storage.iter_drive_files("conn_1")] == ["file0"]
    with_folders = client.cloud_storage.iter_drive_files("conn_1", include_folders=True)
    assert [f.is_folder for f in with_folders] == [False, True]


def test_iter_drive_files_stops_on_a_repeated_token(client: Client, api: FakeAPI) -> None:
    api.on("GET", TOKEN, session_reply(1))
    api.on("POST", PROXY, json_response(200, {"files": [drive_file(0)], "nextPageToken": "same"}))
    assert len(list(client.cloud_storage.iter_drive_files("conn_1"))) == 2
    assert len(api.calls("POST", PROXY)) == 2


def test_session_renewed_after_a_401_from_the_proxy(client: Client, api: FakeAPI) -> None:
    api.on("GET", TOKEN, session_reply(1), session_reply(2))
    pages = drive_pages([[drive_file(0)], [drive_file(1)]])
    replies = iter(
        [
            pages,
            lambda r: json_response(401, error_body("SESSION_EXPIRED", "picker session expired")),
            pages,
        ]
    )
    api.on("POST", PROXY, lambda r: next(replies)(r))
    assert [f.id for f in client.cloud_storage.iter_drive_files("conn_1")] == ["file0", "file1"]
    sessions = [b["session_id"] for b in api.bodies("POST", PROXY)]
    assert sessions == ["picker_sess_1", "picker_sess_1", "picker_sess_2"]
    assert len(api.calls("GET", TOKEN)) == 2


def test_a_second_401_is_raised(client: Client, api: FakeAPI) -> None:
    api.on("GET", TOKEN, session_reply(1), session_reply(2))
    api.on("POST", PROXY, json_response(401, error_body("INVALID_API_KEY", "bad key")))
    with pytest.raises(AuthenticationError):
        list(client.cloud_storage.iter_drive_files("conn_1"))
    assert len(api.calls("POST", PROXY)) == 2


def test_session_renewed_when_expires_at_passes(
    client: Client, api: FakeAPI, clock: FakeClock
) -> None:
    # The fake wall clock starts at 10:30:00; the first session expires at 10:31:00.
    api.on(
        "GET",
        TOKEN,
        session_reply(1, "2025-01-15T10:31:00Z"),
        session_reply(2, "2025-01-15T12:00:00Z"),
    )
    api.on("POST", PROXY, drive_pages([[drive_file(0)], [drive_file(1)]]))
    files = client.cloud_storage.iter_drive_files("conn_1")
    assert next(files).id == "file0"
    clock.t += 120  # the user dawdles over the first page
    assert next(files).id == "file1"
    assert [b["session_id"] for b in api.bodies("POST", PROXY)] == [
        "picker_sess_1",
        "picker_sess_2",
    ]


def test_cloud_files_go_straight_into_import(client: Client, api: FakeAPI) -> None:
    api.on("GET", TOKEN, session_reply(1))
    api.on("POST", PROXY, drive_pages([[drive_file(0), drive_file(1)]]))
    api.on(
        "POST",
        "/cloud-storage/import",
        json_response(200, {"image_ids": ["i0", "i1"], "is_async": False}),
    )
    result = client.cloud_storage.import_files(
        "conn_1", client.cloud_storage.iter_drive_files("conn_1")
    )
    assert api.bodies("POST", "/cloud-storage/import")[0]["files"] == [
        {"id": "file0", "name": "0.jpg", "mime_type": "image/jpeg", "size_bytes": 1000},
        {"id": "file1", "name": "1.jpg", "mime_type": "image/jpeg", "size_bytes": 1001},
    ]
    assert result.image_ids == ("i0", "i1")
