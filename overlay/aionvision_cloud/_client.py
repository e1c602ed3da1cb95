"""``Client``: configuration, the one pooled httpx client (``client.api``), the resources."""

from __future__ import annotations

import functools
import ipaddress
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ._clock import Clock, SystemClock
from ._defaults import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_INTERVAL,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from ._inputs import check_count, check_positive
from ._proxy import proxy_error, with_scheme
from ._session import ENV_SESSION_TOKEN, SessionCookie, check_session_token, explain_refusal
from .errors import ConfigurationError

# The transports, the resources and their attrs classes load with the first Client(), as the
# generated package does, so that `from aionvision_cloud import Client` costs little more than
# httpx; a module among them that cannot be imported fails that first Client().
if TYPE_CHECKING:
    from aionvision_cloud_api import AuthenticatedClient

    from ._retry import RetryPolicy
    from .cloud_storage import CloudStorage

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_HTTP_TIMEOUT", "DEFAULT_MAX_RETRIES", "Client"]

DEFAULT_BASE_URL = "https://api.aionvision.tech/api/v2"
DEFAULT_HTTP_TIMEOUT = 30.0  # seconds per HTTP request (not the job-wait timeout)
DEFAULT_MAX_RETRIES = 3
API_KEY_RE = re.compile(r"aion_[A-Za-z0-9_-]{20,}")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})

ENV_API_KEY = "AIONVISION_API_KEY"
ENV_BASE_URL = "AIONVISION_BASE_URL"
ENV_TIMEOUT = "AIONVISION_TIMEOUT"
ENV_MAX_RETRIES = "AIONVISION_MAX_RETRIES"
ENV_POLLING_INTERVAL = "AIONVISION_POLLING_INTERVAL"
ENV_POLLING_TIMEOUT = "AIONVISION_POLLING_TIMEOUT"


@functools.cache
def _authenticated_client_class() -> type[AuthenticatedClient]:
    """The generated client, with a repr that cannot show the token. Built on the first
    ``Client()``, so that ``import aionvision_cloud`` does not load the generated package."""
    from aionvision_cloud_api import AuthenticatedClient

    class _AuthenticatedClient(AuthenticatedClient):
        __slots__ = ()

        def __repr__(self) -> str:
            # The base URL as the pooled httpx client holds it (public), never the token.
            base = str(self.get_httpx_client().base_url).rstrip("/")
            return f"AuthenticatedClient(base_url={base!r}, token='[redacted]')"

        __str__ = __repr__

    return _AuthenticatedClient


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: object, allow_insecure_http: bool) -> str:
    if not isinstance(base_url, str) or not base_url.strip():
        raise ConfigurationError("base_url must be a non-empty http(s) URL")
    # Control characters (a pasted CRLF) or inner spaces would reach httpx as an untyped
    # InvalidURL; refused even at the ends rather than guessed away.
    url = base_url.strip(" ").rstrip("/")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ConfigurationError("base_url must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ConfigurationError(f"base_url is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {url!r}")
    if parts.username or parts.password:
        raise ConfigurationError("base_url must not carry credentials")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            "plain http:// sends the API key in the clear; use https://, a loopback host, "
            "or pass allow_insecure_http=True"
        )
    return url


# The three places a key can come from, in the order they win.
_NO_KEY = (
    f"no API key: pass api_key=..., set {ENV_API_KEY}, or save one in the config file"
    " ('aionvision-cloud config set api_key', read by Client.from_env())"
)


def _check_api_key(api_key: object) -> str:
    if api_key is None or (isinstance(api_key, str) and not api_key.strip()):
        raise ConfigurationError(_NO_KEY)
    # Never echo the value: a malformed key may still be a real secret.
    if not isinstance(api_key, str) or not API_KEY_RE.fullmatch(api_key.strip()):
        raise ConfigurationError(
            "malformed API key: expected 'aion_' followed by 20 or more of [A-Za-z0-9_-]"
        )
    return api_key.strip()


# httpx applies these only to the transport it builds itself; since the retry transport wraps
# the real one, they are handed to that one here instead of being silently ignored.
_TRANSPORT_ARGS = ("verify", "cert", "http1", "http2", "limits", "proxy", "local_address")


def _environment_proxy(base_url: str) -> str | None:
    """The proxy that HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY (or the system's settings,
    as the standard library reads them) choose for ``base_url``; httpx reads them only for its
    own transport. Loopback hosts, the emulator, never use one."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if _is_loopback(host):
        return None
    import urllib.request  # ~50 ms of imports, needed only for a non-loopback host

    proxies = urllib.request.getproxies()
    if urllib.request.proxy_bypass(host):
        return None
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    return with_scheme(proxy) if proxy else None


def _inner_transport(base_url: str, extra: dict[str, Any]) -> httpx.HTTPTransport:
    """The real network transport, built with the caller's TLS, proxy and pool settings."""
    kwargs = {name: extra.pop(name) for name in _TRANSPORT_ARGS if name in extra}
    from_env = "proxy" not in kwargs
    if from_env and extra.get("trust_env", True):
        kwargs["proxy"] = _environment_proxy(base_url)
    kwargs.setdefault("trust_env", extra.get("trust_env", True))
    try:
        transport = httpx.HTTPTransport(**kwargs)
    except (ImportError, ValueError, httpx.InvalidURL) as exc:
        proxy = kwargs.get("proxy")
        if not isinstance(proxy, str):
            raise
        # A proxy it cannot use (SOCKS without socksio, a bad scheme): the user's to fix.
        scheme = urlsplit(base_url).scheme
        raise proxy_error(exc, proxy, scheme, from_env=from_env) from None
    return transport


