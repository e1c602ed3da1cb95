"""The fake Drive held to Drive v3's documented `q`, `fields`, `orderBy`, scope and paging rules.

Field names come from the discovery document the emulator vendors (drive_discovery); each case
here failed against the emulator before issue 12 (valid queries and fields answered 400,
orderBy and friends were ignored, pages were never short).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from aionvision_cloud_emulator.drive import STARRED, build_tree
from aionvision_cloud_emulator.drive_discovery import document, schema
from aionvision_cloud_emulator.drive_query import QueryContext, parse_query
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import (
    assert_error,
    connect,
    folder_id,
    proxy,
    session_for,
)

FOLDER = "application/vnd.google-apps.folder"
ACCOUNT = "emulated.user@gmail.com"


@pytest.fixture
def sid(api: httpx.Client) -> str:
    return session_for(api, connect(api)["connection"]["id"])


def names(api: httpx.Client, sid: str, q: str, **params: Any) -> list[str]:
    r = proxy(api, sid, "files", q=q, pageSize=1000, fields="files(name)", **params)
    assert r.status_code == 200, r.text
    return [f["name"] for f in r.json()["files"]]


# --- q -------------------------------------------------------------------------------------------


def test_name_contains_matches_word_prefixes_only(api: httpx.Client, sid: str) -> None:
    assert "Vacation 2024" in names(api, sid, "name contains 'vaca'")
    assert "Vacation 2024" in names(api, sid, "name contains '2024'")
    assert "Vacation 2024" not in names(api, sid, "name contains 'cation'")
    assert "Meeting notes" in names(api, sid, "name contains 'Notes'")  # case-insensitive
    assert names(api, sid, "name contains 'each_0'") == []  # inside a word: no match
    beaches = names(api, sid, "name contains 'beach_0'")
    assert len(beaches) == 40


def test_or_not_and_parentheses(api: httpx.Client, sid: str) -> None:
    mixed = folder_id(api, sid, "Mixed")
    everything = set(names(api, sid, f"'{mixed}' in parents"))
    pngs_or_pdfs = set(
        names(
            api,
            sid,
            f"'{mixed}' in parents and (mimeType = 'image/png' or mimeType = 'application/pdf')",
        )
    )
    assert pngs_or_pdfs == {"sample_png.png", "scan.pdf"}
    not_images = set(names(api, sid, f"'{mixed}' in parents and not mimeType contains 'image/'"))
    assert not_images == {"scan.pdf", "Shared doc", "Nested"}
    assert (
        not_images | set(names(api, sid, f"'{mixed}' in parents and mimeType contains 'image/'"))
        == everything
    )
    # `and` binds tighter than `or`.
    q = f"name = 'scan.pdf' or '{mixed}' in parents and name = 'Nested'"
    assert sorted(names(api, sid, q)) == ["Nested", "scan.pdf"]


def test_time_comparisons_with_rfc3339(api: httpx.Client, sid: str) -> None:
    r = proxy(
        api,
        sid,
        "files",
        q="name contains 'beach'",
        pageSize=1000,
        fields="files(name,createdTime,modifiedTime)",
    )
    files = r.json()["files"]
    times = sorted(f["createdTime"] for f in files)
    cut = times[len(times) // 2]
    before = names(api, sid, f"name contains 'beach' and createdTime < '{cut}'")
    at_or_after = names(api, sid, f"name contains 'beach' and createdTime >= '{cut}'")
    assert len(before) + len(at_or_after) == len(files)
    assert all(f["createdTime"] < cut for f in files if f["name"] in set(before) - set(at_or_after))
    # An offset and no fraction are RFC 3339 too; no offset means UTC.
    stamp = datetime.fromisoformat(cut.replace("Z", "+00:00"))
    local = stamp.astimezone(datetime.strptime("+0200", "%z").tzinfo).isoformat(timespec="seconds")
    assert names(api, sid, f"name contains 'beach' and modifiedTime > '{local}'")
    assert names(api, sid, "modifiedTime > '2000-01-01T00:00:00'")


def test_starred_full_text_and_owners(api: httpx.Client, sid: str) -> None:
    assert set(names(api, sid, "starred = true")) == STARRED
    assert "Vacation 2024" in names(api, sid, "fullText contains 'vacation'")
    assert names(api, sid, "fullText contains 'vaca'") == []  # whole words only
    assert names(api, sid, "fullText contains '\"trip itinerary\"'") == ["Trip itinerary"]
    mine = names(api, sid, "'me' in owners and trashed = false")
    assert len(mine) == len(names(api, sid, f"'{ACCOUNT}' in owners and trashed = false")) > 100
    assert names(api, sid, "'someone@else.example' in owners") == []
    assert names(api, sid, "sharedWithMe = true") == []
    assert names(api, sid, "properties has { key='a' and value='b' }") == []
    assert "Notes" in names(api, sid, "visibility = 'limited' and name = 'Notes'")


@pytest.mark.parametrize(
    "q",
    [
        "name contains",
        "name ~ 'x'",
        "name > 'x'",
        "size > 100",
        "'x' in children",
        "trashed = maybe",
        "trashed contains 'true'",
        "hidden = true",
        "mimeType = image/png",
        "fullText = 'x'",
        "(name = 'a'",
        "name = 'a')",
        "name = 'a' and",
        "not",
        "modifiedTime > '2024-01-01'",
        "modifiedTime > 'yesterday'",
        "createdTime contains '2024'",
        "properties has { key='a' }",
        "(" * 1000 + "name = 'a'" + ")" * 1000,
        "not " * 1000 + "trashed = true",
        "name = 'a' " + "or name = 'a' " * 2000,
    ],
    ids=lambda q: q[:30],
)
def test_bad_queries_answer_400_like_drive(api: httpx.Client, sid: str, q: str) -> None:
    body = assert_error(proxy(api, sid, "files", q=q), 400, "INVALID_DRIVE_REQUEST")
    assert body["error"]["details"]["reason"] == "invalid"
    assert body["error"]["details"]["field"] == "params.q"


def test_query_parser_unit() -> None:
    tree = build_tree(0, ACCOUNT, 10)
    ctx = QueryContext(tree.root_id, ACCOUNT)
    root_kids = [f for f in tree.files if parse_query("'root' in parents", ctx)(f)]
    assert {f.name for f in root_kids} >= {"Photos", "Resume.pdf"}
    hello = parse_query("name contains 'Hello'", ctx)
    world = parse_query("name contains 'World'", ctx)

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

    assert hello(Named("HelloWorld"))  # type: ignore[arg-type]
    assert not world(Named("HelloWorld"))  # type: ignore[arg-type]
    assert world(Named("Hello World"))  # type: ignore[arg-type]
    assert world(Named("hello-world.txt"))  # type: ignore[arg-type]
    assert parse_query("name = 'it\\'s'", ctx)(Named("it's"))  # type: ignore[arg-type]


# --- fields --------------------------------------------------------------------------------------


def test_real_file_fields_are_served(api: httpx.Client, sid: str) -> None:
    fields = (
        "files(id,owners(emailAddress,me),capabilities/canEdit,capabilities(canDownload),"
        "hasThumbnail,quotaBytesUsed,spaces,starred,ownedByMe,lastModifyingUser/displayName)"
    )
    mixed = folder_id(api, sid, "Mixed")
    r = proxy(api, sid, "files", q=f"'{mixed}' in parents", fields=fields)
    assert r.status_code == 200, r.text
    files = r.json()["files"]
    jpg = next(f for f in files if f["hasThumbnail"])
    assert jpg["owners"] == [{"emailAddress": ACCOUNT, "me": True}]
    assert jpg["capabilities"] == {"canEdit": True, "canDownload": True}
    assert int(jpg["quotaBytesUsed"]) > 0
    assert jpg["spaces"] == ["drive"]
    assert jpg["lastModifyingUser"] == {"displayName": "Emulated User"}


def test_about_fields(api: httpx.Client, sid: str) -> None:
    r = proxy(api, sid, "about", fields="user/me,exportFormats,maxImportSizes,canCreateDrives")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"] == {"me": True}
    assert "application/pdf" in body["exportFormats"]["application/vnd.google-apps.document"]
    assert body["canCreateDrives"] is False


@pytest.mark.parametrize(
    ("endpoint", "fields"),
    [
        ("files", "files(nope)"),
        ("files", "nope"),
        ("files", "files(id,capabilities/canFly)"),
        ("files", "files(name(first))"),
        ("files", "files(owners(password))"),
        ("files", "files(" * 20 + "id" + ")" * 20),
        ("about", "user,quota"),
        ("about", "storageQuota/limitless"),
        ("files/root", "id,nope"),
    ],
)
def test_unknown_fields_answer_400(api: httpx.Client, sid: str, endpoint: str, fields: str) -> None:
    body = assert_error(proxy(api, sid, endpoint, fields=fields), 400, "INVALID_DRIVE_REQUEST")
    assert body["error"]["details"]["field"] == "params.fields"


def test_every_served_field_is_in_the_discovery_document(api: httpx.Client, sid: str) -> None:
    assert document()["revision"].isdigit()
    file_props = schema("File")["properties"]
    r = proxy(api, sid, "files", q="not name contains 'IMG'", pageSize=1000, fields="files")
    files = r.json()["files"]
    assert {f["mimeType"] for f in files} >= {FOLDER, "image/jpeg", "application/pdf"}
    for f in files:
        assert set(f) <= set(file_props), set(f) - set(file_props)
        assert set(f["capabilities"]) <= set(file_props["capabilities"]["properties"])
    about = proxy(api, sid, "about", fields="*").json()
    assert set(about) <= set(schema("About")["properties"])
    assert set(about["user"]) <= set(schema("User")["properties"])


def test_google_docs_carry_no_size(api: httpx.Client, sid: str) -> None:
    r = proxy(api, sid, "files", q="mimeType contains 'vnd.google-apps'", fields="files")
    docs = [f for f in r.json()["files"] if f["mimeType"] != FOLDER]
    assert len(docs) >= 5
    for doc in docs:
        assert "size" not in doc
        assert "md5Checksum" not in doc
        assert doc["quotaBytesUsed"] == "0"
        assert "text/plain" in doc["exportLinks"] or "text/csv" in doc["exportLinks"]


# --- orderBy, scope ------------------------------------------------------------------------------


def test_order_by_keys_desc_and_several(api: httpx.Client, sid: str) -> None:
    fam = folder_id(api, sid, "Family", folder_id(api, sid, "Photos"))
    q = f"'{fam}' in parents"
    r = proxy(
        api, sid, "files", q=q, orderBy="modifiedTime desc", fields="files(name,modifiedTime)"
    )
    times = [f["modifiedTime"] for f in r.json()["files"]]
    assert times == sorted(times, reverse=True)
    assert len(times) == 25
    assert names(api, sid, q, orderBy="name desc") == sorted(names(api, sid, q), reverse=True)
    r = proxy(api, sid, "files", q=q, orderBy="quotaBytesUsed desc,name", fields="files(size)")
    sizes = [int(f["size"]) for f in r.json()["files"]]
    assert sizes == sorted(sizes, reverse=True)
    photos = folder_id(api, sid, "Photos")
    mixed_kinds = names(api, sid, f"'{photos}' in parents", orderBy="folder,name desc")
    assert mixed_kinds[:3] == ["Vacation 2024", "Screenshots", "Family"]
    shots = folder_id(api, sid, "Screenshots", photos)
    assert names(api, sid, f"'{shots}' in parents", orderBy="starred,name_natural")[0] == (
        "Screenshot 01.png"
    )


def test_name_natural_sorts_numbers_by_value() -> None:
    from aionvision_cloud_emulator.drive import _natural

    assert sorted(["a12", "a2", "a1", "a22"], key=_natural) == ["a1", "a2", "a12", "a22"]
    assert sorted(["a12", "a2", "a1", "a22"]) == ["a1", "a12", "a2", "a22"]  # plain `name`


@pytest.mark.parametrize(
    "order_by",
    ["size", "name asc", "name desc desc", "name,", "modifiedTime  desc , bogus", "NAME"],
)
def test_bad_order_by_answers_400(api: httpx.Client, sid: str, order_by: str) -> None:
    body = assert_error(proxy(api, sid, "files", orderBy=order_by), 400, "INVALID_DRIVE_REQUEST")
    assert body["error"]["details"]["field"] == "params.orderBy"


def test_paging_with_an_order_visits_every_file_once(api: httpx.Client, sid: str) -> None:
    big = folder_id(api, sid, "Camera Uploads")
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {
            "q": f"'{big}' in parents",
            "pageSize": 333,
            "orderBy": "modifiedTime desc",
            "fields": "nextPageToken,files(id)",
        }
        if token:
            params["pageToken"] = token
        body = proxy(api, sid, "files", **params).json()
        seen += [f["id"] for f in body["files"]]
        token = body.get("nextPageToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == 2500
    # A token is bound to its order too.
    first = proxy(
        api,
        sid,
        "files",
        q=f"'{big}' in parents",
        pageSize=2,
        orderBy="name",
        fields="nextPageToken",
    ).json()
    assert_error(
        proxy(api, sid, "files", q=f"'{big}' in parents", pageToken=first["nextPageToken"]), 400
    )


def test_page_size_above_1000_is_coerced(api: httpx.Client, sid: str) -> None:
    big = folder_id(api, sid, "Camera Uploads")
    r = proxy(
        api, sid, "files", q=f"'{big}' in parents", pageSize=5000, fields="nextPageToken,files(id)"
    )
    assert r.status_code == 200
    assert len(r.json()["files"]) == 1000
    assert r.json()["nextPageToken"]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"spaces": "photos"}, 400, "params.spaces"),
        ({"spaces": "drive,nope"}, 400, "params.spaces"),
        ({"corpora": "everything"}, 400, "params.corpora"),
        ({"corpora": "drive"}, 400, "params.driveId"),
        ({"driveId": "0AAbc"}, 400, "params.driveId"),
        ({"includeItemsFromAllDrives": "maybe"}, 400, "params.includeItemsFromAllDrives"),
        ({"supportsAllDrives": 3}, 400, "params.supportsAllDrives"),
        ({"includeItemsFromAllDrives": True}, 400, "params.includeItemsFromAllDrives"),
        ({"corpora": "allDrives"}, 400, "params.includeItemsFromAllDrives"),
        (
            {
                "corpora": "drive",
                "driveId": "0AAbc",
                "includeItemsFromAllDrives": True,
                "supportsAllDrives": True,
            },
            404,
            "params.driveId",
        ),
    ],
    ids=repr,
)
def test_scope_parameters_are_validated(
    api: httpx.Client, sid: str, params: dict[str, Any], status: int, field: str
) -> None:
    body = assert_error(proxy(api, sid, "files", **params), status)
    assert body["error"]["details"]["field"] == field


def test_scope_parameters_are_applied(api: httpx.Client, sid: str) -> None:
    everything = names(api, sid, "trashed = false")
    assert names(api, sid, "trashed = false", spaces="drive", corpora="user") == everything
    assert (
        names(
            api,
            sid,
            "trashed = false",
            corpora="allDrives",
            includeItemsFromAllDrives="true",
            supportsAllDrives="TRUE",
        )
        == everything
    )
    assert names(api, sid, "trashed = false", spaces="appDataFolder") == []
    r = proxy(api, sid, "files/root", supportsAllDrives=True, fields="id,name")
    assert r.json()["name"] == "My Drive"


# --- short pages ---------------------------------------------------------------------------------


def test_short_and_empty_pages_before_the_end(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(drive_short_pages=1.0)
    sid = session_for(api, connect(api)["connection"]["id"])
    vacation = folder_id(api, sid, "Vacation 2024", folder_id(api, sid, "Photos"))
    sizes: list[int] = []
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {
            "q": f"'{vacation}' in parents",
            "pageSize": 5,
            "fields": "nextPageToken,files(id)",
        }
        if token:
            params["pageToken"] = token
        body = proxy(api, sid, "files", **params).json()
        sizes.append(len(body["files"]))
        seen += [f["id"] for f in body["files"]]
        assert body.get("nextPageToken") != token
        token = body.get("nextPageToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == 40
    assert 0 in sizes[:-1]  # an empty page that still had a token
    assert any(0 < n < 5 for n in sizes[:-1])
    # The same request always gets the same page.
    again = proxy(api, sid, "files", q=f"'{vacation}' in parents", pageSize=5, fields="files(id)")
    assert len(again.json()["files"]) == sizes[0]


@pytest.mark.parametrize(
    ("endpoint", "params", "field"),
    [
        ("files", {"alt": "xml"}, "params.alt"),
        ("files", {"prettyPrint": "maybe"}, "params.prettyPrint"),
        ("files", {"corpus": "everyone"}, "params.corpus"),
        ("files", {"q": ["name = 'a'"]}, "params.q"),
        ("files", {"pageToken": 5}, "params.pageToken"),
        ("files/root", {"acknowledgeAbuse": "perhaps"}, "params.acknowledgeAbuse"),
        ("about", {"fields": "kind", "$.xgafv": "3"}, "params.$.xgafv"),
    ],
    ids=repr,
)
def test_parameter_types_follow_the_discovery_document(
    api: httpx.Client, sid: str, endpoint: str, params: dict[str, Any], field: str
) -> None:
    body = assert_error(proxy(api, sid, endpoint, **params), 400, "INVALID_DRIVE_REQUEST")
    assert body["error"]["details"]["field"] == field


def test_parameters_drive_does_not_document_are_ignored(api: httpx.Client, sid: str) -> None:
    r = proxy(api, sid, "files", q="name = 'Notes'", fields="files(name)", notAParameter="x")
    assert r.json() == {"files": [{"name": "Notes"}]}
