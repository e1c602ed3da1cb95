"""The cloud_storage resource: request shapes, batching, results, and input checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from overlay_testkit import FakeAPI, job_body, json_response

from aionvision_cloud import Client, CloudFile, JobStatus
from aionvision_cloud.errors import APIResponseValidationError, InvalidInputError

CONN = "550e8400-e29b-41d4-a716-446655440000"
IMPORT = "/cloud-storage/import"
EXPORT = "/cloud-storage/export"
CONNECTION = {
    "id": CONN,
    "provider": "google_drive",
    "provider_email": "user@gmail.com",
    "provider_display_name": "John Doe",
    "is_active": True,
    "created_at": "2025-01-15T10:30:00Z",
    "last_used_at": None,
}


def sync_import(request: Any) -> Any:
    import json

    files = json.loads(request.content)["files"]
    ids = [f"img_{f['id']}" for f in files]
    return json_response(
        200,
        {
            "image_ids": ids,
            "job_id": None,
            "status": None,
            "total_files": len(ids),
            "is_async": False,
        },
    )


def test_import_sends_exactly_the_documented_body(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, sync_import)
    result = client.cloud_storage.import_files(
        CONN,
        [
            {
                "id": "gdrive_file_id_1",
                "name": "photo1.jpg",
                "mime_type": "image/jpeg",
                "size_bytes": 2048576,
            },
            CloudFile(id="f2", name="b.png", mime_type="image/png", size_bytes=10),
            {"id": "f3", "name": "c.gif", "extra": "dropped"},
        ],
        auto_describe=False,
        tags=["imported", "drive"],
        collection_id="col_550e8400",
    )
    assert api.bodies("POST", IMPORT) == [
        {
            "connection_id": CONN,
            "files": [
                {
                    "id": "gdrive_file_id_1",
                    "name": "photo1.jpg",
                    "mime_type": "image/jpeg",
                    "size_bytes": 2048576,
                },
                {"id": "f2", "name": "b.png", "mime_type": "image/png", "size_bytes": 10},
                {"id": "f3", "name": "c.gif"},
            ],
            "auto_describe": False,
            "tags": ["imported", "drive"],
            "collection_id": "col_550e8400",
        }
    ]
    assert result.image_ids == ("img_gdrive_file_id_1", "img_f2", "img_f3")
    assert result.job_ids == ()
    assert [(f.file_id, f.name, f.image_id, f.outcome) for f in result.files] == [
        ("gdrive_file_id_1", "photo1.jpg", "img_gdrive_file_id_1", "done"),
        ("f2", "b.png", "img_f2", "done"),
        ("f3", "c.gif", "img_f3", "done"),
    ]


def test_import_omits_unset_options(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, sync_import)
    client.cloud_storage.import_files(CONN, [{"id": "f1", "name": "a.jpg"}])
    assert api.bodies("POST", IMPORT) == [
        {"connection_id": CONN, "files": [{"id": "f1", "name": "a.jpg"}]}
    ]


def test_import_accepts_drive_style_dicts(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, sync_import)
    client.cloud_storage.import_files(
        CONN, [{"id": "f1", "name": "a.jpg", "mimeType": "image/jpeg", "size": "42"}]
    )
    assert api.bodies("POST", IMPORT)[0]["files"] == [
        {"id": "f1", "name": "a.jpg", "mime_type": "image/jpeg", "size_bytes": 42}
    ]


def test_import_async_returns_the_job(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        IMPORT,
        json_response(
            200,
            {
                "image_ids": None,
                "job_id": "job_550e8400",
                "status": "pending",
                "total_files": 50,
                "is_async": True,
            },
        ),
    )
    result = client.cloud_storage.import_files(CONN, [{"id": "f1", "name": "a"}])
    assert result.job_id == "job_550e8400"
    assert result.job_ids == ("job_550e8400",)
    assert result.status is JobStatus.PENDING
    assert result.image_ids == ()


def test_import_splits_into_batches(make_client: Callable[..., Client], api: FakeAPI) -> None:
    client = make_client(batch_size=3)
    api.on("POST", IMPORT, sync_import)
    files = [{"id": f"f{i}", "name": f"{i}.jpg"} for i in range(8)]
    result = client.cloud_storage.import_files(CONN, files)
    sent = [[f["id"] for f in body["files"]] for body in api.bodies("POST", IMPORT)]
    assert sent == [["f0", "f1", "f2"], ["f3", "f4", "f5"], ["f6", "f7"]]
    assert len(result.batches) == 3
    assert len(result.image_ids) == 8
    assert len(result.files) == 8


def test_default_batch_size_is_100(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, sync_import)
    client.cloud_storage.import_files(CONN, ({"id": f"f{i}", "name": "x"} for i in range(250)))
    assert [len(b["files"]) for b in api.bodies("POST", IMPORT)] == [100, 100, 50]


def test_batch_size_per_call(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, sync_import)
    client.cloud_storage.import_files(
        CONN, [{"id": f"f{i}", "name": "x"} for i in range(4)], batch_size=2
    )
    assert len(api.requests) == 2


BAD_IMPORTS: list[tuple[str, Any, Any]] = [
    ("empty list", CONN, []),
    ("not a list", CONN, "f1"),
    ("a single dict", CONN, {"id": "f1", "name": "a"}),
    ("missing id", CONN, [{"name": "a"}]),
    ("missing name", CONN, [{"id": "f1"}]),
    ("blank id", CONN, [{"id": "  ", "name": "a"}]),
    ("empty name", CONN, [{"id": "f1", "name": ""}]),
    ("non-string id", CONN, [{"id": 5, "name": "a"}]),
    ("wrong item type", CONN, [("f1", "a")]),
    ("negative size", CONN, [{"id": "f1", "name": "a", "size_bytes": -1}]),
    ("bad size", CONN, [{"id": "f1", "name": "a", "size": "big"}]),
    ("bad mime", CONN, [{"id": "f1", "name": "a", "mime_type": 3}]),
    ("empty connection", "", [{"id": "f1", "name": "a"}]),
    ("blank connection", "   ", [{"id": "f1", "name": "a"}]),
    ("None connection", None, [{"id": "f1", "name": "a"}]),
]


@pytest.mark.parametrize(("label", "conn", "files"), BAD_IMPORTS, ids=[b[0] for b in BAD_IMPORTS])
def test_bad_imports_raise_before_any_request(
    client: Client, api: FakeAPI, label: str, conn: Any, files: Any
) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.import_files(conn, files)
    assert api.requests == []


@pytest.mark.parametrize(
    "kw",
    [
        {"tags": "drive"},
        {"tags": [""]},
        {"collection_id": " "},
        {"batch_size": 0},
        {"auto_describe": "yes"},
    ],
)
def test_bad_import_options_raise_before_any_request(
    client: Client, api: FakeAPI, kw: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - InvalidInputError is a ValueError
        client.cloud_storage.import_files(CONN, [{"id": "f1", "name": "a"}], **kw)
    assert api.requests == []


def test_import_response_that_is_not_an_object(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, json_response(200, ["img_1"]))
    with pytest.raises(APIResponseValidationError):
        client.cloud_storage.import_files(CONN, [{"id": "f1", "name": "a"}])


def test_export_sends_the_documented_body(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        EXPORT,
        json_response(
            200,
            {
                "job_id": "job_660f9500",
                "job_status": "pending",
                "is_async": True,
                "message": "Export job created",
            },
        ),
    )
    result = client.cloud_storage.export_files(
        CONN, ["img_001", "img_002"], folder_id="gdrive_folder_id", folder_name="Aionvision Export"
    )
    assert api.bodies("POST", EXPORT) == [
        {
            "connection_id": CONN,
            "image_ids": ["img_001", "img_002"],
            "folder_id": "gdrive_folder_id",
            "folder_name": "Aionvision Export",
        }
    ]
    assert result.job_id == "job_660f9500"
    assert result.status is JobStatus.PENDING
    assert result.batches[0].message == "Export job created"


def test_export_splits_into_batches(make_client: Callable[..., Client], api: FakeAPI) -> None:
    client = make_client(batch_size=2)
    counter = iter(range(100))
    api.on("POST", EXPORT, lambda r: json_response(200, {"job_id": f"job_{next(counter)}"}))
    result = client.cloud_storage.export_files(CONN, ["a", "b", "c"])
    assert result.job_ids == ("job_0", "job_1")
    assert [b["image_ids"] for b in api.bodies("POST", EXPORT)] == [["a", "b"], ["c"]]


@pytest.mark.parametrize(
    ("conn", "ids", "kw"),
    [
        (CONN, [], {}),
        (CONN, "img_001", {}),
        (CONN, ["img_001", ""], {}),
        (CONN, [None], {}),
        ("", ["img_001"], {}),
        (CONN, ["img_001"], {"folder_id": ""}),
        (CONN, ["img_001"], {"folder_name": "  "}),
    ],
)
def test_bad_exports_raise_before_any_request(
    client: Client, api: FakeAPI, conn: Any, ids: Any, kw: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.export_files(conn, ids, **kw)
    assert api.requests == []


def test_get_job_with_document_ids(client: Client, api: FakeAPI) -> None:
    api.on("GET", "/cloud-storage/jobs/job_550e8400", json_response(200, job_body()))
    job = client.cloud_storage.get_job("job_550e8400")
    assert job.job_id == "job_550e8400"
    assert job.completed_files == 30


def test_get_job_refuses_a_slash_the_contract_does_not_allow(client: Client, api: FakeAPI) -> None:
    # openapi.yaml: job ids are letters, digits, '-' and '_'; a '/' never reaches the path.
    with pytest.raises(InvalidInputError, match="job_id has characters"):
        client.cloud_storage.get_job("a/b")
    assert api.requests == []


def test_a_bare_job_is_not_the_contract_and_says_so(client: Client, api: FakeAPI) -> None:
    # openapi.yaml wraps the job in "job"; a bare one is read as an answer without it.
    api.on(
        "GET", "/cloud-storage/jobs/j", json_response(200, {"job_id": "j", "status": "processing"})
    )
    with pytest.raises(APIResponseValidationError, match="'job'"):
        client.cloud_storage.get_job("j")


@pytest.mark.parametrize("job_id", ["", "  ", None, 5])
def test_bad_job_ids_raise_before_any_request(client: Client, api: FakeAPI, job_id: Any) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.get_job(job_id)
    assert api.requests == []


def test_list_connections(client: Client, api: FakeAPI) -> None:
    api.on(
        "GET",
        "/cloud-storage/connections",
        json_response(200, {"connections": [CONNECTION], "total_count": 1}),
    )
    conns = client.cloud_storage.list_connections("google_drive", active_only=False)
    assert [c.id for c in conns] == [CONN]
    assert conns[0].provider_email == "user@gmail.com"
    assert conns[0].last_used_at is None
    params = api.requests[0].url.params
    assert params["provider"] == "google_drive"
    assert params["active_only"] == "false"


def test_list_connections_defaults(client: Client, api: FakeAPI) -> None:
    api.on("GET", "/cloud-storage/connections", json_response(200, {"connections": []}))
    assert client.cloud_storage.list_connections() == []
    assert "provider" not in api.requests[0].url.params


def test_list_connections_rejects_unknown_provider(client: Client, api: FakeAPI) -> None:
    with pytest.raises(InvalidInputError, match="provider"):
        client.cloud_storage.list_connections("dropbox")
    assert api.requests == []


def test_disconnect(client: Client, api: FakeAPI) -> None:
    api.on(
        "DELETE",
        f"/cloud-storage/connections/{CONN}",
        json_response(200, {"success": True, "message": "Connection disconnected successfully"}),
    )
    result = client.cloud_storage.disconnect(CONN)
    assert result.success
    assert result.message == "Connection disconnected successfully"


def test_disconnect_with_empty_body(client: Client, api: FakeAPI) -> None:
    api.on("DELETE", "/cloud-storage/connections/c1", json_response(204))
    assert client.cloud_storage.disconnect("c1").success


def test_start_auth(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        "/cloud-storage/auth/google_drive",
        json_response(
            200,
            {
                "authorization_url": "https://accounts.google.com/o/oauth2/auth?x=1",
                "state": "csrf_abc",
                "provider": "google_drive",
            },
        ),
    )
    start = client.cloud_storage.start_auth("google_drive", "https://your-app.com/callback")
    assert start.authorization_url.startswith("https://accounts.google.com/")
    assert start.state == "csrf_abc"
    assert start.redirect_uri == "https://your-app.com/callback"
    assert api.bodies("POST", "/cloud-storage/auth/google_drive") == [
        {"provider": "google_drive", "redirect_uri": "https://your-app.com/callback"}
    ]


@pytest.mark.parametrize(
    ("provider", "uri"),
    [
        ("dropbox", "https://a.test/cb"),
        ("", "https://a.test/cb"),
        ("google_drive", ""),
        ("google_drive", "not a url"),
    ],
)
def test_start_auth_bad_input(client: Client, api: FakeAPI, provider: str, uri: str) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.start_auth(provider, uri)
    assert api.requests == []


def test_start_auth_response_without_state_is_rejected(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        "/cloud-storage/auth/google_drive",
        json_response(200, {"authorization_url": "https://x"}),
    )
    with pytest.raises(APIResponseValidationError):
        client.cloud_storage.start_auth("google_drive", "https://a.test/cb")


def test_complete_auth(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        "/cloud-storage/auth/google_drive/callback",
        json_response(200, {"connection": CONNECTION, "is_new": True}),
    )
    conn = client.cloud_storage.complete_auth(
        "google_drive", "the-code", "csrf_abc", "https://a.test/cb"
    )
    assert conn.id == CONN
    assert conn.is_new is True
    assert api.bodies("POST", "/cloud-storage/auth/google_drive/callback") == [
        {"code": "the-code", "state": "csrf_abc", "redirect_uri": "https://a.test/cb"}
    ]


@pytest.mark.parametrize(("code", "state"), [("", "s"), ("c", ""), (None, "s")])
def test_complete_auth_bad_input(client: Client, api: FakeAPI, code: Any, state: Any) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.complete_auth("google_drive", code, state, "https://a.test/cb")
    assert api.requests == []


def test_list_connections_reads_an_empty_list(client: Client, api: FakeAPI) -> None:
    api.on("GET", "/cloud-storage/connections", json_response(200, {"connections": []}))
    assert client.cloud_storage.list_connections() == []


def test_list_connections_without_the_list_is_an_error(client: Client, api: FakeAPI) -> None:
    api.on("GET", "/cloud-storage/connections", json_response(200, {"connections": "nope"}))
    with pytest.raises(APIResponseValidationError):
        client.cloud_storage.list_connections()


def test_an_unknown_body_field_is_refused_before_sending_naming_the_valid_ones(
    client: Client, api: FakeAPI
) -> None:
    from aionvision_cloud import InvalidInputError

    with pytest.raises(InvalidInputError) as info:
        client.cloud_storage.import_files(CONN, [{"id": "f1", "name": "a.jpg"}], colection_id="c")
    assert str(info.value) == (
        "import_files() got an unknown field 'colection_id'; the optional fields of "
        "ImportRequest are auto_describe, tags, collection_id"
    )
    with pytest.raises(InvalidInputError, match="ExportRequest are folder_id, folder_name"):
        client.cloud_storage.export_files(CONN, ["img_1"], folder="x")
    with pytest.raises(InvalidInputError, match="unknown parameter 'limit'"):
        client.cloud_storage.list_connections(limit=5)
    with pytest.raises(InvalidInputError, match="PickerProxyRequest are params"):
        client.cloud_storage.picker_proxy("sess_1", "about", page=2)
    with pytest.raises(InvalidInputError, match="InitiateAuthRequest are none"):
        client.cloud_storage.start_auth("google_drive", "https://app.test/cb", scope="x")
    assert api.requests == []


def test_an_optional_field_given_by_keyword_is_typed_and_sent() -> None:
    from aionvision_cloud import InvalidInputError
    from aionvision_cloud._inputs import request_body
    from aionvision_cloud_api.models.import_file import ImportFile
    from aionvision_cloud_api.models.import_request import ImportRequest

    # No optional field lacks a named argument today; request_body() is what a new one goes
    # through, held to openapi.yaml's ImportRequest schema.
    files = [ImportFile(id="f1", name="a.jpg")]
    required = {"connection_id": "c", "files": files}
    built = request_body(ImportRequest, "import_files", required, {"tags": ["a"]})
    assert built.to_dict() == {
        "connection_id": "c",
        "files": [{"id": "f1", "name": "a.jpg"}],
        "tags": ["a"],
    }
    with pytest.raises(InvalidInputError, match=r"import_files\(\) body.tags\[0\] must be str"):
        request_body(ImportRequest, "import_files", required, {"tags": [1]})
    # The generator's default (auto_describe=True) is not sent unless asked for.
    assert "auto_describe" not in request_body(ImportRequest, "x", required, {}).to_dict()


def test_import_sends_a_name_with_control_characters_as_control_pictures(
    client: Client, api: FakeAPI
) -> None:
    # Anyone who shares a Drive file names it; its name is metadata, the id names the file. One
    # such name must cost its look at most, never the whole import.
    api.on("POST", IMPORT, sync_import)
    result = client.cloud_storage.import_files(
        CONN,
        [
            {"id": "f1", "name": "a.jpg"},
            CloudFile(id="f2", name="x\n\tevil\x1b[2J\x00\x7f.png", mime_type="image/png"),
            {"id": "f3", "name": "c\u0085é.gif"},
        ],
    )
    [body] = api.bodies("POST", IMPORT)
    assert [f["name"] for f in body["files"]] == [
        "a.jpg",
        "x\u240a\u2409evil\u241b[2J\u2400\u2421.png",
        # C1 (NEL) and other text are what the contract accepts: sent as they are.
        "c\u0085é.gif",
    ]
    assert result.image_ids == ("img_f1", "img_f2", "img_f3")
