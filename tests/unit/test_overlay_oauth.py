"""OAuth helpers: the redirect parser and the loopback flow, with a thread playing the browser."""

from __future__ import annotations

import json
import logging
import socket
import threading
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from overlay_testkit import FakeAPI, json_response

from aionvision_cloud import Client, _oauth
from aionvision_cloud._oauth import LoopbackServer, code_from_redirect, redirect_uri_of
from aionvision_cloud.errors import (
    InvalidInputError,
    OAuthError,
    OAuthStateMismatchError,
    OAuthTimeoutError,
)

AUTH = "/cloud-storage/auth/google_drive"
CALLBACK = "/cloud-storage/auth/google_drive/callback"
STATE = "csrf_state_token_abc123"
CODE = "4/0AX4XfWh-SECRET-CODE"
CONNECTION = {"id": "conn_new", "provider": "google_drive", "last_used_at": None}


def initiate(request: httpx.Request) -> httpx.Response:
    redirect_uri = json.loads(request.content)["redirect_uri"]
    url = f"https://accounts.google.test/o/oauth2/auth?redirect_uri={quote(redirect_uri)}&state={STATE}"
    return json_response(
        200, {"authorization_url": url, "state": STATE, "provider": "google_drive"}
    )


@pytest.fixture
def oauth_api(api: FakeAPI) -> FakeAPI:
    api.on("POST", AUTH, initiate)
    api.on("POST", CALLBACK, json_response(200, {"connection": CONNECTION, "is_new": True}))
    return api


class Browser:
    """Plays the user's browser: follows the authorization URL back to the loopback server."""

    def __init__(
        self,
        query: dict[str, str] | None = None,
        stray_first: bool = False,
        forged_first: tuple[dict[str, str], ...] = (),
    ) -> None:
        self.query = query
        self.stray_first = stray_first
        # Callbacks another local process or web page sends before the browser comes back.
        self.forged_first = forged_first
        self.thread: threading.Thread | None = None
        self.pages: list[httpx.Response] = []
        self.redirect_uri: str | None = None

    def __call__(self, url: str) -> bool:
        params = parse_qs(urlsplit(url).query)
        self.redirect_uri = params["redirect_uri"][0]
        query = (
            self.query if self.query is not None else {"code": CODE, "state": params["state"][0]}
        )
        self.thread = threading.Thread(
            target=self._visit, args=(self.redirect_uri, query), daemon=True
        )
        self.thread.start()
        return True

    def _visit(self, redirect_uri: str, query: dict[str, str]) -> None:
        with httpx.Client(timeout=5) as http:
            if self.stray_first:
                base = redirect_uri.rsplit("/", 1)[0]
                self.pages.append(http.get(base + "/favicon.ico"))
            for forged in self.forged_first:
                self.pages.append(http.get(redirect_uri, params=forged))
            self.pages.append(http.get(redirect_uri, params=query))

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(timeout=5)


def port_of(uri: str) -> int:
    port = urlsplit(uri).port
    assert port is not None
    return port


def assert_port_free(port: int) -> None:
    # The port can be bound and listened on again: nothing holds it. (SO_REUSEADDR because the
    # closed browser connection may still sit in TIME_WAIT, which is not "in use".)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(1)


def test_loopback_flow_returns_the_connection(client: Client, oauth_api: FakeAPI) -> None:
    browser = Browser()
    conn = client.cloud_storage.connect("google_drive", open_browser=browser, timeout=10)
    browser.join()
    assert conn.id == "conn_new"
    assert conn.is_new is True
    assert browser.redirect_uri is not None
    assert browser.redirect_uri.startswith("http://127.0.0.1:")
    assert browser.redirect_uri.endswith("/callback")
    assert oauth_api.bodies("POST", AUTH) == [
        {"provider": "google_drive", "redirect_uri": browser.redirect_uri}
    ]
    assert oauth_api.bodies("POST", CALLBACK) == [
        {"code": CODE, "state": STATE, "redirect_uri": browser.redirect_uri}
    ]
    page = browser.pages[-1]
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert b"close this window" in page.content
    assert_port_free(port_of(browser.redirect_uri))


