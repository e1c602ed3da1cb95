"""Jobs: the ``job`` command, and following jobs with a progress display (import and export
use it too)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from .._results import FileResult, count
from .output import EXIT_INTERRUPTED, EXIT_TIMEOUT, Table, job_json, print_json, short_time
from .root import (
    JsonOpt,
    TimeoutOpt,
    VerboseOpt,
    WaitOpt,
    app,
    check_timeout,
    err,
    follow_hint,
    make_client,
    note,
    out,
    settings_of,
    stopped_json,
)

if TYPE_CHECKING:
    from aionvision_cloud import CloudStorage, Job

    from .progress import JobBoard

__all__ = ["follow", "follow_hint", "job", "jobs_table", "report_failures", "stop", "timed_out"]


def ended(waited: bool, stopped_by: str | None) -> dict[str, Any]:
    """How a command's --json document says it ended: waited or not, stopped by a timeout
    (``timed_out``, kept for scripts that read it), a signal's name, or None."""
    return {"waited": waited, "timed_out": stopped_by == "timeout", "stopped_by": stopped_by}


def settle(
    cs: CloudStorage,
    board: JobBoard,
    document: Callable[[str | None], dict[str, Any]],
    *,
    as_json: bool,
    wait: bool,
    label: str,
    timeout: float | None,
    unit: str = "files",
    interrupted: KeyboardInterrupt | None = None,
) -> bool:
    """After sending: a signal held back during it stops the command now, else the jobs are
    followed when ``wait``; under --json every way out prints ``document`` (how it ended).
    True when nothing is left running that was waited for."""

    def on_stop(name: str) -> None:
        if as_json:
            print_json(document(name))

    if interrupted is not None:
        stop(interrupted, board, unit, on_stop)
    return follow(cs, board, label, timeout, unit, on_stop=on_stop) if wait else True


def follow(
    cs: CloudStorage,
    board: JobBoard,
    label: str,
    timeout: float | None,
    unit: str = "files",
    on_stop: Callable[[str], None] | None = None,
) -> bool:
    """Wait for the board's jobs with a progress display; True when all finished. Ctrl-C (or
    SIGTERM, SIGHUP) stops waiting (the jobs go on) and exits 130 (143, 129) after saying how
    to follow them; ``on_stop`` gets the signal's name first (to print the command's --json
    document, as a timeout does)."""
    from .progress import ProgressDisplay, wait_jobs

    try:
        display = ProgressDisplay(err(), label, board.total_files, len(board.job_ids), unit)
        with display:
            return wait_jobs(cs, board, timeout=timeout, on_update=display.update)
    except KeyboardInterrupt as exc:
        stop(exc, board, unit, on_stop, waiting=True)


def stop(
    exc: KeyboardInterrupt,
    board: JobBoard,
    unit: str,
    on_stop: Callable[[str], None] | None,
    waiting: bool = False,
) -> NoReturn:
    """A stop by signal once jobs are known: say how to follow them, print the command's own
    document under --json (``on_stop``), exit 128 + the signal's number."""
    from .signals import Interrupted

    code = exc.exit_code if isinstance(exc, Interrupted) else EXIT_INTERRUPTED
    name = exc.name if isinstance(exc, Interrupted) else "SIGINT"
    by = f" ({name})" if code != EXIT_INTERRUPTED else ""
    running = board.running()
    completed, failed = board.counts()
    where = f"at {completed + failed}/{board.total_files} {unit} ({failed} failed)"
    if not waiting:
        # Stopped as the sending ended: the jobs just started, none followed yet.
        started = list(board.job_ids)
        if started:
            note(
                "",
                f"Stopped ({name}); the jobs go on.",
                f"Jobs started: {', '.join(started)}",
                f"Follow them with: {follow_hint(started)}",
            )
        else:
            note("", f"Stopped ({name}).")
    elif running:
        note(
            "",
            f"Stopped waiting{by} {where}; the jobs go on.",
            f"Still running: {', '.join(running)}",
            f"Follow them with: {follow_hint(running)}",
        )
    else:
        note("", f"Stopped waiting{by} {where}; every job had finished.")
    if on_stop is not None:
        on_stop(name)
    stopped_json(name, code, running)  # nothing more once the command's document is out
    raise typer.Exit(code) from None


