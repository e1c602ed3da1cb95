"""OAuth: consent page, single-use state and code, reuse of a known account, callback page."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import (
    REDIRECT,
    assert_error,
    authorize,
    client_for,
    connect,
    session_for,
)

CALLBACK = "/cloud-storage/auth/google_drive/callback"


def _complete(
    api: httpx.Client, got: dict[str, str], redirect_uri: str = REDIRECT
) -> httpx.Response:
    return api.post(
        CALLBACK, json={"code": got["code"], "state": got["state"], "redirect_uri": redirect_uri}
    )


def test_initiate_points_at_fake_consent_page(emu: RunningEmulator, api: httpx.Client) -> None:
    r = api.post(
        "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": REDIRECT},
    )
    assert r.status_code == 200
    body = r.json()
    url = urlsplit(body["authorization_url"])
    assert f"{url.scheme}://{url.netloc}" == emu.root_url
    assert url.path == "/_emulator/oauth/consent"
    q = parse_qs(url.query)
    assert q["state"] == [body["state"]]
    assert q["redirect_uri"] == [REDIRECT]
    assert q["response_type"] == ["code"]
    assert body["provider"] == "google_drive"


def test_full_flow_creates_then_reuses_connection(api: httpx.Client) -> None:
    first = connect(api)
    assert first["is_new"] is True
    conn = first["connection"]
    assert conn["provider"] == "google_drive"
    assert conn["provider_email"] == "emulated.user@gmail.com"
    assert conn["provider_display_name"] == "Emulated User"
    assert conn["is_active"] is True
    assert conn["last_used_at"] is None

    again = connect(api)
    assert again["is_new"] is False
    assert again["connection"]["id"] == conn["id"]
    assert again["connection"]["last_used_at"] is not None

    other = connect(api, login_hint="second.person@example.com")
    assert other["is_new"] is True
    assert other["connection"]["id"] != conn["id"]
    listed = api.get("/cloud-storage/connections").json()
    assert listed["total_count"] == 2
    assert {c["provider_email"] for c in listed["connections"]} == {
        "emulated.user@gmail.com",
        "second.person@example.com",
    }
    # An unknown provider is refused like the path parameter's (the spec's Provider enum).
    r = api.get("/cloud-storage/connections", params={"provider": "dropbox"})
    assert_error(r, 422, "VALIDATION_ERROR")


def test_code_and_state_are_single_use(api: httpx.Client) -> None:
    got = authorize(api)
    assert _complete(api, got).status_code == 200
    assert_error(_complete(api, got), 400, "INVALID_STATE")
    # A fresh state with the already-spent code is refused too.
    fresh = authorize(api)
    assert_error(
        _complete(api, {"code": got["code"], "state": fresh["state"]}), 400, "INVALID_GRANT"
    )
    # ... and the fresh pair still works: a refused attempt doesn't burn it.
    assert _complete(api, fresh).status_code == 200


def test_state_is_bound_to_key_and_redirect_uri(emu: RunningEmulator, api: httpx.Client) -> None:
    got = authorize(api)
    with client_for(emu, emu.admin.new_key()) as other:
        assert_error(_complete(other, got), 400, "INVALID_STATE")
    assert_error(_complete(api, got, "http://127.0.0.1:1/elsewhere"), 400, "REDIRECT_URI_MISMATCH")
    assert_error(
        _complete(api, {"code": "4/0Aforged", "state": got["state"]}), 400, "INVALID_GRANT"
    )
    assert _complete(api, got).status_code == 200


def test_state_and_code_expire(emu: RunningEmulator, api: httpx.Client) -> None:
    got = authorize(api)
    emu.admin.advance_clock(601)
    body = assert_error(_complete(api, got), 400, "INVALID_STATE")
    assert "expired" in body["error"]["message"]


def test_code_expires_before_state(emu: RunningEmulator, api: httpx.Client) -> None:
    got = authorize(api)
    emu.admin.advance_clock(301)  # code lives 300 s, state 600 s
    body = assert_error(_complete(api, got), 400, "INVALID_GRANT")
    assert "expired" in body["error"]["message"]


def test_consent_can_deny(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(oauth_deny=True)
    got = authorize(api)
    assert got["error"] == "access_denied"
    assert "code" not in got
    assert got["state"]


def test_consent_refuses_unknown_state_and_mismatched_redirect(
    emu: RunningEmulator, api: httpx.Client
) -> None:
    consent = emu.root_url + "/_emulator/oauth/consent"
    assert httpx.get(consent, params={"state": "nope", "redirect_uri": REDIRECT}).status_code == 400
    r = api.post(
        "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": REDIRECT},
    )
    url = urlsplit(r.json()["authorization_url"])
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    r = httpx.get(consent, params={**params, "redirect_uri": "http://evil.example/cb"})
    assert r.status_code == 400
    assert "redirect_uri_mismatch" in r.text


def test_initiate_errors(api: httpx.Client) -> None:
    r = api.post(
        "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": "not a url"},
    )
    assert_error(r, 400, "INVALID_REDIRECT_URI")
    r = api.post(
        "/cloud-storage/auth/dropbox", json={"provider": "dropbox", "redirect_uri": REDIRECT}
    )
    body = assert_error(r, 422, "VALIDATION_ERROR")
    assert ["path", "provider"] in [e["loc"] for e in body["error"]["details"]["errors"]]
    r = api.post("/cloud-storage/auth/google_drive", json={"redirect_uri": REDIRECT})
    assert_error(r, 422, "VALIDATION_ERROR")


def _posted(page: str) -> tuple[dict[str, str], str]:
    m = re.search(r"var message = (\{.*?\});\s*var targetOrigin = (\".*?\");", page, re.S)
    assert m, page
    return json.loads(m.group(1)), json.loads(m.group(2))


def test_callback_page_posts_to_exact_origin(emu: RunningEmulator, api: httpx.Client) -> None:
    got = authorize(api)
    r = httpx.get(emu.base_url + CALLBACK, params={"code": got["code"], "state": got["state"]})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    message, origin = _posted(r.text)
    assert origin == "http://127.0.0.1:53682"
    assert "'*'" not in r.text
    assert '"*"' not in r.text
    assert message == {
        "type": "aionvision:oauth",
        "provider": "google_drive",
        "state": got["state"],
        "code": got["code"],
    }
    # The page only relays: the code is still good for complete_auth.
    assert _complete(api, got).status_code == 200
    # ... and afterwards the page refuses the spent state.
    r = httpx.get(emu.base_url + CALLBACK, params={"code": got["code"], "state": got["state"]})
    assert_error(r, 400, "INVALID_STATE")


def test_callback_page_uses_the_initiating_origin(emu: RunningEmulator, api: httpx.Client) -> None:
    r = api.post(
        "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": emu.base_url + CALLBACK},
        headers={"Origin": "https://app.example.com"},
    )
    state = r.json()["state"]
    r = httpx.get(
        emu.base_url + CALLBACK,
        params={"error": "access_denied", "error_description": "</script><b>x", "state": state},
    )
    assert r.status_code == 200
    message, origin = _posted(r.text)
    assert origin == "https://app.example.com"
    assert message["error"] == "access_denied"
    assert message["error_description"] == "</script><b>x"
    assert "</script><b>" not in r.text  # escaped inside the script


def test_callback_page_errors(emu: RunningEmulator, api: httpx.Client) -> None:
    assert_error(httpx.get(emu.base_url + CALLBACK), 400, "INVALID_STATE")
    got = authorize(api)
    r = httpx.get(emu.base_url + CALLBACK, params={"code": "forged", "state": got["state"]})
    assert_error(r, 400, "INVALID_GRANT")
    r = httpx.get(
        emu.base_url + CALLBACK,
        params={"code": got["code"], "state": got["state"]},
        headers={"Authorization": "Bearer aion_not_a_real_key_at_all_000"},
    )
    assert_error(r, 401, "INVALID_API_KEY")


def test_disconnect_revokes_everywhere(api: httpx.Client) -> None:
    conn = connect(api)["connection"]
    cid = conn["id"]
    sid = session_for(api, cid)
    r = api.delete(f"/cloud-storage/connections/{cid}")
    assert r.status_code == 200
    assert r.json() == {"success": True, "message": "Connection disconnected successfully"}
    assert api.get("/cloud-storage/connections").json()["total_count"] == 0
    assert_error(api.delete(f"/cloud-storage/connections/{cid}"), 404, "NOT_FOUND")
    assert_error(api.get(f"/cloud-storage/connections/{cid}/picker-token"), 404, "NOT_FOUND")
    r = api.post("/cloud-storage/picker-proxy", json={"session_id": sid, "endpoint": "about"})
    assert r.status_code in (401, 404)
    files = [{"id": "a", "name": "a.jpg"}]
    assert_error(
        api.post("/cloud-storage/import", json={"connection_id": cid, "files": files}), 404
    )
    r = api.post("/cloud-storage/export", json={"connection_id": cid, "image_ids": ["img_1"]})
    assert_error(r, 404)
    # Connecting the same account again makes a new connection.
    again = connect(api)
    assert again["is_new"] is True
    assert again["connection"]["id"] != cid
