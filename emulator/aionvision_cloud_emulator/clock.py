"""Wall-clock time with an adjustable offset, so tests can expire things without sleeping."""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float, limit: float | None = None) -> None:
        """Move the clock forward; refuses (ValueError) an offset past `limit` or not finite."""
        with self._lock:
            offset = self._offset + seconds
            if not math.isfinite(offset) or (limit is not None and offset > limit):
                raise ValueError(f"the clock may move at most {limit} seconds in total")
            self._offset = offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


def iso(ts: float) -> str:
    """RFC 3339 in UTC with a `Z`, as the service writes timestamps."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
