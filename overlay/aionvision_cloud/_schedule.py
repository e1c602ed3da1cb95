"""When to poll a job next: just after it should finish, judged from its own progress.

A job reports ``total_files``, ``completed_files`` and ``failed_files``; two observations of those
counters give its pace, and the pace gives the time left. The schedule then

* jumps to just after the estimated finish when the estimate is trustworthy: the pace held steady
  over the last two windows, and the jump is no longer than 1.5 times the window it was measured on;
* otherwise sleeps half the estimated time left, and no longer than the job would take at the
  fastest pace seen so far, so a pace that changes (or a stall that ends) costs an extra poll
  rather than a late return;
* falls back to growing intervals (``first``, x1.5 each time, up to ``cap``) when progress says
  nothing: a pending job, missing or zero counters, no progress since the last poll, or counters
  already at the total while the status is not yet terminal.

Every delay lies within ``[MIN_DELAY, cap]``; the waiter also clips it to its deadline and
replaces it with ``Retry-After`` on a 429. The first sighting of a running job only has
``created_at``/``updated_at`` for a pace, which counts the time spent pending, so the estimate it
gives is late: the schedule takes three quarters of it, at most the job's age and at most
``PROBE`` seconds.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

from .status import JobStatus

if TYPE_CHECKING:
    from ._models import Job

__all__ = ["GROWTH", "MIN_DELAY", "PollSchedule"]

GROWTH = 1.5
MIN_DELAY = 0.05
#: Longest first look ahead, before any pace has been measured between two polls.
PROBE = 1.0
#: Share of the estimated time left slept when the estimate is not trusted yet.
FRACTION = 0.5
#: How far past a measured window an estimate may reach and still be jumped to directly.
REACH = 1.5
#: The last two paces within this relative spread count as steady (a short first window is
#: noisy: a tick more or less in it is several per cent).
STEADY = 0.2
#: Slack after the estimated finish: a fixed part (updates land in ticks) plus a share.
SLACK_FIXED = 0.1
SLACK_SHARE = 0.05


def _processed(job: Job) -> tuple[int, int] | None:
    """(files processed, total files), or None when the counters say nothing (a counter the
    service left out or sent as null is not a number)."""
    total, completed, failed = job.total_files, job.completed_files, job.failed_files
    if not isinstance(total, int) or total <= 0:
        return None
    if not isinstance(completed, int) and not isinstance(failed, int):
        return None
    return (completed if isinstance(completed, int) else 0) + (
        failed if isinstance(failed, int) else 0
    ), total


def _stamp(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _window(local: float, before: datetime | None, after: datetime | None) -> float:
    """Seconds between two sightings. The job's own ``updated_at`` stamps mark when its counters
    changed, free of the request latency our clock adds (tens of ms, noise in a short window)."""
    if before is not None and after is not None:
        server = (after - before).total_seconds()
        if server > 0:
            return server
    return local


class PollSchedule:
    """The delays of one wait; feed it every job seen, in order, with the clock's time."""

    def __init__(self, first: float, cap: float) -> None:
        self.cap = max(cap, first)
        self._fallback = first
        # The last observation that showed progress: (monotonic time, the job's updated_at,
        # files processed).
        self._last: tuple[float, datetime | None, int] | None = None
        self._paces: deque[float] = deque(maxlen=2)
        self._best = 0.0  # the fastest pace seen: the job cannot finish sooner than at it

    def fallback(self) -> float:
        """The next of the growing intervals, for when progress says nothing."""
        delay = self._fallback
        self._fallback = min(self.cap, self._fallback * GROWTH)
        return self._clamp(delay)

    def after(self, job: Job, now: float) -> float:
        """Seconds to wait before polling ``job`` again, seen at ``now`` (monotonic)."""
        counters = _processed(job)
        if job.status is JobStatus.PENDING or counters is None:
            return self.fallback()
        done, total = counters
        remaining = total - done
        updated = _stamp(job.updated_at)
        last, self._last = self._last, (now, updated, done)
        if last is None:
            return self._first_look(job, done, remaining)
        window, progress = _window(now - last[0], last[1], updated), done - last[2]
        if progress <= 0 or window <= 0 or remaining <= 0:
            # A stall (or nothing left to estimate): measure afresh from here once it moves, so
            # the stalled time does not make the pace look slow for the rest of the job.
            return self.fallback()
        pace = progress / window
        self._paces.append(pace)
        self._best = max(self._best, pace)
        left = remaining / pace
        steady = max(self._paces) <= min(self._paces) * (1 + STEADY)
        if steady and left <= window * REACH:
            return self._clamp(left + SLACK_FIXED + SLACK_SHARE * left)
        # Not past the finish the fastest pace seen would give either: after a stall the
        # measured pace is too slow, and half its estimate can still be far too late.
        soonest = remaining / self._best + SLACK_FIXED
        return self._clamp(min(left * FRACTION, soonest))

    def _first_look(self, job: Job, done: int, remaining: int) -> float:
        created, updated = _stamp(job.created_at), _stamp(job.updated_at)
        if done <= 0 or remaining <= 0 or created is None or updated is None:
            return self.fallback()
        age = (updated - created).total_seconds()
        if age <= 0:
            return self.fallback()
        left = remaining * age / done
        # No further ahead than the job is old: a slow start must not look like a long job.
        return self._clamp(min(left * 0.75, age, PROBE))

    def _clamp(self, delay: float) -> float:
        return min(self.cap, max(MIN_DELAY, delay))
