"""OAuth helpers: reading the redirect the browser came back with, and the loopback flow.

The loopback flow follows google-auth-oauthlib's ``InstalledAppFlow.run_local_server``: bind
127.0.0.1 on a free port, send the browser to the authorization URL, serve exactly one request to
``/callback``, answer it with a short page, and always free the port. Unlike ``run_local_server``
it serves from a thread (each connection on its own), so the caller's browser hook may block
and the wait ends at its deadline whatever the connections do.

Any local process or web page can reach the port, so the server takes only its own callback:
one that carries the ``state`` this flow issued. Any other (a wrong or missing state, error
answers included) is answered 400 and ignored, and the wait goes on until its timeout.
"""

from __future__ import annotations

import hmac
import http.server
import os
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ._text import visible
from .errors import OAuthError, OAuthStateMismatchError, OAuthTimeoutError

__all__ = ["LoopbackServer", "code_from_redirect", "open_in_browser", "redirect_uri_of"]

CALLBACK_PATH = "/callback"
LOOPBACK_HOST = "127.0.0.1"

_SUCCESS_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Aionvision</title></head>"
    b"<body><h1>Authorization received</h1><p>You can close this window and return to the "
    b"application.</p></body></html>"
)
_ERROR_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Aionvision</title></head>"
    b"<body><h1>Authorization failed</h1><p>Return to the application for details.</p>"
    b"</body></html>"
)
_FOREIGN_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Aionvision</title></head>"
    b"<body><h1>Not this sign-in</h1><p>This request does not belong to the authorization "
    b"the application is waiting for; it was ignored.</p></body></html>"
)


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    # Two codes or states: which one the browser meant is a guess, and a guess is an attack surface.
    if values and len(values) > 1:
        raise OAuthError(f"the redirect carries {len(values)} '{key}' parameters; expected one")
    return values[0] if values else None


def code_from_redirect(
    redirect_url: str, expected_state: str, redirect_uri: str | None = None
) -> str:
    """The authorization code in ``redirect_url``, after checking ``state``, then ``error``.

    Raises ``OAuthStateMismatchError`` when the state differs (compared in constant time; an
    error answer without the issued state is not believed either), ``OAuthError`` for a provider
    error (its description quoted, control characters made visible) or a missing code. The URL holds
    the code, a secret, so it never appears in a message. Also ``OAuthError`` for a parameter
    given twice, and for a URL not under ``redirect_uri`` (when given).
    """
    if not isinstance(redirect_url, str) or not redirect_url.strip():
        raise OAuthError("redirect_url is empty")
    if not isinstance(expected_state, str) or not expected_state:
        raise OAuthError("expected_state is empty")
    if isinstance(redirect_uri, str) and redirect_uri_of(redirect_url) != redirect_uri.rstrip("?"):
        # A code delivered to another host or path was not meant for this flow.
        raise OAuthError("the redirect URL is not the redirect URI this flow started with")
    query = parse_qs(urlsplit(redirect_url.strip()).query, keep_blank_values=True)
    # State first: whoever sent an answer without it (an error included) is not the provider.
    if not state_matches(query, expected_state):
        raise OAuthStateMismatchError(
            "the state in the redirect does not match the one issued; refusing to continue"
        )
    error = _one(query, "error")
    if error:
        description = _one(query, "error_description")
        detail = f'; the provider says: "{visible(description)}"' if description else ""
        raise OAuthError(f"authorization failed ({visible(error)}){detail}", error=error)
    code = _one(query, "code")
    if not code:
        raise OAuthError("the redirect carries no authorization code")
    return code


def state_matches(query: dict[str, list[str]], expected_state: str) -> bool:
    """Whether ``query`` carries exactly one ``state``, equal to ``expected_state`` (compared
    in constant time)."""
    states = query.get("state") or []
    if len(states) != 1:
        return False
    return hmac.compare_digest(states[0].encode(), expected_state.encode())


