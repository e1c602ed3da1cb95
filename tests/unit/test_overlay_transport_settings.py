"""TLS, proxy and pool settings reach the real transport under the retry transport.

httpx applies ``verify``, ``proxy``, ``limits`` and the proxy environment variables only to the
transport it builds itself; the client builds the one under its retry transport, so they must
arrive there rather than be dropped without a word.
"""

from __future__ import annotations

import ssl
import sys

import httpcore
import httpx
import pytest
from overlay_testkit import API_KEY

from aionvision_cloud import Client, ConfigurationError

REMOTE = "https://api.aionvision.tech/api/v2"


def pool_of(client: Client) -> httpcore.ConnectionPool:
    inner = client._transport.inner
    assert isinstance(inner, httpx.HTTPTransport)
    return inner._pool


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_no_proxy_by_default() -> None:
    with Client(api_key=API_KEY, base_url=REMOTE) as client:
        assert not isinstance(pool_of(client), httpcore.HTTPProxy)


def test_explicit_proxy_is_used() -> None:
    with Client(
        api_key=API_KEY, base_url=REMOTE, httpx_args={"proxy": "http://proxy.corp:3128"}
    ) as client:
        pool = pool_of(client)
        assert isinstance(pool, httpcore.HTTPProxy)
        assert pool._proxy_url.host == b"proxy.corp"


def test_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.corp:8080")
    with Client(api_key=API_KEY, base_url=REMOTE) as client:
        pool = pool_of(client)
        assert isinstance(pool, httpcore.HTTPProxy)
        assert pool._proxy_url.host == b"envproxy.corp"


def test_no_proxy_and_trust_env_false_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy.corp:8080")
    monkeypatch.setenv("NO_PROXY", "aionvision.tech")
    with Client(api_key=API_KEY, base_url=REMOTE) as client:
        assert not isinstance(pool_of(client), httpcore.HTTPProxy)
    monkeypatch.delenv("NO_PROXY")
    with Client(api_key=API_KEY, base_url=REMOTE, httpx_args={"trust_env": False}) as client:
        assert not isinstance(pool_of(client), httpcore.HTTPProxy)


def test_loopback_emulator_never_goes_through_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://envproxy.corp:8080")
    with Client(api_key=API_KEY, base_url="http://127.0.0.1:8765/api/v2") as client:
        assert not isinstance(pool_of(client), httpcore.HTTPProxy)


def test_verify_and_limits_reach_the_pool() -> None:
    with Client(
        api_key=API_KEY,
        base_url=REMOTE,
        httpx_args={"verify": False, "limits": httpx.Limits(max_connections=3)},
    ) as client:
        pool = pool_of(client)
        assert pool._ssl_context is not None
        assert pool._ssl_context.verify_mode == ssl.CERT_NONE
        assert pool._max_connections == 3


def test_default_verification_is_on() -> None:
    with Client(api_key=API_KEY, base_url=REMOTE) as client:
        context = pool_of(client)._ssl_context
        assert context is not None
        assert context.verify_mode == ssl.CERT_REQUIRED


def test_a_proxy_variable_without_a_scheme_is_read_as_httpx_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # curl and httpx take host:port as http://host:port; so must Client().
    monkeypatch.setenv("HTTPS_PROXY", "squid.corp.example:3128")
    httpx.Client().close()
    with Client(api_key=API_KEY, base_url=REMOTE) as client:
        pool = pool_of(client)
        assert isinstance(pool, httpcore.HTTPProxy)
        assert (pool._proxy_url.scheme, pool._proxy_url.host) == (b"http", b"squid.corp.example")
        assert pool._proxy_url.port == 3128


def test_a_socks_proxy_without_socksio_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "socksio", None)  # as if not installed
    monkeypatch.setenv("ALL_PROXY", "socks5://alice:pr0xy-pa55@socks.corp.example:1080")
    with pytest.raises(ImportError):
        httpx.Client()  # what httpx itself does with it
    with pytest.raises(ConfigurationError) as info:
        Client(api_key=API_KEY, base_url=REMOTE)
    message = str(info.value)
    assert "ALL_PROXY" in message
    assert "pip install 'httpx[socks]'" in message
    assert "pr0xy-pa55" not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [("https_proxy", "ftp://bob:s3cret-pw@proxy.example:21"), ("HTTPS_PROXY", "http://h:x")],
)
def test_a_proxy_variable_httpx_cannot_use_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"^{name} is not a proxy httpx can use") as info:
        Client(api_key=API_KEY, base_url=REMOTE)
    assert "s3cret-pw" not in str(info.value)


def test_a_bad_proxy_argument_names_the_argument() -> None:
    with pytest.raises(ConfigurationError, match=r"httpx_args\['proxy'\]"):
        Client(api_key=API_KEY, base_url=REMOTE, httpx_args={"proxy": "gopher://p.example:70"})
