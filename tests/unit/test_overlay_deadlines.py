"""Deadlines that win and reads retried as reads: a Retry-After past a wait's deadline, an answer
trickling in, an answer too large to hold, a refused loopback connection, the picker proxy."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from overlay_testkit import API_KEY, FakeAPI, FakeClock, error_body, job_body, json_response

from aionvision_cloud import (
    APIConnectionError,
    APITimeoutError,
    Client,
    ConfigurationError,
    JobTimeoutError,
    RateLimitError,
    ResponseTooLargeError,
    RetryPolicy,
)
from aionvision_cloud._retry import RetryTransport, wait_deadline

JOB = "/cloud-storage/jobs/job_1"
PROXY = "/cloud-storage/picker-proxy"
IMPORT = "/cloud-storage/import"
MakeClient = Callable[..., Client]
LISTING = json_response(200, {"data": {"files": [], "kind": "drive#fileList"}})


def rate_limited(seconds: str) -> httpx.Response:
    return json_response(429, error_body("RATE_LIMITED", "slow down"), {"Retry-After": seconds})


# -- a Retry-After past the deadline -------------------------------------------------------------


def test_wait_ends_at_its_deadline_when_retry_after_is_beyond_it(
    client: Client, api: FakeAPI, clock: FakeClock
) -> None:
    api.on("GET", JOB, rate_limited("30"))
    with pytest.raises(JobTimeoutError) as caught:
        client.cloud_storage.wait_for_job("job_1", timeout=3)
    assert clock.t == pytest.approx(3.0)  # not 30, not 0: the deadline
    assert caught.value.retry_after == 30.0
    assert "Retry-After" in str(caught.value)
    assert len(api.requests) == 1  # no poll the service forbade


def test_a_short_retry_after_is_still_waited_for(
    client: Client, api: FakeAPI, clock: FakeClock
) -> None:
    api.on("GET", JOB, rate_limited("2"), json_response(200, job_body("job_1", "completed")))
    job = client.cloud_storage.wait_for_job("job_1", timeout=10)
    assert job.job_id == "job_1"
    assert clock.sleeps == [2.0]


def test_a_poll_longer_than_the_policy_allows_goes_back_to_the_polling_loop(
    make_client: MakeClient, api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(retry_policy=RetryPolicy(max_poll_retry_after=5.0, max_backoff=2.0))
    api.on("GET", JOB, rate_limited("6"), json_response(200, job_body("job_1")))
    with pytest.raises(RateLimitError, match="slow down") as caught:
        client.cloud_storage.get_job("job_1")
    assert caught.value.retry_after == 6.0
    assert clock.sleeps == []
    with pytest.raises(ConfigurationError):
        RetryPolicy(max_poll_retry_after=-1)


def test_an_import_or_a_listing_page_still_waits_out_a_long_retry_after(
    make_client: MakeClient, api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(retry_policy=RetryPolicy(max_poll_retry_after=5.0, max_backoff=2.0))
    api.on("POST", PROXY, rate_limited("30"), LISTING)
    assert client.cloud_storage.picker_proxy("sess_1", "files", {"q": "x"})["files"] == []
    assert clock.sleeps == [30.0]


# -- a whole request bounded, body included ------------------------------------------------------


class _Trickle(httpx.SyncByteStream):
    """An answer arriving a byte at a time, each 0.1 s apart on the fake clock (10 bytes/s)."""

    def __init__(self, clock: FakeClock, body: bytes) -> None:
        self.clock, self.body, self.sent = clock, body, 0

    def __iter__(self) -> Iterator[bytes]:
        for byte in self.body:
            self.clock.t += 0.1
            self.sent += 1
            yield bytes([byte])


def test_a_trickling_answer_is_cut_at_the_timeout(
    make_client: MakeClient, api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(timeout=2.0, max_retries=0)
    body = httpx.Response(200, json=job_body("job_1")).content  # ~300 bytes: 30 s at 10 bytes/s
    streams: list[_Trickle] = []

    def trickle(request: httpx.Request) -> httpx.Response:
        streams.append(_Trickle(clock, body))
        return httpx.Response(200, headers={"content-type": "application/json"}, stream=streams[-1])

    api.on("GET", JOB, trickle)
    with pytest.raises(APITimeoutError, match="timed out"):
        client.cloud_storage.get_job("job_1")
    assert clock.t <= 2.2
    assert streams[0].sent <= 22


def test_a_trickling_read_is_retried_as_a_read(
    make_client: MakeClient, api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(timeout=2.0)
    body = httpx.Response(200, json=job_body("job_1")).content
    api.on(
        "GET",
        JOB,
        lambda r: httpx.Response(200, stream=_Trickle(clock, body)),
        json_response(200, job_body("job_1")),
    )
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"
    assert len(api.requests) == 2


# -- an answer too large -------------------------------------------------------------------------


class _Endless(httpx.SyncByteStream):
    def __init__(self) -> None:
        self.chunks = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.chunks += 1
            yield b" " * 65536


def test_an_answer_over_the_cap_is_refused_without_reading_it_all(
    make_client: MakeClient, api: FakeAPI
) -> None:
    client = make_client(max_response_bytes=1_000_000, max_retries=0)
    endless = _Endless()
    api.on("GET", JOB, lambda r: httpx.Response(200, stream=endless))
    with pytest.raises(ResponseTooLargeError, match="1000000 bytes") as caught:
        client.cloud_storage.get_job("job_1")
    assert caught.value.limit == 1_000_000
    assert endless.chunks <= 1_000_000 // 65536 + 1


def test_a_declared_length_over_the_cap_is_refused_before_reading(
    make_client: MakeClient, api: FakeAPI
) -> None:
    client = make_client(max_response_bytes=1000)
    endless = _Endless()
    api.on(
        "GET",
        JOB,
        lambda r: httpx.Response(200, headers={"content-length": "5000000"}, stream=endless),
    )
    with pytest.raises(ResponseTooLargeError):
        client.cloud_storage.get_job("job_1")
    assert endless.chunks == 0
    assert len(api.requests) == 1  # not retried: a second try would be as large


def test_the_default_cap_is_a_few_megabytes_and_checked(make_client: MakeClient) -> None:
    assert make_client()._transport.max_response_bytes == 8 * 1024 * 1024
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ConfigurationError, match="max_response_bytes"):
            make_client(max_response_bytes=bad)


# -- a refused loopback connection ---------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_loopback_connection_fails_at_once(clock: FakeClock) -> None:
    port = _closed_port()
    client = Client(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}", clock=clock)
    with client, pytest.raises(APIConnectionError, match="ConnectError"):
        client.cloud_storage.get_job("job_1")
    assert clock.sleeps == []  # no backoff: nothing listens there


def test_a_refused_remote_connection_is_still_retried(client: Client, api: FakeAPI) -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    api.on("GET", JOB, refused, json_response(200, job_body("job_1")))
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"
    assert len(api.requests) == 2


# -- the picker proxy reads ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        json_response(502, error_body("BAD_GATEWAY", "x")),
        json_response(504, error_body("TIMEOUT", "x")),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
    ],
)
def test_the_picker_proxy_is_retried_as_a_read(
    client: Client, api: FakeAPI, failure: object
) -> None:
    api.on("POST", PROXY, failure, LISTING)
    page = client.cloud_storage.picker_proxy("sess_1", "files", {"q": "trashed = false"})
    assert page["files"] == []
    assert len(api.requests) == 2


def test_an_import_is_still_not_retried_after_a_read_timeout(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, httpx.ReadTimeout("maybe acted"))
    with pytest.raises(APITimeoutError):
        client.cloud_storage.import_files("conn_1", [{"id": "f1", "name": "a.jpg"}])
    assert len(api.requests) == 1


# -- the CLI's --timeout against a long Retry-After (a real stub server, a real process) ----------


Answer = Callable[[http.server.BaseHTTPRequestHandler, int, threading.Event], None]


class _StubServer:
    """127.0.0.1 (over TLS when given a server-side ``ssl_context``): request number n (from 1)
    gets ``answer(handler, n, stopping)``; stops itself when the test ends, ``stopping`` telling
    an answer still trickling to give up."""

    def __init__(self, answer: Answer, ssl_context: ssl.SSLContext | None = None) -> None:
        self.requests = 0
        self.stopping = threading.Event()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self) -> None:
                stub.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with contextlib.suppress(OSError):  # the client gave up first
                    answer(self, stub.requests, stub.stopping)

            do_GET = do_POST = answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        scheme = "http" if ssl_context is None else "https"
        self.base_url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/api/v2"

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def _send(
    handler: http.server.BaseHTTPRequestHandler, status: int, body: object, **headers: str
) -> None:
    raw = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)


def _rate_limiting(handler: http.server.BaseHTTPRequestHandler, n: int, _: threading.Event) -> None:
    """The first status read answers with a running job, every later one 429 ``Retry-After: 30``."""
    if n == 1:
        _send(handler, 200, job_body("job_1"))
    else:
        _send(handler, 429, error_body("RATE_LIMITED", "slow down"), Retry_After="30")


def test_cli_job_wait_timeout_holds_against_a_long_retry_after() -> None:
    """Before: 31 s and exit 1. Bounds are loose (a noisy machine): the point is 5, not 30."""
    import os
    import subprocess
    import sys

    stub = _StubServer(_rate_limiting)
    env = {**os.environ, "AIONVISION_API_KEY": API_KEY, "AIONVISION_BASE_URL": stub.base_url}
    cli = [sys.executable, "-m", "aionvision_cloud.cli", "job", "job_1", "--wait", "--timeout", "5"]
    try:
        started = time.monotonic()
        done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60, check=False)
        took = time.monotonic() - started
    finally:
        stub.close()
    assert done.returncode == 5, done.stderr
    assert 4.5 <= took < 20
    assert "timed out" in done.stderr


# -- a poll that never answers, within a caller's wait (a real socket server) --------------------

# Bounds are loose (a loaded 2-core machine): the point is 2 s, not the 30 s read timeout.
LATE = 4.0


def _silent(handler: http.server.BaseHTTPRequestHandler, _: int, stopping: threading.Event) -> None:
    handler.close_connection = True
    stopping.wait(60)


@pytest.fixture
def stub() -> Iterator[Callable[..., _StubServer]]:
    made: list[_StubServer] = []

    def make(answer: Answer, ssl_context: ssl.SSLContext | None = None) -> _StubServer:
        made.append(_StubServer(answer, ssl_context))
        return made[-1]

    yield make
    for server in made:
        server.close()


def _timed(call: Callable[[], object]) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()
    except Exception as exc:  # returned for the test to check
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


def test_a_wait_ends_at_its_deadline_while_a_poll_is_unanswered(
    stub: Callable[..., _StubServer],
) -> None:
    """``wait_for_job(timeout=2)`` on a client with the default 30 s timeout: each socket wait
    is cut to what is left of the wait. The client's real clock: the wait's deadline and the
    socket's are the same seconds here."""
    server = stub(_silent)
    with Client(api_key=API_KEY, base_url=server.base_url) as client:
        error, took = _timed(lambda: client.cloud_storage.wait_for_job("job_1", timeout=2))
    assert isinstance(error, JobTimeoutError), (error, took)
    assert isinstance(error.last_error, APITimeoutError)
    assert 1.9 <= took < 2 + LATE
    assert server.requests == 1  # no retry past the deadline


