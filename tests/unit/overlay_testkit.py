"""Test helpers for the overlay's unit tests: a fake clock and a scripted fake API.

Imported by test modules as ``overlay_testkit`` (conftest puts this folder on ``sys.path``; the
importlib import mode does not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

API_KEY = "aion_test_KEY_0123456789abcdefXYZ"
BASE_URL = "https://api.example.test/api/v2"
START = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]
Reply = httpx.Response | Exception | Handler


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


def json_response(
    status: int = 200, body: Any = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode() if body is not None else b"",
        headers={"content-type": "application/json", **(headers or {})},
    )


def error_body(
    code: str, message: str, request_id: str = "req-1", **details: Any
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error, "request_id": request_id}


class FakeAPI:
    """Answers by (method, path): a queue of replies per route, the last one repeating.

    A reply is a response, an exception to raise (a transport error), or a handler.
    ``requests`` records every request the transport saw.
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *replies: Reply) -> FakeAPI:
        self.routes[(method.upper(), path)] = list(replies)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v2")
        queue = self.routes.get((request.method, path))
        if not queue:
            return json_response(404, error_body("NOT_FOUND", f"no route {path}"))
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return reply

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.method == method and r.url.path.removeprefix("/api/v2") == path
        ]

    def bodies(self, method: str, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.calls(method, path)]


JOB_PATH = "/cloud-storage/jobs/{}"


def job_body(job_id: str = "job_550e8400", status: str = "in_progress", **extra: Any) -> Any:
    job: dict[str, Any] = {
        "job_id": job_id,
        "type": "import",
        "status": status,
        "connection_id": "550e8400-e29b-41d4-a716-446655440000",
        "provider": "google_drive",
        "total_files": 50,
        "completed_files": 30,
        "failed_files": 2,
        "error": None,
        "created_at": "2025-01-15T10:30:00Z",
        "updated_at": "2025-01-15T10:35:00Z",
        "completed_at": None,
    }
    job.update(extra)
    return {"job": job}