def test_loopback_ignores_stray_requests(client: Client, oauth_api: FakeAPI) -> None:
    browser = Browser(stray_first=True)
    conn = client.cloud_storage.connect(open_browser=browser, timeout=10)
    browser.join()
    assert conn.id == "conn_new"
    assert [p.status_code for p in browser.pages] == [404, 200]


def test_loopback_provider_error_raises_and_calls_nothing(
    client: Client, oauth_api: FakeAPI
) -> None:
    browser = Browser(
        {"error": "access_denied", "error_description": "The user denied access", "state": STATE}
    )
    with pytest.raises(OAuthError) as info:
        client.cloud_storage.connect(open_browser=browser, timeout=10)
    browser.join()
    assert info.value.error == "access_denied"
    assert "The user denied access" in str(info.value)
    assert oauth_api.calls("POST", CALLBACK) == []
    assert b"failed" in browser.pages[-1].content
    assert browser.redirect_uri is not None
    assert_port_free(port_of(browser.redirect_uri))


def test_loopback_only_forged_callbacks_end_in_a_timeout(
    client: Client, oauth_api: FakeAPI
) -> None:
    # A callback with another state is not this flow's: refused, and the wait goes on.
    browser = Browser({"code": CODE, "state": "forged"})
    with pytest.raises(OAuthTimeoutError):
        client.cloud_storage.connect(open_browser=browser, timeout=1.0)
    browser.join()
    assert [p.status_code for p in browser.pages] == [400]
    assert b"ignored" in browser.pages[0].content
    assert oauth_api.calls("POST", CALLBACK) == []


def test_loopback_ignores_forged_callbacks_and_takes_the_real_one(
    client: Client, oauth_api: FakeAPI
) -> None:
    forged = (
        {"code": "attacker-code", "state": "guessed"},
        {"code": "attacker-code"},
        # An error answer without the state (or with a wrong one) must not end the sign-in.
        {"error": "access_denied", "error_description": "Google says \x1b]0;pwned\x07 no"},
        {"error": "access_denied", "state": STATE + "x"},
        {"code": "attacker-code", "state": "x", "state ": "y"},
    )
    browser = Browser(forged_first=forged)
    conn = client.cloud_storage.connect(open_browser=browser, timeout=10)
    browser.join()
    assert conn.id == "conn_new"
    assert [p.status_code for p in browser.pages] == [400, 400, 400, 400, 400, 200]
    [body] = oauth_api.bodies("POST", CALLBACK)
    assert body["code"] == CODE


def test_loopback_timeout_frees_the_port(client: Client, oauth_api: FakeAPI) -> None:
    seen: list[str] = []

    def nobody_comes(url: str) -> bool:
        seen.append(parse_qs(urlsplit(url).query)["redirect_uri"][0])
        return True

    with pytest.raises(OAuthTimeoutError):
        client.cloud_storage.connect(open_browser=nobody_comes, timeout=0.3)
    assert oauth_api.calls("POST", CALLBACK) == []
    assert_port_free(port_of(seen[0]))


def test_ctrl_c_frees_the_port(client: Client, oauth_api: FakeAPI) -> None:
    seen: list[str] = []

    def interrupted(url: str) -> bool:
        seen.append(parse_qs(urlsplit(url).query)["redirect_uri"][0])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.cloud_storage.connect(open_browser=interrupted, timeout=10)
    assert_port_free(port_of(seen[0]))


