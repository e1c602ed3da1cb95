"""Sending a generated request through the pooled client and reading the answer safely."""

from __future__ import annotations

import json
from typing import Any

import httpx

from aionvision_cloud_api import AuthenticatedClient

from ._clock import Clock
from ._operations import build
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    from_response,
    redact,
    request_id_of,
)

__all__ = ["Requester"]


class Requester:
    """Sends the generated operations' requests (see ``_operations``); returns parsed JSON or
    raises the typed error. Retries already happened below, in the transport."""

    def __init__(self, api: AuthenticatedClient, clock: Clock, secrets: tuple[str, ...]) -> None:
        self.api = api
        self.clock = clock
        self._secrets = secrets

    def __repr__(self) -> str:
        return "Requester()"

    def call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        """Build ``operation``'s request from ``args``/``kwargs`` and send it."""
        return self.send(build(operation, *args, **kwargs))

    def send(self, kwargs: dict[str, Any]) -> Any:
        method = str(kwargs.get("method", "")).upper()
        url = kwargs.get("url", "")
        try:
            response = self.api.get_httpx_client().request(**kwargs)
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"{method} {url} timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"{method} {url} failed: {type(exc).__name__}: {redact(str(exc), self._secrets)}"
            ) from exc
        if not response.is_success:
            raise from_response(response, secrets=self._secrets, now=self.clock.now())
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise APIResponseValidationError(
                f"{method} {url} answered {response.status_code} with a body that is not JSON",
                status_code=response.status_code,
                request_id=request_id_of(response),
            ) from None
