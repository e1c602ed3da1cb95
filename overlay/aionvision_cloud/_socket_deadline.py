"""One attempt bounded at the socket, its status line and headers included.

httpx's timeouts bound each socket wait (connecting, each read, each write), not a request: a
server sending its status line and headers a byte at a time, each byte within the read timeout,
holds the call for as long as it likes. The retry transport marks each attempt's deadline
(``attempt_deadline``); the network streams here cap every wait at what is left of it, and once it
has passed raise httpcore's ``ReadTimeout`` (``WriteTimeout``, ``ConnectTimeout`` while
connecting), which httpx turns into its own and the client into ``APITimeoutError``: the same
error, and so the same retry rules, as any read timeout. Outside an attempt they pass every
call through unchanged.

The deadline is in real ``time.monotonic`` seconds: sockets wait in real time, whatever clock
the client was given.

httpcore takes a network backend as public API (``ConnectionPool(network_backend=...)``), but
``httpx.HTTPTransport`` does not pass one on (encode/httpx#3749 proposes it), so ``install`` sets
it on the pool that transport built: ``HTTPTransport._pool._network_backend``, two private names
pinned by tests/unit/test_overlay_socket_deadline.py. Should either change, the transport is
used as it is (each read keeps its own timeout, the body is still checked as it arrives) and a
warning says so.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import httpcore
import httpx

__all__ = ["DeadlineBackend", "attempt_deadline", "install", "late_message"]

logger = logging.getLogger("aionvision_cloud")
T = TypeVar("T")

# (when the attempt ends on time.monotonic(), its seconds and whether they are what was left of
# a caller's wait: the message's words, formatted only when a wait runs out).
_ENDS: contextvars.ContextVar[tuple[float, float, bool] | None] = contextvars.ContextVar(
    "aionvision_cloud_attempt_ends", default=None
)
# A write is sent in pieces of this size, so a slow reader cannot stretch one wait far past the
# deadline (each piece's wait is capped afresh).
_WRITE_PIECE = 64 * 1024
# What took too long, by the error raised for it (a read's otherwise).
_WHAT = {
    httpcore.WriteTimeout: "sending the request took longer than {}",
    httpcore.ConnectTimeout: "connecting took longer than {}",
}


def late_message(
    limit: float,
    late: type[httpcore.TimeoutException] = httpcore.ReadTimeout,
    left_of_wait: bool = False,
) -> str:
    """What took too long, and the bound it met: the request's timeout, or what was left of
    the caller's wait (``wait_for_job``'s deadline) when that came first."""
    what = _WHAT.get(late, "the answer took longer than {} to arrive")
    bound = f"the {limit:.3g}s left before the wait's deadline" if left_of_wait else None
    return what.format(bound or f"the {limit:g}s timeout")


@contextlib.contextmanager
def attempt_deadline(seconds: float | None, *, left_of_wait: bool = False) -> Iterator[None]:
    """Within the block, every socket wait ends ``seconds`` from now at the latest (None: no
    bound beyond each wait's own timeout); ``left_of_wait`` says, in a timeout's message, that
    they are what was left of a caller's wait."""
    if seconds is None:
        yield
        return
    token = _ENDS.set((time.monotonic() + seconds, seconds, left_of_wait))
    try:
        yield
    finally:
        _ENDS.reset(token)


def _capped(timeout: float | None, late: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` cut to what is left of the attempt; raises ``late`` once nothing is."""
    ends = _ENDS.get()
    if ends is None:
        return timeout
    at, limit, left_of_wait = ends
    left = at - time.monotonic()
    if left <= 0:
        raise late(late_message(limit, late, left_of_wait))
    return left if timeout is None or left < timeout else timeout


def _bounded(
    late: type[httpcore.TimeoutException], timeout: float | None, call: Callable[[float | None], T]
) -> T:
    """``call(timeout)`` with the wait capped; a timeout the cap caused says so."""
    capped = _capped(timeout, late)
    try:
        return call(capped)
    except late as exc:
        ends = _ENDS.get()
        if ends is not None and capped != timeout:
            raise late(late_message(ends[1], late, ends[2])) from exc
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose waits end at the attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _bounded(httpcore.ReadTimeout, timeout, lambda t: self._inner.read(max_bytes, t))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if len(buffer) <= _WRITE_PIECE:  # an API request: one piece, no copy
            _bounded(httpcore.WriteTimeout, timeout, functools.partial(self._inner.write, buffer))
            return
        view = memoryview(buffer)
        for start in range(0, len(view), _WRITE_PIECE):
            piece = bytes(view[start : start + _WRITE_PIECE])
            _bounded(httpcore.WriteTimeout, timeout, functools.partial(self._inner.write, piece))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = _bounded(
            httpcore.ConnectTimeout,
            timeout,
            lambda t: self._inner.start_tls(ssl_context, server_hostname, t),
        )
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Wraps a network backend (httpcore's ``SyncBackend`` by default): its streams' waits end at
    the attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self.inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            httpcore.ConnectTimeout,
            timeout,
            lambda t: self.inner.connect_tcp(host, port, t, local_address, socket_options),
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            httpcore.ConnectTimeout,
            timeout,
            lambda t: self.inner.connect_unix_socket(path, t, socket_options),
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def install(transport: httpx.HTTPTransport) -> httpx.HTTPTransport:
    """``transport`` with its pool's streams bounded by the attempt's deadline (see above)."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(pool, httpcore.ConnectionPool) or not isinstance(
        backend, httpcore.NetworkBackend
    ):
        logger.warning(
            "this httpx (%s) builds its pool differently: a request's headers are bounded only "
            "by each read's timeout, not by the whole request's",
            httpx.__version__,
        )
        return transport
    if not isinstance(backend, DeadlineBackend):
        pool._network_backend = DeadlineBackend(backend)
    return transport
