"""``aionvision-cloud``: connect Google Drive, browse it, import, export and follow jobs from a
terminal or a CI script.

Only typer and the standard library load at import time, so ``aionvision-cloud --help`` stays
quick; the client, rich and the CLI's helper modules load inside the commands that use them.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from aionvision_cloud import Client, CloudFile, CloudStorage, Job, JobStatus

    from ._cli_jobs import JobBoard

__all__ = ["app", "main"]

PROG = "aionvision-cloud"
ENV_API_KEY = "AIONVISION_API_KEY"
ENV_BASE_URL = "AIONVISION_BASE_URL"
_META = "aionvision_cloud.cli"

EXIT_CODES = """\b
Exit codes:
  0    completed
  1    any other error (the API said no, the network failed, ...)
  2    bad usage (a wrong option, a missing API key, bad input)
  3    partial: some files failed
  4    failed or cancelled
  5    timed out (--timeout, or no browser came back to connect)
  130  interrupted (Ctrl-C)"""

app = typer.Typer(
    name=PROG,
    help=f"""Connect Google Drive to Aionvision, browse it, import and export files, follow jobs.

Set AIONVISION_API_KEY (and AIONVISION_BASE_URL for anything but the real service, e.g. the
local emulator: make emulator). Start with 'aionvision-cloud connect'.

