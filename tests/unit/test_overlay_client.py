"""Client construction, configuration from the environment, the shared pooled client."""

from __future__ import annotations

import os
import pickle
from typing import Any

import httpx
import pytest
from overlay_testkit import API_KEY, BASE_URL, FakeAPI, FakeClock, job_body, json_response

from aionvision_cloud import DEFAULT_BASE_URL, Client
from aionvision_cloud.errors import ConfigurationError
from aionvision_cloud_api.api.cloud_storage import get_job


def test_defaults_to_the_documented_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIONVISION_BASE_URL", raising=False)
    client = Client(api_key=API_KEY)
    assert client.base_url == DEFAULT_BASE_URL == "https://api.aionvision.tech/api/v2"
    assert str(client.api.get_httpx_client().base_url).rstrip("/") == DEFAULT_BASE_URL
    client.close()


@pytest.mark.parametrize(
    "key",
    [
        "",
        "   ",
        "aion_short",
        "aion_" + "x" * 19,
        "sk_" + "x" * 30,
        "AION_" + "x" * 30,
        "aion_" + "x" * 20 + " with space",
        "aion_" + "x" * 20 + "!",
    ],
)
def test_malformed_api_key_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Client(api_key=key, base_url=BASE_URL)
    if key.strip():
        assert key not in str(info.value)
        assert key not in repr(info.value)


def test_missing_api_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIONVISION_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="AIONVISION_API_KEY"):
        Client()


def test_non_string_api_key_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        Client(api_key=12345, base_url=BASE_URL)  # type: ignore[arg-type]


def test_valid_key_shapes_are_accepted() -> None:
    for key in ("aion_" + "a" * 20, "aion_AZaz09_-" + "b" * 12):
        Client(api_key=key, base_url=BASE_URL).close()


@pytest.mark.parametrize(
    "url", ["ftp://api.example.test", "api.example.test", "", "https://", "file:///etc/passwd"]
)
def test_base_url_must_be_http_or_https(url: str) -> None:
    with pytest.raises(ConfigurationError):
        Client(api_key=API_KEY, base_url=url)


def test_base_url_with_credentials_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        Client(api_key=API_KEY, base_url="https://user:pw@api.example.test")


def test_plain_http_refused_for_remote_hosts() -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        Client(api_key=API_KEY, base_url="http://api.example.test/api/v2")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/api/v2",
        "http://localhost:9/api/v2",
        "http://[::1]:8080",
        "http://127.8.9.1",
    ],
)
def test_plain_http_allowed_for_loopback(url: str) -> None:
    Client(api_key=API_KEY, base_url=url).close()


def test_plain_http_allowed_when_opted_in() -> None:
    client = Client(api_key=API_KEY, base_url="http://api.example.test/", allow_insecure_http=True)
    assert client.base_url == "http://api.example.test"
    client.close()


@pytest.mark.parametrize("timeout", [0, -1, "10", True])
def test_bad_timeout_is_refused(timeout: Any) -> None:
    with pytest.raises(ConfigurationError):
        Client(api_key=API_KEY, base_url=BASE_URL, timeout=timeout)


@pytest.mark.parametrize("retries", [-1, 1.5, "3", True])
def test_bad_max_retries_is_refused(retries: Any) -> None:
    with pytest.raises(ConfigurationError):
        Client(api_key=API_KEY, base_url=BASE_URL, max_retries=retries)


