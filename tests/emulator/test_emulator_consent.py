"""The fake Google consent endpoint: Google's request checks, the clickable page, partial grants,
PKCE, prompt=none, and the security headers of the consent and callback pages."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aionvision_cloud_emulator.consent import SCOPE_FILE, SCOPE_READONLY
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.state import Store
from aionvision_cloud_emulator.testing import REDIRECT, assert_error, authorize, client_for

CALLBACK = "/cloud-storage/auth/google_drive/callback"


def _start(api: httpx.Client, redirect_uri: str = REDIRECT) -> tuple[str, dict[str, str]]:
    r = api.post(
        "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": redirect_uri},
    )
    assert r.status_code == 200, r.text
    url = urlsplit(r.json()["authorization_url"])
    base = f"{url.scheme}://{url.netloc}{url.path}"
    return base, {k: v[0] for k, v in parse_qs(url.query).items()}


def _redirected(r: httpx.Response) -> dict[str, str]:
    assert r.status_code in (302, 303), r.text
    location = r.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _complete(api: httpx.Client, got: dict[str, str]) -> httpx.Response:
    return api.post(
        CALLBACK, json={"code": got["code"], "state": got["state"], "redirect_uri": REDIRECT}
    )


def _assert_secure_headers(r: httpx.Response) -> None:
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"


def _form(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_initiate_asks_for_pkce_and_incremental_scopes(api: httpx.Client) -> None:
    _, params = _start(api)
    assert params["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"])
    assert params["include_granted_scopes"] == "true"
    assert params["scope"].split() == [SCOPE_READONLY, SCOPE_FILE]


@pytest.mark.aionvision_emulator(consent="page")
def test_page_shows_app_account_scopes_and_allow_grants(
    aionvision_emulator: RunningEmulator,
) -> None:
    emu = aionvision_emulator
    with httpx.Client(
        base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.api_key}"}
    ) as api:
        base, params = _start(api)
        page = httpx.get(base, params=params)
        assert page.status_code == 200
        _assert_secure_headers(page)
        # The form's redirect must pass form-action, or the browser would block it.
        assert (
            "form-action 'self' http://127.0.0.1:53682" in page.headers["content-security-policy"]
        )
        text = page.text
        assert "Aionvision Cloud Storage wants access to your Google Account" in text
        assert "emulated.user@gmail.com" in text
        assert "See and download all your Google Drive files" in text
        assert 'id="allow"' in text
        assert 'id="cancel"' in text
        form = _form(text)
        allow = httpx.post(
            base, data={**form, "action": "allow", "granted": [SCOPE_READONLY, SCOPE_FILE]}
        )
        got = _redirected(allow)
        assert allow.status_code == 303
        assert set(got["scope"].split()) == {SCOPE_READONLY, SCOPE_FILE}
        assert _complete(api, got).status_code == 200

        base, params = _start(api)
        form = _form(httpx.get(base, params=params).text)
        got = _redirected(httpx.post(base, data={**form, "action": "cancel"}))
        assert got["error"] == "access_denied"
        assert "code" not in got
        # A form not rendered by the page (a cross-site auto-submit) is refused.
        forged = httpx.post(base, data={**form, "form_token": "0" * 64, "action": "allow"})
        assert forged.status_code == 400
        assert "Location" not in forged.headers


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_id": ""}, 400, "invalid_request"),
        ({"client_id": "123-other.apps.googleusercontent.com"}, 401, "invalid_client"),
        ({"redirect_uri": ""}, 400, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:1/x"}, 400, "redirect_uri_mismatch"),
        ({"response_type": ""}, 400, "invalid_request"),
        ({"response_type": "token"}, 400, "invalid_request"),
        ({"scope": ""}, 400, "invalid_request"),
        ({"scope": "https://www.googleapis.com/auth/gmail.nope"}, 400, "invalid_scope"),
        ({"prompt": "sometimes"}, 400, "invalid_request"),
        ({"prompt": "none consent"}, 400, "invalid_request"),
        ({"include_granted_scopes": "yes"}, 400, "invalid_request"),
        ({"code_challenge_method": "S512"}, 400, "invalid_request"),
        ({"code_challenge": "short"}, 400, "invalid_request"),
        ({"code_challenge": ""}, 400, "invalid_request"),  # a method without a challenge
        ({"state": "forged"}, 400, "invalid_request"),
    ],
)
def test_bad_requests_get_googles_error_page_not_a_redirect(
    api: httpx.Client, change: dict[str, str], status: int, error: str
) -> None:
    base, params = _start(api)
    r = httpx.get(base, params={**params, **change})
    assert r.status_code == status
    assert "location" not in r.headers
    assert f"Error {status}: {error}" in r.text
    _assert_secure_headers(r)


def test_invalid_client_knob(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(oauth_invalid_client=True)
    base, params = _start(api)
    r = httpx.get(base, params=params)
    assert r.status_code == 401
    assert "Error 401: invalid_client" in r.text


def test_partial_grant_is_refused_by_complete(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(oauth_granted_scopes=[SCOPE_FILE])
    base, params = _start(api)
    got = _redirected(httpx.get(base, params=params))
    assert got["scope"] == SCOPE_FILE
    body = assert_error(_complete(api, got), 400, "INSUFFICIENT_SCOPE")
    assert body["error"]["details"]["missing_scopes"] == [SCOPE_READONLY]
    assert api.get("/cloud-storage/connections").json()["total_count"] == 0


def test_include_granted_scopes_adds_earlier_grants(
    emu: RunningEmulator, api: httpx.Client
) -> None:
    base, params = _start(api)
    assert _complete(api, _redirected(httpx.get(base, params=params))).status_code == 200
    emu.admin.configure(oauth_granted_scopes=[SCOPE_FILE])
    base, params = _start(api)
    got = _redirected(httpx.get(base, params=params))
    assert set(got["scope"].split()) == {SCOPE_READONLY, SCOPE_FILE}
    assert _complete(api, got).status_code == 200
    # Without include_granted_scopes only this time's grant comes back.
    base, params = _start(api)
    got = _redirected(httpx.get(base, params={**params, "include_granted_scopes": "false"}))
    assert got["scope"] == SCOPE_FILE


def test_prompt_none_needs_an_earlier_grant(api: httpx.Client) -> None:
    base, params = _start(api)
    got = _redirected(httpx.get(base, params={**params, "prompt": "none"}))
    assert got["error"] == "consent_required"
    base, params = _start(api)
    assert _complete(api, _redirected(httpx.get(base, params=params))).status_code == 200
    base, params = _start(api)
    got = _redirected(httpx.get(base, params={**params, "prompt": "none"}))
    assert _complete(api, got).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"code_challenge": "A" * 43},  # an attacker's challenge in place of the service's
        {"code_challenge": "", "code_challenge_method": ""},  # a downgrade: PKCE stripped
    ],
)
def test_pkce_binds_the_code_to_the_service(api: httpx.Client, change: dict[str, str]) -> None:
    base, params = _start(api)
    got = _redirected(httpx.get(base, params={**params, **change}))
    assert_error(_complete(api, got), 400, "INVALID_GRANT")


def test_callback_page_headers_and_nonce(emu: RunningEmulator, api: httpx.Client) -> None:
    base, params = _start(api)
    got = _redirected(httpx.get(base, params=params))
    r = httpx.get(emu.base_url + CALLBACK, params={"code": got["code"], "state": got["state"]})
    assert r.status_code == 200
    _assert_secure_headers(r)
    nonce = re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"])
    assert nonce
    assert f'<script nonce="{nonce.group(1)}">' in r.text


def test_a_db_file_from_before_gets_the_new_oauth_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE oauth_states (
                state TEXT PRIMARY KEY, api_key TEXT NOT NULL, provider TEXT NOT NULL,
                redirect_uri TEXT NOT NULL, opener_origin TEXT, created_at REAL NOT NULL,
                expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE oauth_codes (
                code TEXT PRIMARY KEY, state TEXT NOT NULL, account_email TEXT NOT NULL,
                display_name TEXT NOT NULL, expires_at REAL NOT NULL,
                used INTEGER NOT NULL DEFAULT 0);
            """
        )
    db.close()
    store = Store(str(path))
    try:
        store.add_code(
            {
                "code": "c",
                "state": "s",
                "account_email": "a@example.com",
                "display_name": "A",
                "expires_at": 1.0,
                "scopes": SCOPE_FILE,
                "code_challenge": "x" * 43,
                "code_challenge_method": "S256",
            }
        )
        assert (store.get_code("c") or {})["scopes"] == SCOPE_FILE
        store.add_state(
            {
                "state": "s",
                "api_key": "k",
                "provider": "google_drive",
                "redirect_uri": REDIRECT,
                "created_at": 0.0,
                "expires_at": 1.0,
                "code_verifier": "v" * 64,
            }
        )
        assert (store.get_state("s") or {})["code_verifier"] == "v" * 64
    finally:
        store.close()


@pytest.mark.aionvision_emulator(consent="page", oauth_granted_scopes=[SCOPE_FILE])
def test_headless_helper_clicks_allow_on_the_page(aionvision_emulator: RunningEmulator) -> None:
    # testing.authorize approves a consent page like a person would, keeping its ticked boxes.
    with client_for(aionvision_emulator) as api:
        got = authorize(api)
    assert got["scope"] == SCOPE_FILE
    assert got["code"].startswith("4/0A")
