"""The overlay's own result types: Drive files, progress, and the outcome of bulk calls.

None of these is a wire model (those are the generated models, subclassed in ``_models``): a
``CloudFile`` is read from Drive's JSON, and an ``ImportResult`` gathers the answers of many
requests. This module does not import the generated package, so ``import aionvision_cloud``
stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .errors import APIResponseValidationError
from .status import JobStatus

if TYPE_CHECKING:
    from ._models import ExportBatch, ImportBatch, Job

__all__ = [
    "FOLDER_MIME_TYPE",
    "BatchFailure",
    "CloudFile",
    "ExportResult",
    "ImportResult",
    "Progress",
    "UncertainBatch",
    "combined_status",
    "count",
    "id_tuple",
]

FOLDER_MIME_TYPE = "application/vnd.google-apps.folder"

Raw = Mapping[str, Any]


def count(value: object) -> int:
    """A file counter of a wire model as a number: 0 when the service left it out or sent null."""
    return value if type(value) is int else 0


def id_tuple(value: object) -> tuple[str, ...]:
    """An id list of a wire model (a list, null or left out) as a tuple of its non-empty ids."""
    if type(value) is not list:
        return ()
    return tuple(v for v in value if type(v) is str and v)


# -- Drive files ---------------------------------------------------------------------------------


def _drive_time(value: str) -> datetime | None:
    try:
        # The C parser reads every RFC 3339 timestamp Drive writes, many times faster.
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # A naive timestamp means UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@attrs.frozen
class CloudFile:
    """A file in the connected Drive; goes straight into ``import_files``."""

    id: str
    name: str
    mime_type: str | None = None
    size_bytes: int | None = None
    parents: tuple[str, ...] = ()
    modified_at: datetime | None = None
    raw: Raw = attrs.field(factory=dict, repr=False, eq=False, kw_only=True)

    @property
    def is_folder(self) -> bool:
        """True for a Drive folder (folders cannot be imported)."""
        return self.mime_type == FOLDER_MIME_TYPE

    @classmethod
    def from_drive(cls, data: Raw) -> CloudFile:
        """From a Drive v3 ``File`` resource (camelCase, ``size`` as a string of digits).

        Raises ``APIResponseValidationError`` without an ``id``; odd values of the other
        fields read as unknown (Drive's JSON is not part of this API's contract)."""
        # One pass with exact type tests: a listing page builds a thousand of these.
        get = data.get
        file_id = get("id")
        if type(file_id) is not str or not file_id:
            raise APIResponseValidationError("Drive file lacks 'id'")
        name = get("name")
        mime = get("mimeType") or get("mime_type")
        size = get("size")
        if size is None:
            size = get("size_bytes")
        if type(size) is str:  # Drive sends sizes as strings of digits
            size = int(size) if size.isdigit() else None
        elif type(size) is not int:
            size = None
        parents = get("parents")
        if type(parents) is list:
            parents = tuple(parents)
            for parent in parents:
                if type(parent) is not str or not parent:
                    parents = id_tuple(list(parents))
                    break
        else:
            parents = ()
        modified = get("modifiedTime")
        if cls is not CloudFile:
            return cls(
                file_id,
                name if type(name) is str else "",
                mime if type(mime) is str else None,
                size,
                parents,
                _drive_time(modified) if type(modified) is str and modified else None,
                raw=data,
            )
        # The frozen class's slots set directly, as attrs' __init__ does, minus its call
        # overhead: a third of the cost of a file (see _SLOTS below).
        made = _new(CloudFile)
        _set_id(made, file_id)
        _set_name(made, name if type(name) is str else "")
        _set_mime(made, mime if type(mime) is str else None)
        _set_size(made, size)
        _set_parents(made, parents)
        _set_modified(made, _drive_time(modified) if type(modified) is str and modified else None)
        _set_raw(made, data)
        return made


# CloudFile.from_drive's setters, one per field in order; a field added to CloudFile without
# one here fails at import, not as a missing attribute later.
_new = object.__new__
_SLOTS = tuple(CloudFile.__dict__[f.name].__set__ for f in attrs.fields(CloudFile))
_set_id, _set_name, _set_mime, _set_size, _set_parents, _set_modified, _set_raw = _SLOTS


# -- progress and bulk results -------------------------------------------------------------------


@attrs.frozen
class Progress:
    """Progress over a whole multi-batch import or export."""

    total_files: int
    completed_files: int
    failed_files: int
    jobs_done: int
    jobs_total: int

    @property
    def fraction(self) -> float:
        """Fraction of files processed (completed or failed), 0.0 to 1.0."""
        if self.total_files <= 0:
            return 1.0 if self.jobs_done >= self.jobs_total else 0.0
        return min(1.0, (self.completed_files + self.failed_files) / self.total_files)

    def __str__(self) -> str:
        failed = f", {self.failed_files} failed" if self.failed_files else ""
        return (
            f"{self.completed_files + self.failed_files}/{self.total_files} files"
            f"{failed} ({self.fraction:.0%})"
        )


@attrs.frozen
class BatchFailure:
    """The batch a bulk operation stopped at: its files (Drive file ids, or image ids for an
    export), the error, and whether the service may have acted on it all the same
    (``uncertain``: a 500, a dropped connection, a read timeout after the request went out).
    ``job_id`` is the job the service started for it when its answer named one the client
    could not read otherwise (the journal then follows that job)."""

    items: tuple[str, ...]
    error: Exception = attrs.field(eq=False)
    uncertain: bool
    job_id: str | None = None

    @property
    def reason(self) -> str:
        return str(self.error)


@attrs.frozen
class UncertainBatch:
    """A batch from an earlier run that was sent and never answered (from the journal).
    ``resolution`` is ``"resent"``, ``"skipped"``, or None while the caller has not chosen."""

    items: tuple[str, ...]
    error: str | None = None
    resolution: str | None = None


def _merge_ids(parts: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """Every id once, in the order first given."""
    return tuple(dict.fromkeys(i for part in parts for i in part))


#: The batch type of a bulk result.
_Batch = TypeVar("_Batch", "ImportBatch", "ExportBatch")


@attrs.frozen
class _BulkResult(Generic[_Batch]):
    """What import and export results share: the accepted batches, the jobs waited for, and
    what a failure or a journal left open."""

    batches: tuple[_Batch, ...]
    jobs: tuple[Job, ...] = ()
    failed: BatchFailure | None = None
    not_sent: tuple[str, ...] = ()
    uncertain: tuple[UncertainBatch, ...] = ()
    skipped_files: tuple[str, ...] = ()

    @property
    def is_complete(self) -> bool:
        """Every file was sent and accepted, and no question is left open."""
        return (
            self.failed is None
            and not self.not_sent
            and all(u.resolution is not None for u in self.uncertain)
        )

    @property
    def message(self) -> str | None:
        """The batches' messages, joined."""
        return "; ".join(b.message for b in self.batches if isinstance(b.message, str)) or None

    @property
    def completed_files(self) -> int:
        """Files done by the jobs waited for (``ImportResult`` adds synchronous batches)."""
        return sum(count(j.completed_files) for j in self.jobs)

    @property
    def failed_files(self) -> int:
        """Files that failed in the jobs waited for (``ImportResult`` adds synchronous ones)."""
        return sum(count(j.failed_files) for j in self.jobs)


