"""Proxy settings as httpx takes them, and a clear word when one cannot be used.

``httpx.Client()`` reads HTTPS_PROXY / HTTP_PROXY / ALL_PROXY itself, but only for a transport it
builds; ``Client`` builds its own, so it reads them the same way here: a value without a scheme
(``host:3128``, which curl and httpx accept) means ``http://host:3128``. A proxy the transport
cannot use (a SOCKS one without the ``socksio`` package, an unknown scheme) is a
``ConfigurationError`` naming the variable and what to do, never the value (it may carry a
password).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = ["proxy_error", "with_scheme"]


def with_scheme(proxy: str) -> str:
    """``proxy`` as httpx reads a proxy variable: ``http://`` when it names no scheme."""
    return proxy if "://" in proxy else f"http://{proxy}"


def _variable(scheme: str, proxy: str) -> str | None:
    """The environment variable ``proxy`` came from, for a request of ``scheme``."""
    for name in (f"{scheme}_proxy", "all_proxy"):
        for spelling in (name, name.upper()):
            value = os.environ.get(spelling)
            if value and with_scheme(value.strip()) == proxy:
                return spelling
    return None


def proxy_error(exc: Exception, proxy: str, scheme: str, *, from_env: bool) -> ConfigurationError:
    """Why httpx refused ``proxy`` (``exc``), in words that say where it came from and what to
    do. ``scheme`` is the base URL's (which variable applies)."""
    where = "httpx_args['proxy']"
    if from_env:
        where = _variable(scheme, proxy) or "the system's proxy settings"
    kind = urlsplit(proxy).scheme.lower()
    if isinstance(exc, ImportError) and kind.startswith("socks"):
        return ConfigurationError(
            f"{where} names a SOCKS proxy, which needs the socksio package: install it with"
            f" pip install 'httpx[socks]' (or pip install socksio), or change {where}"
        )
    return ConfigurationError(
        f"{where} is not a proxy httpx can use ({kind or 'no'} scheme): use"
        f" http://host:port, https://host:port or socks5://host:port, or change {where}"
    )
