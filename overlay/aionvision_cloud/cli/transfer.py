"""Transfers: ``import`` (Drive files into Aionvision) and ``export`` (images into Drive), in
batches, following their jobs with ``--wait``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import attrs
import typer

from aionvision_cloud import JobStatus
from aionvision_cloud.errors import AionvisionError

from .._export_folder import folder_of
from .._results import id_tuple
from .._transfers import file_counts
from .jobs import ended, follow_hint, jobs_table, report_failures, settle, timed_out
from .journals import use_journal
from .output import (
    EXIT_TIMEOUT,
    CliError,
    batch_json,
    count,
    job_json,
    print_json,
    record_json,
)
from .root import (
    DefaultConnectionArg,
    JournalOpt,
    JsonOpt,
    NoJournalOpt,
    RestartOpt,
    TimeoutOpt,
    UncertainOpt,
    VerboseOpt,
    WaitOpt,
    app,
    check_timeout,
    connection_of,
    default_connection,
    journal_args,
    make_client,
    note,
    record_jobs,
    say,
    settings_of,
    uncertain_error,
    usage,
)
from .signals import deferred

if TYPE_CHECKING:
    from aionvision_cloud import CloudFile, CloudStorage, ExportResult, ImportBatch, ImportResult

    from .progress import JobBoard

__all__ = ["export", "import_"]


#: Files per request on the most generous plan (ENTERPRISE, API-NOTES' plan table); FREE takes
#: 10, STARTER 50, PROFESSIONAL 100. Above it no plan accepts a batch: refused before sending.
MAX_BATCH_SIZE = 200


def _check_batch_size(batch_size: int | None, command: str) -> None:
    if batch_size is not None and batch_size > MAX_BATCH_SIZE:
        usage(
            f"--batch-size {batch_size} is over {MAX_BATCH_SIZE}, the most any plan takes in one"
            " request (FREE 10, STARTER 50, PROFESSIONAL 100, ENTERPRISE 200)",
            command,
        )


def _record_partial(exc: BaseException) -> None:
    """A failure after some batches were accepted: their jobs run on, so name them."""
    job_ids = getattr(getattr(exc, "partial", None), "job_ids", None)
    if job_ids:
        record_jobs(list(job_ids))


def _stopped_sending(exc: KeyboardInterrupt, resume: dict[str, Any], noun: str) -> None:
    """A second signal stopped the sending: name the jobs started, and how to send the rest."""
    _record_partial(exc)
    partial = getattr(exc, "partial", None)
    not_sent = len(getattr(partial, "not_sent", ()))
    if not_sent and resume.get("journal"):
        note(f"{count(not_sent, noun[:-1])} not sent: run the same command again to send them.")


def _sync_done(sync: Sequence[ImportBatch]) -> tuple[int, int]:
    """(imported, lost) files of the batches done at once: a batch lost the files it made no
    image for."""
    made = sum(len(id_tuple(b.image_ids)) for b in sync)
    return made, sum(b.files_sent for b in sync) - made


def _message(result: ExportResult) -> str | None:
    """The batches' messages, joined."""
    return "; ".join(b.message for b in result.batches if isinstance(b.message, str)) or None


def _status_unit(sent: int, ok: int) -> JobStatus:
    """The status of a batch that finished synchronously."""
    if ok >= sent:
        return JobStatus.COMPLETED
    return JobStatus.FAILED if ok == 0 else JobStatus.PARTIAL


# -- import ---------------------------------------------------------------------------------------


def _files_by_id(cs: CloudStorage, connection_id: str, specs: list[str]) -> list[CloudFile]:
    """``ID`` or ``ID:NAME``; an id without a name is looked up in Drive for its name."""
    from aionvision_cloud import CloudFile

    from .drive import DriveBrowser

    drive = DriveBrowser(cs, connection_id)
    files: list[CloudFile] = []
    for spec in specs:
        file_id, _, name = spec.partition(":")
        file_id = file_id.strip()
        if not file_id:
            usage(f"--file {spec!r} has no id; use --file ID or --file ID:NAME", "import")
        if name.strip():
            files.append(CloudFile(id=file_id, name=name.strip()))
            continue
        found = drive.lookup(file_id)
        if found is None:
            raise CliError(f"no Drive file has the id {file_id!r}", 1)
        if found.is_folder:
            usage(f"{found.name!r} ({file_id}) is a folder: import it with --folder", "import")
        files.append(found)
    return files