def _env_number(env: Mapping[str, str], name: str, kind: type[float] | type[int]) -> Any:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return kind(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None


class Client:
    """The Aionvision client. Use it as a context manager, or call ``close()``.

    ``client.api`` is the generated ``AuthenticatedClient`` sharing the same pooled connection,
    auth, timeouts and retries; ``client.cloud_storage`` is the convenience layer.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        session_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_HTTP_TIMEOUT,
        max_retries: int | None = None,
        polling_interval: float = DEFAULT_POLL_INTERVAL,
        polling_timeout: float = DEFAULT_WAIT_TIMEOUT,
        polling_max_interval: float = DEFAULT_MAX_INTERVAL,
        batch_size: int = DEFAULT_BATCH_SIZE,
        allow_insecure_http: bool = False,
        retry_policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        """Check every argument, then build the pooled client and the resources.

        Args:
            api_key: The API key (default: ``AIONVISION_API_KEY``).
            session_token: A signed-in web session (or ``AIONVISION_SESSION_TOKEN``), sent as
                the ``session`` cookie to the four operations the service reserves for one
                (initiate and complete auth, picker-token, picker-proxy) and nowhere else; the
                key is still sent.
            base_url: The service's URL (default: ``AIONVISION_BASE_URL``, else the service).
            timeout: Bounds each HTTP request attempt as a whole, status line, headers and body
                (an ``httpx.Timeout``: its largest part; connecting and each read keep their own
                parts too).
            max_retries: Retries per request (default 3); not with ``retry_policy``.
            polling_interval: Seconds between job polls at first.
            polling_timeout: How long [`wait_for_job`][aionvision_cloud.CloudStorage.wait_for_job]
                waits by default.
            polling_max_interval: The longest wait between job polls.
            batch_size: Files (or images) per import or export request by default.
            allow_insecure_http: True allows an ``http://`` URL other than loopback.
            retry_policy: A whole [`RetryPolicy`][aionvision_cloud.RetryPolicy]; not with
                ``max_retries``.
            clock: The [`Clock`][aionvision_cloud.Clock] every wait goes through.
            transport: Replaces the network (a ``MockTransport`` in tests); given either here
                or in ``httpx_args``, not both, and used as it is: retries, typed errors and the
                body's deadline still apply, but its status line and headers are bounded only
                by its own per-read timeouts (an ``httpx.Client`` put in with
                ``client.api.set_httpx_client`` bypasses retries and deadlines alike).
            httpx_args: Other arguments of the ``httpx.Client``.
            max_response_bytes: An answer longer than this (default 8 MiB) raises
                [`ResponseTooLargeError`][aionvision_cloud.errors.ResponseTooLargeError] after
                reading at most that much.

        Raises:
            ConfigurationError: For a missing or malformed key, a bad URL, a bad value or
                contradictory arguments.
        """
        from ._http import ContractCheck, ErrorMappingTransport, Requester, StatusErrorHook
        from ._retry import RetryTransport
        from ._settings import Settings

        key = _check_api_key(api_key if api_key is not None else os.environ.get(ENV_API_KEY))
        session = check_session_token(
            session_token if session_token is not None else os.environ.get(ENV_SESSION_TOKEN)
        )
        secrets = (key,) if session is None else (key, session)
        if base_url is None:
            base_url = os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        self.base_url = _check_base_url(base_url, allow_insecure_http)
        timeout = _check_timeout(timeout)
        self.timeout = timeout
        policy = _retry_policy(max_retries, retry_policy)
        self.max_retries = policy.max_retries
        self.clock: Clock = clock if clock is not None else SystemClock()
        extra = dict(httpx_args or {})
        if transport is not None and "transport" in extra:
            raise ConfigurationError(
                "transport given twice: pass it as transport=... or in httpx_args, not both"
            )
        inner = transport if transport is not None else extra.pop("transport", None)
        if inner is None:
            inner = _inner_transport(self.base_url, extra)
        headers = {"User-Agent": f"aionvision-cloud-python/{_version()}"}
        headers.update(extra.pop("headers", None) or {})
        cap = check_count(
            "max_response_bytes", max_response_bytes, minimum=1, error=ConfigurationError
        )
        self._transport = RetryTransport(
            inner, policy=policy, clock=self.clock, max_response_bytes=cap
        )
        # Typed errors, and answers held to openapi.yaml, for every caller of the pooled client,
        # client.api's generated functions included; the caller's own response hooks run first.
        hooks = dict(extra.pop("event_hooks", None) or {})
        explain = None if session is not None else explain_refusal
        hooks["response"] = [
            *hooks.get("response", ()),
            StatusErrorHook(self.clock, secrets, explain),
            checked := ContractCheck(),
        ]
        if session is not None:
            hooks["request"] = [*hooks.get("request", ()), SessionCookie(session)]
        self.api: AuthenticatedClient = _authenticated_client_class()(
            base_url=self.base_url,
            token=key,
            timeout=timeout,
            headers=headers,
            httpx_args={
                "transport": ErrorMappingTransport(self._transport, secrets),
                "event_hooks": hooks,
                **extra,
            },
        )
        self._settings = Settings(
            requester=Requester(self.api, checked),
            clock=self.clock,
            base_url=self.base_url,
            batch_size=batch_size,
            poll_interval=polling_interval,
            max_interval=polling_max_interval,
            wait_timeout=polling_timeout,
        )

    @functools.cached_property
    def cloud_storage(self) -> CloudStorage:
        """The convenience layer: connect, browse, import, export, follow jobs. Built on first
        use (its modules and the generated models load then, not with every ``Client()``)."""
        from .cloud_storage import CloudStorage

        return CloudStorage(self._settings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Client:
        """Build a client from keyword arguments, else the environment, else the config file.

        The variables are ``AIONVISION_*``; the config file is the one ``aionvision-cloud config
        set`` writes (``$AIONVISION_CONFIG``, else ``~/.config/aionvision-cloud/config.toml``):
        its ``api_key`` and ``base_url``. That is the same order the CLI follows.

        Args:
            env: Replaces ``os.environ`` (the file's location included).
            **overrides: Any argument of [`Client`][aionvision_cloud.Client]; wins over the
                variables and the file.

        Returns:
            The client.

        Raises:
            ConfigurationError: When no API key is found, or for a bad value.
        """
        env = os.environ if env is None else env
        kwargs: dict[str, Any] = {
            "api_key": env.get(ENV_API_KEY) or None,
            "session_token": env.get(ENV_SESSION_TOKEN, ""),
            "base_url": env.get(ENV_BASE_URL) or None,
        }
        for name, key, kind in (
            (ENV_TIMEOUT, "timeout", float),
            (ENV_MAX_RETRIES, "max_retries", int),
            (ENV_POLLING_INTERVAL, "polling_interval", float),
            (ENV_POLLING_TIMEOUT, "polling_timeout", float),
        ):
            value = _env_number(env, name, kind)
            if value is not None:
                kwargs[key] = value
        if "retry_policy" in overrides and "max_retries" not in overrides:
            # The caller's whole policy wins over the variable, as every keyword does.
            kwargs.pop("max_retries", None)
        kwargs.update(overrides)
        if kwargs.get("api_key") is None or kwargs.get("base_url") is None:
            # Read only when needed: a broken file does not stop a fully configured client.
            from ._config_file import config_path, read_config

            saved = read_config(env)
            for name in ("api_key", "base_url"):
                if kwargs.get(name) is None and saved.get(name):
                    kwargs[name] = saved[name]
            if kwargs.get("api_key") is None:
                raise ConfigurationError(
                    f"no API key: pass api_key=..., set {ENV_API_KEY}, or save one in"
                    f" {config_path(env)} with 'aionvision-cloud config set api_key'"
                )
        if kwargs.get("base_url") is None:
            kwargs["base_url"] = DEFAULT_BASE_URL
        return cls(**kwargs)

    def close(self) -> None:
        """Close the pooled connection (and the transport under it)."""
        self.api.get_httpx_client().close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, max_retries={self.max_retries})"

    __str__ = __repr__

    def __getstate__(self) -> None:
        # Pickling would write the key somewhere it does not belong.
        raise TypeError("Client objects cannot be pickled")


def _check_timeout(timeout: object) -> httpx.Timeout:
    """Seconds per request, or an ``httpx.Timeout`` whose every part is checked the same way
    (None there means "no limit", httpx's own spelling)."""
    if isinstance(timeout, httpx.Timeout):
        for part in ("connect", "read", "write", "pool"):
            value = getattr(timeout, part)
            if value is not None:
                check_positive(f"timeout.{part}", value, error=ConfigurationError)
        return timeout
    return httpx.Timeout(check_positive("timeout", timeout, error=ConfigurationError))


def _retry_policy(max_retries: object, retry_policy: RetryPolicy | None) -> RetryPolicy:
    """The one retry policy: from ``max_retries`` or given whole, never both."""
    from ._retry import RetryPolicy

    if retry_policy is None:
        count = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        return RetryPolicy(max_retries=check_count("max_retries", count, error=ConfigurationError))
    if max_retries is not None:
        raise ConfigurationError(
            "max_retries and retry_policy both given: use RetryPolicy(max_retries=...) alone"
        )
    if not isinstance(retry_policy, RetryPolicy):
        raise ConfigurationError("retry_policy must be a RetryPolicy")
    return retry_policy


def _version() -> str:
    from . import __version__

    return __version__
