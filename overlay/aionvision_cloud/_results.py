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

        Odd values of fields other than ``id`` read as unknown (Drive's JSON is not part of
        this API's contract).

        Args:
            data: The Drive ``File`` resource, as JSON.

        Returns:
            The file.

        Raises:
            APIResponseValidationError: Without an ``id``.
        """
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
    error: BaseException = attrs.field(eq=False)
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


def attribute(mine: int, whole: int, done: int, failed: int, all_done: bool) -> tuple[int, int]:
    """(completed, failed) among ``mine`` of a batch's ``whole`` files, of which the service
    counted ``done`` completed and ``failed`` failed without saying which: only what holds
    however the other ``whole - mine`` files went (all of them completed when ``all_done``)."""
    if all_done:
        return mine, 0
    others = max(0, whole - mine)
    completed = min(mine, max(0, done - others))
    return completed, min(mine - completed, max(0, failed - others))


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

    def _shares(self) -> dict[str, tuple[int, int]]:
        """Job id -> (this call's files, the batch's files) of the shared batches: those an
        earlier, larger call sent with the journal, of which this call holds only some."""
        return {}

    @property
    def _job_counts(self) -> tuple[int, int, int]:
        """(completed, failed, unattributed) files of this call in the jobs waited for."""
        shares = self._shares()
        completed = failed = unknown = 0
        for job in self.jobs:
            done, lost = count(job.completed_files), count(job.failed_files)
            share = shares.get(job.job_id)
            if share is None:
                completed, failed = completed + done, failed + lost
                continue
            mine, whole = share
            whole = max(whole, count(job.total_files), done + lost)
            all_done = job.status is JobStatus.COMPLETED and not lost
            ours = attribute(mine, whole, done, lost, all_done)
            completed, failed = completed + ours[0], failed + ours[1]
            if job.is_terminal:
                unknown += mine - ours[0] - ours[1]
        return completed, failed, unknown

    @property
    def completed_files(self) -> int:
        """This call's files the jobs waited for completed (``ImportResult`` adds synchronous
        batches). A job shared with an earlier, larger call (a journal re-run for some of its
        files) counts its files, not this call's, and never says which failed: there only the
        files that surely completed count, as ``unattributed_files`` and ``counts_note`` say."""
        return self._job_counts[0]

    @property
    def failed_files(self) -> int:
        """This call's files that failed in the jobs waited for (``ImportResult`` adds
        synchronous ones); in a shared job only those that surely failed, as for
        ``completed_files``."""
        return self._job_counts[1]

    @property
    def unattributed_files(self) -> int:
        """This call's files in finished shared jobs whose outcome is not known per file: the
        service's counts cover the whole job, with files of an earlier, larger call, so they
        may have completed or failed. ``completed_files + failed_files + unattributed_files``
        never exceeds this call's files. 0 without a journal re-run for part of a call."""
        return self._job_counts[2]

    @property
    def counts_note(self) -> str | None:
        """A plain statement of what ``completed_files`` and ``failed_files`` cannot say, when
        ``unattributed_files`` is not 0; None when every count is exact."""
        unknown = self.unattributed_files
        if not unknown:
            return None
        return (
            f"{unknown} of these {self._total} files went in {self._shared_where} together "
            "with files of an earlier, larger call with this journal, and the service counts "
            f"outcomes per batch, not per file: whether each of those {unknown} completed or "
            "failed is not said. completed_files and failed_files count only what is certain; "
            "each job's own counts are in jobs."
        )

    @property
    def _total(self) -> int:
        """This call's files (or images)."""
        return 0

    @property
    def _shared_where(self) -> str:
        """The shared batches, in words."""
        return _jobs(tuple(self._shares()))