def test_a_polls_timeout_is_cut_for_the_attempt_only(clock: FakeClock) -> None:
    seen: list[object] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return json_response(200, job_body("job_1"))

    transport = RetryTransport(httpx.MockTransport(record), clock=clock)
    own = {"connect": 0.5, "read": 30.0, "write": 30.0, "pool": None}
    request = httpx.Request("GET", "https://api.example/x", extensions={"timeout": own})
    with wait_deadline(clock.monotonic() + 2.0):
        transport.handle_request(request)
    transport.handle_request(request)
    assert seen == [{"connect": 0.5, "read": 2.0, "write": 2.0, "pool": 2.0}, own]
    assert request.extensions["timeout"] is own


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made by the openssl command (no network)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def test_tls_settings_reach_the_clients_own_transport(
    stub: Callable[..., _StubServer], tls_files: tuple[str, str], clock: FakeClock
) -> None:
    """``verify`` given in ``httpx_args`` is the client's transport's, kept-alive streams
    included."""
    cert, key = tls_files
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    server = stub(lambda h, n, s: _send(h, 200, job_body("job_1")), server_side)
    trusting = ssl.create_default_context(cafile=cert)
    client = Client(
        api_key=API_KEY,
        base_url=server.base_url,
        max_retries=0,
        clock=clock,
        httpx_args={"verify": trusting},
    )
    with client:
        assert client.cloud_storage.get_job("job_1").job_id == "job_1"
        assert client.cloud_storage.get_job("job_1").job_id == "job_1"  # a kept-alive stream
    assert server.requests == 2


