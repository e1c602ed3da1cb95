"""The overlay's own result types: Drive files, progress, and the outcome of bulk calls.

None of these is a wire model (those are the generated models, subclassed in ``_models``): a
``CloudFile`` is read from Drive's JSON, and an ``ImportResult`` gathers the answers of many
requests. This module does not import the generated package, so ``import aionvision_cloud``
stays cheap.
"""

from __future__ import annotations

import re
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
    "FileResult",
    "ImportResult",
    "JournalState",
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


#: A file's outcome: the service made it, said it failed, or has not said (yet).
DONE, FAILED, UNKNOWN = "done", "failed", "unknown"


@attrs.frozen
class FileResult:
    """One file of an import (``file_id``, ``name``: the Drive file sent) or one image of an
    export (``image_id``: the image sent), with what the service's answers tie to it: the image
    id it made (import) or the Drive file id (export), the ``outcome`` (``"done"``,
    ``"failed"`` with the service's ``reason``, or ``"unknown"``: not said, or not yet) and the
    ``job_id`` of its batch."""

    file_id: str | None
    name: str | None
    image_id: str | None
    outcome: str
    reason: str | None = None
    job_id: str | None = None


@attrs.frozen
class JournalState:
    """What only a re-run (with a journal) needs: the batch the call ``stopped`` at (None when
    it stopped at none), ``uncertain`` batches an earlier run sent without an answer and what
    became of them, the ``skipped_files`` of those, and the ``shared_image_ids`` of batches an
    earlier, larger call sent (the service does not say which of them are this call's)."""

    stopped: BatchFailure | None = None
    uncertain: tuple[UncertainBatch, ...] = ()
    skipped_files: tuple[str, ...] = ()
    shared_image_ids: tuple[str, ...] = ()


_NO_JOURNAL = JournalState()
# The text before the first reason in a job's error or a synchronous answer's message.
_LEAD = re.compile(r"^(?:All \d+ files failed|\d+ of \d+ files failed|failed): ")


def _reasons(text: object, keys: Sequence[tuple[str, ...]]) -> dict[int, str]:
    """Index in ``keys`` -> the reason ``text`` gives for that file: a ``"; "``-separated
    segment naming one of its keys (Drive name or id, image id) as a whole word and no other
    file's. A segment naming two files, or none, is nobody's: never guessed."""
    if not isinstance(text, str) or not text:
        return {}
    found: dict[int, str] = {}
    for segment in text.split("; "):
        reason = _LEAD.sub("", segment.split("; failed: ")[-1])
        named = [
            i
            for i, names in enumerate(keys)
            if any(n and re.search(rf"(?<![\w.-]){re.escape(n)}(?![\w-])", reason) for n in names)
        ]
        if len(named) == 1:
            found.setdefault(named[0], reason)
    return found


def _outcomes(
    keys: Sequence[tuple[str, ...]], done: int, failed: int, ended: bool, text: object
) -> list[tuple[str, str | None]]:
    """(outcome, reason) per file of a batch whose service counts are ``done`` and ``failed``:
    all done, all failed, or the failed ones the ``text`` names and, when it names every
    failure, the others done; any other file is unknown."""
    n = len(keys)
    if not ended:
        return [(UNKNOWN, None)] * n
    if done >= n and not failed:
        return [(DONE, None)] * n
    named = _reasons(text, keys)
    if failed >= n and not done:
        whole = text if isinstance(text, str) and text else None
        return [(FAILED, named.get(i, whole)) for i in range(n)]
    rest = DONE if len(named) == failed and done + failed >= n else UNKNOWN
    return [(FAILED, named[i]) if i in named else (rest, None) for i in range(n)]


#: The batch type of a bulk result.
_Batch = TypeVar("_Batch", "ImportBatch", "ExportBatch")


