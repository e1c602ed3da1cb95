"""Waiting for jobs: a quick first poll, then a poll just after the job should finish (see
``_schedule``), 429-aware, deadline-bounded.

A status read is idempotent, so a poll that meets a 5xx, a timeout or a dropped connection (after
the transport's own retries) is simply tried again later; only the deadline, a 4xx or a terminal
failure ends a wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._clock import Clock
from ._inputs import check_positive
from ._retry import wait_deadline
from ._schedule import PollSchedule
from .errors import (
    APIConnectionError,
    JobFailedError,
    JobTimeoutError,
    RateLimitError,
    ServerError,
)
from .status import JobStatus

if TYPE_CHECKING:
    from ._models import Job

__all__ = ["FAILURE_STATUSES", "JobWaiter"]

FAILURE_STATUSES = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})


def _progress_key(job: Job) -> tuple[object, ...]:
    return (job.status, job.completed_files, job.failed_files, job.total_files)


class JobWaiter:
    """Polls ``fetch(job_id)`` until the job is terminal or the deadline passes."""

    def __init__(
        self,
        fetch: Callable[[str], Job],
        clock: Clock,
        *,
        poll_interval: float,
        max_interval: float,
        timeout: float,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self.poll_interval = poll_interval
        self.max_interval = max_interval
        self.timeout = timeout

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        max_interval: float | None = None,
        on_progress: Callable[[Job], object] | None = None,
        raise_on_failure: bool = True,
        deadline: float | None = None,
    ) -> Job:
        """Return the terminal job. ``deadline`` (a ``clock.monotonic()`` value) overrides
        ``timeout`` so several waits can share one."""
        for name, value in (
            ("timeout", timeout),
            ("poll_interval", poll_interval),
            ("max_interval", max_interval),
        ):
            if value is not None:
                check_positive(name, value)
        timeout = self.timeout if timeout is None else timeout
        interval = self.poll_interval if poll_interval is None else poll_interval
        cap = self.max_interval if max_interval is None else max_interval
        schedule = PollSchedule(interval, cap)
        if deadline is None:
            deadline = self._clock.monotonic() + timeout
        last: Job | None = None
        last_error: Exception | None = None
        reported: tuple[object, ...] | None = None
        while True:
            retry_after: float | None = None
            # The first poll goes out at once, so short jobs return fast. The transport's own
            # retries stop at the deadline too (a Retry-After past it comes back here).
            try:
                with wait_deadline(deadline):
                    job = self._fetch(job_id)
            except RateLimitError as exc:
                retry_after = exc.retry_after
                wait = retry_after if retry_after is not None else schedule.fallback()
            except (ServerError, APIConnectionError) as exc:
                # Transient (APITimeoutError is an APIConnectionError): back off, poll again.
                last_error = exc
                wait = schedule.fallback()
            else:
                last, last_error = job, None
                if on_progress is not None and _progress_key(job) != reported:
                    reported = _progress_key(job)
                    on_progress(job)
                if job.is_terminal:
                    if raise_on_failure and job.status in FAILURE_STATUSES:
                        raise JobFailedError(job)
                    return job
                wait = schedule.after(job, self._clock.monotonic())
            remaining = deadline - self._clock.monotonic()
            if remaining > 0 and retry_after is not None and retry_after > remaining:
                # The service forbids polling before the deadline: wait it out, then say so.
                self._clock.sleep(remaining)
                remaining = 0
            if remaining <= 0:
                raise JobTimeoutError(
                    job_id, timeout, last, last_error=last_error, retry_after=retry_after
                )
            # Sleep to the deadline at most, then poll one last time.
            self._clock.sleep(min(wait, remaining))
