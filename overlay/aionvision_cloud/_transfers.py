"""The bulk engine behind ``import_files`` / ``export_files`` and their ``*_and_wait``: the
checked call (``Plan``), its journal, ``partial`` on whatever escapes, waiting for every job,
and the results built from batches and jobs. ``cloud_storage`` sends the requests; batching
itself is ``_bulk.send_in_batches``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._bulk import BulkOutcome, keep_partial
from ._inputs import request_body
from ._journal import ON_UNCERTAIN, BatchRecord, Journal, JournalOperation
from ._models import ExportBatch, ImportBatch, Job
from ._polling import JobWaiter
from ._results import ExportResult, ImportResult, JournalState, Progress, count, id_tuple
from ._settings import Settings
from .errors import InvalidInputError, JobTimeoutError, JournalConflictError
from .status import JobStatus

if TYPE_CHECKING:
    from aionvision_cloud_api.models.export_request import ExportRequest
    from aionvision_cloud_api.models.import_request import ImportRequest

__all__ = [
    "JournalPath",
    "Plan",
    "bulk_call",
    "export_batch",
    "export_result",
    "file_counts",
    "import_batch",
    "import_result",
    "job_id",
    "wait_all",
]

JournalPath = str | os.PathLike[str]


@contextlib.contextmanager
def _journal(
    path: JournalPath | None,
    on_uncertain: str,
    kind: str,
    connection_id: str,
    options: Mapping[str, Any],
    accounts: Callable[[], Mapping[str, str | None]] | None = None,
    *,
    server: str,
) -> Iterator[JournalOperation | None]:
    """The journal's record of this operation, open for the call (None without a journal).

    ``server`` is the client's base URL: a journal written against another is refused before
    anything is sent (one written before journals recorded it adopts this one).

    ``accounts`` (connection id to Drive account, for exports) is asked once per connection the
    operation has not used before, and its account recorded: a reconnect to the same account is
    the same export, another account (or one the service does not name) is refused before
    anything is sent. Imports need no account: Drive file ids name the same files whichever
    connection lists them.
    """
    if on_uncertain not in ON_UNCERTAIN:
        raise InvalidInputError(f"on_uncertain must be one of {', '.join(ON_UNCERTAIN)}")
    if path is None:
        yield None
        return
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidInputError("journal must be a file path (str or os.PathLike)")
    with Journal(path) as journal:
        journal.use_server(server)
        op = journal.operation(kind, connection_id, options)
        if connection_id not in op.connection_ids:
            account = None
            if accounts is not None:
                known = accounts()
                account = known.get(connection_id)
                if op.connections:
                    _check_same_account(op, account)
            op.use_connection(account)
        yield op


def _check_same_account(op: JournalOperation, account: str | None) -> None:
    if account is not None and account in {a for _, a in op.connections}:
        return
    recorded = ", ".join(f"{c} ({a or 'account unknown'})" for c, a in op.connections)
    raise JournalConflictError(
        f"this journal's {op.kind} went through connection {recorded}; this call uses "
        f"{op.connection_id} ({account or 'account unknown'}), which the service does not name "
        f"as the same Drive account. Call with the recorded connection to resume, or use a new "
        f"journal file to {op.kind} to this account."
    )


@attrs.define
class _Kept:
    """What a bulk call has done so far, updated as it goes."""

    outcome: BulkOutcome[Any]
    jobs: tuple[Job, ...] = ()


@contextlib.contextmanager
def _keeping(
    keys: Iterable[str], result: Callable[[BulkOutcome[Any], Sequence[Job]], object]
) -> Iterator[_Kept]:
    """Whatever escapes the call, Ctrl-C included, leaves with ``partial``: the engine's own
    (set where it stopped) or, from the gaps between its steps, what ``_Kept`` holds by then."""
    kept = _Kept(BulkOutcome((), not_sent=tuple(dict.fromkeys(keys))))
    try:
        yield kept
    except BaseException as exc:
        if getattr(exc, "partial", None) is None:
            keep_partial(exc, result(kept.outcome, kept.jobs))
        raise


def import_batch(record: BatchRecord, names: Mapping[str, str]) -> ImportBatch:
    return ImportBatch(
        is_async=record.job_id is not None,
        image_ids=list(record.image_ids),
        job_id=record.job_id,
        files_sent=len(record.items),
        file_ids=record.items,
        file_names=tuple(names.get(i, "") for i in record.items),
        from_journal=True,
        batch_files=record.items_sent,
    )


def export_batch(record: BatchRecord) -> ExportBatch:
    return ExportBatch(
        job_id=record.job_id or "",
        images_sent=len(record.items),
        sent_image_ids=record.items,
        from_journal=True,
        batch_images=record.items_sent,
    )


def import_result(outcome: BulkOutcome[ImportBatch], jobs: Sequence[Job] = ()) -> ImportResult:
    return ImportResult(
        batches=outcome.batches,
        jobs=tuple(jobs),
        not_sent=outcome.not_sent,
        journal=_journal_state(outcome, _shared_image_ids(outcome.batches, jobs)),
    )


def export_result(
    outcome: BulkOutcome[ExportBatch], jobs: Sequence[Job] = (), folder_id: str | None = None
) -> ExportResult:
    return ExportResult(
        batches=outcome.batches,
        jobs=tuple(jobs),
        not_sent=outcome.not_sent,
        journal=_journal_state(outcome),
        folder_id=folder_id,
    )


def _journal_state(outcome: BulkOutcome[Any], shared: tuple[str, ...] = ()) -> JournalState:
    if outcome.failed is None and not outcome.uncertain and not outcome.skipped and not shared:
        return JournalState()
    return JournalState(outcome.failed, outcome.uncertain, outcome.skipped, shared)


def _shared_image_ids(batches: Sequence[ImportBatch], jobs: Sequence[Job]) -> tuple[str, ...]:
    """The ids of batches an earlier, larger call sent: this call's and the other's, which the
    service does not tell apart."""
    shared = {b.job_id for b in batches if b.job_id and b.is_shared}
    ids = [i for b in batches if b.is_shared for i in id_tuple(b.image_ids)]
    ids += [i for j in jobs if j.job_id in shared for i in j.image_ids]
    return tuple(dict.fromkeys(ids))


def file_counts(
    batches: Sequence[ImportBatch] | Sequence[ExportBatch], jobs: Sequence[Job]
) -> tuple[int, int]:
    """(completed, failed) files of this call so far, by the service's counts: a batch done at
    once by its answer's ids, a job by its own counters, at most its batch's files. A batch an
    earlier, larger call sent counts only what holds however the other files went."""
    latest = {j.job_id: j for j in jobs}
    completed = failed = 0
    for b in batches:
        if isinstance(b, ImportBatch) and not job_id(b):
            made, lost = _made_at_once(b)
            completed, failed = completed + made, failed + lost
            continue
        job = latest.get(b.job_id) if isinstance(b.job_id, str) else None
        if job is None:
            continue
        mine, whole = (
            (b.files_sent, b.batch_files)
            if isinstance(b, ImportBatch)
            else (b.images_sent, b.batch_images)
        )
        others = max(0, (whole or mine) - mine) if b.is_shared else 0
        done, lost = count(job.completed_files), count(job.failed_files)
        if job.status is JobStatus.COMPLETED and not lost:
            done, others = mine, 0  # every file of the job, these too
        c = max(0, min(mine, done - others))
        completed += c
        failed += max(0, min(mine - c, lost - others))
    return completed, failed


def _made_at_once(batch: ImportBatch) -> tuple[int, int]:
    """(made, lost) files of this call in a batch done at once, by the answer's ids. In a batch
    an earlier, larger call sent, the ids cover its files too: only what holds however many of
    the others were made counts."""
    made = len(id_tuple(batch.image_ids))
    if batch.is_shared:
        others = (batch.batch_files or 0) - batch.files_sent
        return min(batch.files_sent, max(0, made - others)), 0
    made = min(made, batch.files_sent)
    return made, batch.files_sent - made


def job_id(batch: ImportBatch) -> str | None:
    return batch.job_id if isinstance(batch.job_id, str) and batch.job_id else None


Item = TypeVar("Item")


@attrs.frozen
class Plan(Generic[Item]):
    """A checked bulk call: the items to send in batches of ``size``, the options the overlay
    takes by name (None: not given) and any other optional field of the request (``fields``)."""

    cid: str
    items: list[Item]
    size: int
    named: dict[str, Any]
    fields: dict[str, Any]

    @property
    def options(self) -> dict[str, Any]:
        """What the journal tells operations apart by (the same arguments: the same one)."""
        return {**self.named, **self.fields}

    def import_body(self, chunk: Sequence[Any]) -> ImportRequest:
        from aionvision_cloud_api.models.import_request import ImportRequest

        values = {"connection_id": self.cid, "files": list(chunk), **self.named}
        return request_body(ImportRequest, "import_files", values, self.fields)

    def export_body(self, chunk: Sequence[Any]) -> ExportRequest:
        from aionvision_cloud_api.models.export_request import ExportRequest

        values = {"connection_id": self.cid, "image_ids": list(chunk), **self.named}
        return request_body(ExportRequest, "export_files", values, self.fields)


@contextlib.contextmanager
def bulk_call(
    settings: Settings,
    kind: str,
    plan: Plan[Any],
    journal: JournalPath | None,
    on_uncertain: str,
    accounts: Callable[[], Mapping[str, str | None]],
) -> Iterator[tuple[_Kept, JournalOperation | None]]:
    """A bulk call's journal (tied to this client's base URL; for an export, to the
    connection's account too), and ``partial`` on whatever escapes it."""
    result: Callable[[BulkOutcome[Any], Sequence[Job]], object] = export_result
    keys: list[str] = plan.items
    known: Callable[[], Mapping[str, str | None]] | None = accounts
    if kind == "import":
        keys, result, known = [str(f.id) for f in plan.items], import_result, None
    with (
        _keeping(keys, result) as kept,
        _journal(
            journal,
            on_uncertain,
            kind,
            plan.cid,
            plan.options,
            known,
            server=settings.base_url,
        ) as op,
    ):
        yield kept, op


