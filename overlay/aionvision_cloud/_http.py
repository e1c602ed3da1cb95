"""Turning what the pooled httpx client sees into this package's errors, for every caller.

Three seams of the one ``httpx.Client`` under ``client.api`` do it, so the overlay's calls and
the generated functions a user calls on ``client.api`` fail the same way, with the same typed
errors:

* ``ErrorMappingTransport``, the outermost transport: a connection failure or timeout left after
  the retries becomes ``APIConnectionError`` / ``APITimeoutError``.
* ``StatusErrorHook``, a response event hook: any non-2xx answer becomes the ``APIStatusError``
  subclass from the one status-to-class table (``errors.from_response``), before the generated
  code could parse it into an ``ErrorResponse`` model.
* ``ContractCheck``, the next response hook: a 2xx answer unlike ``openapi.yaml`` becomes
  ``APIResponseValidationError`` (operation, status, request id, the answer kept), before a
  generated parser could turn it into a ``KeyError`` or a string where an int belongs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

if TYPE_CHECKING:
    from aionvision_cloud_api import AuthenticatedClient
    from aionvision_cloud_api.types import Response

from ._clock import Clock
from ._operations import operation_of
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

__all__ = ["ContractCheck", "ErrorMappingTransport", "Requester", "StatusErrorHook", "core_id"]

T = TypeVar("T")


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


class ContractCheck:
    """An httpx response hook holding every 2xx answer to ``openapi.yaml``: its JSON is checked
    against the operation's schema (the checks ``make regen`` compiled into the generated
    ``contract`` module) before any parser reads it, so the overlay and the generated functions
    on ``client.api`` refuse the same answers with the same ``APIResponseValidationError``
    (operation, status, request id), and what the generated parsers then read is what their
    types say. Unknown keys, and nulls where the contract allows them, pass."""

    def __init__(self) -> None:
        # The last answer checked, per thread: what ``Requester.read`` names when the overlay
        # cannot use an answer the contract allows (an empty job id).
        self.last = threading.local()

    def __call__(self, response: httpx.Response) -> None:
        if not response.is_success:
            return
        from aionvision_cloud_api import contract

        self.last.response = response
        request = response.request
        found = operation_of(request.method, request.url.path)
        op = found.name if found is not None else ""
        answers = contract.JSON_ANSWERS.get(op)
        if answers is None:
            return  # not an operation of the contract, or one that answers HTML
        response.read()
        if response.status_code not in answers:
            # A 2xx openapi.yaml does not give (a 299; a 204 where a body is due): the generated
            # parser could not read it either.
            reason = f"a {response.status_code} the contract does not document"
            raise unreadable(op, response, reason)
        try:
            data = json.loads(response.content)
        except ValueError as exc:
            raise unreadable(op, response, f"a body that is not JSON: {exc}") from None
        try:
            contract.check_response(op, response.status_code, data)
        except contract.JsonSchemaValueException as exc:
            raise unreadable(op, response, exc.message) from None

    def __repr__(self) -> str:
        return "ContractCheck()"


class Requester:
    """Reads what the generated operations on ``client.api`` answered; errors were raised below
    (see the module docstring), retries happened below that."""

    def __init__(self, api: AuthenticatedClient, checked: ContractCheck) -> None:
        self.api = api
        self._checked = checked

    def __repr__(self) -> str:
        return "Requester()"

    def read(self, response: Response[Any], operation: str, read: Callable[[Any], T]) -> T:
        """``read(answer)``, the generated model a ``sync_detailed`` call parsed (from an answer
        ``ContractCheck`` held to the contract), made the overlay's. What ``read`` still cannot
        make of it (an empty core id) raises ``APIResponseValidationError``."""
        try:
            return read(response.parsed)
        except APIResponseValidationError as exc:
            answer = getattr(self._checked.last, "response", None)
            if exc.response is not None or answer is None:
                raise
            raise unreadable(operation, answer, exc.message) from None
        except (Unreadable, KeyError, TypeError, ValueError, AttributeError) as exc:
            # The answer is kept whole: the journal reads an accepted job id there.
            answer = getattr(self._checked.last, "response", None)
            if answer is None:
                raise
            raise unreadable(operation, answer, str(exc)) from None


class Unreadable(Exception):
    """An answer that matches the contract but lacks what the overlay needs (a core id)."""


def core_id(value: object, path: str) -> str:
    """A core identifier of an answer (a job id, a connection id): a non-empty string, which the
    contract leaves unchecked (no ``minLength``) but the overlay cannot do without."""
    if not isinstance(value, str) or not value:
        raise Unreadable(f"{path} is missing or empty")
    return value


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