@attrs.frozen
class ImportResult(_BulkResult["ImportBatch"]):
    """The outcome of ``import_files`` (one entry in ``batches`` per accepted request) and,
    after ``import_and_wait``, of the jobs it waited for (``jobs``, terminal).

    A failed call attaches a partial one to its exception (``exc.partial``): the batches
    accepted so far, the batch that ``failed`` and why, the files ``not_sent``. With a journal,
    ``uncertain`` lists earlier batches sent without an answer and what became of them, and
    ``skipped_files`` the files of those the caller chose to skip (not imported).

    Image ids: ``image_ids`` holds every id the service gave (at once for a batch it finished,
    as placeholders announced with a job by the service as it runs today, or listed by a job);
    where it gave none (an import that became a job, in the API document's shape),
    ``jobs_without_image_ids`` names those jobs and ``image_ids_note`` says so in a sentence."""

    @property
    def job_ids(self) -> tuple[str, ...]:
        """Ids of the jobs the import started, one per asynchronous batch."""
        return tuple(b.job_id for b in self.batches if isinstance(b.job_id, str) and b.job_id)

    @property
    def job_id(self) -> str | None:
        """The first job's id (the only one unless the import was split into batches)."""
        ids = self.job_ids
        return ids[0] if ids else None

    @property
    def is_async(self) -> bool:
        """True when at least one batch runs as a background job."""
        return any(b.is_async for b in self.batches)

    @property
    def image_ids(self) -> tuple[str, ...]:
        """Every image id the service gave: synchronous batches, the ids jobs announced when
        created, and those of finished jobs. ``final_image_ids`` says which surely exist;
        ``jobs_without_image_ids`` and ``image_ids_note`` say where the service gave none."""
        return _merge_ids(
            [id_tuple(b.image_ids) for b in self.batches] + [j.image_ids for j in self.jobs]
        )

    @property
    def final_image_ids(self) -> tuple[str, ...]:
        """Ids of images that exist: synchronous batches, jobs' own lists, and the announced
        ids of jobs that completed (every file made its image)."""
        done = {j.job_id for j in self.jobs if j.status is JobStatus.COMPLETED}
        return _merge_ids(
            [id_tuple(b.image_ids) for b in self.batches if not b.job_id or b.job_id in done]
            + [j.image_ids for j in self.jobs]
        )

    @property
    def pending_image_ids(self) -> tuple[str, ...]:
        """Announced ids not known to be final yet (their job runs, or ended with failures)."""
        final = set(self.final_image_ids)
        return tuple(i for i in self.image_ids if i not in final)

    @property
    def jobs_without_image_ids(self) -> tuple[str, ...]:
        """Jobs whose files have no image id in this result: the service announced none when
        it started the job (the API document's shape; the service as it runs today announces
        placeholder ids) and the job, when waited for, listed none. ``image_ids_note`` says
        what to do about them."""
        listed = {j.job_id for j in self.jobs if j.image_ids}
        return tuple(
            dict.fromkeys(
                b.job_id
                for b in self.batches
                if isinstance(b.job_id, str)
                and b.job_id
                and not id_tuple(b.image_ids)
                and b.job_id not in listed
            )
        )

    @property
    def files_without_image_ids(self) -> int:
        """How many files the ``jobs_without_image_ids`` carry."""
        missing = set(self.jobs_without_image_ids)
        return sum(
            b.total_files if type(b.total_files) is int else b.files_sent
            for b in self.batches
            if b.job_id in missing
        )

    @property
    def image_ids_note(self) -> str | None:
        """A plain statement of which image ids this result lacks or holds only as placeholders,
        why, and what to do; None when it holds a final id for every file imported."""
        notes: list[str] = []
        missing = self.jobs_without_image_ids
        if missing:
            notes.append(
                f"No image ids for {self.files_without_image_ids} files: the service ran them "
                f"as {_jobs(missing)} and answered no image ids (an import that becomes a job "
                "reports counts only, as the API document shows; one the service finishes at "
                "once answers with its ids). Find those images in your Aionvision library; "
                "the import's tags help."
            )
        pending = self.pending_image_ids
        if pending:
            done = {j.job_id for j in self.jobs if j.status is JobStatus.COMPLETED}
            open_jobs = tuple(
                dict.fromkeys(
                    b.job_id
                    for b in self.batches
                    if isinstance(b.job_id, str)
                    and b.job_id
                    and b.job_id not in done
                    and id_tuple(b.image_ids)
                )
            )
            notes.append(
                f"{len(pending)} image ids are placeholders the service announced for "
                f"{_jobs(open_jobs)}, not completed (yet): an id is final once its job "
                "completes (wait with import_and_wait or wait_for_job); after a partial job, "
                "which of them stand for the failed files is not said."
            )
        return " ".join(notes) or None

    @property
    def total_files(self) -> int:
        """Files in the import, as the service counted them (else as sent)."""
        return sum(
            b.total_files if type(b.total_files) is int else b.files_sent for b in self.batches
        )

    @property
    def sync_counts(self) -> tuple[int, int]:
        """(imported, lost) files of the batches that finished synchronously; a batch that
        returned fewer image ids than files sent lost the rest."""
        sync = [b for b in self.batches if not b.job_id]
        imported = sum(len(id_tuple(b.image_ids)) for b in sync)
        return imported, sum(max(0, b.files_sent - len(id_tuple(b.image_ids))) for b in sync)

    @property
    def completed_files(self) -> int:
        """Files imported so far: by synchronous batches and by the jobs waited for."""
        return self.sync_counts[0] + super().completed_files

    @property
    def failed_files(self) -> int:
        """Files that failed so far: in synchronous batches and in the jobs waited for."""
        return self.sync_counts[1] + super().failed_files

    @property
    def status(self) -> JobStatus:
        """COMPLETED when every batch finished; otherwise the jobs' combined state."""
        return combined_status(
            [b.status or JobStatus.PENDING for b in self.batches if b.job_id], self.jobs
        )


