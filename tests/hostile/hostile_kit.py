"""Shared pieces of the hostile-input suite: a counting transport, a fake clock, a client.

Imported as ``hostile_kit`` (conftest puts this folder on ``sys.path``; importlib mode does not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from aionvision_cloud import Client, RetryPolicy

API_KEY = "aion_hostile_KEY_0123456789abcdefXYZ"
BASE_URL = "https://api.example.test/api/v2"
START = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return START + timedelta(seconds=self.t)

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.t += seconds


class Counting:
    """A ``MockTransport`` handler that records every request it is given: the proof, for the
    caller's own mistakes, that nothing was sent."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler = handler or (lambda _: json_response(200, {}))
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )


def make_client(counting: Counting, clock: FakeClock, *, retries: int = 0, **kw: Any) -> Client:
    return Client(
        kw.pop("api_key", API_KEY),
        base_url=kw.pop("base_url", BASE_URL),
        clock=clock,
        transport=counting.transport(),
        retry_policy=RetryPolicy(max_retries=retries, max_total_wait=60.0),
        **kw,
    )


def job_body(job_id: str = "job_1", status: str = "processing") -> dict[str, Any]:
    return {
        "job": {
            "job_id": job_id,
            "job_type": "import",
            "status": status,
            "total_files": 2,
            "processed_files": 1,
            "failed_files": 0,
            "created_at": "2025-01-15T10:30:00Z",
        }
    }