def timed_out(board: JobBoard, timeout: float | None) -> None:
    running = board.running()
    note(
        f"Error: timed out after {timeout:g}s; still running: {', '.join(running)}. "
        f"Follow them with: {follow_hint(running)}"
    )


def jobs_table(jobs: list[Job]) -> None:
    table = Table(["JOB ID", "TYPE", "STATUS", "DONE", "FAILED", "TOTAL", "UPDATED", "ERROR"])
    for job in jobs:
        table.add(
            job.job_id,
            job.type_,
            job.status.value,
            job.completed_files,
            job.failed_files,
            job.total_files,
            short_time(job.updated_at or job.created_at),
            job.error,
        )
    table.show(out())


def report_failures(jobs: list[Job], failed: Sequence[FileResult] = ()) -> None:
    """Which files failed and why: a table of the ``failed`` files the service named, then the
    job's ``error`` as the service wrote it for each job with failures it did not name (the
    table's ERROR column is cut short on a terminal)."""
    if failed:
        table = Table(["FILE", "ID", "JOB ID", "REASON"])
        for f in failed:
            table.add(f.name or f.image_id, f.file_id or f.image_id, f.job_id, f.reason)
        table.show(out())
    named = Counter(f.job_id for f in failed)
    for job in jobs:
        error = job.error if isinstance(job.error, str) else None
        lost = count(job.failed_files)
        all_named = 0 < lost <= named[job.job_id]
        if error and not all_named and (lost or job.status.value in ("failed", "partial")):
            note(f"Failed in {job.job_id}: {error}")


@app.command()
def job(
    ctx: typer.Context,
    job_ids: Annotated[list[str], typer.Argument(metavar="JOB_ID...", help="Job ids.")],
    wait: WaitOpt = False,
    timeout: TimeoutOpt = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show import and export jobs; --wait follows them until they end.

    The exit code follows the jobs: 0 completed (or still running without --wait), 3 partial,
    4 failed or cancelled, 5 timed out.

    \b
    --json prints:
      {"status": "completed|partial|failed|cancelled|pending|in_progress",
       "jobs": [JOB, ...], "waited": true|false, "timed_out": true|false,
       "stopped_by": null|"timeout"|"SIGINT"|"SIGTERM"|"SIGHUP"}
                                 (a stop by signal prints this too, then exits 130/143/129)
    where JOB is every field of the answer's job (status mapped, raw_status as sent):
      {"job_id", "status", "raw_status", "type", "connection_id", "provider",
       "total_files", "completed_files", "failed_files", "error", "created_at",
       "updated_at", "completed_at", "cloud_file_ids", ..., "image_ids": [...]}
    """
    from .progress import JobBoard, exit_code_for, outcome

    settings = settings_of(ctx, as_json, verbose)
    check_timeout(timeout, wait, "job")
    unique = list(dict.fromkeys(job_ids))
    with make_client(settings) as client:
        cs = client.cloud_storage
        # One look first: it shows the jobs, and gives the progress bar its total.
        board = JobBoard(job_ids=tuple(unique), total_files=0)
        for job_id in unique:
            board.latest[job_id] = cs.get_job(job_id)
        board.total_files = sum(count(j.total_files) for j in board.jobs())

        def document(stopped_by: str | None) -> dict[str, Any]:
            return {
                "status": outcome([j.status for j in board.jobs()]).value,
                "jobs": [job_json(j) for j in board.jobs()],
                **ended(wait, stopped_by),
            }

        finished = settle(
            cs,
            board,
            document,
            as_json=settings.as_json,
            wait=wait and bool(board.running()),
            label="Waiting",
            timeout=timeout,
        )
    jobs = board.jobs()
    finished_statuses = [j.status for j in jobs if j.is_terminal]
    if settings.as_json:
        print_json(document(None if finished else "timeout"))
    else:
        jobs_table(jobs)
        report_failures(jobs)
    if not finished:
        timed_out(board, timeout)
        raise typer.Exit(EXIT_TIMEOUT)
    # Without --wait, finished jobs decide: a failed one is worth a non-zero exit.
    raise typer.Exit(exit_code_for(outcome(finished_statuses)))