def redirect_uri_of(redirect_url: str) -> str:
    """The redirect URI a redirect URL was sent to: the URL without query and fragment."""
    parts = urlsplit(redirect_url.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def open_in_browser(url: str) -> bool:
    try:
        return webbrowser.open(url, new=1, autoraise=True)
    except webbrowser.Error:
        return False


class _CallbackHandler(http.server.BaseHTTPRequestHandler):
    server: _CallbackHTTPServer
    # Each connection has its own thread; this only bounds how long an idle one (a browser's
    # speculative preconnect, or any local process) keeps its thread.
    timeout = 2.0

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path != CALLBACK_PATH or self.server.callback_url is not None:
            # A favicon or a stray request (or a second callback): not ours, keep waiting.
            self.send_error(404)
            return
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        expected = self.server.expected_state
        if expected is None or not state_matches(query, expected):
            # Not the redirect of this flow's authorization (a forged one, or one before the
            # state was issued): say so to whoever sent it, and keep waiting for the real one.
            self._answer(400, _FOREIGN_PAGE)
            return
        codes, errors = query.get("code") or [], query.get("error") or []
        ok = len(codes) == 1 and bool(codes[0]) and not errors
        self._answer(200, _SUCCESS_PAGE if ok else _ERROR_PAGE)
        self.server.arrived(f"http://{LOOPBACK_HOST}:{self.server.server_port}{self.path}")

    def _answer(self, status: int, page: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes the request line, code and state included, to stderr.
        return


class _CallbackHTTPServer(http.server.ThreadingHTTPServer):
    callback_url: str | None = None
    #: The state the authorization URL carries; until it is known, no callback is this flow's.
    expected_state: str | None = None
    # On POSIX, SO_REUSEADDR only lets a new server bind past connections left in TIME_WAIT (so a
    # fixed port can be reused at once); on Windows it would let another process share the port.
    allow_reuse_address = os.name != "nt"
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _CallbackHandler)
        self.done = threading.Event()
        self._lock = threading.Lock()

    def arrived(self, url: str) -> None:
        with self._lock:
            if self.callback_url is None:
                self.callback_url = url
        self.done.set()


class LoopbackServer:
    """A one-shot HTTP server on 127.0.0.1 receiving the OAuth redirect.

    It serves from a thread of its own from the moment it is created, so a browser (or a
    callable given to ``connect(open_browser=...)`` that visits the URL and blocks until the
    page has loaded) is answered while the caller is busy. Use as a context manager; the port
    is freed on exit whatever happened. Set ``expected_state`` once the authorization URL is
    issued: only a callback carrying it ends the wait.
    """

    def __init__(self, port: int = 0) -> None:
        self._server = _CallbackHTTPServer((LOOPBACK_HOST, port))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="aionvision-oauth-loopback",
            daemon=True,
        )
        self._thread.start()

    @property
    def expected_state(self) -> str | None:
        return self._server.expected_state

    @expected_state.setter
    def expected_state(self, state: str) -> None:
        self._server.expected_state = state

    @property
    def redirect_uri(self) -> str:
        return f"http://{LOOPBACK_HOST}:{self._server.server_port}{CALLBACK_PATH}"

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def wait_for_redirect(self, timeout: float, *, deadline: float | None = None) -> str:
        """Wait until this flow's callback (its ``state``) reaches ``/callback``; return its
        full URL.

        Gives up after ``timeout`` seconds, or at ``deadline`` (``time.monotonic()``) when
        given, whichever is first: the wait is on an event set by the serving thread, so
        neither an idle connection nor a slow request can stretch it. This uses the real
        monotonic time, since no clock injection can make a browser answer sooner.
        """
        end = time.monotonic() + timeout
        if deadline is not None:
            end = min(end, deadline)
        if not self._server.done.wait(max(0.0, end - time.monotonic())):
            raise OAuthTimeoutError(f"no browser came back to the redirect within {timeout:g}s")
        return self._server.callback_url or ""


def announce(url: str, open_browser: bool | Callable[[str], object]) -> None:
    """Open ``url`` in a browser, or print it when there is none (or the caller said no)."""
    opened: object = False
    if callable(open_browser):
        opened = open_browser(url)
        if opened is None:
            # A hook that returns nothing has handled the URL itself.
            opened = True
    elif open_browser:
        opened = open_in_browser(url)
        if opened:
            # A headless or remote session can "open" a browser nobody sees: say where to go too,
            # as google-auth-oauthlib does.
            print(
                "Opened a browser to authorize access; if none appeared, visit:\n\n"
                f"    {visible(url)}\n",
                file=sys.stderr,
            )
    if not opened:
        # The URL is the service's: shown, never acted on by the terminal.
        print(
            f"Open this URL in a browser to authorize access:\n\n    {visible(url)}\n",
            file=sys.stderr,
        )
