"""Helpers for tests that run against the emulator: the OAuth dance, picker calls, paging.

Used by the emulator's own tests and meant for users' offline tests as well::

    with run_emulator(profile="document") as emu, client_for(emu) as api:
        conn = connect(api)["connection"]
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx

if TYPE_CHECKING:
    # Only a type here: a browser stand-in that calls visit_consent() would otherwise load the
    # whole server (openapi-core, Starlette: 0.6 s) to follow one URL.
    from .server import RunningEmulator

REDIRECT = "http://127.0.0.1:53682/oauth/callback"


def client_for(emu: RunningEmulator, key: str | None = None) -> httpx.Client:
    """An httpx client on the emulator's base URL, authenticated with `key` (default key)."""
    return httpx.Client(
        base_url=emu.base_url,
        headers={"Authorization": f"Bearer {key or emu.api_key}"},
        timeout=10,
    )


def authorize(
    api: httpx.Client, login_hint: str | None = None, redirect_uri: str = REDIRECT
) -> dict[str, str]:
    """Initiate, then follow the fake consent page; returns code, state."""
    r = api.post(
        "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": redirect_uri},
    )
    _ok(r)
    url = r.json()["authorization_url"]
    if login_hint:
        url += "&login_hint=" + login_hint
    consent = httpx.get(url)
    if consent.status_code == 200 and 'id="allow"' in consent.text:
        consent = approve_page(url, consent.text)
    if consent.status_code not in (302, 303):
        raise AssertionError(f"consent page answered {consent.status_code}: {consent.text}")
    location = consent.headers["location"]
    q = parse_qs(urlsplit(location).query)
    return {k: v[0] for k, v in q.items()}


def approve_page(url: str, page: str) -> httpx.Response:
    """Click Allow on a `consent="page"` consent page, keeping the boxes it ticked."""
    hidden = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    ticked = re.findall(r'<input type="checkbox" name="granted" value="([^"]*)" checked>', page)
    data: dict[str, Any] = {html.unescape(k): html.unescape(v) for k, v in hidden}
    data["granted"] = [html.unescape(v) for v in ticked]
    data["action"] = "allow"
    parts = urlsplit(url)
    return httpx.post(f"{parts.scheme}://{parts.netloc}{parts.path}", data=data)


def visit_consent(url: str) -> None:
    """What a person's browser does with a consent URL given to ``connect(open_browser=...)``:
    load the page, click Allow when it asks (``consent="page"``), follow the redirect back to
    the loopback server. Blocks until that server has answered."""
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(url)
        if page.status_code == 200 and 'id="allow"' in page.text:
            answer = approve_page(str(page.url), page.text)
            if answer.status_code in (302, 303):
                page = browser.get(answer.headers["location"])
        if page.status_code != 200:
            raise AssertionError(f"the consent flow ended with {page.status_code}: {page.text}")


def connect(api: httpx.Client, login_hint: str | None = None) -> dict[str, Any]:
    got = authorize(api, login_hint)
    r = api.post(
        "/cloud-storage/auth/google_drive/callback",
        json={"code": got["code"], "state": got["state"], "redirect_uri": REDIRECT},
    )
    _ok(r)
    body: dict[str, Any] = r.json()
    return body


def session_for(api: httpx.Client, conn_id: str) -> str:
    r = api.get(f"/cloud-storage/connections/{conn_id}/picker-token")
    _ok(r)
    return str(r.json()["session"]["session_id"])


def proxy(api: httpx.Client, sid: str, endpoint: str, **params: Any) -> httpx.Response:
    return api.post(
        "/cloud-storage/picker-proxy",
        json={"session_id": sid, "endpoint": endpoint, "params": params},
    )


def drive_json(r: httpx.Response) -> dict[str, Any]:
    """Drive's answer from a picker-proxy response: wrapped in `data` (the service profile)
    or bare (the document profile)."""
    body: dict[str, Any] = r.json()
    if set(body) == {"data"} and isinstance(body["data"], dict):
        inner: dict[str, Any] = body["data"]
        return inner
    return body


def folder_id(api: httpx.Client, sid: str, name: str, parent: str = "root") -> str:
    r = proxy(api, sid, "files", q=f"'{parent}' in parents and name = '{name}'", fields="files(id)")
    _ok(r)
    files = drive_json(r)["files"]
    if len(files) != 1:
        raise AssertionError(f"expected one folder {name!r}, got {files}")
    return str(files[0]["id"])


def list_all(api: httpx.Client, sid: str, q: str, page_size: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {
            "q": q,
            "pageSize": page_size,
            "fields": "nextPageToken, files(id, name, mimeType, size)",
        }
        if token:
            params["pageToken"] = token
        r = proxy(api, sid, "files", **params)
        _ok(r)
        body = drive_json(r)
        out.extend(body["files"])
        token = body.get("nextPageToken")
        if not token:
            return out


def _ok(r: httpx.Response) -> None:
    if r.status_code != 200:
        raise AssertionError(f"{r.request.method} {r.request.url} -> {r.status_code}: {r.text}")


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The documented envelope with a request_id."""
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert set(body) == {"error", "request_id"}, body
    assert body["request_id"]
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body
