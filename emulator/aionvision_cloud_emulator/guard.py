"""What the emulator refuses before any route runs, so a laptop can leave it running.

- `BodyGuard` (ASGI): a body over `body_limit` is answered 413 from its Content-Length, or as
  soon as a chunked body passes it, never read whole; a body that stops arriving is answered 408
  after `read_timeout` and its connection closed. The admin API (`/_emulator/`) answers only to
  a loopback `Host` with the emulator's own port (else 421: a DNS-rebound web page names its own
  host), and takes writes only as `application/json` (a browser cannot send that cross-origin
  without a CORS preflight the emulator never grants) from no `Origin` or its own (else 403).
- `guarded_protocol`: uvicorn's h11 protocol, plus a deadline on a request's headers, which
  uvicorn has none of (a client that sends half a request line would hold its socket forever).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import uuid
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import EmulatorConfig
from .consent import CONSENT_PATH
from .errors import envelope

ADMIN_PREFIX = "/_emulator"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _refuse(send: Send, status: int, code: str, message: str, *, close: bool = False) -> None:
    data = json.dumps(envelope(code, message, None, str(uuid.uuid4()))).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if close:
        # The rest of the body is never read, so the connection cannot carry another request.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def is_loopback_name(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_problem(host_header: str | None, port: int | None) -> str | None:
    """Why `Host` does not name this emulator (None: it does)."""
    if not host_header:
        return "Host header missing"
    name, _, port_text = host_header.rpartition(":")
    if not name or "]" in port_text:  # no port given (`localhost`, `[::1]`)
        name, port_text = host_header, "80"
    name = name.removeprefix("[").removesuffix("]")
    if not is_loopback_name(name):
        return f"Host {host_header!r} is not a loopback name"
    if port is not None and port_text != str(port):
        return f"Host {host_header!r} does not name this emulator's port {port}"
    return None


def admin_problem(scope: Scope) -> tuple[int, str, str] | None:
    """Why an admin API request is refused: (status, code, message); None when it is not."""
    server = scope.get("server")
    port = server[1] if server else None
    host = _header(scope, b"host")
    problem = host_problem(host, port)
    if problem is not None:
        return 421, "MISDIRECTED_REQUEST", f"Admin API: {problem}"
    if scope["method"] in _READS or scope["path"] == CONSENT_PATH:
        # The consent page is a form a browser posts (with `Origin: null` under its
        # no-referrer policy); a per-state form key bound at render time guards it instead.
        return None
    origin = _header(scope, b"origin")
    if origin is not None and origin != f"http://{host}":
        return 403, "CROSS_ORIGIN_REFUSED", f"Admin API: writes from origin {origin!r} refused"
    content_type = (_header(scope, b"content-type") or "").partition(";")[0].strip().lower()
    if content_type != "application/json":
        return (
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Admin API: writes need Content-Type: application/json",
        )
    return None


class BodyGuard:
    """ASGI middleware: the body limit, the body's read deadline and the admin API's checks."""

    def __init__(self, app: ASGIApp, config: Callable[[], EmulatorConfig]) -> None:
        self.app = app
        # A callable: the admin API may replace the config object while the emulator runs.
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        config = self.config()
        if scope["path"] == ADMIN_PREFIX or scope["path"].startswith(ADMIN_PREFIX + "/"):
            refused = admin_problem(scope)
            if refused is not None:
                await _refuse(send, *refused, close=True)
                return
        limit = config.body_limit
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _refuse(send, *_too_large(limit), close=True)
            return
        body = bytearray()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + config.read_timeout
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                await _refuse(
                    send,
                    408,
                    "REQUEST_TIMEOUT",
                    f"The request body did not arrive within {config.read_timeout:g} s",
                    close=True,
                )
                return
            if message["type"] == "http.disconnect":
                return  # nobody is left to answer
            body += message.get("body", b"")
            if len(body) > limit:
                await _refuse(send, *_too_large(limit), close=True)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)


def _too_large(limit: int) -> tuple[int, str, str]:
    return 413, "PAYLOAD_TOO_LARGE", f"Request body larger than the limit of {limit} bytes"


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the connection's own messages (a disconnect)."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay


class _HeaderDeadline(H11Protocol):
    header_timeout: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self._between_requests():
            # uvicorn's own idle close: tell h11, close the transport.
            self.timeout_keep_alive_handler()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        # The first bytes of a request start its clock; a complete request line and headers
        # (a new cycle) stop it. Between requests uvicorn's keep-alive timeout applies.
        if self._header_timer is None and self._between_requests():
            self._arm()
        super().data_received(data)
        if not self._between_requests():
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def guarded_protocol(header_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline of `header_timeout` s on every request's headers."""

    class Protocol(_HeaderDeadline):
        pass

    Protocol.header_timeout = header_timeout
    return Protocol