@pytest.mark.parametrize(
    "kw", [{"polling_interval": 0}, {"polling_timeout": -5}, {"batch_size": 0}, {"batch_size": 2.5}]
)
def test_bad_polling_and_batch_settings_are_refused(kw: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        Client(api_key=API_KEY, base_url=BASE_URL, **kw)


def test_from_env_reads_every_variable() -> None:
    env = {
        "AIONVISION_API_KEY": API_KEY,
        "AIONVISION_BASE_URL": "http://127.0.0.1:8765/api/v2",
        "AIONVISION_TIMEOUT": "12.5",
        "AIONVISION_MAX_RETRIES": "5",
        "AIONVISION_POLLING_INTERVAL": "0.5",
        "AIONVISION_POLLING_TIMEOUT": "42",
    }
    client = Client.from_env(env)
    assert client.base_url == "http://127.0.0.1:8765/api/v2"
    assert client.timeout.read == 12.5
    assert client.max_retries == 5
    assert client._transport.policy.max_retries == 5
    waiter = client.cloud_storage._waiter
    assert (waiter.poll_interval, waiter.timeout) == (0.5, 42.0)
    client.close()


def test_from_env_uses_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIONVISION_API_KEY", API_KEY)
    monkeypatch.setenv("AIONVISION_BASE_URL", "https://example.test/api/v2/")
    client = Client.from_env()
    assert client.base_url == "https://example.test/api/v2"
    client.close()


def test_from_env_without_key_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="AIONVISION_API_KEY"):
        Client.from_env({"AIONVISION_CONFIG": os.environ["AIONVISION_CONFIG"]})


def test_from_env_with_a_bad_number_names_the_variable() -> None:
    env = {"AIONVISION_API_KEY": API_KEY, "AIONVISION_MAX_RETRIES": "many"}
    with pytest.raises(ConfigurationError, match="AIONVISION_MAX_RETRIES"):
        Client.from_env(env)


def test_from_env_keyword_overrides_win() -> None:
    env = {"AIONVISION_API_KEY": API_KEY, "AIONVISION_TIMEOUT": "9"}
    client = Client.from_env(env, timeout=3.0, base_url=BASE_URL)
    assert client.timeout.read == 3.0
    client.close()


def test_one_pooled_httpx_client_serves_every_call(client: Client, api: FakeAPI) -> None:
    api.on("GET", "/cloud-storage/jobs/job_1", json_response(200, job_body("job_1")))
    pooled = client.api.get_httpx_client()
    client.cloud_storage.get_job("job_1")
    client.cloud_storage.get_job("job_1")
    assert client.api.get_httpx_client() is pooled
    assert len(api.requests) == 2


def test_generated_functions_share_auth_and_retries(client: Client, api: FakeAPI) -> None:
    api.on(
        "GET",
        "/cloud-storage/jobs/job_1",
        json_response(503, {"error": {"code": "UNAVAILABLE", "message": "later"}}),
        json_response(200, job_body("job_1", status="completed")),
    )
    detail = get_job.sync_detailed(job_id="job_1", client=client.api)
    assert detail.status_code == 200
    assert len(api.requests) == 2
    assert all(r.headers["authorization"] == f"Bearer {API_KEY}" for r in api.requests)
    assert api.requests[0].headers["user-agent"].startswith("aionvision-cloud-python/")


def test_timeout_reaches_the_httpx_client() -> None:
    client = Client(api_key=API_KEY, base_url=BASE_URL, timeout=7.0)
    assert client.api.get_httpx_client().timeout.read == 7.0
    client.close()


def test_httpx_args_and_transport_inside_them_are_honoured(clock: FakeClock) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(200, job_body("j"))

    client = Client(
        api_key=API_KEY,
        base_url=BASE_URL,
        clock=clock,
        httpx_args={"transport": httpx.MockTransport(handler), "headers": {"X-Extra": "1"}},
    )
    client.cloud_storage.get_job("j")
    assert seen[0].headers["x-extra"] == "1"
    client.close()


def test_context_manager_closes_the_pool(api: FakeAPI, clock: FakeClock) -> None:
    with Client(
        api_key=API_KEY, base_url=BASE_URL, clock=clock, transport=httpx.MockTransport(api)
    ) as client:
        pooled = client.api.get_httpx_client()
        assert not pooled.is_closed
    assert pooled.is_closed


def test_client_cannot_be_pickled(client: Client) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(client)


