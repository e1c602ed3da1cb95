"""Turning what the pooled httpx client sees into this package's errors, for every caller.

Two seams of the one ``httpx.Client`` under ``client.api`` do it, so the overlay's calls and the
generated functions a user calls on ``client.api`` fail the same way, with the same typed errors:

* ``ErrorMappingTransport``, the outermost transport: a connection failure or timeout left after
  the retries becomes ``APIConnectionError`` / ``APITimeoutError``.
* ``StatusErrorHook``, a response event hook: any non-2xx answer becomes the ``APIStatusError``
  subclass from the one status-to-class table (``errors.from_response``), before the generated
  code could parse it into an ``ErrorResponse`` model.

``Requester`` then calls the generated operations' public ``sync_detailed`` functions, and is
the one place where a 2xx answer the client cannot read becomes ``APIResponseValidationError``
(naming the operation, status and request id, and keeping the answer), never a ``KeyError`` or a
``TypeError`` from a parser: see :meth:`Requester.call`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

if TYPE_CHECKING:
    from aionvision_cloud_api import AuthenticatedClient

from ._clock import Clock
from ._retry import RetryTransport
from ._wire import Unreadable, check
from .errors import (
    AionvisionError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    from_response,
    redact,
    request_id_of,
)

__all__ = ["ErrorMappingTransport", "LastResponse", "Requester", "StatusErrorHook"]

T = TypeVar("T")
# What the generated parsers raise on an answer unlike the contract (a missing key, a null where
# a value must be, JSON that is not JSON), and what the overlay's reading raises.
_PARSE_ERRORS = (Unreadable, KeyError, TypeError, ValueError, AttributeError, IndexError)


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


class LastResponse(threading.local):
    """An httpx response hook remembering, per thread, the last answer the pooled client got:
    the generated ``sync_detailed`` raises from its parser before returning it, and a parse
    failure must still say which answer it was (and keep it, for the job id an accepted import
    named: the journal records it)."""

    response: httpx.Response | None = None

    def __call__(self, response: httpx.Response) -> None:
        self.response = response

    def take(self) -> httpx.Response | None:
        response, self.response = self.response, None
        return response

    def __repr__(self) -> str:
        return "LastResponse()"


class Requester:
    """Calls the generated operations on ``client.api``; errors were raised below (see the module
    docstring), retries happened below that."""

    def __init__(self, api: AuthenticatedClient) -> None:
        # The overlay's subclasses register themselves for ``check`` to re-class answers into;
        # loaded with the first client, not with ``import aionvision_cloud``.
        from . import _models  # noqa: F401

        self.api = api
        self._last = LastResponse()
        # First among the response hooks, so even an answer a later hook rejects is the one seen.
        http = api.get_httpx_client()
        hooks = http.event_hooks
        http.event_hooks = {**hooks, "response": [self._last, *hooks.get("response", ())]}

    def __repr__(self) -> str:
        return "Requester()"

    def call(self, operation: ModuleType, read: Callable[[Any], T], *args: Any, **kwargs: Any) -> T:
        """``operation.sync_detailed(*args, client=client.api, **kwargs)``, its parsed answer
        checked (``_wire.check``: types, naive timestamps, the overlay's subclasses) and given to
        ``read`` for what the caller needs from it.

        Whatever the generated parser, the check or ``read`` cannot make of a 2xx answer raises
        ``APIResponseValidationError`` here; error statuses raised their typed errors below.
        """
        last = self._last
        last.response = None
        try:
            parsed = operation.sync_detailed(*args, client=self.api, **kwargs).parsed
            check(parsed, _name(operation))
            return read(parsed)
        except APIResponseValidationError as exc:
            if exc.response is not None:
                raise
            response = last.take()
            if response is None:
                raise
            raise unreadable(_name(operation), response, exc.message) from None
        except AionvisionError:
            raise
        except _PARSE_ERRORS as exc:
            response = last.take()
            if response is None:
                raise  # nothing was answered: not the answer's fault
            if isinstance(exc, Unreadable):
                reason = str(exc)
            elif isinstance(exc, json.JSONDecodeError):
                reason = f"a body that is not JSON: {exc}"
            else:
                reason = f"{type(exc).__name__}: {exc}"
            raise unreadable(_name(operation), response, reason) from exc


_NAMES: dict[ModuleType, str] = {}


def _name(operation: ModuleType) -> str:
    """The operation's name (its module's), as errors and checked paths say it."""
    name = _NAMES.get(operation)
    if name is None:
        name = _NAMES[operation] = operation.__name__.rpartition(".")[2]
    return name


def unreadable(operation: str, response: httpx.Response, reason: str) -> APIResponseValidationError:
    """The one spelling of "this 2xx answer cannot be read" (never a secret, never 20 MB)."""
    if len(reason) > 200:
        reason = reason[:200] + "..."
    if not response.content:
        reason = "an empty body"
    where = f"{response.request.method} {response.request.url.path}"
    return APIResponseValidationError(
        f"{operation}: {where} answered {response.status_code} with what the client cannot read"
        f" ({redact(reason, ())})",
        operation=operation,
        response=response,
        status_code=response.status_code,
        request_id=request_id_of(response),
    )
