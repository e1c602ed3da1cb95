"""Turning what the pooled httpx client sees into this package's errors, for every caller.

Two seams of the one ``httpx.Client`` under ``client.api`` do it, so the overlay's calls and the
generated functions a user calls on ``client.api`` fail the same way, with the same typed errors:

* ``ErrorMappingTransport``, the outermost transport: a connection failure or timeout left after
  the retries becomes ``APIConnectionError`` / ``APITimeoutError``.
* ``StatusErrorHook``, a response event hook: any non-2xx answer becomes the ``APIStatusError``
  subclass from the one status-to-class table (``errors.from_response``), before the generated
  code could parse it into an ``ErrorResponse`` model.

``Requester`` then only sends the generated operations' requests and reads their JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from aionvision_cloud_api import AuthenticatedClient

from ._clock import Clock
from ._operations import build
from ._retry import RetryTransport
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    from_response,
    redact,
    request_id_of,
)

__all__ = ["ErrorMappingTransport", "Requester", "StatusErrorHook"]


def _where(request: httpx.Request) -> str:
    # The path only: a query string may carry an OAuth code. Built only for an error message.
    return f"{request.method} {request.url.path}"


class ErrorMappingTransport(httpx.BaseTransport):
    """Wraps the retry transport; raises the typed error for what the retries could not fix."""

    def __init__(self, inner: RetryTransport, secrets: Iterable[str]) -> None:
        self.inner = inner
        self._secrets = tuple(secrets)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self.inner.handle_request(request)
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"{_where(request)} timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            detail = redact(str(exc), self._secrets)
            raise APIConnectionError(
                f"{_where(request)} failed: {type(exc).__name__}: {detail}"
            ) from exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # Fails clearly: client.api is synchronous.
        return await self.inner.handle_async_request(request)

    def close(self) -> None:
        self.inner.close()

    def __repr__(self) -> str:
        return f"ErrorMappingTransport({self.inner!r})"


class StatusErrorHook:
    """An httpx response hook raising the typed error for any answer that is not 2xx;
    ``explain`` may add to the error what the client knows about its cause."""

    def __init__(
        self,
        clock: Clock,
        secrets: Iterable[str],
        explain: Callable[[APIStatusError, httpx.Request], None] | None = None,
    ) -> None:
        self._clock = clock
        self._secrets = tuple(secrets)
        self._explain = explain

    def __call__(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        response.read()
        err = from_response(response, secrets=self._secrets, now=self._clock.now())
        if self._explain is not None:
            self._explain(err, response.request)
        raise err

    def __repr__(self) -> str:
        return "StatusErrorHook()"


class Requester:
    """Sends the generated operations' requests (see ``_operations``) and returns the parsed
    JSON; errors were raised below (see the module docstring), retries happened below that."""

    def __init__(self, api: AuthenticatedClient) -> None:
        self.api = api

    def __repr__(self) -> str:
        return "Requester()"

    def call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        """Build ``operation``'s request from ``args``/``kwargs`` and send it."""
        return self.send(build(operation, *args, **kwargs))

    def send(self, kwargs: dict[str, Any]) -> Any:
        response = self.api.get_httpx_client().request(**kwargs)
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            method = str(kwargs.get("method", "")).upper()
            raise APIResponseValidationError(
                f"{method} {kwargs.get('url', '')} answered {response.status_code} with a body "
                "that is not JSON",
                status_code=response.status_code,
                request_id=request_id_of(response),
            ) from None
