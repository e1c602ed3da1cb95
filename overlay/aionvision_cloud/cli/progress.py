"""Following jobs from the command line: one poll loop over several jobs, one progress display
over all their files, and the exit code their outcome maps to. Loaded by the commands that wait
(it imports rich)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.text import Text

from aionvision_cloud import JobStatus, RateLimitError

from .._results import count
from .._schedule import PollSchedule
from .output import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL

if TYPE_CHECKING:
    from aionvision_cloud import CloudStorage, Job

__all__ = [
    "JobBoard",
    "ProgressDisplay",
    "exit_code_for",
    "outcome",
    "wait_jobs",
]

FIRST_PAUSE = 0.5
# A bar that moves every 2 s still reads as live.
MAX_PAUSE = 2.0
# Every unfinished job is polled each round; past a handful of jobs the rounds spread out so
# polling stays under ~100 requests a minute (the PROFESSIONAL plan's limit).
SECONDS_PER_JOB = 0.6


def outcome(statuses: Sequence[JobStatus]) -> JobStatus:
    """One status for several units of work (jobs, synchronous batches)."""
    if not statuses:
        return JobStatus.COMPLETED
    if not all(s.is_terminal for s in statuses):
        if all(s is JobStatus.PENDING for s in statuses):
            return JobStatus.PENDING
        return JobStatus.IN_PROGRESS
    if all(s is JobStatus.COMPLETED for s in statuses):
        return JobStatus.COMPLETED
    if all(s in (JobStatus.FAILED, JobStatus.CANCELLED) for s in statuses):
        return JobStatus.FAILED if JobStatus.FAILED in statuses else JobStatus.CANCELLED
    return JobStatus.PARTIAL


def exit_code_for(status: JobStatus) -> int:
    if status is JobStatus.PARTIAL:
        return EXIT_PARTIAL
    if status in (JobStatus.FAILED, JobStatus.CANCELLED):
        return EXIT_FAILED
    return EXIT_OK


@attrs.define
class JobBoard:
    """The jobs of one command and the last state seen of each; read after a Ctrl-C too."""

    job_ids: tuple[str, ...]
    #: Files the operation covers in all, jobs and synchronous batches together.
    total_files: int
    #: (completed, failed) of batches that finished synchronously.
    sync_done: tuple[int, int] = (0, 0)
    latest: dict[str, Job] = attrs.field(factory=dict)
    #: (completed, failed) of the command's files given the jobs seen, when plain sums would
    #: say more: a journal re-run's jobs shared with an earlier call count that call's too.
    tally: Callable[[list[Job]], tuple[int, int]] | None = None

    def running(self) -> list[str]:
        return [j for j in self.job_ids if j not in self.latest or not self.latest[j].is_terminal]

    def jobs(self) -> list[Job]:
        return [self.latest[j] for j in self.job_ids if j in self.latest]

    def counts(self) -> tuple[int, int]:
        """(completed, failed) files so far."""
        jobs = self.jobs()
        if self.tally is not None:
            return self.tally(jobs)
        completed = self.sync_done[0] + sum(count(j.completed_files) for j in jobs)
        failed = self.sync_done[1] + sum(count(j.failed_files) for j in jobs)
        return completed, failed


def wait_jobs(
    cs: CloudStorage,
    board: JobBoard,
    *,
    timeout: float | None,
    on_update: Callable[[JobBoard], object],
    sleep: Callable[[float], object] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> bool:
    """Poll every unfinished job, round after round, until all are finished; False when
    ``timeout`` seconds passed first. The first round goes out at once; the next one when the
    soonest job should finish, by the library's schedule (``wait_for_job``'s: the pace of its
    counters and ``updated_at``), 2 s later at most so the display stays live."""
    deadline = None if timeout is None else monotonic() + timeout
    schedules: dict[str, PollSchedule] = {}
    while True:
        waits: list[float] = []
        retry_after = 0.0
        for job_id in board.running():
            try:
                job = cs.get_job(job_id)
            except RateLimitError as exc:
                # The transport already retried; back off as told before the next round.
                retry_after = exc.retry_after or 0.0
                break
            board.latest[job_id] = job
            if not job.is_terminal:
                schedule = schedules.setdefault(job_id, PollSchedule(FIRST_PAUSE, MAX_PAUSE))
                waits.append(schedule.after(job, monotonic()))
        on_update(board)
        running = len(board.running())
        if not running:
            return True
        wait = max(min(waits, default=FIRST_PAUSE), retry_after)
        if running > 1:
            # Every unfinished job is read each round: with many, the rounds spread out.
            wait = max(wait, SECONDS_PER_JOB * running)
        if deadline is not None:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return False
            wait = min(wait, remaining)
        sleep(wait)


class ProgressDisplay:
    """Progress over all files of an operation: a live bar when stderr is a terminal, a plain
    line per change otherwise (CI logs, pipes)."""

    def __init__(
        self, console: Console, label: str, total_files: int, jobs_total: int, unit: str = "files"
    ) -> None:
        self._console = console
        self._unit = unit
        self._label = label
        self._total = total_files
        self._jobs_total = jobs_total
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._last: tuple[int, int, int] | None = None

    def __enter__(self) -> ProgressDisplay:
        if self._console.is_terminal:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=30),
                MofNCompleteColumn(),
                TextColumn(self._unit),
                TextColumn("[dim]•"),
                _FailedColumn(),
                TextColumn("[dim]•"),
                _RateColumn(self._unit),
                TextColumn("[dim]•"),
                _TimeLeftColumn(),
                TextColumn("[dim]{task.fields[jobs]}"),
                console=self._console,
                # Rich's default 30 s window makes the rate lag a whole short import.
                speed_estimate_period=10,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                self._label, total=self._total, failed=0, jobs=self._jobs_text(0)
            )
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self._progress is not None:
            if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
                # The terminal echoed ^C where rich's cursor was: redrawing the bar now would
                # leave a second copy. Clear it; the caller says where things stood.
                self._progress.live.transient = True
            self._progress.stop()

    def _jobs_text(self, done: int) -> str:
        return f"• {done}/{self._jobs_total} jobs" if self._jobs_total != 1 else ""

    def update(self, board: JobBoard) -> None:
        completed, failed = board.counts()
        jobs_done = len(board.job_ids) - len(board.running())
        state = (completed, failed, jobs_done)
        if state == self._last:
            return
        self._last = state
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task,
                completed=completed + failed,
                failed=failed,
                jobs=self._jobs_text(jobs_done),
            )
            return
        jobs = f", {jobs_done}/{self._jobs_total} jobs finished" if self._jobs_total > 1 else ""
        print(
            f"{self._label}: {completed + failed}/{self._total} {self._unit} done, "
            f"{failed} failed{jobs}",
            file=sys.stderr,
            flush=True,
        )


class _FailedColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        failed = int(task.fields.get("failed", 0))
        return Text(f"{failed} failed", style="red" if failed else "dim")


class _RateColumn(ProgressColumn):
    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        rate = f"{speed:.1f}" if speed else "-"
        return Text(f"{rate} {self.unit}/s", style="cyan")


class _TimeLeftColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        if task.finished:
            return Text(f"done in {_clock(task.finished_time or task.elapsed)}", style="green")
        left = task.time_remaining
        return Text(f"{_clock(left)} left" if left is not None else "-:-- left", style="yellow")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-:--"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
