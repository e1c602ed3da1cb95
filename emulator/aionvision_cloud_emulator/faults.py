"""Misbehaviour on purpose: per-key rate limits, injected failures and added latency."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Sequence

from .config import FaultKind


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, bursts up to the same number."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, per_minute: int | None) -> int | None:
        """None when the request may go ahead; else the seconds to wait (for `Retry-After`)."""
        if per_minute is None or per_minute <= 0:
            return None
        rate = per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


class FaultInjector:
    """Seeded, so a run with the same seed and the same requests fails the same ones."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(seed)  # noqa: S311 - reproducible chaos, not security
        self._lock = threading.Lock()

    def roll(self, ratio: float, kinds: Sequence[FaultKind]) -> FaultKind | None:
        if ratio <= 0 or not kinds:
            return None
        with self._lock:
            if self._rng.random() >= ratio:
                return None
            return self._rng.choice(list(kinds))

    def reset(self) -> None:
        with self._lock:
            self._rng = random.Random(self._seed)  # noqa: S311


FAULT_ANSWERS: dict[str, tuple[int, str, str]] = {
    "429": (429, "RATE_LIMIT_ERROR", "Injected fault: rate limit exceeded"),
    "500": (500, "INTERNAL_ERROR", "Injected fault: internal server error"),
    "502": (502, "UPSTREAM_ERROR", "Injected fault: Google Drive answered with an error"),
    "503": (503, "SERVICE_UNAVAILABLE", "Injected fault: temporarily unavailable"),
    # The handler has run and committed: only the answer is lost.
    "500_after": (500, "INTERNAL_ERROR", "Injected fault: internal server error"),
}
#: Sent with injected 429s and 503s, as overloaded services do, so clients practise honouring it.
UNAVAILABLE_RETRY_AFTER = "1"


class ConnectionDropped(Exception):
    """Raised after a response has started, so the server closes the connection mid-answer."""
