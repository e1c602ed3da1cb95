"""The picker session and the fake Drive behind the proxy (Drive v3 semantics)."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import httpx
import pytest

from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import (
    assert_error,
    connect,
    folder_id,
    list_all,
    proxy,
    session_for,
)

FOLDER = "application/vnd.google-apps.folder"


@pytest.fixture
def sid(api: httpx.Client) -> str:
    return session_for(api, connect(api)["connection"]["id"])


def test_picker_token_shape(api: httpx.Client) -> None:
    cid = connect(api)["connection"]["id"]
    r = api.get(f"/cloud-storage/connections/{cid}/picker-token")
    assert r.status_code == 200
    session = r.json()["session"]
    assert session["session_id"].startswith("picker_sess_")
    assert session["access_token"]
    assert session["developer_key"]
    expires = datetime.fromisoformat(session["expires_at"].replace("Z", "+00:00"))
    assert expires > datetime.now(UTC)


def test_listing_root_with_default_fields(api: httpx.Client, sid: str) -> None:
    r = proxy(api, sid, "files", q="'root' in parents and trashed = false")
    assert r.status_code == 200
    body = r.json()
    assert body["kind"] == "drive#fileList"
    names = {f["name"] for f in body["files"]}
    assert {"Photos", "Camera Uploads", "Documents", "Mixed", "profile.jpg"} <= names
    assert "Old stuff" not in names  # trashed
    # Drive's default answer has no size; each entry carries just kind, id, name, mimeType.
    assert all(set(f) == {"kind", "id", "name", "mimeType"} for f in body["files"])
    # Folders come first, as with Drive's folder-first ordering.
    kinds = [f["mimeType"] == FOLDER for f in body["files"]]
    assert kinds == sorted(kinds, reverse=True)


def test_queries(api: httpx.Client, sid: str) -> None:
    mixed = folder_id(api, sid, "Mixed")
    files = list_all(api, sid, f"'{mixed}' in parents", 100)
    mimes = {f["mimeType"] for f in files}
    assert {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "application/pdf",
        FOLDER,
    } <= mimes
    assert "application/vnd.google-apps.document" in mimes
    for f in files:
        if f["mimeType"] in (FOLDER, "application/vnd.google-apps.document"):
            assert "size" not in f
        else:
            assert f["size"].isdigit()
    images = list_all(api, sid, f"'{mixed}' in parents and mimeType contains 'image/'", 100)
    assert images
    assert all(f["mimeType"].startswith("image/") for f in images)
    assert any("corrupt" in f["name"] for f in images)
    folders = list_all(api, sid, f"'{mixed}' in parents and mimeType = '{FOLDER}'", 100)
    assert [f["name"] for f in folders] == ["Nested"]
    not_folders = list_all(api, sid, f"'{mixed}' in parents and mimeType != '{FOLDER}'", 100)
    assert len(not_folders) == len(files) - 1
    photos = folder_id(api, sid, "Photos")
    everything = list_all(api, sid, f"'{photos}' in parents", 100)
    live = list_all(api, sid, f"'{photos}' in parents and trashed = false", 100)
    assert len(everything) - len(live) == 3
    assert list_all(api, sid, f"'{photos}' in parents and trashed = true", 100) != []
    named = list_all(api, sid, "name contains 'beach_00'", 100)
    assert len(named) == 9


def test_realistic_sizes(api: httpx.Client, sid: str) -> None:
    vacation = folder_id(api, sid, "Vacation 2024", folder_id(api, sid, "Photos"))
    files = list_all(api, sid, f"'{vacation}' in parents", 100)
    assert len(files) == 40
    for f in files:
        size = int(f["size"])
        assert 80_000 <= size <= 8_500_000, f


@pytest.mark.parametrize("page_size", [1000, 333])
def test_pagination_visits_every_file_exactly_once(
    emu: RunningEmulator, api: httpx.Client, sid: str, page_size: int
) -> None:
    big = folder_id(api, sid, "Camera Uploads")
    files = list_all(api, sid, f"'{big}' in parents and trashed = false", page_size)
    ids = [f["id"] for f in files]
    big_size = httpx.get(emu.root_url + "/_emulator/health").json()["big"]
    assert big_size == 2500
    assert len(ids) == big_size
    assert len(set(ids)) == big_size
    assert {f["name"] for f in files} == {
        n for f in files for n in [f["name"]] if n.startswith("IMG_")
    }


def test_pagination_survives_files_added_between_pages(api: httpx.Client) -> None:
    cid = connect(api)["connection"]["id"]
    sid = session_for(api, cid)
    mixed = folder_id(api, sid, "Mixed")
    picks = list_all(api, sid, f"'{mixed}' in parents and name contains 'sample_'", 10)[:2]
    files = [{"id": f["id"], "name": f["name"]} for f in picks]
    image_ids = api.post("/cloud-storage/import", json={"connection_id": cid, "files": files})
    docs = folder_id(api, sid, "Documents")
    q = f"'{docs}' in parents"
    first = proxy(api, sid, "files", q=q, pageSize=5, fields="nextPageToken,files(id,name)")
    token = first.json()["nextPageToken"]
    seen = [f["id"] for f in first.json()["files"]]
    # An export lands in the folder between two pages.
    job = api.post(
        "/cloud-storage/export",
        json={"connection_id": cid, "image_ids": image_ids.json()["image_ids"], "folder_id": docs},
    ).json()
    wait_done(api, job["job_id"])
    while token:
        r = proxy(
            api, sid, "files", q=q, pageSize=5, pageToken=token, fields="nextPageToken,files(id)"
        )
        seen += [f["id"] for f in r.json()["files"]]
        token = r.json().get("nextPageToken")
    # 17 seeded documents plus the two exports (their names sort after the first page).
    assert len(seen) == len(set(seen)) == 19


def wait_done(api: httpx.Client, job_id: str) -> dict[str, object]:
    for _ in range(500):
        job: dict[str, object] = api.get(f"/cloud-storage/jobs/{job_id}").json()["job"]
        if job["status"] in ("completed", "partial", "failed", "cancelled"):
            return job
        time.sleep(0.02)
    raise AssertionError("job did not finish")


def test_fields_without_next_page_token_drop_it_like_drive(api: httpx.Client, sid: str) -> None:
    big = folder_id(api, sid, "Camera Uploads")
    r = proxy(api, sid, "files", q=f"'{big}' in parents", pageSize=10, fields="files(id)")
    assert r.json().keys() == {"files"}
    assert len(r.json()["files"]) == 10


def test_get_one_file(api: httpx.Client, sid: str) -> None:
    mixed = folder_id(api, sid, "Mixed")
    jpg = list_all(api, sid, f"'{mixed}' in parents and name = 'sample_jpeg.jpg'", 10)[0]
    r = proxy(api, sid, f"files/{jpg['id']}")
    assert r.json() == {
        "kind": "drive#file",
        "id": jpg["id"],
        "name": "sample_jpeg.jpg",
        "mimeType": "image/jpeg",
    }
    r = proxy(api, sid, f"files/{jpg['id']}", fields="id,size,parents,imageMediaMetadata")
    body = r.json()
    assert body["parents"] == [mixed]
    assert body["size"] == jpg["size"]
    assert body["imageMediaMetadata"]["width"] > 0
    everything = proxy(api, sid, f"files/{jpg['id']}", fields="*").json()
    assert {"createdTime", "modifiedTime", "md5Checksum", "webViewLink"} <= set(everything)


def test_export_google_doc(api: httpx.Client, sid: str) -> None:
    doc = list_all(api, sid, "name = 'Notes'", 10)[0]
    r = proxy(api, sid, f"files/{doc['id']}/export", mimeType="text/plain")
    assert r.status_code == 200
    body = r.json()
    assert body["mimeType"] == "text/plain"
    content = base64.b64decode(body["data"])
    assert content.startswith(b"Notes")
    assert int(body["size"]) == len(content)


def test_about(api: httpx.Client, sid: str) -> None:
    r = proxy(api, sid, "about", fields="user(emailAddress,displayName),storageQuota")
    body = r.json()
    assert body["user"] == {
        "emailAddress": "emulated.user@gmail.com",
        "displayName": "Emulated User",
    }
    assert body["storageQuota"]["limit"].isdigit()
    assert int(body["storageQuota"]["usage"]) > 0


@pytest.mark.parametrize(
    ("endpoint", "params", "status", "code"),
    [
        ("changes", {}, 400, "ENDPOINT_NOT_ALLOWED"),
        ("files/../about", {}, 400, "ENDPOINT_NOT_ALLOWED"),
        ("files/a b", {}, 400, "ENDPOINT_NOT_ALLOWED"),
        ("files/abc/permissions", {}, 400, "ENDPOINT_NOT_ALLOWED"),
        ("drives", {}, 400, "ENDPOINT_NOT_ALLOWED"),
        ("files/doesNotExist123", {}, 404, "NOT_FOUND"),
        ("files", {"q": "modifiedTime > '2024-01-01'"}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"q": "'x' in parents or"}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"q": "name = 'unterminated"}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"pageSize": 2**31}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"pageSize": 0}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"pageSize": "many"}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"pageToken": "garbage"}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"fields": "files(nope)"}, 400, "INVALID_DRIVE_REQUEST"),
        ("files", {"fields": "files(id"}, 400, "INVALID_DRIVE_REQUEST"),
        ("about", {}, 400, "INVALID_DRIVE_REQUEST"),
        ("files/doesNotExist123/export", {"mimeType": "text/plain"}, 404, "NOT_FOUND"),
    ],
)
def test_proxy_errors(
    api: httpx.Client, sid: str, endpoint: str, params: dict[str, object], status: int, code: str
) -> None:
    assert_error(proxy(api, sid, endpoint, **params), status, code)


def test_export_errors(api: httpx.Client, sid: str) -> None:
    jpg = list_all(api, sid, "name = 'profile.jpg'", 10)[0]
    body = assert_error(proxy(api, sid, f"files/{jpg['id']}/export", mimeType="text/plain"), 400)
    assert body["error"]["details"]["reason"] == "fileNotExportable"
    doc = list_all(api, sid, "name = 'Notes'", 10)[0]
    assert_error(proxy(api, sid, f"files/{doc['id']}/export"), 400)
    assert_error(proxy(api, sid, f"files/{doc['id']}/export", mimeType="image/png"), 400)


def test_page_token_of_another_query_is_refused(api: httpx.Client, sid: str) -> None:
    big = folder_id(api, sid, "Camera Uploads")
    r = proxy(api, sid, "files", q=f"'{big}' in parents", pageSize=2, fields="nextPageToken")
    token = r.json()["nextPageToken"]
    assert_error(proxy(api, sid, "files", q="trashed = false", pageToken=token), 400)


def test_sessions_expire_and_unknown_ones_are_refused(
    emu: RunningEmulator, api: httpx.Client, sid: str
) -> None:
    assert proxy(api, sid, "about", fields="user").status_code == 200
    assert_error(proxy(api, "picker_sess_unknown", "about", fields="user"), 401, "INVALID_SESSION")
    emu.admin.advance_clock(3601)
    assert_error(proxy(api, sid, "about", fields="user"), 401, "SESSION_EXPIRED")


def test_same_seed_same_tree_other_account_other_ids(
    emu: RunningEmulator, api: httpx.Client
) -> None:
    one = session_for(api, connect(api)["connection"]["id"])
    two = session_for(api, connect(api, login_hint="b@example.com")["connection"]["id"])
    a = proxy(api, one, "files", q="'root' in parents", fields="files(id,name)").json()["files"]
    b = proxy(api, two, "files", q="'root' in parents", fields="files(id,name)").json()["files"]
    assert [f["name"] for f in a] == [f["name"] for f in b]
    assert {f["id"] for f in a}.isdisjoint({f["id"] for f in b})
    emu.admin.reset()
    with httpx.Client(base_url=emu.base_url, headers=api.headers) as fresh:
        again = session_for(fresh, connect(fresh)["connection"]["id"])
        c = proxy(fresh, again, "files", q="'root' in parents", fields="files(id,name)").json()
    assert c["files"] == a
