"""The one clock every wait goes through: retry backoff, ``Retry-After``, job polling.

Injecting it lets tests and cassette replays run without really sleeping, and lets a caller bound
all waiting with ``DeadlineClock``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from ._inputs import check_positive
from .errors import ConfigurationError, WaitBudgetExceededError

__all__ = ["Clock", "DeadlineClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """What the client needs from time: a monotonic reading, the wall time, and sleep."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def now(self) -> datetime:
        """The current wall time, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for a while.

        Args:
            seconds: How long to block.
        """
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class DeadlineClock:
    """Wraps a clock so that all waiting together never passes one deadline.

    ``Client(clock=DeadlineClock(total_seconds=120))`` bounds every backoff, ``Retry-After`` and
    polling sleep of that client: a sleep that would end after the deadline raises
    ``WaitBudgetExceededError`` instead of sleeping.
    """

    def __init__(self, total_seconds: float, inner: Clock | None = None) -> None:
        check_positive("total_seconds", total_seconds, error=ConfigurationError)
        self._inner: Clock = inner if inner is not None else SystemClock()
        self._deadline = self._inner.monotonic() + total_seconds

    @property
    def remaining(self) -> float:
        return max(0.0, self._deadline - self._inner.monotonic())

    def monotonic(self) -> float:
        return self._inner.monotonic()

    def now(self) -> datetime:
        return self._inner.now()

    def sleep(self, seconds: float) -> None:
        if seconds > self.remaining:
            raise WaitBudgetExceededError(
                f"waiting {seconds:.1f}s would pass the deadline ({self.remaining:.1f}s left)"
            )
        self._inner.sleep(seconds)

    def __repr__(self) -> str:
        return f"DeadlineClock(remaining={self.remaining:.1f})"
