"""The retry transport: which requests are retried, how many times, and how long it waits."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import httpx
import pytest
from overlay_testkit import API_KEY, FakeAPI, FakeClock, error_body, job_body, json_response

from aionvision_cloud import Client, ConfigurationError, PickerSession, RetryPolicy
from aionvision_cloud._retry import RetryTransport
from aionvision_cloud.errors import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    ServerError,
)

JOB = "/cloud-storage/jobs/job_1"
IMPORT = "/cloud-storage/import"
DISCONNECT = "/cloud-storage/connections/conn_1"
PROXY = "/cloud-storage/picker-proxy"
FILES = [{"id": "f1", "name": "a.jpg"}]
IMPORT_OK = json_response(
    200, {"image_ids": ["img_001"], "job_id": None, "is_async": False, "total_files": 1}
)
MakeClient = Callable[..., Client]


def status(code: int, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return json_response(code, error_body("E", f"status {code}"), headers)


# -- idempotent requests -------------------------------------------------------------------------


@pytest.mark.parametrize("code", [429, 500, 502, 503, 504])
def test_get_is_retried_on_transient_statuses(client: Client, api: FakeAPI, code: int) -> None:
    api.on("GET", JOB, status(code), json_response(200, job_body("job_1")))
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"
    assert len(api.requests) == 2


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 422, 501])
def test_get_is_not_retried_on_other_statuses(client: Client, api: FakeAPI, code: int) -> None:
    api.on("GET", JOB, status(code), json_response(200, job_body("job_1")))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the type is tested elsewhere
        client.cloud_storage.get_job("job_1")
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.ReadTimeout("slow read"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("eof"),
    ],
)
def test_get_is_retried_on_connection_errors_and_timeouts(
    client: Client, api: FakeAPI, exc: Exception
) -> None:
    api.on("GET", JOB, exc, json_response(200, job_body("job_1")))
    client.cloud_storage.get_job("job_1")
    assert len(api.requests) == 2


def test_delete_is_retried_like_get(client: Client, api: FakeAPI) -> None:
    api.on(
        "DELETE",
        DISCONNECT,
        httpx.ReadTimeout("t"),
        status(502),
        json_response(200, {"success": True}),
    )
    assert client.cloud_storage.disconnect("conn_1").success
    assert len(api.requests) == 3


def test_attempts_are_bounded(client: Client, api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, status(503))
    with pytest.raises(ServerError):
        client.cloud_storage.get_job("job_1")
    assert len(api.requests) == 4  # 1 + max_retries=3
    assert len(clock.sleeps) == 3


def test_connection_errors_are_raised_after_the_last_attempt(client: Client, api: FakeAPI) -> None:
    api.on("GET", JOB, httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        client.cloud_storage.get_job("job_1")
    assert len(api.requests) == 4


def test_max_retries_zero_disables_retries(make_client: MakeClient, api: FakeAPI) -> None:
    client = make_client(max_retries=0)
    api.on("GET", JOB, status(503), json_response(200, job_body("job_1")))
    with pytest.raises(ServerError):
        client.cloud_storage.get_job("job_1")
    assert len(api.requests) == 1


# -- POST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [429, 503])
def test_post_is_retried_when_the_server_did_not_act(
    client: Client, api: FakeAPI, code: int
) -> None:
    api.on("POST", IMPORT, status(code), IMPORT_OK)
    result = client.cloud_storage.import_files("conn_1", FILES)
    assert result.image_ids == ("img_001",)
    assert len(api.requests) == 2
    # The same body went out both times.
    assert api.bodies("POST", IMPORT)[0] == api.bodies("POST", IMPORT)[1]


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("t"), httpx.PoolTimeout("t")]
)
def test_post_is_retried_when_the_request_was_never_sent(
    client: Client, api: FakeAPI, exc: Exception
) -> None:
    api.on("POST", IMPORT, exc, IMPORT_OK)
    client.cloud_storage.import_files("conn_1", FILES)
    assert len(api.requests) == 2


@pytest.mark.parametrize("code", [500, 502, 504])
def test_read_only_picker_proxy_post_is_retried_as_a_read(
    client: Client, api: FakeAPI, code: int
) -> None:
    # A Drive listing through the proxy changes nothing: its 500 is retried as a GET's is.
    api.on("POST", PROXY, status(code), json_response(200, {"files": []}))
    page = client.cloud_storage.picker_proxy(PickerSession(session_id="picker_sess_x"), "files")
    assert page == {"files": []}
    assert len(api.requests) == 2


@pytest.mark.parametrize("code", [500, 502, 504])
def test_post_is_not_retried_on_other_5xx(client: Client, api: FakeAPI, code: int) -> None:
    api.on("POST", IMPORT, status(code), IMPORT_OK)
    with pytest.raises(ServerError):
        client.cloud_storage.import_files("conn_1", FILES)
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("exc", "raised"),
    [
        (httpx.ReadTimeout("maybe acted"), APITimeoutError),
        (httpx.WriteTimeout("half sent"), APITimeoutError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.RemoteProtocolError("eof"), APIConnectionError),
    ],
)
def test_post_is_never_retried_after_it_may_have_been_acted_on(
    client: Client, api: FakeAPI, exc: Exception, raised: type[Exception]
) -> None:
    api.on("POST", IMPORT, exc, IMPORT_OK)
    with pytest.raises(raised):
        client.cloud_storage.import_files("conn_1", FILES)
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda cs: cs.export_files("conn_1", ["img_001"]),
        lambda cs: cs.complete_auth("google_drive", "code", "state", "http://127.0.0.1:1/callback"),
    ],
)
def test_other_posts_follow_the_same_rule(client: Client, api: FakeAPI, call) -> None:  # type: ignore[no-untyped-def]
    api.on("POST", "/cloud-storage/export", httpx.ReadTimeout("t"))
    api.on("POST", "/cloud-storage/auth/google_drive/callback", httpx.ReadTimeout("t"))
    with pytest.raises(APITimeoutError):
        call(client.cloud_storage)
    assert len(api.requests) == 1


# -- waiting -------------------------------------------------------------------------------------


def test_retry_after_seconds_is_honoured(client: Client, api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, status(429, "7"), json_response(200, job_body("job_1")))
    client.cloud_storage.get_job("job_1")
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(client: Client, api: FakeAPI, clock: FakeClock) -> None:
    # FakeClock's wall time starts at 2025-01-15 10:30:00 UTC.
    api.on(
        "POST",
        IMPORT,
        status(503, "Wed, 15 Jan 2025 10:30:12 GMT"),
        IMPORT_OK,
    )
    client.cloud_storage.import_files("conn_1", FILES)
    assert clock.sleeps == [pytest.approx(12.0)]


def test_retry_after_beyond_the_budget_is_returned_to_the_caller(
    client: Client, api: FakeAPI, clock: FakeClock
) -> None:
    api.on("GET", JOB, status(429, "3600"), json_response(200, job_body("job_1")))
    with pytest.raises(RateLimitError) as info:
        client.cloud_storage.get_job("job_1")
    assert info.value.retry_after == 3600.0
    assert len(api.requests) == 1
    assert clock.sleeps == []


def test_total_waiting_is_bounded(make_client: MakeClient, api: FakeAPI, clock: FakeClock) -> None:
    policy = RetryPolicy(max_retries=10, max_total_wait=20.0)
    client = make_client(retry_policy=policy)
    api.on("GET", JOB, status(503, "8"))
    with pytest.raises(ServerError):
        client.cloud_storage.get_job("job_1")
    assert clock.sleeps == [8.0, 8.0]
    assert len(api.requests) == 3


def test_backoff_is_exponential_with_full_jitter(
    make_client: MakeClient, api: FakeAPI, clock: FakeClock
) -> None:
    policy = RetryPolicy(max_retries=6, initial_backoff=1.0, max_backoff=8.0, max_total_wait=1000)
    client = make_client(retry_policy=policy)
    api.on("GET", JOB, status(502))
    with pytest.raises(ServerError):
        client.cloud_storage.get_job("job_1")
    caps = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(clock.sleeps) == len(caps)
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, caps, strict=True))
    # Full jitter: not simply the cap every time.
    assert clock.sleeps != caps


def test_policy_backoff_bounds() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=4.0)
    rng = random.Random(0)
    for n in range(1, 12):
        cap = min(4.0, 0.5 * 2 ** (n - 1))
        values = [policy.backoff(n, rng) for _ in range(50)]
        assert all(0 <= v <= cap for v in values)
        assert max(values) > cap / 2


@pytest.mark.parametrize(
    "kw",
    [{"max_retries": -1}, {"initial_backoff": 0}, {"max_backoff": -1}, {"max_total_wait": -1}],
)
def test_policy_rejects_bad_values(kw: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError, match=next(iter(kw))):
        RetryPolicy(**kw)  # type: ignore[arg-type]


def test_policy_rejects_non_int_retries() -> None:
    with pytest.raises(ConfigurationError, match="max_retries must be an int >= 0"):
        RetryPolicy(max_retries=2.5)  # type: ignore[arg-type]


def test_transport_wraps_any_transport_directly(clock: FakeClock) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return status(503) if len(calls) == 1 else json_response(200, {})

    transport = RetryTransport(httpx.MockTransport(handler), clock=clock)
    with httpx.Client(transport=transport, base_url="https://x.test") as http:
        assert http.get("/a").status_code == 200
    assert len(calls) == 2
    assert "RetryTransport" in repr(transport)


# -- logging -------------------------------------------------------------------------------------


def test_one_debug_line_per_request(
    client: Client, api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.on(
        "GET",
        JOB,
        status(503),
        json_response(200, job_body("job_1"), {"x-request-id": "rid-77"}),
    )
    with caplog.at_level(logging.DEBUG, logger="aionvision_cloud"):
        client.cloud_storage.get_job("job_1")
    lines = [r.getMessage() for r in caplog.records if r.name == "aionvision_cloud"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /api/v2/cloud-storage/jobs/job_1 -> 503")
    assert "attempt 1" in lines[0]
    assert "-> 200" in lines[1]
    assert "attempt 2" in lines[1]
    assert "request_id=rid-77" in lines[1]
    assert all(API_KEY not in line for line in lines)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "aionvision_cloud")


def test_transport_errors_are_logged_by_name(
    client: Client, api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.on("GET", JOB, httpx.ConnectError("refused"), json_response(200, job_body("job_1")))
    with caplog.at_level(logging.DEBUG, logger="aionvision_cloud"):
        client.cloud_storage.get_job("job_1")
    assert "-> ConnectError" in caplog.records[0].getMessage()


def test_budget_counts_time_spent_in_requests_too(
    make_client: MakeClient, api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(retry_policy=RetryPolicy(max_retries=10, max_total_wait=10.0))

    def slow_503(request: httpx.Request) -> httpx.Response:
        clock.t += 4.0  # each attempt takes 4 s
        return status(503, "1")

    api.on("GET", JOB, slow_503)
    with pytest.raises(ServerError):
        client.cloud_storage.get_job("job_1")
    # 4 + 1 + 4 = 9 s, a 1 s wait still fits (10 s); after the third attempt (14 s) none does.
    # Counting only the waits would have allowed all 11 attempts.
    assert len(api.requests) == 3
    assert clock.sleeps == [1.0, 1.0]


def test_retry_policy_wins_over_max_retries(make_client: MakeClient) -> None:
    client = make_client(retry_policy=RetryPolicy(max_retries=7))
    assert client.max_retries == 7


def test_async_use_of_client_api_fails_clearly(client: Client) -> None:
    import asyncio

    from aionvision_cloud_api.api.cloud_storage import get_job

    with pytest.raises(NotImplementedError, match="synchronous"):
        asyncio.run(get_job.asyncio_detailed(job_id="job_1", client=client.api))


class _DroppingStream(httpx.SyncByteStream):
    """A body that breaks off after its first chunk, like a server dropping the connection."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield b'{"jo'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def dropped_mid_body(request: httpx.Request) -> httpx.Response:
    headers = {"content-type": "application/json"}
    return httpx.Response(200, headers=headers, stream=_DroppingStream())


def test_get_dropped_mid_body_is_retried(client: Client, api: FakeAPI) -> None:
    api.on("GET", JOB, dropped_mid_body, json_response(200, job_body("job_1")))
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"
    assert len(api.requests) == 2


def test_post_dropped_mid_body_is_not_retried(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, dropped_mid_body, IMPORT_OK)
    with pytest.raises(APIConnectionError):
        client.cloud_storage.import_files("conn_1", FILES)
    assert len(api.requests) == 1


def test_compressed_bodies_are_decoded_once(client: Client, api: FakeAPI) -> None:
    import gzip
    import json

    body = gzip.compress(json.dumps(job_body("job_1")).encode())
    api.on(
        "GET",
        JOB,
        # A stream, not content=: the transport reads it raw, as from the network.
        lambda request: httpx.Response(
            200,
            stream=httpx.ByteStream(body),
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        ),
    )
    assert client.cloud_storage.get_job("job_1").job_id == "job_1"