@attrs.frozen
class _BulkResult(Generic[_Batch]):
    """What import and export results share: the accepted batches, the jobs waited for, the
    files not sent, and what a re-run with a journal needs (``journal``)."""

    batches: tuple[_Batch, ...]
    jobs: tuple[Job, ...] = ()
    not_sent: tuple[str, ...] = ()
    journal: JournalState = _NO_JOURNAL

    @property
    def files(self) -> tuple[FileResult, ...]:
        """A record per file sent and accepted, in the order sent."""
        return ()

    @property
    def failed(self) -> tuple[FileResult, ...]:
        """The files the service said failed, each with its reason."""
        return tuple(f for f in self.files if f.outcome == FAILED)

    @property
    def completed_files(self) -> int:
        """How many files are done (the service made them)."""
        return sum(1 for f in self.files if f.outcome == DONE)

    @property
    def failed_files(self) -> int:
        """How many files failed (``len(failed)``); the rest of ``files`` are unknown."""
        return len(self.failed)

    @property
    def job_ids(self) -> tuple[str, ...]:
        """Ids of the jobs the call started, one per asynchronous batch."""
        return tuple(
            dict.fromkeys(b.job_id for b in self.batches if isinstance(b.job_id, str) and b.job_id)
        )

    @property
    def job_id(self) -> str | None:
        """The first job's id: the only one unless the call was split into batches (code
        written for the official SDK reads it); None when no batch started a job."""
        ids = self.job_ids
        return ids[0] if ids else None

    @property
    def status(self) -> JobStatus:
        """COMPLETED when every batch finished; otherwise the jobs' combined state."""
        return combined_status(
            [b.status or JobStatus.PENDING for b in self.batches if b.job_id], self.jobs
        )

    def _job(self, job_id: object) -> Job | None:
        return next((j for j in self.jobs if j.job_id == job_id), None) if job_id else None


@attrs.frozen
class ImportResult(_BulkResult["ImportBatch"]):
    """The outcome of ``import_files`` and, after ``import_and_wait``, of the jobs it waited
    for (``jobs``, terminal): ``files`` holds a record per file.

    A file's image id is the one the service's answer gives it by position, only where the
    answer holds exactly one id per file sent (the API document pairs them so, and the service
    as it runs today announces one placeholder per file); a failed file is the one the job's
    error (or a synchronous answer's message) names, with its reason. Files the service counts
    as failed without naming them are ``"unknown"``, never guessed.

    A failed call attaches a partial one to its exception (``exc.partial``): the batches
    accepted so far, the files ``not_sent``, and in ``journal.stopped`` the batch it stopped at
    and why."""

    @property
    def files(self) -> tuple[FileResult, ...]:
        out: list[FileResult] = []
        for b in self.batches:
            out.extend(_import_files(b, self._job(b.job_id)))
        return tuple(out)

    @property
    def status(self) -> JobStatus:
        """The jobs' combined state (COMPLETED without any), with each batch done at once that
        lost files as partial (it made fewer images than files) or failed (none)."""
        at_once = []
        for b in self.batches:
            if isinstance(b.job_id, str) and b.job_id:
                continue
            sent, made = (b.batch_files or b.files_sent), len(id_tuple(b.image_ids))
            if made < sent:
                at_once.append(JobStatus.FAILED if made == 0 else JobStatus.PARTIAL)
        return combined_status(
            [b.status or JobStatus.PENDING for b in self.batches if b.job_id], self.jobs, at_once
        )

    @property
    def image_ids(self) -> tuple[str, ...]:
        """The ids safe to export: the done files' image ids, and the ids the service gave
        without tying them to files (not one per file) of a batch done at once or of a job
        whose every file is done (those images exist)."""
        parts: list[tuple[str, ...]] = []
        for b in self.batches:
            job = self._job(b.job_id)
            files = _import_files(b, job)
            parts.append(tuple(f.image_id for f in files if f.outcome == DONE and f.image_id))
            if b.is_shared or (b.job_id and any(f.outcome != DONE for f in files)):
                continue
            if b.job_id and job is None:
                continue
            answer = job.image_ids if job is not None else ()
            answer = answer or id_tuple(b.image_ids)
            if len(answer) != len(b.file_ids):
                parts.append(answer)
        return _merge_ids(parts)


