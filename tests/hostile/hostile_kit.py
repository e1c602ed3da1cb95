"""Shared pieces of the hostile-input suite: a counting transport and a client on it.

Imported as ``hostile_kit`` (conftest puts this folder and ``tests/unit`` on ``sys.path``;
importlib mode does not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

# The overlay unit tests' fake clock and answer builder (conftest puts tests/unit on sys.path).
from overlay_testkit import FakeClock as FakeClock
from overlay_testkit import json_response as json_response

from aionvision_cloud import Client, RetryPolicy

API_KEY = "aion_hostile_KEY_0123456789abcdefXYZ"
BASE_URL = "https://api.example.test/api/v2"

Handler = Callable[[httpx.Request], httpx.Response]


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
