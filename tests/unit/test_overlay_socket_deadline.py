"""The deadline streams under the client's own transport: what they cap, what they pass through,
and the two private names of httpx and httpcore they rely on (pinned here, so that an httpx
that builds its pool differently fails these tests rather than quietly unbounding headers).

The streams are driven with a recording stream here; real sockets, TLS included, are in
test_overlay_deadlines.py.
"""

from __future__ import annotations

import logging
import ssl
import time
from typing import Any

import httpcore
import httpx
import pytest
from overlay_testkit import API_KEY

from aionvision_cloud import Client
from aionvision_cloud._socket_deadline import DeadlineBackend, attempt_deadline, install

REMOTE = "https://api.aionvision.tech/api/v2"


class _Recording(httpcore.NetworkStream):
    """Records the timeout of every wait; ``fail`` makes each wait time out."""

    def __init__(self, fail: type[Exception] | None = None) -> None:
        self.waits: list[tuple[str, float | None]] = []
        self.fail = fail
        self.closed = False

    def _wait(self, what: str, timeout: float | None) -> None:
        self.waits.append((what, timeout))
        if self.fail is not None:
            raise self.fail("timed out")

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._wait("read", timeout)
        return b"x"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._wait(f"write {len(buffer)}", timeout)

    def close(self) -> None:
        self.closed = True

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._wait(f"start_tls {server_hostname}", timeout)
        return _Recording()

    def get_extra_info(self, info: str) -> Any:
        return f"info {info}"


class _Backend(httpcore.NetworkBackend):
    def __init__(self, stream: _Recording) -> None:
        self.stream = stream
        self.connects: list[tuple[Any, ...]] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        self.connects.append((host, port, timeout, local_address, socket_options))
        return self.stream


def _connected(stream: _Recording) -> tuple[_Backend, httpcore.NetworkStream]:
    inner = _Backend(stream)
    return inner, DeadlineBackend(inner).connect_tcp("h", 1, 5.0, "10.0.0.1", [(1, 2, 3)])


def test_outside_an_attempt_every_call_passes_through() -> None:
    inner, stream = _connected(_Recording())
    assert inner.connects == [("h", 1, 5.0, "10.0.0.1", [(1, 2, 3)])]
    assert stream.read(10, 7.0) == b"x"
    stream.write(b"abc", None)
    assert stream.get_extra_info("ssl_object") == "info ssl_object"
    stream.close()
    assert inner.stream.waits == [("read", 7.0), ("write 3", None)]
    assert inner.stream.closed


def test_within_an_attempt_each_wait_is_capped_at_what_is_left() -> None:
    recording = _Recording()
    with attempt_deadline(2.0):
        _, stream = _connected(recording)
        stream.read(10, 30.0)
        stream.read(10, 0.5)  # shorter than what is left: kept
        stream.write(b"y" * (64 * 1024 + 1), None)  # sent in pieces, each capped afresh
    (_, first), (_, short), (w1, c1), (w2, c2) = recording.waits
    assert first is not None
    assert 0 < first <= 2.0
    assert short == 0.5
    assert (w1, w2) == ("write 65536", "write 1")
    assert c1 is not None
    assert c2 is not None
    assert c2 <= c1 <= 2.0


def test_past_the_deadline_nothing_waits_and_the_error_is_a_read_timeout() -> None:
    recording = _Recording()
    _, stream = _connected(recording)
    with attempt_deadline(0.01):
        time.sleep(0.02)
        with pytest.raises(httpcore.ReadTimeout, match=r"longer than the 0\.01s timeout"):
            stream.read(10, 30.0)
        with pytest.raises(httpcore.WriteTimeout, match=r"^sending the request took longer"):
            stream.write(b"y", 30.0)
        with pytest.raises(httpcore.ConnectTimeout, match=r"^connecting took longer"):
            DeadlineBackend(_Backend(recording)).connect_tcp("h", 1, 5.0)
    assert recording.waits == []


def test_a_timeout_the_cap_caused_says_so_and_its_own_timeout_does_not() -> None:
    with attempt_deadline(2.0):
        _, stream = _connected(_Recording(fail=httpcore.ReadTimeout))
        with pytest.raises(httpcore.ReadTimeout, match=r"longer than the 2s timeout"):
            stream.read(10, 30.0)
        with pytest.raises(httpcore.ReadTimeout, match=r"^timed out$"):
            stream.read(10, 0.5)


def test_start_tls_is_delegated_capped_and_its_stream_wrapped() -> None:
    recording = _Recording()
    with attempt_deadline(2.0):
        _, stream = _connected(recording)
        tls = stream.start_tls(ssl.create_default_context(), "api.example", 10.0)
        tls.read(10, 10.0)
    ((what, capped),) = recording.waits
    assert what == "start_tls api.example"
    assert capped is not None
    assert capped <= 2.0
    assert tls.get_extra_info("x") == "info x"
    assert type(tls).__name__ == "_DeadlineStream"


# -- the private names relied on, pinned -----------------------------------------------------------


def test_httpx_builds_an_httpcore_pool_whose_backend_can_be_replaced() -> None:
    """If this fails, httpx changed how HTTPTransport keeps its pool (or httpcore how the pool
    keeps its backend): _socket_deadline.install needs another way in (encode/httpx#3749)."""
    transport = httpx.HTTPTransport()
    assert isinstance(transport._pool, httpcore.ConnectionPool)
    assert isinstance(transport._pool._network_backend, httpcore.SyncBackend)
    install(transport)
    backend = transport._pool._network_backend
    assert isinstance(backend, DeadlineBackend)
    assert isinstance(backend.inner, httpcore.SyncBackend)
    install(transport)  # twice: still one wrapper
    assert transport._pool._network_backend is backend


def test_the_clients_own_transport_has_the_deadline_backend_proxy_included() -> None:
    for extra in ({}, {"proxy": "http://proxy.corp:3128"}):
        with Client(api_key=API_KEY, base_url=REMOTE, httpx_args=extra) as client:
            inner = client._transport.inner
            assert isinstance(inner, httpx.HTTPTransport)
            assert isinstance(inner._pool._network_backend, DeadlineBackend)
    assert isinstance(httpx.HTTPTransport(proxy="http://proxy.corp:3128")._pool, httpcore.HTTPProxy)


def test_a_transport_of_ones_own_is_used_as_it_is() -> None:
    own = httpx.HTTPTransport()
    with Client(api_key=API_KEY, base_url=REMOTE, transport=own) as client:
        assert client._transport.inner is own
    assert isinstance(own._pool._network_backend, httpcore.SyncBackend)


def test_a_pool_built_differently_is_left_alone_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = httpx.HTTPTransport()
    del transport._pool
    with caplog.at_level(logging.WARNING, logger="aionvision_cloud"):
        assert install(transport) is transport
    assert "bounded only by each read's timeout" in caplog.text
