"""Deadlines that win and reads retried as reads: a Retry-After past a wait's deadline, an answer
trickling in, an answer too large to hold, a refused loopback connection, the picker proxy."""

from __future__ import annotations

import socket
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


class _RateLimitingStub:
    """127.0.0.1: the first status read answers with a running job, every later one 429
    ``Retry-After: 30``; stops itself when the test ends."""

    def __init__(self) -> None:
        import http.server
        import json
        import threading

        reads = 0
        job = json.dumps(job_body("job_1")).encode()
        limited = json.dumps(error_body("RATE_LIMITED", "slow down")).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                nonlocal reads
                reads += 1
                first = reads == 1
                self.send_response(200 if first else 429)
                self.send_header("Content-Type", "application/json")
                if not first:
                    self.send_header("Retry-After", "30")
                body = job if first else limited
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_cli_job_wait_timeout_holds_against_a_long_retry_after() -> None:
    """Before: 31 s and exit 1. Bounds are loose (a noisy machine): the point is 5, not 30."""
    import os
    import subprocess
    import sys
    import time

    stub = _RateLimitingStub()
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


def test_a_compressed_answer_is_capped_once_inflated(make_client: MakeClient, api: FakeAPI) -> None:
    import gzip

    client = make_client(max_response_bytes=1_000_000)
    bomb = gzip.compress(b" " * 50_000_000)  # 49 kB on the wire, 50 MB inflated
    assert len(bomb) < 1_000_000
    api.on(
        "GET",
        JOB,
        lambda r: httpx.Response(
            200,
            stream=httpx.ByteStream(bomb),
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        ),
    )
    with pytest.raises(ResponseTooLargeError):
        client.cloud_storage.get_job("job_1")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_answer_within_the_cap_reads_as_before(
    client: Client, api: FakeAPI, encoding: str
) -> None:
    import gzip
    import json
    import zlib

    plain = json.dumps(job_body("job_1")).encode()
    body = gzip.compress(plain) if encoding == "gzip" else zlib.compress(plain)
    api.on(
        "GET",
        JOB,
        lambda r: httpx.Response(
            200,
            stream=httpx.ByteStream(body),
            headers={"content-type": "application/json", "content-encoding": encoding},
        ),
    )
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"


def test_an_import_answer_over_the_cap_is_an_uncertain_batch(
    make_client: MakeClient, api: FakeAPI
) -> None:
    """The service answered, so it may well have acted: the batch is uncertain, not rejected."""
    client = make_client(max_response_bytes=1000)
    api.on("POST", IMPORT, lambda r: httpx.Response(200, stream=_Endless()))
    with pytest.raises(ResponseTooLargeError) as caught:
        client.cloud_storage.import_files("conn_1", [{"id": "f1", "name": "a.jpg"}])
    assert caught.value.partial.failed.uncertain is True
    assert len(api.requests) == 1