def wait_all(
    settings: Settings,
    waiter: JobWaiter,
    batches: Sequence[ImportBatch] | Sequence[ExportBatch],
    *,
    total_files: int,
    timeout: float | None,
    poll_interval: float | None,
    on_progress: Callable[[Progress], object] | None,
    op: JournalOperation | None,
    partial: Callable[[tuple[Job, ...]], object],
) -> tuple[Job, ...]:
    """Wait for every job; jobs the journal saw end are not polled again. Any error carries
    ``partial(jobs)`` with every job in its last known state; a timeout also lists them.
    ``on_progress`` gets the jobs' own counts, at most ``total_files``: a file's outcome is
    known only once its job has ended (see ``FileResult``), its job's progress before."""

    initial = {b.job_id: b.status for b in batches if isinstance(b.job_id, str) and b.job_id}
    job_ids = list(initial)
    budget = settings.wait_timeout if timeout is None else timeout
    deadline = settings.clock.monotonic() + budget
    finished: list[Job] = []
    try:
        known = op.finished_jobs() if op is not None else {}
    except BaseException as exc:
        # The batches went out: the error still says which jobs they started.
        keep_partial(
            exc,
            partial(tuple(Job(job_id=j, status=initial[j] or JobStatus.PENDING) for j in job_ids)),
        )
        raise

    def report(job: Job | None) -> None:
        if on_progress is not None:
            seen = (*finished, job) if job is not None else tuple(finished)
            completed, failed = file_counts(batches, seen)
            completed = min(total_files, completed)
            failed = min(total_files - completed, failed)
            on_progress(Progress(total_files, completed, failed, len(finished), len(job_ids)))

    def last_states(current: Job | None) -> tuple[Job, ...]:
        done = {j.job_id: j for j in finished}
        if current is not None:
            done[current.job_id] = current
        return tuple(
            done.get(jid) or Job(job_id=jid, status=initial[jid] or JobStatus.PENDING)
            for jid in job_ids
        )

    if not job_ids:
        report(None)
    for jid in job_ids:
        if jid in known:
            finished.append(Job.from_dict(known[jid]))
            continue
        try:
            job = waiter.wait(
                jid,
                timeout=budget,
                poll_interval=poll_interval,
                on_progress=report if on_progress is not None else None,
                raise_on_failure=False,
                deadline=deadline,
            )
        except JobTimeoutError as exc:
            jobs = last_states(exc.job)
            timed_out = JobTimeoutError(
                jid,
                budget,
                exc.job,
                jobs=jobs,
                last_error=exc.last_error,
                retry_after=exc.retry_after,
            )
            timed_out.partial = partial(jobs)
            raise timed_out from exc
        except BaseException as exc:
            # Ctrl-C included: every job started is named, in its last known state.
            keep_partial(exc, partial(last_states(None)))
            raise
        finished.append(job)
        if op is not None:
            try:
                op.job_seen(jid, job.to_dict(), job.is_terminal)
            except BaseException as exc:
                keep_partial(exc, partial(last_states(None)))
                raise
    return tuple(finished)
