"""When to poll a job next: just after it should finish, judged from its own progress.

A job reports ``total_files``, ``completed_files``, ``failed_files`` and ``updated_at``, the
service's time of its last change. Each sighting in which the count moved is a point (service
time, files processed), exact however long ago the change happened or however slow the request;
a job that stamps ``updated_at`` when it starts processing gives the point (start, 0) too. From
the points come

* the pace, files a second, over the longest run of recent points whose stretches agree within
  ``STEADY`` (the run's length is the evidence behind it);
* the finish on the service's clock (the last point plus the files left at that pace), brought to
  ours by the smallest ``our time - updated_at`` seen: the offset between the two clocks at most,
  tight once a poll lands soon after a change;
* the next poll: just after that finish when it is less than ``SHORT`` away, or when the pace is
  steady and the finish no more than ``REACH`` times the evidence ahead. Otherwise part of the
  time left: ``FRACTION_FIRST`` of it after a single stretch (a long first step keeps the last
  jump, the one a job that speeds up makes late, short), ``FRACTION`` after stretches that
  disagree, and never later than the finish at the fastest pace seen, nor sooner than the next
  file could be done at it (a poll between two files of a slow job shows nothing).

While the first file is processed, the next poll comes when the time in processing has about
tripled (grown by half with only one or two files in all, where that file is most of the job).
Until the next file is ``OVERDUE``, no change is what a slow job shows between files; after that
it is a stall, and the schedule falls back to growing intervals (``first``, x1.5 each time, up to
``cap``), as it does when progress says nothing: a pending job, missing counters, no file done and
no start stamp, or counters at the total while the status is not yet terminal. The fallback starts
again from ``first`` once the job moves.

Every delay lies within ``[MIN_DELAY, cap]``; the waiter also clips it to its deadline and
replaces it with ``Retry-After`` on a 429. Jobs are read by attribute and anything that is not an
``int`` or a ``datetime`` counts as missing, so the schedule works on any job model.
"""

from __future__ import annotations

import math
from datetime import datetime

from .status import JobStatus

__all__ = ["GROWTH", "MIN_DELAY", "PollSchedule"]

GROWTH = 1.5
MIN_DELAY = 0.05
#: Longest first look ahead when only ``created_at`` dates the work (no start stamp, one point).
PROBE = 1.0
#: While the first file is processed, the next poll comes when the time in processing has grown
#: by this factor.
FIRST_FILE_GROWTH = 3.0
#: Share of the estimated time left slept when the estimate is not trusted yet: after one
#: stretch, and after several that disagree.
FRACTION_FIRST = 0.6
FRACTION = 1 / 2
#: How far past its evidence (the run of steady points) an estimate may reach and still be
#: jumped to directly.
REACH = 2.0
#: An estimated finish this close (seconds) is jumped to whatever the evidence: a pace that
#: changes meanwhile costs a poll or this much at most.
SHORT = 1.0
#: Stretches whose paces lie within this relative spread of their run's pace count as steady.
STEADY = 0.1
#: Slack after the estimated finish: a fixed part (updates land in ticks, answers take time)
#: plus a share of the time jumped.
SLACK_FIXED = 0.1
SLACK_SHARE = 0.01
#: No change for this many files' worth of time (at the pace measured) is a stall.
OVERDUE = 2.0

Point = tuple[float, int]  # (service seconds since the first stamp seen, files processed)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _processed(job: object) -> tuple[int, int] | None:
    """(files processed, total files), or None when the counters say nothing."""
    total = _count(getattr(job, "total_files", None))
    completed = _count(getattr(job, "completed_files", None))
    failed = _count(getattr(job, "failed_files", None))
    if total is None or total <= 0 or (completed is None and failed is None):
        return None
    return (completed or 0) + (failed or 0), total


def _pace(a: Point, b: Point) -> float:
    """Files a second between two points (0 when they share a time)."""
    seconds = b[0] - a[0]
    return (b[1] - a[1]) / seconds if seconds > 0 else 0.0