def test_an_error_answer_over_the_cap_keeps_its_status_and_its_retry(
    make_client: MakeClient, api: FakeAPI
) -> None:
    client = make_client(max_response_bytes=100_000)
    endless = _Endless()
    api.on(
        "GET",
        JOB,
        lambda r: httpx.Response(503, headers={"content-type": "text/html"}, stream=endless),
        json_response(200, job_body("job_1")),
    )
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"  # the 503 was retried
    assert endless.chunks <= 100_000 // 65536 + 1


def _compressor(encoding: str) -> Callable[[bytes], bytes]:
    """The encoding's compressor; skips the test when httpx could not negotiate it here (br
    and zstd need the brotli and zstandard packages, as httpx's own decoders do)."""
    import gzip
    import zlib

    if encoding == "br":
        return pytest.importorskip("brotli").compress  # type: ignore[no-any-return]
    if encoding == "zstd":
        zstandard = pytest.importorskip("zstandard")
        return zstandard.ZstdCompressor().compress  # type: ignore[no-any-return]
    return gzip.compress if encoding == "gzip" else zlib.compress


ENCODINGS = ["gzip", "deflate", "br", "zstd"]


def _encoded(status: int, body: bytes, encoding: str) -> httpx.Response:
    return httpx.Response(
        status,
        stream=httpx.ByteStream(body),
        headers={"content-type": "application/json", "content-encoding": encoding},
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_compressed_answer_is_capped_once_decoded(
    make_client: MakeClient, api: FakeAPI, encoding: str
) -> None:
    client = make_client(max_response_bytes=1_000_000)
    bomb = _compressor(encoding)(b" " * 50_000_000)  # 49 kB of gzip, 50 MB decoded; br: 100 B
    assert len(bomb) < 1_000_000
    api.on("GET", JOB, lambda r: _encoded(200, bomb, encoding))
    with pytest.raises(ResponseTooLargeError):
        client.cloud_storage.get_job("job_1")


def test_a_brotli_bomb_is_decoded_a_little_at_a_time(make_client: MakeClient, api: FakeAPI) -> None:
    """httpx's decoders take no output limit: fed whole, these 300 bytes would make 200 MB."""
    import tracemalloc

    bomb = pytest.importorskip("brotli").compress(b" " * 200_000_000, quality=5)
    assert len(bomb) < 1000
    client = make_client(max_response_bytes=1_000_000)
    api.on("GET", JOB, lambda r: _encoded(200, bomb, "br"))
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            client.cloud_storage.get_job("job_1")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_compressed_answer_within_the_cap_reads_as_before(
    client: Client, api: FakeAPI, encoding: str
) -> None:
    body = _compressor(encoding)(json.dumps(job_body("job_1")).encode())
    api.on("GET", JOB, lambda r: _encoded(200, body, encoding))
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"


@pytest.mark.parametrize("cut_short", [False, True])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_compressed_error_answer_over_the_cap_is_cut_and_keeps_its_retry(
    make_client: MakeClient, api: FakeAPI, encoding: str, cut_short: bool
) -> None:
    """Cut where it decodes past the cap (a bomb) or where its compressed bytes pass it (an
    incompressible page, its compressed stream then cut short)."""
    import random

    client = make_client(max_response_bytes=1000)
    plain = random.Random(0).randbytes(5000) if cut_short else b"<html>" * 1_000_000
    body = _compressor(encoding)(plain)
    api.on("GET", JOB, lambda r: _encoded(503, body, encoding), json_response(200, job_body("j")))
    assert client.cloud_storage.get_job("job_1").job_id == "j"  # the 503 was retried
    assert len(api.requests) == 2


def test_a_body_that_is_not_what_its_encoding_says_is_a_decoding_error(
    client: Client, api: FakeAPI
) -> None:
    api.on("GET", JOB, lambda r: _encoded(200, b"not gzip", "gzip"))
    with pytest.raises(httpx.DecodingError):
        client.cloud_storage.get_job("job_1")


def test_an_import_answer_over_the_cap_is_an_uncertain_batch(
    make_client: MakeClient, api: FakeAPI
) -> None:
    """The service answered, so it may well have acted: the batch is uncertain, not rejected."""
    client = make_client(max_response_bytes=1000)
    api.on("POST", IMPORT, lambda r: httpx.Response(200, stream=_Endless()))
    with pytest.raises(ResponseTooLargeError) as caught:
        client.cloud_storage.import_files("conn_1", [{"id": "f1", "name": "a.jpg"}])
    assert caught.value.partial.journal.stopped.uncertain is True
    assert len(api.requests) == 1
