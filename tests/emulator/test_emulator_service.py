"""The `service` profile: the service as its reference of 2026-03-02 describes it.

Every import a job with placeholder image ids, `job_<uuid>` ids, picker-proxy answers wrapped in
`data`, `cloud_file_ids` on exports, key scopes with 403s, a revoked Google grant answered with
`requires_reauth`, and the session-only knob. The document profile is what the other tests of
this folder (and the cassettes) hold; a few checks here make sure it did not move.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aionvision_cloud_emulator import EmulatorConfig
from aionvision_cloud_emulator.__main__ import main, parser
from aionvision_cloud_emulator.access import NEEDS, SCOPES
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import (
    REDIRECT,
    approve_page,
    assert_error,
    client_for,
    connect,
    drive_json,
    folder_id,
    proxy,
    session_for,
)

FAST = {"job_pace": 400.0, "job_start_delay": 0.05, "big_folder_size": 40}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
JOB_ID = re.compile(rf"job_{UUID}")


@pytest.fixture(scope="module")
def service_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="service", **FAST) as emu:
        yield emu


@pytest.fixture(scope="module")
def document_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="document", **FAST) as emu:
        yield emu


def _fresh(emu: RunningEmulator) -> Iterator[RunningEmulator]:
    emu.admin.reset()
    yield emu
    # Every answer any test here provoked conformed to openapi.yaml.
    assert emu.admin.stats()["spec_violations"] == []


@pytest.fixture
def svc(service_emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    yield from _fresh(service_emulator)


@pytest.fixture
def doc(document_emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    yield from _fresh(document_emulator)


@pytest.fixture
def api(svc: RunningEmulator) -> Iterator[httpx.Client]:
    with client_for(svc) as c:
        yield c


def drive_files(api: httpx.Client, conn_id: str, count: int) -> list[dict[str, str]]:
    sid = session_for(api, conn_id)
    big = folder_id(api, sid, "Camera Uploads")
    r = proxy(api, sid, "files", q=f"'{big}' in parents", pageSize=count, fields="files(id,name)")
    assert r.status_code == 200, r.text
    files: list[dict[str, str]] = drive_json(r)["files"]
    assert len(files) == count
    return files


def wait_job(api: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        r = api.get(f"/cloud-storage/jobs/{job_id}")
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()["job"]
        if job["status"] in ("completed", "partial", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


# --- imports, job ids, exports -----------------------------------------------------------------


def test_every_import_is_a_job_with_placeholder_uuids(
    svc: RunningEmulator, api: httpx.Client
) -> None:
    conn_id = connect(api)["connection"]["id"]
    files = drive_files(api, conn_id, 2)
    r = api.post("/cloud-storage/import", json={"connection_id": conn_id, "files": files})
    assert r.status_code == 200, r.text
    body = r.json()
    # Two files: the document profile would finish these synchronously; the service never does.
    assert body["is_async"] is True
    assert JOB_ID.fullmatch(body["job_id"]), body["job_id"]
    assert body["status"] == "pending"
    assert body["total_files"] == 2
    assert body["message"] == "Importing 2 files"
    placeholders = body["image_ids"]
    assert len(placeholders) == 2
    assert all(re.fullmatch(UUID, i) for i in placeholders)
    assert len(set(placeholders)) == 2
    job = wait_job(api, body["job_id"])
    assert (job["status"], job["completed_files"]) == ("completed", 2)
    assert "cloud_file_ids" not in job  # an import job reports no Drive files
    # The placeholders are the images' ids: the admin API's per-file view says so.
    results = [i["result"] for i in svc.admin.job(body["job_id"])["items"]]
    assert results == placeholders


def test_a_failing_file_keeps_its_placeholder_unused(
    svc: RunningEmulator, api: httpx.Client
) -> None:
    conn_id = connect(api)["connection"]["id"]
    files = [*drive_files(api, conn_id, 1), {"id": "no-such-file", "name": "ghost.jpg"}]
    body = api.post("/cloud-storage/import", json={"connection_id": conn_id, "files": files}).json()
    job = wait_job(api, body["job_id"])
    assert (job["status"], job["completed_files"], job["failed_files"]) == ("partial", 1, 1)
    items = svc.admin.job(body["job_id"])["items"]
    assert [i["state"] for i in items] == ["done", "failed"]
    assert items[0]["result"] == body["image_ids"][0]


def test_export_answers_cloud_file_ids_null_then_the_job_fills_them(
    svc: RunningEmulator, api: httpx.Client
) -> None:
    conn_id = connect(api)["connection"]["id"]
    imported = api.post(
        "/cloud-storage/import",
        json={"connection_id": conn_id, "files": drive_files(api, conn_id, 3)},
    ).json()
    wait_job(api, imported["job_id"])
    # Slow the runner so the job is seen before it ends.
    svc.admin.configure(job_start_delay=0.5)
    r = api.post(
        "/cloud-storage/export",
        json={
            "connection_id": conn_id,
            "image_ids": imported["image_ids"],
            "folder_name": "Service export",
        },
    )
    assert r.status_code == 200, r.text
    exported = r.json()
    assert exported["cloud_file_ids"] is None
    assert exported["is_async"] is True
    assert JOB_ID.fullmatch(exported["job_id"])
    running = api.get(f"/cloud-storage/jobs/{exported['job_id']}").json()["job"]
    assert running["status"] == "pending"
    assert running["cloud_file_ids"] is None
    done = wait_job(api, exported["job_id"])
    assert done["status"] == "completed"
    created = done["cloud_file_ids"]
    assert len(created) == 3
    assert len(set(created)) == 3
    # The files are in the fake Drive, in the new folder, under those ids.
    sid = session_for(api, conn_id)
    folder = folder_id(api, sid, "Service export")
    listed = drive_json(proxy(api, sid, "files", q=f"'{folder}' in parents", fields="files(id)"))
    assert sorted(f["id"] for f in listed["files"]) == sorted(created)


def test_a_cancelled_export_reports_the_files_it_made(
    svc: RunningEmulator, api: httpx.Client
) -> None:
    conn_id = connect(api)["connection"]["id"]
    imported = api.post(
        "/cloud-storage/import",
        json={"connection_id": conn_id, "files": drive_files(api, conn_id, 2)},
    ).json()
    wait_job(api, imported["job_id"])
    svc.admin.configure(job_start_delay=60)
    exported = api.post(
        "/cloud-storage/export",
        json={"connection_id": conn_id, "image_ids": imported["image_ids"]},
    ).json()
    svc.admin.cancel_job(exported["job_id"])
    job = api.get(f"/cloud-storage/jobs/{exported['job_id']}").json()["job"]
    assert (job["status"], job["cloud_file_ids"]) == ("cancelled", [])


# --- the picker proxy ----------------------------------------------------------------------------


def _all_four(api: httpx.Client, sid: str) -> list[tuple[str, dict[str, Any], httpx.Response]]:
    """One call of each allowed endpoint: files, files/{id}, files/{id}/export, about."""
    docs = folder_id(api, sid, "Documents")
    r = proxy(api, sid, "files", q=f"'{docs}' in parents", fields="files(id,name,mimeType)")
    listing = drive_json(r)
    doc = next(f for f in listing["files"] if f["mimeType"].endswith("document"))
    calls: list[tuple[str, dict[str, Any]]] = [
        ("files", {"q": f"'{docs}' in parents", "fields": "files(id,name,mimeType)"}),
        (f"files/{doc['id']}", {"fields": "id,name,mimeType"}),
        (f"files/{doc['id']}/export", {"mimeType": "text/plain"}),
        ("about", {"fields": "user,storageQuota"}),
    ]
    return [(e, p, proxy(api, sid, e, **p)) for e, p in calls]


def test_the_proxy_wraps_every_endpoint_in_data(api: httpx.Client, doc: RunningEmulator) -> None:
    sid = session_for(api, connect(api)["connection"]["id"])
    with client_for(doc) as bare_api:
        bare_sid = session_for(bare_api, connect(bare_api)["connection"]["id"])
        answers = _all_four(api, sid)
        bare_answers = _all_four(bare_api, bare_sid)
    assert [e.split("/")[-1] for e, _, _ in answers][::3] == ["files", "about"]
    for (endpoint, _, r), (_, _, bare) in zip(answers, bare_answers, strict=True):
        assert r.status_code == 200, (endpoint, r.text)
        assert bare.status_code == 200, (endpoint, bare.text)
        body = r.json()
        assert set(body) == {"data"}, endpoint
        # The same Drive (same seed, same account): the envelope holds the document's answer.
        assert body["data"] == bare.json(), endpoint


def test_proxy_errors_are_not_wrapped(api: httpx.Client) -> None:
    sid = session_for(api, connect(api)["connection"]["id"])
    assert_error(proxy(api, sid, "changes"), 400, "ENDPOINT_NOT_ALLOWED")
    assert_error(proxy(api, sid, "files/nope"), 404, "NOT_FOUND")


# --- scopes ------------------------------------------------------------------------------------


def _call(api: httpx.Client, op: str) -> httpx.Response:
    """One request of `op`, well-formed enough to pass validation; ids need not exist."""
    cid = "00000000-0000-4000-a000-000000000000"
    if op == "initiate_auth":
        return api.post(
            "/cloud-storage/auth/google_drive",
            json={"provider": "google_drive", "redirect_uri": REDIRECT},
        )
    if op == "complete_auth":
        return api.post(
            "/cloud-storage/auth/google_drive/callback",
            json={"code": "c", "state": "s", "redirect_uri": REDIRECT},
        )
    if op == "list_connections":
        return api.get("/cloud-storage/connections")
    if op == "disconnect":
        return api.delete(f"/cloud-storage/connections/{cid}")
    if op == "get_picker_token":
        return api.get(f"/cloud-storage/connections/{cid}/picker-token")
    if op == "picker_proxy":
        return proxy(api, "picker_sess_x", "about")
    if op == "import_files":
        return api.post(
            "/cloud-storage/import",
            json={"connection_id": cid, "files": [{"id": "f1", "name": "a.jpg"}]},
        )
    if op == "export_files":
        return api.post("/cloud-storage/export", json={"connection_id": cid, "image_ids": ["i"]})
    assert op == "get_job"
    return api.get("/cloud-storage/jobs/job_x")


#: operation -> the scope a refusal names.
NAMED = {
    "initiate_auth": "cloud_storage:write",
    "complete_auth": "cloud_storage:write",
    "list_connections": "cloud_storage:read",
    "disconnect": "cloud_storage:delete",
    "get_picker_token": "cloud_storage:read",
    "picker_proxy": "cloud_storage:read",
    "import_files": "cloud_storage:write",
    "export_files": "cloud_storage:write",
    "get_job": "cloud_storage:read",
}


def _allowed(scopes: set[str], op: str) -> bool:
    # The table the reference gives, written out rather than read back from access.NEEDS.
    if "admin" in scopes:
        return True
    if NAMED[op] == "cloud_storage:read":
        return bool(scopes & {"read", "cloud_storage:read"})
    if NAMED[op] == "cloud_storage:write":
        return bool(scopes & {"write", "cloud_storage:write"})
    return bool(scopes & {"write", "cloud_storage:delete"})


def test_the_scope_table_covers_every_keyed_operation() -> None:
    assert set(NAMED) == set(NEEDS)
    assert {n.named for n in NEEDS.values()} <= set(SCOPES)
    assert NEEDS.keys() == NAMED.keys()
    assert {op: n.named for op, n in NEEDS.items()} == NAMED


@pytest.mark.parametrize(
    "scopes",
    [
        [],
        ["read"],
        ["write"],
        ["admin"],
        ["cloud_storage:read"],
        ["cloud_storage:write"],
        ["cloud_storage:delete"],
        ["cloud_storage:read", "cloud_storage:write"],
    ],
)
def test_a_key_without_the_scope_gets_403(svc: RunningEmulator, scopes: list[str]) -> None:
    key = svc.admin.new_key(scopes=scopes)
    with client_for(svc, key) as api:
        for op in NAMED:
            r = _call(api, op)
            if _allowed(set(scopes), op):
                # Past the scope check: whatever the handler says of made-up ids, not a 403.
                assert r.status_code != 403, (op, scopes, r.text)
                continue
            body = assert_error(r, 403, "INSUFFICIENT_SCOPE")
            assert body == {
                "error": {
                    "code": "INSUFFICIENT_SCOPE",
                    "message": f"This API key lacks the '{NAMED[op]}' scope",
                    "details": {"required_scope": NAMED[op]},
                },
                "request_id": body["request_id"],
            }, op
            assert r.headers["x-request-id"] == body["request_id"]


def test_the_default_key_and_extra_keys_have_every_scope(svc: RunningEmulator) -> None:
    with client_for(svc) as api:
        for op in NAMED:
            assert _call(api, op).status_code != 403, op
    extra = svc.admin.new_key()
    r = httpx.post(svc.root_url + "/_emulator/keys", json={"api_key": extra})
    assert r.json()["scopes"] == list(SCOPES)


def test_a_read_key_reads_what_a_write_key_made(svc: RunningEmulator) -> None:
    """Scopes limit what a key may do, not whose data it sees: one key, two scope sets."""
    key = svc.admin.new_key()
    with client_for(svc, key) as api:
        conn_id = connect(api)["connection"]["id"]
        body = api.post(
            "/cloud-storage/import",
            json={"connection_id": conn_id, "files": drive_files(api, conn_id, 1)},
        ).json()
        svc.admin.new_key(key, scopes=["cloud_storage:read"])
        assert [c["id"] for c in api.get("/cloud-storage/connections").json()["connections"]] == [
            conn_id
        ]
        assert wait_job(api, body["job_id"])["status"] == "completed"
        assert_error(api.delete(f"/cloud-storage/connections/{conn_id}"), 403, "INSUFFICIENT_SCOPE")
        svc.admin.new_key(key, scopes=["cloud_storage:delete"])
        assert api.delete(f"/cloud-storage/connections/{conn_id}").status_code == 200


def test_the_admin_api_refuses_unknown_scopes_and_scopes_under_document(
    svc: RunningEmulator, doc: RunningEmulator
) -> None:
    r = httpx.post(svc.root_url + "/_emulator/keys", json={"scopes": ["superuser"]})
    assert r.status_code == 400
    assert "superuser" in r.json()["error"]["message"]
    r = httpx.post(svc.root_url + "/_emulator/keys", json={"scopes": "read"})
    assert r.status_code == 400
    r = httpx.post(doc.root_url + "/_emulator/keys", json={"scopes": ["read"]})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "NEEDS_SERVICE_PROFILE")
    # Without scopes the document profile's answer is as it was.
    r = httpx.post(doc.root_url + "/_emulator/keys", json={})
    assert set(r.json()) == {"api_key"}


def test_scopes_are_not_checked_under_document(doc: RunningEmulator) -> None:
    """No key has scopes there; a request refused for anything is refused for something else."""
    with client_for(doc) as api:
        for op in NAMED:
            assert _call(api, op).status_code != 403, op


# --- a revoked Google grant ----------------------------------------------------------------------


def test_picker_token_answers_requires_reauth_after_a_revoked_grant(
    svc: RunningEmulator, api: httpx.Client
) -> None:
    conn_id = connect(api)["connection"]["id"]
    sid = session_for(api, conn_id)
    assert proxy(api, sid, "about", fields="user").status_code == 200
    svc.admin.revoke_grant(conn_id)
    r = api.get(f"/cloud-storage/connections/{conn_id}/picker-token")
    body = assert_error_with_reauth(r)
    assert body["error"]["code"] == "REAUTH_REQUIRED"
    assert "connect" in body["error"]["message"]
    # The picker session Google no longer honours: expired, and a new token says why.
    assert_error(proxy(api, sid, "about", fields="user"), 401, "SESSION_EXPIRED")
    # The connection is still listed: only Google's side is gone.
    assert [c["id"] for c in api.get("/cloud-storage/connections").json()["connections"]] == [
        conn_id
    ]
    # Connecting the same account again restores it, on the same connection.
    again = connect(api)
    assert (again["connection"]["id"], again["is_new"]) == (conn_id, False)
    assert api.get(f"/cloud-storage/connections/{conn_id}/picker-token").status_code == 200


def assert_error_with_reauth(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 401, r.text
    body: dict[str, Any] = r.json()
    assert set(body) == {"error", "requires_reauth", "request_id"}, body
    assert body["requires_reauth"] is True
    assert body["request_id"]
    return body


def test_a_job_on_a_revoked_grant_fails(svc: RunningEmulator, api: httpx.Client) -> None:
    conn_id = connect(api)["connection"]["id"]
    files = drive_files(api, conn_id, 3)
    svc.admin.configure(job_start_delay=0.3)
    body = api.post("/cloud-storage/import", json={"connection_id": conn_id, "files": files}).json()
    svc.admin.revoke_grant(conn_id)
    job = wait_job(api, body["job_id"])
    assert job["status"] == "failed"
    assert "connect it again" in job["error"]


def test_revoke_grant_needs_a_live_connection_and_the_service_profile(
    svc: RunningEmulator, doc: RunningEmulator
) -> None:
    r = httpx.post(
        svc.root_url + "/_emulator/connections/nope/revoke-grant",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 404
    r = httpx.post(
        doc.root_url + "/_emulator/connections/nope/revoke-grant",
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "NEEDS_SERVICE_PROFILE")


# --- signed-in sessions and the session-only knob -----------------------------------------------


SESSION_REQUIRED = {
    "code": "SESSION_REQUIRED",
    "message": "This endpoint requires a signed-in session (the session cookie); "
    "API keys are not accepted here",
    "details": None,
}
FOUR = ("initiate_auth", "complete_auth", "get_picker_token", "picker_proxy")


def cookie_client(emu: RunningEmulator, session: str) -> httpx.Client:
    """A browser-like client: the session cookie and no API key at all."""
    return httpx.Client(base_url=emu.base_url, cookies={"session": session}, timeout=10)


def connect_with(api: httpx.Client) -> dict[str, Any]:
    r = api.post(
        "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": REDIRECT},
    )
    assert r.status_code == 200, r.text
    url = r.json()["authorization_url"]
    consent = httpx.get(url)
    if consent.status_code == 200:
        consent = approve_page(url, consent.text)
    q = httpx.URL(consent.headers["location"]).params
    r = api.post(
        "/cloud-storage/auth/google_drive/callback",
        json={"code": q["code"], "state": q["state"], "redirect_uri": REDIRECT},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_session_only_off_takes_a_key_or_a_session(svc: RunningEmulator, api: httpx.Client) -> None:
    assert svc.admin.configure()["session_only"] is False
    conn_id = connect(api)["connection"]["id"]  # with the key
    with cookie_client(svc, svc.admin.new_session()) as browser:
        # The session sees the key's data and may do the four operations.
        sid = session_for(browser, conn_id)
        assert proxy(browser, sid, "about", fields="user").status_code == 200
        assert connect_with(browser)["connection"]["id"] == conn_id


def test_session_only_on_refuses_keys_at_the_four_operations(
    svc: RunningEmulator, api: httpx.Client
) -> None:
    conn_id = connect(api)["connection"]["id"]
    sid = session_for(api, conn_id)
    svc.admin.configure(session_only=True)
    for op in FOUR:
        r = _call(api, op)
        body = assert_error(r, 401, "SESSION_REQUIRED")
        assert body["error"] == SESSION_REQUIRED, op
    # A picker session taken before still needs the signed-in session to be used.
    assert_error(proxy(api, sid, "about", fields="user"), 401, "SESSION_REQUIRED")
    # The other operations still take the key, and only the key.
    assert api.get("/cloud-storage/connections").status_code == 200
    token = svc.admin.new_session()
    with cookie_client(svc, token) as browser:
        assert_error(browser.get("/cloud-storage/connections"), 401, "INVALID_API_KEY")
        # With the session, the four work: connect, picker token, proxy.
        assert connect_with(browser)["connection"]["id"] == conn_id
        sid = session_for(browser, conn_id)
        assert proxy(browser, sid, "about", fields="user").status_code == 200
    # Key and session together: the session is what counts there.
    with client_for(svc) as both:
        both.cookies.set("session", token)
        assert both.get(f"/cloud-storage/connections/{conn_id}/picker-token").status_code == 200


def test_session_only_from_the_start() -> None:
    with run_emulator(profile="service", session_only=True, big_folder_size=5) as emu:
        assert emu.admin.configure()["session_only"] is True
        with client_for(emu) as api:
            assert_error(_call(api, "initiate_auth"), 401, "SESSION_REQUIRED")
        with cookie_client(emu, emu.admin.new_session()) as browser:
            assert connect_with(browser)["is_new"] is True


def test_a_session_is_bound_to_its_keys_data(svc: RunningEmulator, api: httpx.Client) -> None:
    conn_id = connect(api)["connection"]["id"]
    other = svc.admin.new_key()
    with cookie_client(svc, svc.admin.new_session(other)) as browser:
        # Another key's connection looks absent, as it would with that key.
        r = browser.get(f"/cloud-storage/connections/{conn_id}/picker-token")
        assert_error(r, 404, "NOT_FOUND")
        mine = connect_with(browser)["connection"]["id"]
    with client_for(svc, other) as other_api:
        assert [
            c["id"] for c in other_api.get("/cloud-storage/connections").json()["connections"]
        ] == [mine]
    r = httpx.post(svc.root_url + "/_emulator/sessions", json={"api_key": "aion_" + "z" * 30})
    assert r.status_code == 404


def test_a_bad_session_cookie_is_refused_without_echoing_it(svc: RunningEmulator) -> None:
    forged = "sess_" + "f" * 43
    with cookie_client(svc, forged) as browser:
        r = _call(browser, "get_picker_token")
    body = assert_error(r, 401, "INVALID_SESSION_COOKIE")
    assert forged not in r.text
    assert body["error"]["message"]


def test_sessions_are_secrets(
    svc: RunningEmulator, api: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = svc.admin.new_session()
    assert re.fullmatch(r"sess_[A-Za-z0-9_-]{43}", token)
    conn_id = connect(api)["connection"]["id"]
    with cookie_client(svc, token) as browser:
        session_for(browser, conn_id)
        _call(browser, "complete_auth")  # an error answer too
    stats = json.dumps(svc.admin.stats())
    config = json.dumps(svc.admin.configure())
    for text in (stats, config, caplog.text, repr(svc), repr(svc.emulator.config)):
        assert token not in text
    # The store keeps its hash only.
    dumped = "\n".join(svc.emulator.store._db.iterdump())  # the audit's point
    assert token not in dumped


def test_sessions_under_document_are_refused_and_cookies_ignored(doc: RunningEmulator) -> None:
    r = httpx.post(doc.root_url + "/_emulator/sessions", json={})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "NEEDS_SERVICE_PROFILE")
    with cookie_client(doc, "sess_" + "a" * 43) as browser:
        assert_error(_call(browser, "initiate_auth"), 401, "INVALID_API_KEY")
    r = httpx.patch(doc.root_url + "/_emulator/config", json={"session_only": True})
    assert r.status_code == 400
    with pytest.raises(ValueError, match="service profile"):
        EmulatorConfig(session_only=True)


# --- the document profile did not move ---------------------------------------------------------


def test_document_keeps_sync_imports_short_job_ids_and_bare_proxy(doc: RunningEmulator) -> None:
    with client_for(doc) as api:
        conn_id = connect(api)["connection"]["id"]
        files = drive_files(api, conn_id, 2)
        r = proxy(api, session_for(api, conn_id), "about", fields="user")
        assert "data" not in r.json()
        small = api.post(
            "/cloud-storage/import", json={"connection_id": conn_id, "files": files}
        ).json()
        assert small == {
            "image_ids": small["image_ids"],
            "job_id": None,
            "status": None,
            "total_files": 2,
            "is_async": False,
            "message": "2 files imported successfully",
        }
        assert all(i.startswith("img_") for i in small["image_ids"])
        exported = api.post(
            "/cloud-storage/export",
            json={"connection_id": conn_id, "image_ids": small["image_ids"]},
        ).json()
        assert "cloud_file_ids" not in exported
        assert re.fullmatch(r"job_[0-9a-f]{12}", exported["job_id"])
        assert "cloud_file_ids" not in wait_job(api, exported["job_id"])


# --- how it is started ---------------------------------------------------------------------------


def test_the_command_line_serves_the_service_profile_by_default() -> None:
    assert parser().parse_args([]).profile == "service"
    assert parser().parse_args(["--profile", "document"]).profile == "document"
    assert parser().parse_args(["--session-only"]).session_only is True
    with pytest.raises(SystemExit):
        parser().parse_args(["--profile", "sandbox"])


def test_the_command_line_refuses_session_only_under_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--port", "0", "--profile", "document", "--session-only"]) == 2
    assert "service profile" in capsys.readouterr().err


def test_run_emulator_defaults_to_document(doc: RunningEmulator, svc: RunningEmulator) -> None:
    assert (doc.profile, svc.profile) == ("document", "service")
    assert httpx.get(svc.root_url + "/_emulator/health").json()["profile"] == "service"
    assert httpx.get(doc.root_url + "/_emulator/health").json()["profile"] == "document"
    # The profile is fixed at startup.
    r = httpx.patch(svc.root_url + "/_emulator/config", json={"profile": "document"})
    assert r.status_code == 400