@attrs.frozen
class ExportResult(_BulkResult["ExportBatch"]):
    """The outcome of ``export_files`` (one batch per accepted request) and, after
    ``export_and_wait``, the terminal jobs. Partial results on exceptions and the journal's
    fields as in ``ImportResult``, with image ids for file ids."""

    @property
    def job_ids(self) -> tuple[str, ...]:
        """Ids of the export jobs, one per batch."""
        return tuple(b.job_id for b in self.batches)

    @property
    def job_id(self) -> str | None:
        """The first job's id (the only one unless the export was split into batches; None in
        a partial result with no batch accepted)."""
        return self.batches[0].job_id if self.batches else None

    @property
    def status(self) -> JobStatus:
        """The jobs' combined status (see ``combined_status``)."""
        return combined_status([b.status or JobStatus.PENDING for b in self.batches], self.jobs)


def _jobs(job_ids: Sequence[str]) -> str:
    """``job job_1`` or ``3 jobs (job_1, job_2, job_3)``."""
    if len(job_ids) == 1:
        return f"job {job_ids[0]}"
    shown = ", ".join(job_ids[:5]) + (", ..." if len(job_ids) > 5 else "")
    return f"{len(job_ids)} jobs ({shown})"


def combined_status(initial: Sequence[JobStatus], jobs: Sequence[Job]) -> JobStatus:
    """One status for several jobs: the jobs' own when waited for, else their first answers."""
    statuses = [j.status for j in jobs] if jobs else list(initial)
    if not statuses:
        return JobStatus.COMPLETED
    if len(set(statuses)) == 1:
        return statuses[0]
    if not all(s.is_terminal for s in statuses):
        return JobStatus.IN_PROGRESS
    if any(s.is_success for s in statuses):
        return JobStatus.PARTIAL
    return JobStatus.FAILED