class PollSchedule:
    """The delays of one wait; feed it every job seen, in order, with the clock's time."""

    def __init__(self, first: float, cap: float) -> None:
        self.first = first
        self.cap = max(cap, first)
        self._fallback = first
        self._epoch: datetime | None = None  # service stamps become seconds after this one
        self._offset = math.inf  # our clock minus the service's, at most
        self._start: float | None = None  # when processing began, if the job stamped it
        self._points: list[Point] = []
        self._best = 0.0  # the fastest pace of any stretch: the job cannot finish sooner than at it

    def fallback(self) -> float:
        """The next of the growing intervals, for when progress says nothing."""
        delay = self._fallback
        self._fallback = min(self.cap, self._fallback * GROWTH)
        return self._clamp(delay)

    def after(self, job: object, now: float) -> float:
        """Seconds to wait before polling ``job`` again, seen at ``now`` (monotonic)."""
        updated = self._seconds(getattr(job, "updated_at", None))
        if updated is None:
            # No service stamps: our own clock dates the points instead (request time is noise).
            updated, self._offset = now, 0.0
        self._offset = min(self._offset, now - updated)
        counters = _processed(job)
        if getattr(job, "status", None) == JobStatus.PENDING or counters is None:
            return self.fallback()
        done, total = counters
        if done >= total:
            return self.fallback()  # every file counted, the status not final yet
        if done == 0:
            return self._first_file(job, updated, total, now)
        moved = not self._points or done != self._points[-1][1]
        if moved:
            if self._points:
                self._fallback = self.first  # it moves again: a later stall starts afresh
                if done < self._points[-1][1]:
                    self._points.clear()  # counters went back (a retried job): measure anew
            if not self._points and self._start is not None and self._start < updated:
                self._points.append((self._start, 0))
            self._points.append((updated, done))
        if len(self._points) < 2:
            if not moved:
                return self.fallback()  # one point seen twice: nothing measured yet
            return self._first_look(job, updated, done, total, now)
        return self._estimate(total - done, moved, now)

    # -- the cases ------------------------------------------------------------------------------

    def _first_file(self, job: object, updated: float, total: int, now: float) -> float:
        created = self._seconds(getattr(job, "created_at", None))
        if created is not None and updated > created:
            self._start = updated  # processing began then (updated_at moved with no file done)
        # Without a start stamp, the job's age (pending time included) stands in for it.
        began = self._start if self._start is not None else created
        if began is None:
            return self.fallback()
        waited = max(0.0, now - self._offset - began)
        # With a file or two in all, the first one may be most of the job: grow gently then.
        growth = FIRST_FILE_GROWTH if total >= 3 else GROWTH
        return self._clamp(max(self.fallback(), (growth - 1) * waited))

    def _first_look(self, job: object, updated: float, done: int, total: int, now: float) -> float:
        """One point and no start stamp: ``created_at`` dates the work, pending time included, so
        the pace it gives is too slow and the finish too late."""
        created = self._seconds(getattr(job, "created_at", None))
        age = updated - created if created is not None else 0.0
        if age <= 0:
            return self.fallback()
        left = (total - done) * age / done + updated + self._offset - now
        return self._clamp(min(left * 0.75, age, PROBE))

    def _estimate(self, remaining: int, moved: bool, now: float) -> float:
        points = self._points
        last = points[-1]
        self._best = max(self._best, _pace(points[-2], last))
        first = self._steady_from()
        pace = _pace(points[first], last)
        if pace <= 0:
            return self.fallback()
        since = now - self._offset - last[0]  # service seconds since the last change
        if not moved and since > OVERDUE / pace + SLACK_FIXED:
            # The next file is well overdue: a stall. Polls stay within the time the rest
            # would take once it moves again, or a short job could resume and end unseen.
            rest = remaining / self._best + SLACK_FIXED
            return self._clamp(min(self.fallback(), max(self.first, rest)))
        left = last[0] + remaining / pace + self._offset - now
        # Nothing can show before the next file is due, even at the fastest pace seen: polling
        # sooner only costs a request.
        next_file = last[0] + 1 / self._best + self._offset - now + SLACK_FIXED
        evidence = last[0] - points[first][0]
        steady = first <= len(points) - 3  # two stretches or more agree
        if left <= SHORT or (steady and left <= REACH * evidence):
            return self._clamp(left + SLACK_FIXED + SLACK_SHARE * max(left, 0.0))
        soonest = last[0] + remaining / self._best + self._offset - now + SLACK_FIXED
        fraction = FRACTION if steady else FRACTION_FIRST
        return self._clamp(max(min(fraction * left, soonest), next_file))

    def _steady_from(self) -> int:
        """Index of the earliest point from which every stretch to the last agrees with the
        run's pace within ``STEADY`` (the last stretch alone at least)."""
        points = self._points
        start = len(points) - 2
        for i in range(len(points) - 3, -1, -1):
            run = _pace(points[i], points[-1])
            stretches = (_pace(points[k], points[k + 1]) for k in range(i, len(points) - 1))
            if run <= 0 or any(abs(p - run) > STEADY * run for p in stretches):
                break
            start = i
        return start

    # -- helpers --------------------------------------------------------------------------------

    def _seconds(self, stamp: object) -> float | None:
        if not isinstance(stamp, datetime):
            return None
        if self._epoch is None:
            self._epoch = stamp
        try:
            return (stamp - self._epoch).total_seconds()
        except TypeError:  # naive beside aware: the service changed its spelling mid-wait
            return None

    def _clamp(self, delay: float) -> float:
        return min(self.cap, max(MIN_DELAY, delay))
