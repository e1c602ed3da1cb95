"""Jobs: the ``job`` command, and following jobs with a progress display (import and export
use it too)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .._results import count
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

__all__ = ["follow", "follow_hint", "job", "jobs_table", "report_failures", "timed_out"]


def follow(
    cs: CloudStorage, board: JobBoard, label: str, timeout: float | None, unit: str = "files"
) -> bool:
    """Wait for the board's jobs with a progress display; True when all finished. Ctrl-C (or
    SIGTERM, SIGHUP) stops waiting (the jobs go on) and exits 130 (143, 129) after saying how
    to follow them."""
    from .progress import ProgressDisplay, wait_jobs
    from .signals import Interrupted

    try:
        display = ProgressDisplay(err(), label, board.total_files, len(board.job_ids), unit)
        with display:
            return wait_jobs(cs, board, timeout=timeout, on_update=display.update)
    except KeyboardInterrupt as exc:
        code = exc.exit_code if isinstance(exc, Interrupted) else EXIT_INTERRUPTED
        by = f" ({exc.name})" if isinstance(exc, Interrupted) and code != EXIT_INTERRUPTED else ""
        running = board.running()
        completed, failed = board.counts()
        where = f"at {completed + failed}/{board.total_files} {unit} ({failed} failed)"
        if running:
            note(
                "",
                f"Stopped waiting{by} {where}; the jobs go on.",
                f"Still running: {', '.join(running)}",
                f"Follow them with: {follow_hint(running)}",
            )
        else:
            note("", f"Stopped waiting{by} {where}; every job had finished.")
        stopped_json(exc.name if isinstance(exc, Interrupted) else "SIGINT", code, running)
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


def report_failures(jobs: list[Job]) -> None:
    """Which files failed and why, as the service tells it (the job's ``error``), for each job
    with failures: the table's ERROR column is cut short on a terminal and absent from --json
    readers' eyes."""
    for job in jobs:
        error = job.error if isinstance(job.error, str) else None
        if error and (count(job.failed_files) or job.status.value in ("failed", "partial")):
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
       "jobs": [JOB, ...], "waited": true|false, "timed_out": true|false}
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
        finished = True
        if wait and board.running():
            finished = follow(cs, board, "Waiting", timeout)
    jobs = board.jobs()
    finished_statuses = [j.status for j in jobs if j.is_terminal]
    status = outcome([j.status for j in jobs])
    if settings.as_json:
        print_json(
            {
                "status": status.value,
                "jobs": [job_json(j) for j in jobs],
                "waited": wait,
                "timed_out": not finished,
            }
        )
    else:
        jobs_table(jobs)
        report_failures(jobs)
    if not finished:
        timed_out(board, timeout)
        raise typer.Exit(EXIT_TIMEOUT)
    # Without --wait, finished jobs decide: a failed one is worth a non-zero exit.
    raise typer.Exit(exit_code_for(outcome(finished_statuses)))
