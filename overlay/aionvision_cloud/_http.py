"""Sending a generated request through the pooled client and reading the answer safely."""

from __future__ import annotations

import json
from typing import Any

import httpx

from aionvision_cloud_api import AuthenticatedClient

from ._clock import Clock
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    from_response,
    request_id_of,
)

__all__ = ["Requester"]


class Requester:
    """Sends ``_get_kwargs(...)`` dicts from the generated modules; returns parsed JSON or raises
    the typed error. Retries already happened below, in the transport."""

    def __init__(self, api: AuthenticatedClient, clock: Clock, secrets: tuple[str, ...]) -> None:
        self.api = api
        self.clock = clock
        self._secrets = secrets

    def __repr__(self) -> str:
        return "Requester()"

    def send(self, kwargs: dict[str, Any]) -> Any:
        method = str(kwargs.get("method", "")).upper()
        url = kwargs.get("url", "")
        try:
            response = self.api.get_httpx_client().request(**kwargs)
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"{method} {url} timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"{method} {url} failed: {type(exc).__name__}: {self._clean(str(exc))}"
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
                status=response.status_code,
                request_id=request_id_of(response),
            ) from None

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text