def test_max_retries_and_retry_policy_together_are_refused() -> None:
    from aionvision_cloud import RetryPolicy

    with pytest.raises(ConfigurationError, match="max_retries and retry_policy"):
        Client(api_key=API_KEY, base_url=BASE_URL, max_retries=5, retry_policy=RetryPolicy())


def test_retry_policy_alone_sets_the_retries() -> None:
    from aionvision_cloud import RetryPolicy

    client = Client(api_key=API_KEY, base_url=BASE_URL, retry_policy=RetryPolicy(max_retries=1))
    assert client.max_retries == 1
    client.close()


def test_from_env_retry_policy_override_wins_over_the_variable() -> None:
    from aionvision_cloud import RetryPolicy

    env = {"AIONVISION_API_KEY": API_KEY, "AIONVISION_MAX_RETRIES": "5"}
    client = Client.from_env(env, base_url=BASE_URL, retry_policy=RetryPolicy(max_retries=1))
    assert client.max_retries == 1
    client.close()


def test_transport_given_two_ways_is_refused(api: FakeAPI) -> None:
    with pytest.raises(ConfigurationError, match="transport given twice"):
        Client(
            api_key=API_KEY,
            base_url=BASE_URL,
            transport=httpx.MockTransport(api),
            httpx_args={"transport": httpx.MockTransport(api)},
        )


def test_polling_settings_reach_wait_for_job(
    api: FakeAPI, clock: FakeClock, make_client: Any
) -> None:
    client = make_client(polling_interval=3.0, polling_max_interval=3.0, polling_timeout=7.0)
    # Pending: no progress to estimate from, so the intervals are the configured ones.
    api.on("GET", "/cloud-storage/jobs/job_1", json_response(200, job_body("job_1", "pending")))
    from aionvision_cloud import JobTimeoutError

    with pytest.raises(JobTimeoutError):
        client.cloud_storage.wait_for_job("job_1")
    # 3 s apart, and the last sleep cut to the 7 s default budget.
    assert clock.sleeps == [3.0, 3.0, 1.0]


def test_generated_functions_raise_the_typed_errors(client: Client, api: FakeAPI) -> None:
    """client.api is no exception to "every failure is an AionvisionError": a 404 raises
    NotFoundError instead of returning an ErrorResponse the caller would trip over."""
    from aionvision_cloud import NotFoundError

    api.on(
        "GET",
        "/cloud-storage/jobs/job_gone",
        json_response(
            404, {"error": {"code": "NOT_FOUND", "message": "no job"}, "request_id": "r9"}
        ),
    )
    with pytest.raises(NotFoundError) as info:
        get_job.sync(job_id="job_gone", client=client.api)
    assert (info.value.status_code, info.value.code, info.value.request_id) == (
        404,
        "NOT_FOUND",
        "r9",
    )
    with pytest.raises(NotFoundError):
        get_job.sync_detailed(job_id="job_gone", client=client.api)


def test_generated_functions_raise_typed_connection_errors(make_client: Any) -> None:
    from aionvision_cloud import APIConnectionError

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused {API_KEY}", request=request)

    client = make_client(transport=httpx.MockTransport(refuse), max_retries=0, retry_policy=None)
    with pytest.raises(APIConnectionError) as info:
        get_job.sync(job_id="job_1", client=client.api)
    assert API_KEY not in str(info.value)
    assert "GET /api/v2/cloud-storage/jobs/job_1 failed: ConnectError" in str(info.value)


def test_the_callers_own_response_hooks_still_run(api: FakeAPI, clock: FakeClock) -> None:
    seen: list[int] = []
    api.on("GET", "/cloud-storage/jobs/j", json_response(200, job_body("j")))
    with Client(
        api_key=API_KEY,
        base_url=BASE_URL,
        clock=clock,
        transport=httpx.MockTransport(api),
        httpx_args={"event_hooks": {"response": [lambda r: seen.append(r.status_code)]}},
    ) as client:
        client.cloud_storage.get_job("j")
    assert seen == [200]