@attrs.frozen
class ImportResult(_BulkResult["ImportBatch"]):
    """The outcome of ``import_files`` (one entry in ``batches`` per accepted request) and,
    after ``import_and_wait``, of the jobs it waited for (``jobs``, terminal).

    A failed call attaches a partial one to its exception (``exc.partial``): the batches
    accepted so far, the batch that ``failed`` and why, the files ``not_sent``. With a journal,
    ``uncertain`` lists earlier batches sent without an answer and what became of them, and
    ``skipped_files`` the files of those the caller chose to skip (not imported).

    Image ids: ``image_ids`` holds every id the service gave for this call's files (at once for
    a batch it finished, as placeholders announced with a job by the service as it runs today,
    or listed by a job); where it gave none (an import that became a job, in the API document's
    shape), ``jobs_without_image_ids`` names those jobs and ``image_ids_note`` says so in a
    sentence.

    Totals are this call's files. A journal re-run for some of an earlier, larger import's files
    reuses that import's batches (``ImportBatch.is_shared``), whose answers and jobs cover the
    other files too, and the service says neither which image id is which file nor which file of
    a job failed. Then the ids of those batches are in ``shared_image_ids``, not ``image_ids``;
    ``completed_files`` and ``failed_files`` count only what holds whichever files the others
    were (every file of a job that completed without failures completed), and
    ``unattributed_files`` the rest of this call's files there, with ``counts_note`` saying so."""

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

    def _shares(self) -> dict[str, tuple[int, int]]:
        return {
            b.job_id: (b.files_sent, b.batch_files)
            for b in self.batches
            if isinstance(b.job_id, str) and b.job_id and b.batch_files and b.is_shared
        }

    def _ids(self, shared: bool, final: bool = False) -> tuple[str, ...]:
        """The ids of the batches (and their jobs) that are shared, or that are not; with
        ``final``, only those of images that exist."""
        done = {j.job_id for j in self.jobs if j.status is JobStatus.COMPLETED}
        shared_jobs = {b.job_id for b in self.batches if b.job_id and b.is_shared}
        return _merge_ids(
            [
                id_tuple(b.image_ids)
                for b in self.batches
                if b.is_shared is shared and (not final or not b.job_id or b.job_id in done)
            ]
            + [j.image_ids for j in self.jobs if (j.job_id in shared_jobs) is shared]
        )

    @property
    def image_ids(self) -> tuple[str, ...]:
        """Every image id the service gave for this call's files: synchronous batches, the ids
        jobs announced when created, and those of finished jobs (``shared_image_ids`` holds
        those of batches shared with an earlier, larger call). ``final_image_ids`` says which
        surely exist; ``jobs_without_image_ids`` and ``image_ids_note`` say where the service
        gave none."""
        return self._ids(shared=False)

    @property
    def shared_image_ids(self) -> tuple[str, ...]:
        """The image ids of batches an earlier, larger call sent with this journal and this
        call holds only some files of (``ImportBatch.is_shared``): the images of this call's
        files there and of the others', which the service does not tell apart (the API names
        no order for an answer's ids). Empty without such a re-run; ``image_ids_note`` says
        more."""
        own = set(self.image_ids)
        return tuple(i for i in self._ids(shared=True) if i not in own)

    @property
    def final_image_ids(self) -> tuple[str, ...]:
        """Ids of this call's images that exist: synchronous batches, jobs' own lists, and the
        announced ids of jobs that completed (every file made its image); none of
        ``shared_image_ids``."""
        return self._ids(shared=False, final=True)

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
        return sum(_files(b) for b in self.batches if b.job_id in missing)

    @property
    def image_ids_note(self) -> str | None:
        """A plain statement of which image ids this result lacks, holds only as placeholders or
        holds apart (``shared_image_ids``), why, and what to do; None when it holds a final id
        for every file imported."""
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
                    and not b.is_shared
                    and id_tuple(b.image_ids)
                )
            )
            # Each job as it is now: an ended one will not complete, however long one waits.
            status = {j.job_id: j.status for j in self.jobs}
            ended = [i for i in open_jobs if i in status and status[i].is_terminal]
            running = [i for i in open_jobs if i not in ended]
            states = []
            if running:
                states.append(
                    f"{_jobs(running)}, still running when last seen: an id is final once its"
                    " job completes (wait with import_and_wait or wait_for_job)"
                )
            if ended:
                how = "/".join(dict.fromkeys(status[i].value for i in ended))
                states.append(
                    f"{_jobs(ended)}, which ended {how}: the ids of the files that arrived are"
                    " final, the others stay unused"
                )
            notes.append(
                f"{len(pending)} image ids are placeholders the service announced for "
                f"{' and '.join(states)}; which of them stand for failed files is not said."
            )
        shared = self.shared_image_ids
        if shared:
            batches = [b for b in self.batches if b.is_shared]
            mine = sum(b.files_sent for b in batches)
            notes.append(
                f"{len(shared)} image ids, in shared_image_ids and not in image_ids, are those "
                f"of {_batches(batches)} an earlier, larger import sent with this journal: "
                f"they stand for this call's {mine} files there and for "
                f"{sum(b.batch_files or 0 for b in batches) - mine} files of the other call, "
                "and the service does not say which id is which file (the API names no order "
                "for an answer's ids). Find this call's images by their Drive names in your "
                "Aionvision library."
            )
        return " ".join(notes) or None

    @property
    def total_files(self) -> int:
        """This call's files: as the service counted them (else as sent); in a batch shared
        with an earlier, larger call, those of this call's files."""
        return sum(_files(b) for b in self.batches)

    @property
    def _total(self) -> int:
        return self.total_files

    @property
    def _sync_counts(self) -> tuple[int, int, int]:
        """(imported, lost, unattributed) files of this call in synchronous batches."""
        imported = lost = unknown = 0
        for b in self.batches:
            if b.job_id:
                continue
            made = len(id_tuple(b.image_ids))
            if not b.is_shared or not b.batch_files:
                imported, lost = imported + made, lost + max(0, b.files_sent - made)
                continue
            whole = max(b.batch_files, made)
            ours = attribute(b.files_sent, whole, made, whole - made, made >= whole)
            imported, lost = imported + ours[0], lost + ours[1]
            unknown += b.files_sent - ours[0] - ours[1]
        return imported, lost, unknown

    @property
    def sync_counts(self) -> tuple[int, int]:
        """(imported, lost) files of this call in the batches that finished synchronously; a
        batch that returned fewer image ids than files sent lost the rest. Of a batch shared
        with an earlier, larger call, only files surely imported or lost count (as in
        ``completed_files``)."""
        return self._sync_counts[:2]

    @property
    def completed_files(self) -> int:
        """This call's files imported so far: by synchronous batches and by the jobs waited
        for. Of a batch shared with an earlier, larger call (a journal re-run for some of its
        files) only those that surely completed: all of them when its job completed without
        failures or it lost no file, else those its counts leave no doubt about (see
        ``unattributed_files``)."""
        return self._sync_counts[0] + self._job_counts[0]

    @property
    def failed_files(self) -> int:
        """This call's files that failed so far: in synchronous batches and in the jobs waited
        for; of a shared batch only those that surely failed, as for ``completed_files``."""
        return self._sync_counts[1] + self._job_counts[1]

    @property
    def unattributed_files(self) -> int:
        """This call's files in shared batches (done at once, or their job finished) whose
        outcome is not known per file: they may have completed or failed. With
        ``completed_files`` and ``failed_files`` it never exceeds ``total_files``; 0 unless the
        call is a journal re-run for some of an earlier, larger import's files."""
        return self._sync_counts[2] + self._job_counts[2]

    @property
    def _shared_where(self) -> str:
        return _batches([b for b in self.batches if b.is_shared])

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
    fields as in ``ImportResult``, with image ids for file ids; so are the counts of a journal
    re-run for some of an earlier, larger export's images (``unattributed_files``,
    ``counts_note``).

    ``folder_id`` is the Drive folder the images went to: the one given as ``folder_id``, or the
    new folder ``folder_name`` made (every batch goes into that one folder), once known; None for
    My Drive, or while the new folder is not known yet (``export_files`` in one batch)."""

    folder_id: str | None = None

    def _shares(self) -> dict[str, tuple[int, int]]:
        return {
            b.job_id: (b.images_sent, b.batch_images)
            for b in self.batches
            if b.job_id and b.batch_images and b.is_shared
        }

    @property
    def _total(self) -> int:
        return sum(b.images_sent for b in self.batches)

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


def _files(batch: ImportBatch) -> int:
    """This call's files in ``batch``: the service's count, else as sent (a shared batch's)."""
    if type(batch.total_files) is int and not batch.is_shared:
        return batch.total_files
    return batch.files_sent


def _batches(batches: Sequence[ImportBatch]) -> str:
    """``job job_1``, ``a batch done at once``, or both kinds, in words."""
    job_ids = tuple(
        dict.fromkeys(b.job_id for b in batches if isinstance(b.job_id, str) and b.job_id)
    )
    sync = sum(1 for b in batches if not b.job_id)
    parts = [_jobs(job_ids)] if job_ids else []
    if sync:
        parts.append("a batch done at once" if sync == 1 else f"{sync} batches done at once")
    return " and ".join(parts)


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