@app.command("import")
def import_(
    ctx: typer.Context,
    connection_id: DefaultConnectionArg = None,
    file: Annotated[
        list[str] | None,
        typer.Option("--file", metavar="ID[:NAME]", help="A Drive file to import (repeatable)."),
    ] = None,
    folder: Annotated[
        str | None,
        typer.Option(
            "--folder",
            metavar="ID|PATH",
            help="Import this folder's files ('root', id, path; a '/' in a name is '\\/').",
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
        typer.Option(
            "--batch-size",
            metavar="N",
            min=1,
            help="Files per request, at most 200 (your plan may take fewer) [default: 100].",
        ),
    ] = None,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = None,
    journal: JournalOpt = None,
    on_uncertain: UncertainOpt = None,
    restart: RestartOpt = False,
    no_journal: NoJournalOpt = False,
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
       "image_ids": [...],          (the ids safe to export: files done, and ids a batch
                                     done at once, or a job done for every file, gave)
       "files": [RECORD, ...],        (one per file sent, in order)
       "failed": [RECORD, ...],       (the files the service named as failed, with reasons)
       "shared_image_ids": [...],   (with --journal, a re-run for some of an earlier
                                     import's files: ids of batches that stand for other
                                     files too; which is which is not said)
       "job_ids": [...], "jobs": [JOB, ...],
       "batches": [BATCH, ...],
       "skipped_files": [...],   (with --journal --on-uncertain skip: not done)
       "waited": true|false, "timed_out": true|false,
       "stopped_by": null|"timeout"|"SIGINT"|"SIGTERM"|"SIGHUP"}
                                    (a stop by signal prints this document too, with the
                                     image ids known so far, then exits 130/143/129)
      RECORD is {"file_id", "name", "image_id", "outcome": "done|failed|unknown", "reason",
       "job_id"}: the image id only where the answer gives one per file sent (tied by
      position), the reason only for a failed file.
      JOB is the shape 'aionvision-cloud job --help' shows; BATCH is every field of one
      request's answer (its status that of its job as last seen) and the files it carried:
      {"is_async", "image_ids", "job_id", "status", "total_files", "message", ...,
       "files_sent", "batch_files"}  (files_sent: this command's; batch_files: null, or
                                      all the files an earlier import sent in it)
    """
    from aionvision_cloud import Job

    from .drive import DriveBrowser
    from .progress import JobBoard, exit_code_for, outcome

    settings = settings_of(ctx, as_json, verbose)
    connection_id = connection_of(connection_id, "import")
    _check_batch_size(batch_size, "import")
    if bool(file) == (folder is not None):
        usage("give either --file (repeatable) or --folder", "import")
    if folder is None and (recursive or images_only):
        usage("--recursive and --images-only apply to --folder", "import")
    check_timeout(timeout, wait, "import")
    resume = journal_args(journal, on_uncertain, "import", restart=restart, no_journal=no_journal)
    with make_client(settings) as client:
        cs = client.cloud_storage
        if folder is not None:
            drive = DriveBrowser(cs, connection_id)
            target = drive.resolve(folder)
            files = drive.files_in(target, recursive=recursive, images_only=images_only)
            source = target.path
            # The folder, not its listing: files added since a stop are sent by the re-run.
            defining: dict[str, Any] = {"folder": target.id, "recursive": recursive}
            defining["images_only"] = images_only
        else:
            files = _files_by_id(cs, connection_id, file or [])
            source = "Drive"
            defining = {"files": sorted({f.id for f in files})}
        if not files:
            what = "images" if images_only else "files"
            if settings.as_json:
                print_json(_empty_import(connection_id))
            else:
                say(f"Nothing to import: no {what} in {source}.")
            return
        if not settings.as_json:
            note(f"Importing {count(len(files), 'file')} from {source}...")
        defining.update(
            tags=sorted(set(tag or [])), collection=collection, describe=not no_describe
        )
        use_journal(
            resume,
            command="import",
            base_url=client.base_url,
            connection_id=connection_id,
            defining=defining,
            keys={f.id for f in files},
            restart=restart,
            no_journal=no_journal,
            noun="files",
        )
        from aionvision_cloud.errors import UncertainBatchError

        interrupted: KeyboardInterrupt | None = None
        answered: ImportResult | None = None
        try:
            # A signal while batches are sent waits for their answers: their job ids are what
            # the user needs to follow them.
            with deferred():
                answered = cs.import_files(
                    connection_id,
                    files,
                    auto_describe=False if no_describe else None,
                    tags=tag or None,
                    collection_id=collection,
                    batch_size=batch_size,
                    **resume,
                )
                record_jobs(answered.job_ids)
        except UncertainBatchError as exc:
            uncertain_error(exc, "import")
        except AionvisionError as exc:
            _record_partial(exc)
            raise
        except KeyboardInterrupt as exc:
            # The signal held back until the batches were answered: the result is whole, and
            # the stop prints it as a timeout would.
            if answered is None:
                _stopped_sending(exc, resume, "files")
                raise
            interrupted = exc
        assert answered is not None  # each other way out of the try raised
        result = answered
        sync = [b for b in result.batches if not b.job_id]
        board = JobBoard(
            job_ids=result.job_ids,
            total_files=sum(b.files_sent for b in result.batches),
            sync_done=_sync_done(sync),
            tally=lambda jobs: file_counts(result.batches, jobs),
        )
        for b in result.batches:
            if isinstance(b.job_id, str) and b.job_id:
                board.latest[b.job_id] = Job(
                    job_id=b.job_id,
                    status=b.status or JobStatus.PENDING,
                    type_="import",
                    connection_id=connection_id,
                    total_files=b.total_files if isinstance(b.total_files, int) else b.files_sent,
                )

        def status_now() -> JobStatus:
            # A batch shared with an earlier call: its own outcome (which of its files are this
            # command's is not said), never "completed" for a batch that lost files.
            statuses = [
                _status_unit(b.batch_files or b.files_sent, len(id_tuple(b.image_ids)))
                for b in sync
            ]
            return outcome(statuses + [j.status for j in board.jobs()])

        def document(stopped_by: str | None) -> dict[str, Any]:
            # Every id the service gave so far (batches done at once, ids announced with a
            # job, ids a job lists); counts of these files only.
            seen = attrs.evolve(result, jobs=tuple(board.jobs()))
            completed, failed = board.counts()
            return {
                "connection_id": connection_id,
                "status": status_now().value,
                "total_files": board.total_files,
                "completed_files": completed,
                "failed_files": failed,
                "image_ids": list(seen.image_ids),
                "files": [record_json(f) for f in seen.files],
                "failed": [record_json(f) for f in seen.failed],
                "shared_image_ids": list(result.journal.shared_image_ids),
                "job_ids": list(board.job_ids),
                "jobs": [job_json(j) for j in board.jobs()],
                "batches": _batches_now(result, board),
                "skipped_files": list(result.journal.skipped_files),
                **ended(wait, stopped_by),
            }

        finished = settle(
            cs,
            board,
            document,
            as_json=settings.as_json,
            wait=wait and bool(board.job_ids),
            label="Importing",
            timeout=timeout,
            interrupted=interrupted,
        )

    status = status_now()
    # Every id the service gave, and a plain word on those it did not give.
    seen = attrs.evolve(result, jobs=tuple(board.jobs()))
    completed, failed = board.counts()
    if settings.as_json:
        print_json(document(None if finished else "timeout"))
    else:
        _report_import(board, status, completed, failed, seen, wait)
        _report_skipped(result.journal.skipped_files, "files", "imported")
    if not finished:
        timed_out(board, timeout)
        raise typer.Exit(EXIT_TIMEOUT)
    raise typer.Exit(exit_code_for(status))


def _batches_now(result: ImportResult, board: JobBoard) -> list[dict[str, Any]]:
    """Each batch's answer, its ``status`` that of its job as last seen (the answer's is the
    job's when it was accepted)."""
    batches = []
    for b in result.batches:
        doc = batch_json(b)
        job = board.latest.get(b.job_id) if isinstance(b.job_id, str) else None
        if job is not None:
            doc["status"] = job.status.value
        batches.append(doc)
    return batches


def _report_skipped(skipped: Sequence[str], what: str, done: str) -> None:
    if skipped:
        say(
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
        "files": [],
        "failed": [],
        "shared_image_ids": [],
        "job_ids": [],
        "jobs": [],
        "batches": [],
        "skipped_files": [],
        "waited": False,
        "timed_out": False,
        "stopped_by": None,
    }


def _report_import(
    board: JobBoard,
    status: JobStatus,
    completed: int,
    failed: int,
    seen: ImportResult,
    wait: bool,
) -> None:
    jobs = board.jobs()
    in_jobs = f", in {count(len(jobs), 'job')}" if jobs else ""
    if status.is_terminal:
        say(
            f"Import {status.value}: {completed} of {board.total_files} files imported, "
            f"{failed} failed{in_jobs}."
        )
    else:
        say(f"Import {status.value}: {count(board.total_files, 'file')}{in_jobs}.")
    if jobs and (wait or len(jobs) > 1):
        jobs_table(jobs)
    report_failures(jobs, seen.failed)
    image_ids = seen.image_ids
    if image_ids:
        shown = ", ".join(image_ids[:10])
        more = f" and {len(image_ids) - 10} more (--json lists all)" if len(image_ids) > 10 else ""
        say(f"Image ids: {shown}{more}")
    no_id = [f for f in seen.files if f.outcome == "done" and not f.image_id]
    if no_id and not image_ids:
        jobs_named = ", ".join(dict.fromkeys(f.job_id for f in no_id if f.job_id))
        say(
            f"No image ids for {count(len(no_id), 'file')}: the service ran them as {jobs_named}"
            " and answered no image ids (an import that becomes a job reports counts only, as"
            " the API document shows). Find those images in your Aionvision library; the"
            " import's tags help."
        )
    unknown = len(seen.files) - seen.completed_files - seen.failed_files
    if unknown and status.is_terminal:
        say(
            f"{count(unknown, 'file')} of unknown outcome: the service did not say which files"
            " failed; --json lists each file."
        )
    running = board.running()
    if running and not wait:
        note(f"Follow with: {follow_hint(running)}")


# -- export ---------------------------------------------------------------------------------------


def _export_args(cs: CloudStorage, args: list[str], default: str | None) -> tuple[str, list[str]]:
    """(connection, image ids) from export's arguments and the default connection."""
    if default is not None and args[0] not in {
        c.id for c in cs.list_connections(active_only=False)
    }:
        return default, args
    if len(args) < 2:
        usage("give at least one IMAGE_ID after the connection", "export")
    return args[0], args[1:]


@app.command()
def export(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="[CONNECTION_ID] IMAGE_ID...",
            help="The connection, then Aionvision image ids; with a default connection"
            " ($AIONVISION_CONNECTION_ID or the config file's) the image ids alone.",
        ),
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
            help="Create a new folder with this name in My Drive (not with --folder-id).",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            metavar="N",
            min=1,
            help="Images per job, at most 200 (your plan may take fewer) [default: 100].",
        ),
    ] = None,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = None,
    journal: JournalOpt = None,
    on_uncertain: UncertainOpt = None,
    restart: RestartOpt = False,
    no_journal: NoJournalOpt = False,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Export Aionvision images to Google Drive; --wait follows the jobs.

    Without a default connection the first argument is the connection. With one, the first
    argument is the connection when it is one of yours (one look at 'connections'), an image
    id otherwise.

    \b
    --json prints:
      {"connection_id", "status": "completed|partial|failed|cancelled|pending|in_progress",
       "total_files", "completed_files", "failed_files",
       "files": [RECORD, ...],     (one per image sent: "image_id", and as "file_id" the
                                  Drive file the job made for it where it gives one per
                                  image; "outcome", "reason" as for import)
       "failed": [RECORD, ...],    (the images the service named as failed, with reasons)
       "job_ids": [...], "jobs": [JOB, ...], "message",
       "destination",            (where the files go: "My Drive", a folder)
       "folder_id": "..."|null,  (the Drive folder they went to: --folder-id's, or the
                                  one new folder --folder-name made for every batch once
                                  known; null for My Drive)
       "skipped_files": [...],   (with --journal --on-uncertain skip: not done)
       "waited": true|false, "timed_out": true|false,
       "stopped_by": null|"timeout"|"SIGINT"|"SIGTERM"|"SIGHUP"}
      JOB is the shape 'aionvision-cloud job --help' shows. A stop by signal prints this
      document too (the jobs as last seen), then exits 130/143/129.
    """
    from aionvision_cloud import Job

    from .drive import DriveBrowser
    from .progress import JobBoard, exit_code_for, outcome

    settings = settings_of(ctx, as_json, verbose)
    check_timeout(timeout, wait, "export")
    resume = journal_args(journal, on_uncertain, "export", restart=restart, no_journal=no_journal)
    if folder_name is not None and not folder_name.strip():
        usage("--folder-name must not be empty", "export")
    if folder_name is not None and folder_id is not None:
        usage(
            "--folder-id and --folder-name are exclusive: export into an existing folder, or"
            " into a new one",
            "export",
        )
    _check_batch_size(batch_size, "export")
    default = default_connection()
    if default is None and len(args) < 2:
        usage("give CONNECTION_ID and at least one IMAGE_ID", "export")
    with make_client(settings) as client:
        cs = client.cloud_storage
        connection_id, image_ids = _export_args(cs, args, default)
        destination = "My Drive"
        label = None  # what the folder is to a person, beside its id
        if folder_name is not None:
            destination = f"the new folder {folder_name.strip()!r} in My Drive"
            label = f"new folder {folder_name.strip()!r} in My Drive"
        elif folder_id is not None:
            destination = f"the Drive folder {folder_id}"
        if folder_id is not None and "/" in folder_id:
            folder = DriveBrowser(cs, connection_id).resolve(folder_id)
            destination = f"the Drive folder {folder.path} ({folder.id})"
            label = folder.path
            folder_id = folder.id
        use_journal(
            resume,
            command="export",
            base_url=client.base_url,
            connection_id=connection_id,
            defining={
                "images": sorted(set(image_ids)),
                "folder_id": folder_id,
                "folder_name": folder_name,
            },
            keys=set(image_ids),
            restart=restart,
            no_journal=no_journal,
            noun="images",
        )
        from aionvision_cloud.errors import UncertainBatchError

        interrupted: KeyboardInterrupt | None = None
        answered: ExportResult | None = None
        try:
            with deferred():
                answered = cs.export_files(
                    connection_id,
                    image_ids,
                    folder_id=folder_id,
                    folder_name=folder_name,
                    batch_size=batch_size,
                    **resume,
                )
                record_jobs(answered.job_ids)
        except UncertainBatchError as exc:
            uncertain_error(exc, "export")
        except AionvisionError as exc:
            _record_partial(exc)
            raise
        except KeyboardInterrupt as exc:
            if answered is None:
                _stopped_sending(exc, resume, "images")
                raise
            interrupted = exc  # held back until the batches were answered, as for import
        assert answered is not None  # each other way out of the try raised
        result = answered
        board = JobBoard(
            job_ids=result.job_ids,
            total_files=len(image_ids),
            tally=lambda jobs: file_counts(result.batches, jobs),
        )
        for b in result.batches:
            board.latest[b.job_id] = Job(
                job_id=b.job_id,
                status=b.status or JobStatus.PENDING,
                type_="export",
                connection_id=connection_id,
                total_files=b.images_sent,
            )

        # The folder the images go to; a one-batch export's new one is learned once it ended.
        into = [result.folder_id]

        def document(stopped_by: str | None) -> dict[str, Any]:
            # Counts of these images only (a journal re-run's shared jobs count others' too).
            seen = attrs.evolve(result, jobs=tuple(board.jobs()))
            completed, failed = board.counts()
            return {
                "connection_id": connection_id,
                "status": outcome([j.status for j in board.jobs()]).value,
                "total_files": board.total_files,
                "completed_files": completed,
                "failed_files": failed,
                "files": [record_json(f) for f in seen.files],
                "failed": [record_json(f) for f in seen.failed],
                "job_ids": list(board.job_ids),
                "jobs": [job_json(j) for j in board.jobs()],
                "message": _message(result),
                "destination": destination,
                "folder_id": into[0],
                "skipped_files": list(result.journal.skipped_files),
                **ended(wait, stopped_by),
            }

        finished = settle(
            cs,
            board,
            document,
            as_json=settings.as_json,
            wait=wait,
            label="Exporting",
            timeout=timeout,
            unit="images",
            interrupted=interrupted,
        )
        if into[0] is None and folder_name is not None:
            into[0] = folder_of(cs, connection_id, [j for j in board.jobs() if j.is_terminal])
    status = outcome([j.status for j in board.jobs()])
    seen = attrs.evolve(result, jobs=tuple(board.jobs()))
    completed, failed = board.counts()
    if settings.as_json:
        print_json(document(None if finished else "timeout"))
    else:
        jobs = board.jobs()
        in_jobs = f", in {count(len(jobs), 'job')}"
        if status.is_terminal:
            say(
                f"Export {status.value}: {completed} of {board.total_files} images exported, "
                f"{failed} failed{in_jobs}."
            )
            # The service's message was written when the job was created ("files go to"):
            # once it has ended, where they went.
            if completed and into[0] is not None:
                named = f" ({label})" if label else ""
                say(f"Exported {count(completed, 'image')} to folder {into[0]}{named}.")
            elif completed:
                say(f"Exported files are in {destination}.")
        else:
            say(f"Export {status.value}: {count(board.total_files, 'image')}{in_jobs}.")
            message = _message(result)
            if message:
                say(message)
        _report_skipped(result.journal.skipped_files, "images", "exported")
        if wait:
            jobs_table(jobs)
        report_failures(jobs, seen.failed)
        if not wait and board.running():
            note(f"Follow with: {follow_hint(board.running())}")
    if not finished:
        timed_out(board, timeout)
        raise typer.Exit(EXIT_TIMEOUT)
    raise typer.Exit(exit_code_for(status))