def test_url_printed_when_no_browser(
    client: Client, oauth_api: FakeAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(OAuthTimeoutError):
        client.cloud_storage.connect(open_browser=False, timeout=0.2)
    err = capsys.readouterr().err
    assert "https://accounts.google.test/o/oauth2/auth?" in err


@pytest.mark.parametrize("browser_opened", [False, True])
def test_url_printed_whether_or_not_a_browser_opened(
    client: Client,
    oauth_api: FakeAPI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    browser_opened: bool,
) -> None:
    # Over SSH a "browser" can open where nobody sees it: the URL must reach the user either way.
    opened: list[str] = []

    def fake_open(url: str, new: int = 0, autoraise: bool = True) -> bool:
        opened.append(url)
        return browser_opened

    monkeypatch.setattr("webbrowser.open", fake_open)
    with pytest.raises(OAuthTimeoutError):
        client.cloud_storage.connect(timeout=0.2)
    assert len(opened) == 1
    err = capsys.readouterr().err
    assert opened[0] in err
    assert ("Opened a browser" in err) is browser_opened


def test_the_code_is_never_logged_or_printed(
    client: Client,
    oauth_api: FakeAPI,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    browser = Browser()
    with caplog.at_level(logging.DEBUG):
        client.cloud_storage.connect(open_browser=browser, timeout=10)
    browser.join()
    captured = capsys.readouterr()
    # Our side of the flow runs on this thread; the browser thread's own httpx logs are not ours.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.thread == threading.get_ident())
    assert "/callback" in ours or "auth/google_drive" in ours
    # The browser sends the code URL-encoded; look for its distinctive part in any spelling.
    for text in (ours, captured.out, captured.err):
        assert "SECRET-CODE" not in text
        assert STATE not in text


@pytest.mark.parametrize("kw", [{"provider": "dropbox"}, {"timeout": 0}, {"timeout": -1}])
def test_connect_bad_input(client: Client, oauth_api: FakeAPI, kw: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.connect(open_browser=False, **kw)
    assert oauth_api.requests == []


def test_server_binds_loopback_only() -> None:
    with LoopbackServer() as server:
        assert server._server.server_address[0] == "127.0.0.1"
        assert server.redirect_uri.startswith("http://127.0.0.1:")


def test_an_idle_connection_does_not_stall_the_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chromium may open a connection it never uses; the one-shot server must get past it. The
    # handler's read timeout (2 s) is what does it; a shorter one keeps the test short.
    monkeypatch.setattr(_oauth._CallbackHandler, "timeout", 0.2)
    with LoopbackServer() as server:
        server.expected_state = "s"
        port = server._server.server_port
        idle = socket.create_connection(("127.0.0.1", port))
        got: list[int] = []

        def browser() -> None:
            with httpx.Client(timeout=10) as http:
                got.append(http.get(f"{server.redirect_uri}?code=c&state=s").status_code)

        thread = threading.Thread(target=browser)
        thread.start()
        try:
            url = server.wait_for_redirect(timeout=8)
        finally:
            idle.close()
            thread.join(10)
    assert url.endswith("?code=c&state=s")
    assert got == [200]


def test_a_callable_may_visit_the_url_and_block(client: Client, oauth_api: FakeAPI) -> None:
    # As a user's test would: visit the URL synchronously and wait for the page. The server
    # must answer while the callable still runs, not once it has returned.
    pages: list[httpx.Response] = []

    def visit(url: str) -> None:
        uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        pages.append(httpx.get(uri, params={"code": CODE, "state": STATE}, timeout=3))

    conn = client.cloud_storage.connect(open_browser=visit, timeout=10)
    assert conn.id == "conn_new"
    assert [p.status_code for p in pages] == [200]


def test_idle_connections_do_not_stretch_the_timeout(client: Client, oauth_api: FakeAPI) -> None:
    # A browser's preconnects used to be served one after another, each holding the wait for
    # the handler's 2 s read timeout past the deadline (`connect --timeout 8` took 12 s). A loose
    # bound: before the fix this took at least 0.5 + 2 * 2 s.
    import time

    idle: list[socket.socket] = []

    def preconnect(url: str) -> bool:
        port = port_of(parse_qs(urlsplit(url).query)["redirect_uri"][0])
        idle.extend(socket.create_connection(("127.0.0.1", port)) for _ in range(2))
        return True

    started = time.monotonic()
    try:
        with pytest.raises(OAuthTimeoutError, match=r"within 0\.5s"):
            client.cloud_storage.connect(open_browser=preconnect, timeout=0.5)
    finally:
        for sock in idle:
            sock.close()
    assert time.monotonic() - started < 2.0


def test_the_callables_time_counts_toward_the_timeout(
    client: Client, oauth_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The deadline starts before the browser is opened: a callable that took the whole timeout
    # leaves no time to wait (time.monotonic moved on by 5 s while it ran).
    import time

    real = time.monotonic
    shift = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: real() + shift[0])

    def slow(url: str) -> bool:
        shift[0] = 5.0
        return True

    started = real()
    with pytest.raises(OAuthTimeoutError):
        client.cloud_storage.connect(open_browser=slow, timeout=5)
    assert real() - started < 2.0


# -- complete_auth_from_redirect -------------------------------------------------------------------


def test_complete_auth_from_redirect(client: Client, oauth_api: FakeAPI) -> None:
    url = f"https://your-app.com/callback?code={CODE}&state={STATE}&scope=drive"
    conn = client.cloud_storage.complete_auth_from_redirect("google_drive", url, STATE)
    assert conn.id == "conn_new"
    assert oauth_api.bodies("POST", CALLBACK) == [
        {"code": CODE, "state": STATE, "redirect_uri": "https://your-app.com/callback"}
    ]


def test_complete_auth_from_redirect_provider_error(client: Client, oauth_api: FakeAPI) -> None:
    url = (
        "https://your-app.com/callback?error=access_denied"
        f"&error_description=User+said+no%1B%5B2J%0Aforged&state={STATE}"
    )
    with pytest.raises(OAuthError, match="User said no") as info:
        client.cloud_storage.complete_auth_from_redirect("google_drive", url, STATE)
    assert info.value.error == "access_denied"
    # The provider's words, quoted, with its control characters shown rather than acted on.
    assert 'the provider says: "User said no\\x1b[2J\\nforged"' in str(info.value)
    assert oauth_api.requests == []


def test_complete_auth_from_redirect_error_without_state_is_not_believed(
    client: Client, oauth_api: FakeAPI
) -> None:
    url = "https://your-app.com/callback?error=access_denied&error_description=Forged"
    with pytest.raises(OAuthStateMismatchError) as info:
        client.cloud_storage.complete_auth_from_redirect("google_drive", url, STATE)
    assert "Forged" not in str(info.value)
    assert oauth_api.requests == []


@pytest.mark.parametrize("state", ["other", "", STATE + "x", STATE[:-1]])
def test_complete_auth_from_redirect_state_mismatch_calls_nothing(
    client: Client, oauth_api: FakeAPI, state: str
) -> None:
    url = f"https://your-app.com/callback?code={CODE}&state={state}"
    with pytest.raises(OAuthStateMismatchError) as info:
        client.cloud_storage.complete_auth_from_redirect("google_drive", url, STATE)
    assert oauth_api.requests == []
    assert CODE not in str(info.value)


def test_missing_state_is_a_mismatch(client: Client, oauth_api: FakeAPI) -> None:
    with pytest.raises(OAuthStateMismatchError):
        client.cloud_storage.complete_auth_from_redirect(
            "google_drive", f"https://a.test/cb?code={CODE}", STATE
        )
    assert oauth_api.requests == []


def test_state_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert code_from_redirect(f"https://a.test/cb?code=c&state={STATE}", STATE) == "c"
    assert calls == [(STATE.encode(), STATE.encode())]


@pytest.mark.parametrize(
    ("url", "state"),
    [
        (f"https://a.test/cb?state={STATE}", STATE),
        (f"https://a.test/cb?code=&state={STATE}", STATE),
        ("", STATE),
        (f"https://a.test/cb?code=c&state={STATE}", ""),
    ],
)
def test_redirect_without_code_or_state(url: str, state: str) -> None:
    with pytest.raises(OAuthError):
        code_from_redirect(url, state)


def test_redirect_uri_of() -> None:
    assert redirect_uri_of("http://127.0.0.1:5000/callback?code=x&state=y#frag") == (
        "http://127.0.0.1:5000/callback"
    )


def test_unknown_provider_is_refused_before_parsing(client: Client, oauth_api: FakeAPI) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.complete_auth_from_redirect(
            "dropbox", f"https://a.test/cb?code=c&state={STATE}", STATE
        )


def test_a_fixed_port_can_be_used_twice_in_a_row(client: Client, oauth_api: FakeAPI) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for _ in range(2):
        browser = Browser()
        assert (
            client.cloud_storage.connect(open_browser=browser, timeout=10, port=port).id
            == "conn_new"
        )
        browser.join()
        assert browser.redirect_uri == f"http://127.0.0.1:{port}/callback"