def _import_files(batch: ImportBatch, job: Job | None) -> list[FileResult]:
    ids = batch.file_ids
    names = batch.file_names if len(batch.file_names) == len(ids) else ("",) * len(ids)
    keys = [(n, i) for n, i in zip(names, ids, strict=True)]
    answer = id_tuple(batch.image_ids)
    if job is not None and len(job.image_ids) == len(ids):
        answer = job.image_ids
    # By position only where there is exactly one id per file sent (a shared batch sent others).
    tied = answer if len(answer) == len(ids) and not batch.is_shared else (None,) * len(ids)
    job_id = batch.job_id if isinstance(batch.job_id, str) and batch.job_id else None
    outcomes: list[tuple[str, str | None]]
    if job_id is None:  # done at once: the answer's ids are the images made
        made = len(answer)
        if batch.is_shared:  # the ids cover an earlier call's files too: all made, or not said
            whole_done = made >= (batch.batch_files or 0)
            outcomes = [(DONE if whole_done else UNKNOWN, None)] * len(ids)
        else:
            outcomes = _outcomes(keys, made, max(0, len(ids) - made), True, batch.message)
    elif job is None:
        outcomes = [(UNKNOWN, None)] * len(ids)
    else:
        outcomes = _job_outcomes(keys, job, batch.is_shared)
    return [
        FileResult(i, n or None, t if o == DONE else None, o, r, job_id)
        for i, n, t, (o, r) in zip(ids, names, tied, outcomes, strict=True)
    ]


def _job_outcomes(
    keys: Sequence[tuple[str, ...]], job: Job, shared: bool
) -> list[tuple[str, str | None]]:
    done, failed = count(job.completed_files), count(job.failed_files)
    if shared:
        # The job's counts cover an earlier call's files too: only what holds for all of them.
        whole = max(count(job.total_files), done + failed)
        done = len(keys) if job.status is JobStatus.COMPLETED and not failed else 0
        failed = len(keys) if whole and failed >= whole else 0
    return _outcomes(keys, done, failed, job.is_terminal, job.error)


@attrs.frozen
class ExportResult(_BulkResult["ExportBatch"]):
    """The outcome of ``export_files`` and, after ``export_and_wait``, the terminal jobs:
    ``files`` holds a record per image, with the Drive file id the job made for it where the
    job's ``cloud_file_ids`` hold exactly one per image sent (tied by position); failures and
    partial results as in ``ImportResult``.

    ``folder_id`` is the Drive folder the images went to: the one given as ``folder_id``, or the
    new folder ``folder_name`` made (every batch goes into that one folder), once known; None for
    My Drive, or while the new folder is not known yet (``export_files`` in one batch)."""

    folder_id: str | None = None

    @property
    def files(self) -> tuple[FileResult, ...]:
        out: list[FileResult] = []
        for b in self.batches:
            job = self._job(b.job_id)
            ids = b.sent_image_ids
            made = id_tuple(job.cloud_file_ids) if job is not None else ()
            tied = made if len(made) == len(ids) and not b.is_shared else (None,) * len(ids)
            keys = [(i,) for i in ids]
            outcomes = (
                _job_outcomes(keys, job, b.is_shared)
                if job is not None
                else [(UNKNOWN, None)] * len(ids)
            )
            out.extend(
                FileResult(t if o == DONE else None, None, i, o, r, b.job_id)
                for i, t, (o, r) in zip(ids, tied, outcomes, strict=True)
            )
        return tuple(out)


def combined_status(
    initial: Sequence[JobStatus], jobs: Sequence[Job], at_once: Sequence[JobStatus] = ()
) -> JobStatus:
    """One status for several jobs: the jobs' own when waited for, else their first answers;
    ``at_once`` adds those of batches done without a job."""
    statuses = [j.status for j in jobs] if jobs else list(initial)
    statuses += at_once
    if not statuses:
        return JobStatus.COMPLETED
    if len(set(statuses)) == 1:
        return statuses[0]
    if not all(s.is_terminal for s in statuses):
        return JobStatus.IN_PROGRESS
    if any(s.is_success for s in statuses):
        return JobStatus.PARTIAL
    return JobStatus.FAILED