Every command takes --json for one machine-readable JSON document on stdout (its shape is in
the command's --help); errors are one line on stderr. Piped, tables become tab-separated lines
and progress bars become plain lines.

{EXIT_CODES}""",
    no_args_is_help=True,
    add_completion=False,
    # Plain help and plain usage errors: fast to print and one error line, no boxes.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


class _Settings:
    """Global options; ``--json`` and ``-v`` may also follow the subcommand."""

    def __init__(self, api_key: str | None, base_url: str | None) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.as_json = False
        self.verbose = False


# The state of one run, read by ``main`` to shape the error line.
_run: dict[str, Any] = {}

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout (shape below).")
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log every request (method, path, status, id).")
]
ConnectionArg = Annotated[
    str, typer.Argument(metavar="CONNECTION_ID", help="From 'aionvision-cloud connections'.")
]
WaitOpt = Annotated[
    bool,
    typer.Option("--wait", help="Wait for the jobs, with a progress bar; Ctrl-C stops waiting."),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", metavar="S", help="With --wait: give up after S seconds (exit 5)."),
]
JournalOpt = Annotated[
    str | None,
    typer.Option(
        "--journal",
        metavar="FILE",
        help="Record each batch in FILE; after a failure or Ctrl-C run the same command again:"
        " accepted batches are not sent twice.",
    ),
]
UncertainOpt = Annotated[
    str | None,
    typer.Option(
        "--on-uncertain",
        metavar="resend|skip",
        help="With --journal: a batch an earlier run sent without getting an answer is sent"
        " again (it may arrive twice) or skipped (reported, not done) [default: stop and ask].",
    ),
]


def _journal_args(journal: str | None, on_uncertain: str | None, command: str) -> dict[str, Any]:
    """The library's journal= and on_uncertain= from the command's options, checked."""
    if on_uncertain is not None and on_uncertain not in ("resend", "skip"):
        _usage("--on-uncertain is resend or skip", command)
    if on_uncertain is not None and journal is None:
        _usage("--on-uncertain applies with --journal", command)
    if journal is not None and not journal.strip():
        _usage("--journal needs a file name", command)
    return {"journal": journal, "on_uncertain": on_uncertain or "raise"}


def _uncertain_error(exc: Exception, command: str) -> NoReturn:
    """UncertainBatchError in the command line's words."""
    from ._cli_jobs import EXIT_OTHER
    from ._cli_output import CliError

    batches = getattr(exc, "batches", ())
    files = sum(len(b.items) for b in batches)
    raise CliError(
        f"{len(batches)} batch(es) ({files} items) of an earlier run were sent without an answer,"
        f" so the service may have acted on them: run '{PROG} {command}' again with"
        " --on-uncertain resend (they may arrive twice) or --on-uncertain skip (reported as not"
        " done)",
        EXIT_OTHER,
    ) from None


def _settings(ctx: typer.Context, as_json: bool = False, verbose: bool = False) -> _Settings:
    settings = ctx.find_root().meta.get(_META)
    if not isinstance(settings, _Settings):
        settings = _Settings(None, None)
        ctx.find_root().meta[_META] = settings
    settings.as_json = settings.as_json or as_json
    if verbose and not settings.verbose:
        settings.verbose = True
        _enable_request_log()
    _run["settings"] = settings
    return settings


class _Stderr:
    """Looks ``sys.stderr`` up on every write, so log lines go above a live progress bar (rich
    swaps ``sys.stderr`` while one is shown)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _enable_request_log() -> None:
    handler: logging.StreamHandler[Any] = logging.StreamHandler(_Stderr())
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("aionvision_cloud")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    _run["log_handler"] = handler


def _version(value: bool) -> None:
    if value:
        from aionvision_cloud import __version__

        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar=ENV_API_KEY,
            show_envvar=True,
            metavar="KEY",
            help="The API key (aion_...). Prefer the environment: a command line shows in 'ps'.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar=ENV_BASE_URL,
            show_envvar=True,
            metavar="URL",
            help="The API's base URL [default: https://api.aionvision.tech/api/v2].",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout (see each command).")
    ] = False,
    verbose: VerboseOpt = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.find_root().meta[_META] = _Settings(api_key, base_url)
    _settings(ctx, as_json, verbose)


# -- helpers used by the commands -----------------------------------------------------------------


def _client(settings: _Settings) -> Client:
    from aionvision_cloud import Client

    from ._cli_output import CliError

    if not settings.api_key or not settings.api_key.strip():
        raise CliError(f"no API key: set {ENV_API_KEY} (or pass --api-key)", 2)
    overrides: dict[str, Any] = {"api_key": settings.api_key}
    if settings.base_url:
        overrides["base_url"] = settings.base_url
    client = Client.from_env(**overrides)
    _run["base_url"] = client.base_url
    return client


def _out() -> Console:

    from rich.console import Console

    return Console(highlight=False)


def _err() -> Console:

    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _note(text: str) -> None:
    """Context for a person (titles, hints): stderr, so stdout stays data."""
    print(text, file=sys.stderr, flush=True)


def _say(text: str) -> None:
    print(text, flush=True)


def _usage(message: str, command: str) -> NoReturn:
    from ._cli_output import CliError

    raise CliError(f"{message} (see: {PROG} {command} --help)", 2)


def _check_timeout(timeout: float | None, wait: bool, command: str) -> None:
    if timeout is None:
        return
    if not wait:
        _usage("--timeout only applies with --wait", command)
    if not timeout > 0:
        _usage("--timeout must be a positive number of seconds", command)


def _follow_hint(job_ids: list[str]) -> str:
    return f"{PROG} job {' '.join(job_ids)} --wait"


def _follow(
    cs: CloudStorage, board: JobBoard, label: str, timeout: float | None, unit: str = "files"
) -> bool:
    """Wait for the board's jobs with a progress display; True when all finished. Ctrl-C stops
    waiting (the jobs go on) and exits 130 after saying how to follow them."""
    from ._cli_jobs import EXIT_INTERRUPTED, ProgressDisplay, wait_jobs

    try:
        display = ProgressDisplay(_err(), label, board.total_files, len(board.job_ids), unit)
        with display:
            return wait_jobs(cs, board, timeout=timeout, on_update=display.update)
    except KeyboardInterrupt:
        running = board.running()
        completed, failed = board.counts()
        where = f"at {completed + failed}/{board.total_files} {unit} ({failed} failed)"
        if running:
            _note(
                f"\nStopped waiting {where}; the jobs go on.\n"
                f"Still running: {', '.join(running)}\n"
                f"Follow them with: {_follow_hint(running)}"
            )
        else:
            _note(f"\nStopped waiting {where}; every job had finished.")
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _timed_out(board: JobBoard, timeout: float | None) -> None:
    running = board.running()
    _note(
        f"Error: timed out after {timeout:g}s; still running: {', '.join(running)}. "
        f"Follow them with: {_follow_hint(running)}"
    )


def _jobs_table(jobs: list[Job]) -> None:
    from ._cli_output import Table, short_time

    table = Table(["JOB ID", "TYPE", "STATUS", "DONE", "FAILED", "TOTAL", "UPDATED", "ERROR"])
    for job in jobs:
        table.add(
            job.job_id,
            job.type,
            job.status.value,
            job.completed_files,
            job.failed_files,
            job.total_files,
            short_time(job.updated_at or job.created_at),
            job.error,
        )
    table.show(_out())


def _status_unit(sent: int, ok: int) -> JobStatus:
    """The status of a batch that finished synchronously."""
    from aionvision_cloud import JobStatus

    if ok >= sent:
        return JobStatus.COMPLETED
    return JobStatus.FAILED if ok == 0 else JobStatus.PARTIAL


# -- connect, connections, disconnect -----------------------------------------------------------


@app.command()
def connect(
    ctx: typer.Context,
    provider: Annotated[
        str, typer.Option("--provider", help="The cloud storage provider.")
    ] = "google_drive",
    no_browser: Annotated[
        bool,
        typer.Option("--no-browser", help="Print the consent URL instead of opening a browser."),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="S", help="Seconds to wait for the browser (exit 5)."),
    ] = 300.0,
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Loopback port for the redirect (0: any)."),
    ] = 0,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Connect a cloud storage account: consent in a browser, back to 127.0.0.1.

    Opens the provider's consent page in your browser (or prints its URL with --no-browser)
    and waits for the browser to come back to a one-shot server on 127.0.0.1.

    \b
    --json prints:
      {"connection": {"id", "provider", "provider_email", "provider_display_name",
                      "is_active", "created_at", "last_used_at"},
       "is_new": true|false}
    """
    settings = _settings(ctx, as_json, verbose)
    if not timeout > 0:
        _usage("--timeout must be a positive number of seconds", "connect")

    def show_url(url: str) -> None:
        _note(
            f"Open this URL in a browser to authorize access:\n\n    {url}\n\n"
            f"Waiting up to {timeout:g}s for the browser to come back (Ctrl-C stops)..."
        )

    with _client(settings) as client:
        conn = client.cloud_storage.connect(
            provider, open_browser=show_url if no_browser else True, timeout=timeout, port=port
        )
    if settings.as_json:
        from ._cli_output import connection_json, print_json

        print_json({"connection": connection_json(conn), "is_new": bool(conn.is_new)})
        return
    who = conn.provider_email or conn.provider_display_name or "an account"
    state = "new connection" if conn.is_new else "already connected"
    _say(f"Connected {conn.provider or provider} account {who} ({state}).")
    _say(f"Connection id: {conn.id}")
    _note(f"Next: {PROG} browse {conn.id}")


@app.command()
def connections(
    ctx: typer.Context,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Only this provider's connections.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include inactive connections.")] = False,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """List the connected accounts.

    \b
    --json prints:
      {"connections": [{"id", "provider", "provider_email", "provider_display_name",
                        "is_active", "created_at", "last_used_at"}, ...]}
    """
    from ._cli_output import Table, connection_json, print_json, short_time

    settings = _settings(ctx, as_json, verbose)
    with _client(settings) as client:
        conns = client.cloud_storage.list_connections(provider, active_only=not all_)
    if settings.as_json:
        print_json({"connections": [connection_json(c) for c in conns]})
        return
    if not conns:
        _note(f"No connections. Make one with: {PROG} connect")
        return
    table = Table(["ID", "PROVIDER", "ACCOUNT", "ACTIVE", "CREATED", "LAST USED"])
    for c in conns:
        table.add(
            c.id,
            c.provider,
            c.provider_email or c.provider_display_name,
            {True: "yes", False: "no", None: "-"}[c.is_active],
            short_time(c.created_at),
            short_time(c.last_used_at),
        )
    table.show(_out())


@app.command()
def disconnect(
    ctx: typer.Context,
    connection_id: ConnectionArg,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Disconnect an account (its jobs already done stay done).

    \b
    --json prints:
      {"connection_id", "success": true|false, "message"}
    """
    settings = _settings(ctx, as_json, verbose)
    with _client(settings) as client:
        result = client.cloud_storage.disconnect(connection_id)
    if settings.as_json:
        from ._cli_output import print_json

        print_json(
            {"connection_id": connection_id, "success": result.success, "message": result.message}
        )
    elif result.success:
        _say(f"Disconnected {connection_id}." + (f" {result.message}" if result.message else ""))
    if not result.success:
        from ._cli_output import CliError

        raise CliError(f"could not disconnect {connection_id}: {result.message or 'no reason'}")


# -- browse ---------------------------------------------------------------------------------------


@app.command()
def browse(
    ctx: typer.Context,
    connection_id: ConnectionArg,
    folder: Annotated[
        str,
        typer.Option(
            "--folder",
            metavar="ID|PATH",
            help="'root', a folder id, or a path like 'My Drive/Photos/2024'.",
        ),
    ] = "root",
    images_only: Annotated[
        bool, typer.Option("--images-only", help="List images only (no folders).")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=100000, help="List at most N entries.")
    ] = 100,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """List a Drive folder's files and sub-folders, with the ids the other commands take.

    \b
    --json prints:
      {"connection_id", "folder": {"id", "path"},
       "files": [{"id", "name", "mime_type", "size_bytes", "modified_at", "is_folder"}, ...],
       "truncated": true|false}
    """
    from itertools import islice

    from ._cli_drive import DriveBrowser
    from ._cli_output import Table, file_json, human_size, print_json, short_time

    settings = _settings(ctx, as_json, verbose)
    with _client(settings) as client:
        drive = DriveBrowser(client.cloud_storage, connection_id)
        target = drive.resolve(folder)
        listing = drive.children(
            target.id,
            mime_prefix="image/" if images_only else None,
            include_folders=not images_only,
            page_size=min(limit + 1, 1000),
        )
        items = list(islice(listing, limit + 1))
    truncated = len(items) > limit
    items = items[:limit]
    if settings.as_json:
        print_json(
            {
                "connection_id": connection_id,
                "folder": {"id": target.id, "path": target.path},
                "files": [file_json(f) for f in items],
                "truncated": truncated,
            }
        )
        return
    _note(f"{target.path}  (folder id {target.id})")
    table = Table(["NAME", "TYPE", "SIZE", "MODIFIED", "ID"])
    for f in items:
        kind = "folder" if f.is_folder else (f.mime_type or "-")
        table.add(f.name, kind, human_size(f.size_bytes), short_time(f.modified_at), f.id)
    table.show(_out())
    what = "images" if images_only else "entries"
    if truncated:
        _note(f"Showing the first {limit} {what}; --limit N shows more.")
    elif not items:
        _note(f"No {what} in this folder.")
    else:
        _note(f"{len(items)} {what}.")


# -- import ---------------------------------------------------------------------------------------


def _files_by_id(cs: CloudStorage, connection_id: str, specs: list[str]) -> list[CloudFile]:
    """``ID`` or ``ID:NAME``; an id without a name is looked up in Drive for its name."""
    from aionvision_cloud import CloudFile

    from ._cli_drive import DriveBrowser
    from ._cli_output import CliError

    drive = DriveBrowser(cs, connection_id)
    files: list[CloudFile] = []
    for spec in specs:
        file_id, _, name = spec.partition(":")
        file_id = file_id.strip()
        if not file_id:
            _usage(f"--file {spec!r} has no id; use --file ID or --file ID:NAME", "import")
        if name.strip():
            files.append(CloudFile(id=file_id, name=name.strip()))
            continue
        found = drive.lookup(file_id)
        if found is None:
            raise CliError(f"no Drive file has the id {file_id!r}", 1)
        if found.is_folder:
            _usage(f"{found.name!r} ({file_id}) is a folder: import it with --folder", "import")
        files.append(found)
    return files


@app.command("import")
def import_(
    ctx: typer.Context,
    connection_id: ConnectionArg,
    file: Annotated[
        list[str] | None,
        typer.Option("--file", metavar="ID[:NAME]", help="A Drive file to import (repeatable)."),
    ] = None,
    folder: Annotated[
        str | None,
        typer.Option(
            "--folder", metavar="ID|PATH", help="Import this folder's files ('root', id, path)."
        ),
    ] = None,
    recursive: Annotated[
        bool, typer.Option("--recursive", "-r", help="With --folder: sub-folders too.")
    ] = False,
    images_only: Annotated[
        bool, typer.Option("--images-only", help="With --folder: images only.")
    ] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", metavar="T", help="Tag the images (repeatable).")
    ] = None,
    collection: Annotated[
        str | None, typer.Option("--collection", metavar="ID", help="Add them to a collection.")
    ] = None,
    no_describe: Annotated[
        bool, typer.Option("--no-describe", help="Skip the automatic AI descriptions.")
    ] = False,
    batch_size: Annotated[
        int | None,
        typer.Option("--batch-size", metavar="N", min=1, help="Files per request [default: 100]."),
    ] = None,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = None,
    journal: JournalOpt = None,
    on_uncertain: UncertainOpt = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Import Drive files into Aionvision, in batches; --wait follows the jobs.

    Give files with --file (repeatable) or a whole folder with --folder. Small batches may
    finish at once; larger ones become background jobs.

    \b
    --json prints:
      {"connection_id", "status": "completed|partial|failed|cancelled|pending|in_progress",
       "total_files", "completed_files", "failed_files",
       "image_ids": [...],          (known ids: synchronous batches, jobs that report them)
       "job_ids": [...], "jobs": [JOB, ...],
       "batches": [{"job_id", "is_async", "files_sent", "image_ids", "message"}, ...],
       "skipped_files": [...],   (with --journal --on-uncertain skip: not done)
       "waited": true|false, "timed_out": true|false}
      JOB is the shape 'aionvision-cloud job --help' shows.
    """
    from aionvision_cloud import Job, JobStatus

    from ._cli_drive import DriveBrowser
    from ._cli_jobs import EXIT_TIMEOUT, JobBoard, exit_code_for, outcome
    from ._cli_output import count, job_json, print_json

    settings = _settings(ctx, as_json, verbose)
    if bool(file) == (folder is not None):
        _usage("give either --file (repeatable) or --folder", "import")
    if folder is None and (recursive or images_only):
        _usage("--recursive and --images-only apply to --folder", "import")
    _check_timeout(timeout, wait, "import")
    resume = _journal_args(journal, on_uncertain, "import")
    with _client(settings) as client:
        cs = client.cloud_storage
        if folder is not None:
            drive = DriveBrowser(cs, connection_id)
            target = drive.resolve(folder)
            files = drive.files_in(target, recursive=recursive, images_only=images_only)
            source = target.path
        else:
            files = _files_by_id(cs, connection_id, file or [])
            source = "Drive"
        if not files:
            what = "images" if images_only else "files"
            if settings.as_json:
                print_json(_empty_import(connection_id))
            else:
                _say(f"Nothing to import: no {what} in {source}.")
            return
        if not settings.as_json:
            _note(f"Importing {count(len(files), 'file')} from {source}...")
        from aionvision_cloud.errors import UncertainBatchError

        try:
            result = cs.import_files(
                connection_id,
                files,
                auto_describe=False if no_describe else None,
                tags=tag or None,
                collection_id=collection,
                batch_size=batch_size,
                **resume,
            )
        except UncertainBatchError as exc:
            _uncertain_error(exc, "import")
        sync = [b for b in result.batches if not b.job_id]
        sync_ok = sum(len(b.image_ids) for b in sync)
        sync_failed = sum(max(0, b.files_sent - len(b.image_ids)) for b in sync)
        board = JobBoard(
            job_ids=result.job_ids,
            total_files=result.total_files,
            sync_done=(sync_ok, sync_failed),
        )
        for b in result.batches:
            if b.job_id:
                board.latest[b.job_id] = Job(
                    job_id=b.job_id,
                    status=b.status or JobStatus.PENDING,
                    type="import",
                    connection_id=connection_id,
                    total_files=b.total_files if b.total_files is not None else b.files_sent,
                )
        finished = True
        if wait and board.job_ids:
            finished = _follow(cs, board, "Importing", timeout)

    statuses = [_status_unit(b.files_sent, len(b.image_ids)) for b in sync]
    statuses += [j.status for j in board.jobs()]
    status = outcome(statuses)
    completed, failed = board.counts()
    image_ids = [i for b in sync for i in b.image_ids]
    image_ids += [i for j in board.jobs() for i in j.image_ids]
    if settings.as_json:
        print_json(
            {
                "connection_id": connection_id,
                "status": status.value,
                "total_files": board.total_files,
                "completed_files": completed,
                "failed_files": failed,
                "image_ids": image_ids,
                "job_ids": list(board.job_ids),
                "jobs": [job_json(j) for j in board.jobs()],
                "batches": [
                    {
                        "job_id": b.job_id,
                        "is_async": b.is_async,
                        "files_sent": b.files_sent,
                        "image_ids": list(b.image_ids),
                        "message": b.message,
                    }
                    for b in result.batches
                ],
                "skipped_files": list(result.skipped_files),
                "waited": wait,
                "timed_out": not finished,
            }
        )
    else:
        _report_import(board, status, completed, failed, image_ids, wait)
        _report_skipped(result.skipped_files, "files", "imported")
    if not finished:
        _timed_out(board, timeout)
        raise typer.Exit(EXIT_TIMEOUT)
    raise typer.Exit(exit_code_for(status))


def _report_skipped(skipped: Sequence[str], what: str, done: str) -> None:
    if skipped:
        _say(
            f"{len(skipped)} {what} not {done}: their batch was sent earlier without an answer"
            " and --on-uncertain skip was chosen."
        )


def _empty_import(connection_id: str) -> dict[str, Any]:
    return {
        "connection_id": connection_id,
        "status": "completed",
        "total_files": 0,
        "completed_files": 0,
        "failed_files": 0,
        "image_ids": [],
        "job_ids": [],
        "jobs": [],
        "batches": [],
        "skipped_files": [],
        "waited": False,
        "timed_out": False,
    }


def _report_import(
    board: JobBoard,
    status: JobStatus,
    completed: int,
    failed: int,
    image_ids: list[str],
    wait: bool,
) -> None:
    from ._cli_output import count

    jobs = board.jobs()
    in_jobs = f", in {count(len(jobs), 'job')}" if jobs else ""
    if status.is_terminal:
        _say(
            f"Import {status.value}: {completed} of {board.total_files} files imported, "
            f"{failed} failed{in_jobs}."
        )
    else:
        _say(f"Import {status.value}: {count(board.total_files, 'file')}{in_jobs}.")
    if jobs and (wait or len(jobs) > 1):
        _jobs_table(jobs)
    if image_ids:
        shown = ", ".join(image_ids[:10])
        more = f" and {len(image_ids) - 10} more (--json lists all)" if len(image_ids) > 10 else ""
        _say(f"Image ids: {shown}{more}")
    running = board.running()
    if running and not wait:
        _note(f"Follow with: {_follow_hint(running)}")


# -- export ---------------------------------------------------------------------------------------


@app.command()
def export(
    ctx: typer.Context,
    connection_id: ConnectionArg,
    image_ids: Annotated[
        list[str], typer.Argument(metavar="IMAGE_ID...", help="Aionvision image ids.")
    ],
    folder_id: Annotated[
        str | None,
        typer.Option(
            "--folder-id",
            metavar="ID",
            help="Drive folder to export into (a path with '/' works too) [default: My Drive].",
        ),
    ] = None,
    folder_name: Annotated[
        str | None,
        typer.Option(
            "--folder-name",
            metavar="NAME",
            help="Create a new folder with this name (inside --folder-id if given).",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option("--batch-size", metavar="N", min=1, help="Images per job [default: 100]."),
    ] = None,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = None,
    journal: JournalOpt = None,
    on_uncertain: UncertainOpt = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Export Aionvision images to Google Drive; --wait follows the jobs.

    \b
    --json prints:
      {"connection_id", "status": "completed|partial|failed|cancelled|pending|in_progress",
       "total_files", "completed_files", "failed_files",
       "job_ids": [...], "jobs": [JOB, ...], "message",
       "skipped_files": [...],   (with --journal --on-uncertain skip: not done)
       "waited": true|false, "timed_out": true|false}
      JOB is the shape 'aionvision-cloud job --help' shows.
    """
    from aionvision_cloud import Job, JobStatus

    from ._cli_drive import DriveBrowser
    from ._cli_jobs import EXIT_TIMEOUT, JobBoard, exit_code_for, outcome
    from ._cli_output import count, job_json, print_json

    settings = _settings(ctx, as_json, verbose)
    _check_timeout(timeout, wait, "export")
    resume = _journal_args(journal, on_uncertain, "export")
    if folder_name is not None and not folder_name.strip():
        _usage("--folder-name must not be empty", "export")
    with _client(settings) as client:
        cs = client.cloud_storage
        if folder_id is not None and "/" in folder_id:
            folder_id = DriveBrowser(cs, connection_id).resolve(folder_id).id
        from aionvision_cloud.errors import UncertainBatchError

        try:
            result = cs.export_files(
                connection_id,
                image_ids,
                folder_id=folder_id,
                folder_name=folder_name,
                batch_size=batch_size,
                **resume,
            )
        except UncertainBatchError as exc:
            _uncertain_error(exc, "export")
        board = JobBoard(job_ids=result.job_ids, total_files=len(image_ids))
        for b in result.batches:
            board.latest[b.job_id] = Job(
                job_id=b.job_id,
                status=b.status or JobStatus.PENDING,
                type="export",
                connection_id=connection_id,
                total_files=b.images_sent,
            )
        finished = True
        if wait:
            finished = _follow(cs, board, "Exporting", timeout, "images")
    status = outcome([j.status for j in board.jobs()])
    completed, failed = board.counts()
    if settings.as_json:
        print_json(
            {
                "connection_id": connection_id,
                "status": status.value,
                "total_files": board.total_files,
                "completed_files": completed,
                "failed_files": failed,
                "job_ids": list(board.job_ids),
                "jobs": [job_json(j) for j in board.jobs()],
                "message": result.message,
                "skipped_files": list(result.skipped_files),
                "waited": wait,
                "timed_out": not finished,
            }
        )
    else:
        jobs = board.jobs()
        in_jobs = f", in {count(len(jobs), 'job')}"
        if status.is_terminal:
            _say(
                f"Export {status.value}: {completed} of {board.total_files} images exported, "
                f"{failed} failed{in_jobs}."
            )
        else:
            _say(f"Export {status.value}: {count(board.total_files, 'image')}{in_jobs}.")
        if result.message:
            _say(result.message)
        _report_skipped(result.skipped_files, "images", "exported")
        if wait:
            _jobs_table(jobs)
        elif board.running():
            _note(f"Follow with: {_follow_hint(board.running())}")
    if not finished:
        _timed_out(board, timeout)
        raise typer.Exit(EXIT_TIMEOUT)
    raise typer.Exit(exit_code_for(status))


# -- job ------------------------------------------------------------------------------------------


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
    where JOB is:
      {"job_id", "status", "raw_status", "type", "connection_id", "total_files",
       "completed_files", "failed_files", "error", "created_at", "updated_at",
       "completed_at", "image_ids": [...]}
    """
    from ._cli_jobs import EXIT_TIMEOUT, JobBoard, exit_code_for, outcome
    from ._cli_output import job_json, print_json

    settings = _settings(ctx, as_json, verbose)
    _check_timeout(timeout, wait, "job")
    unique = list(dict.fromkeys(job_ids))
    with _client(settings) as client:
        cs = client.cloud_storage
        # One look first: it shows the jobs, and gives the progress bar its total.
        board = JobBoard(job_ids=tuple(unique), total_files=0)
        for job_id in unique:
            board.latest[job_id] = cs.get_job(job_id)
        board.total_files = sum(j.total_files or 0 for j in board.jobs())
        finished = True
        if wait and board.running():
            finished = _follow(cs, board, "Waiting", timeout)
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
        _jobs_table(jobs)
    if not finished:
        _timed_out(board, timeout)
        raise typer.Exit(EXIT_TIMEOUT)
    # Without --wait, finished jobs decide: a failed one is worth a non-zero exit.
    raise typer.Exit(exit_code_for(outcome(finished_statuses)))


# -- the entry point ------------------------------------------------------------------------------


def _exit_code(exc: BaseException) -> int:
    from aionvision_cloud.errors import (
        ConfigurationError,
        InvalidInputError,
        JobFailedError,
        JobTimeoutError,
        OAuthTimeoutError,
    )

    from ._cli_jobs import EXIT_FAILED, EXIT_OTHER, EXIT_TIMEOUT, EXIT_USAGE
    from ._cli_output import CliError

    if isinstance(exc, CliError):
        return exc.exit_code
    if isinstance(exc, (InvalidInputError, ConfigurationError)):
        return EXIT_USAGE
    if isinstance(exc, (JobTimeoutError, OAuthTimeoutError)):
        return EXIT_TIMEOUT
    if isinstance(exc, JobFailedError):
        return EXIT_FAILED
    return EXIT_OTHER


def _error_line(exc: BaseException) -> str:
    """One line: status, code, message and request id for API errors; never a secret."""
    from aionvision_cloud.errors import (
        AionvisionError,
        APIConnectionError,
        AuthenticationError,
    )

    from ._cli_output import CliError

    if isinstance(exc, CliError):
        text = exc.message
    elif isinstance(exc, AionvisionError):
        text = str(exc)
        if isinstance(exc, APIConnectionError) and _run.get("base_url"):
            text += f" (base URL {_run['base_url']})"
        if isinstance(exc, AuthenticationError):
            text += f"; check {ENV_API_KEY}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (a bug: -v shows the traceback)"
    settings = _run.get("settings")
    key = settings.api_key if isinstance(settings, _Settings) else None
    if key and key.strip():
        text = text.replace(key.strip(), "[redacted]")
    return "Error: " + " ".join(text.split())


def _is_bug(exc: BaseException) -> bool:
    from aionvision_cloud.errors import AionvisionError

    from ._cli_output import CliError

    return not isinstance(exc, (AionvisionError, CliError))


def main(argv: list[str] | None = None) -> int:
    """The console script: run one command, return its exit code."""
    _run.clear()
    command = typer.main.get_command(app)
    stderr: TextIO = sys.stderr
    try:
        # standalone_mode: usage errors print with their usage line and exit 2, Ctrl-C exits
        # 130; anything else a command raises lands below as one line.
        command.main(args=argv, prog_name=PROG, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:
        print(_error_line(exc), file=stderr, flush=True)
        settings = _run.get("settings")
        if isinstance(settings, _Settings) and settings.verbose and _is_bug(exc):
            import traceback

            traceback.print_exc(file=stderr)
        return _exit_code(exc)
    finally:
        handler = _run.get("log_handler")
        if isinstance(handler, logging.Handler):
            logging.getLogger("aionvision_cloud").removeHandler(handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
