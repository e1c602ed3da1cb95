"""Small frozen result types, read defensively from response JSON.

The generated models raise on shapes the document does not show (a ``null`` datetime, a missing
optional field); these readers tolerate nulls, extra fields and odd values, and insist only on
the core identifiers. Each keeps the raw JSON in ``raw`` (out of ``repr`` and equality).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, Self, TypeVar

import attrs

from .errors import APIResponseValidationError
from .status import JobStatus

__all__ = [
    "AuthStart",
    "BatchFailure",
    "CloudFile",
    "CompleteAuthResult",
    "Connection",
    "ConnectionList",
    "DisconnectResult",
    "ExportBatch",
    "ExportResult",
    "ImportBatch",
    "ImportResult",
    "Job",
    "PickerSession",
    "Progress",
    "UncertainBatch",
]

FOLDER_MIME_TYPE = "application/vnd.google-apps.folder"

Raw = Mapping[str, Any]


# -- defensive readers ---------------------------------------------------------------------------


def opt_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def opt_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def opt_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def opt_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        # The C parser reads every RFC 3339 timestamp the service writes, many times faster.
        parsed = datetime.fromisoformat(text)
    except ValueError:
        # Rarer ISO 8601 spellings; dateutil is imported only when one turns up.
        from dateutil.parser import isoparse

        try:
            parsed = isoparse(text)
        except (ValueError, OverflowError):
            return None
    # A naive timestamp from this API means UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def str_tuple(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(s for s in (opt_str(v) for v in value) if s)


def required_id(data: Raw, key: str, what: str) -> str:
    value = opt_str(data.get(key))
    if not value:
        raise APIResponseValidationError(f"{what} response lacks {key!r}")
    return value


def unwrap(data: object, key: str) -> Raw:
    """``{"job": {...}}`` -> the inner object; an already bare object passes through."""
    if isinstance(data, Mapping):
        inner = data.get(key)
        if isinstance(inner, Mapping):
            return inner
        return data
    raise APIResponseValidationError(f"expected a JSON object, got {type(data).__name__}")


# -- result types --------------------------------------------------------------------------------


@attrs.frozen
class Connection:
    """A connected cloud storage account."""

    id: str
    provider: str | None = None
    provider_email: str | None = None
    provider_display_name: str | None = None
    is_active: bool | None = None
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    is_new: bool | None = None
    raw: Raw = attrs.field(factory=dict, repr=False, eq=False, kw_only=True)

    @classmethod
    def from_json(cls, data: Raw, *, is_new: object = None) -> Self:
        """Read from a response's JSON; raises ``APIResponseValidationError`` without ``id``."""
        return cls(
            id=required_id(data, "id", "connection"),
            provider=opt_str(data.get("provider")),
            provider_email=opt_str(data.get("provider_email")),
            provider_display_name=opt_str(data.get("provider_display_name")),
            is_active=opt_bool(data.get("is_active")),
            created_at=opt_datetime(data.get("created_at")),
            last_used_at=opt_datetime(data.get("last_used_at")),
            is_new=opt_bool(is_new),
            raw=data,
        )


@attrs.frozen
class CompleteAuthResult(Connection):
    """What ``complete_auth`` returns: the new (or renewed) connection itself, so ``result.id``
    works, and, as in the official SDK's result, ``result.connection`` and ``result.is_new``."""

    @property
    def connection(self) -> Connection:
        """The connection itself (the official SDK's ``CompleteAuthResult.connection``)."""
        return self


class ConnectionList(list[Connection]):
    """What ``list_connections`` returns: a list of connections (iterate, index, ``len``,
    compare with a list) that also carries ``connections`` and ``total_count``, the official
    SDK's names."""

    def __init__(self, connections: Iterable[Connection] = (), *, total_count: int | None = None):
        super().__init__(connections)
        self.total_count: int = len(self) if total_count is None else total_count

    @property
    def connections(self) -> list[Connection]:
        """The connections as a plain list (the official SDK's ``ConnectionList.connections``)."""
        return list(self)

    def __repr__(self) -> str:
        return f"ConnectionList({list.__repr__(self)}, total_count={self.total_count})"


@attrs.frozen
class DisconnectResult:
    """What ``disconnect`` returns; ``success`` is True for any 2xx answer without a body."""

    success: bool
    message: str | None = None


@attrs.frozen
class AuthStart:
    """Step 1 of OAuth: send the user to ``authorization_url``; check ``state`` on the way back."""

    authorization_url: str
    state: str
    provider: str
    redirect_uri: str
    raw: Raw = attrs.field(factory=dict, repr=False, eq=False, kw_only=True)


@attrs.frozen
class PickerSession:
    """A short-lived Google Picker session. ``access_token`` and ``developer_key`` are secrets
    and stay out of ``repr``/``str``."""

    session_id: str
    connection_id: str | None = None
    access_token: str | None = attrs.field(default=None, repr=False)
    app_id: str | None = None
    developer_key: str | None = attrs.field(default=None, repr=False)
    expires_at: datetime | None = None
    raw: Raw = attrs.field(factory=dict, repr=False, eq=False, kw_only=True)

    @classmethod
    def from_json(cls, data: Raw, connection_id: str | None) -> PickerSession:
        """Read from a response's JSON; raises ``APIResponseValidationError`` without
        ``session_id``."""
        return cls(
            session_id=required_id(data, "session_id", "picker session"),
            connection_id=connection_id,
            access_token=opt_str(data.get("access_token")),
            app_id=opt_str(data.get("app_id")),
            developer_key=opt_str(data.get("developer_key")),
            expires_at=opt_datetime(data.get("expires_at")),
            raw=data,
        )

    def is_expired(self, now: datetime, *, margin: float = 30.0) -> bool:
        """True when ``expires_at`` is within ``margin`` seconds of ``now`` (or past)."""
        if self.expires_at is None:
            return False
        return (self.expires_at - now).total_seconds() <= margin


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
        """From a Drive v3 ``File`` resource (camelCase, ``size`` as a string of digits)."""
        return cls(
            id=required_id(data, "id", "Drive file"),
            name=opt_str(data.get("name")) or "",
            mime_type=opt_str(data.get("mimeType") or data.get("mime_type")),
            size_bytes=opt_int(data.get("size", data.get("size_bytes"))),
            parents=str_tuple(data.get("parents")),
            modified_at=opt_datetime(data.get("modifiedTime")),
            raw=data,
        )


@attrs.frozen
class Job:
    """An import or export job. ``status`` is mapped; ``raw_status`` is what the service sent."""

    job_id: str
    status: JobStatus
    raw_status: str | None = None
    type: str | None = None
    connection_id: str | None = None
    provider: str | None = None
    total_files: int | None = None
    completed_files: int | None = None
    failed_files: int | None = None
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    image_ids: tuple[str, ...] = ()
    raw: Raw = attrs.field(factory=dict, repr=False, eq=False, kw_only=True)

    @classmethod
    def from_json(cls, data: Raw) -> Job:
        """Read from a response's JSON; raises ``APIResponseValidationError`` without ``job_id``."""
        raw_status = data.get("status", data.get("job_status"))
        return cls(
            job_id=required_id(data, "job_id", "job"),
            status=JobStatus.parse(raw_status),
            raw_status=opt_str(raw_status),
            type=opt_str(data.get("type")),
            connection_id=opt_str(data.get("connection_id")),
            provider=opt_str(data.get("provider")),
            total_files=opt_int(data.get("total_files")),
            completed_files=opt_int(data.get("completed_files")),
            failed_files=opt_int(data.get("failed_files")),
            error=opt_str(data.get("error")),
            created_at=opt_datetime(data.get("created_at")),
            updated_at=opt_datetime(data.get("updated_at")),
            completed_at=opt_datetime(data.get("completed_at")),
            image_ids=str_tuple(data.get("image_ids")),
            raw=data,
        )

    @property
    def is_terminal(self) -> bool:
        """True once the job will not change any more (completed, partial, failed, cancelled)."""
        return self.status.is_terminal

    @property
    def is_success(self) -> bool:
        """True for completed or partial."""
        return self.status.is_success

    @property
    def progress(self) -> float:
        """Fraction of files processed (completed or failed), 0.0 to 1.0."""
        total = self.total_files or 0
        if total <= 0:
            return 1.0 if self.is_terminal else 0.0
        done = (self.completed_files or 0) + (self.failed_files or 0)
        return min(1.0, max(0.0, done / total))


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
    (``uncertain``: a 500, a dropped connection, a read timeout after the request went out)."""

    items: tuple[str, ...]
    error: Exception = attrs.field(eq=False)
    uncertain: bool

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


@attrs.frozen
class ImportBatch:
    """The service's answer to one import request. With a job, ``image_ids`` (when the service
    sends them) are the ids the job is creating: final only once the job has completed."""

    files_sent: int
    is_async: bool
    image_ids: tuple[str, ...] = ()
    job_id: str | None = None
    status: JobStatus | None = None
    total_files: int | None = None
    message: str | None = None
    #: The Drive file ids of this batch, in the order sent.
    file_ids: tuple[str, ...] = ()
    #: True when the batch was accepted in an earlier run and read back from the journal.
    from_journal: bool = False
    raw: Raw = attrs.field(factory=dict, repr=False, eq=False, kw_only=True)

    @property
    def image_ids_final(self) -> bool:
        """A synchronous batch's ids name images that exist; a job's may still fail."""
        return not self.job_id

    @classmethod
    def from_json(cls, data: Raw, files_sent: int, file_ids: Sequence[str] = ()) -> ImportBatch:
        """Read one import answer; raises ``APIResponseValidationError`` when an asynchronous
        answer lacks ``job_id``."""
        job_id = opt_str(data.get("job_id")) or None
        is_async = opt_bool(data.get("is_async"))
        if is_async is None:
            is_async = job_id is not None
        if is_async and job_id is None:
            raise APIResponseValidationError("asynchronous import response lacks 'job_id'")
        status = data.get("status")
        return cls(
            files_sent=files_sent,
            is_async=is_async,
            image_ids=str_tuple(data.get("image_ids")),
            job_id=job_id,
            status=JobStatus.parse(status) if status is not None else None,
            total_files=opt_int(data.get("total_files")),
            message=opt_str(data.get("message")),
            file_ids=tuple(file_ids),
            raw=data,
        )


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
        return "; ".join(b.message for b in self.batches if b.message) or None


@attrs.frozen
class ImportResult(_BulkResult[ImportBatch]):
    """The outcome of ``import_files`` (one entry in ``batches`` per accepted request) and,
    after ``import_and_wait``, of the jobs it waited for (``jobs``, terminal).

    A failed call attaches a partial one to its exception (``exc.partial``): the batches
    accepted so far, the batch that ``failed`` and why, the files ``not_sent``. With a journal,
    ``uncertain`` lists earlier batches sent without an answer and what became of them, and
    ``skipped_files`` the files of those the caller chose to skip (not imported)."""

    @property
    def job_ids(self) -> tuple[str, ...]:
        """Ids of the jobs the import started, one per asynchronous batch."""
        return tuple(b.job_id for b in self.batches if b.job_id)

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
        created, and those of finished jobs. ``final_image_ids`` says which surely exist."""
        return _merge_ids([b.image_ids for b in self.batches] + [j.image_ids for j in self.jobs])

    @property
    def final_image_ids(self) -> tuple[str, ...]:
        """Ids of images that exist: synchronous batches, jobs' own lists, and the announced
        ids of jobs that completed (every file made its image)."""
        done = {j.job_id for j in self.jobs if j.status is JobStatus.COMPLETED}
        return _merge_ids(
            [b.image_ids for b in self.batches if not b.job_id or b.job_id in done]
            + [j.image_ids for j in self.jobs]
        )

    @property
    def pending_image_ids(self) -> tuple[str, ...]:
        """Announced ids not known to be final yet (their job runs, or ended with failures)."""
        final = set(self.final_image_ids)
        return tuple(i for i in self.image_ids if i not in final)

    @property
    def total_files(self) -> int:
        """Files in the import, as the service counted them (else as sent)."""
        return sum(
            b.total_files if b.total_files is not None else b.files_sent for b in self.batches
        )

    @property
    def sync_counts(self) -> tuple[int, int]:
        """(imported, lost) files of the batches that finished synchronously; a batch that
        returned fewer image ids than files sent lost the rest."""
        sync = [b for b in self.batches if not b.job_id]
        imported = sum(len(b.image_ids) for b in sync)
        return imported, sum(max(0, b.files_sent - len(b.image_ids)) for b in sync)

    @property
    def completed_files(self) -> int:
        """Files imported so far: by synchronous batches and by the jobs waited for."""
        return self.sync_counts[0] + sum(j.completed_files or 0 for j in self.jobs)

    @property
    def failed_files(self) -> int:
        """Files that failed so far: in synchronous batches and in the jobs waited for."""
        return self.sync_counts[1] + sum(j.failed_files or 0 for j in self.jobs)

    @property
    def status(self) -> JobStatus:
        """COMPLETED when every batch finished; otherwise the jobs' combined state."""
        return combined_status(
            [b.status or JobStatus.PENDING for b in self.batches if b.job_id], self.jobs
        )


@attrs.frozen
class ExportBatch:
    """The service's answer to one export request (always a job)."""

    job_id: str
    images_sent: int
    status: JobStatus | None = None
    is_async: bool = True
    message: str | None = None
    #: The image ids of this batch, in the order sent.
    image_ids: tuple[str, ...] = ()
    #: True when the batch was accepted in an earlier run and read back from the journal.
    from_journal: bool = False
    raw: Raw = attrs.field(factory=dict, repr=False, eq=False, kw_only=True)

    @classmethod
    def from_json(cls, data: Raw, images_sent: int, image_ids: Sequence[str] = ()) -> ExportBatch:
        """Read one export answer; raises ``APIResponseValidationError`` without ``job_id``."""
        status = data.get("job_status", data.get("status"))
        is_async = opt_bool(data.get("is_async"))
        return cls(
            job_id=required_id(data, "job_id", "export"),
            images_sent=images_sent,
            status=JobStatus.parse(status) if status is not None else None,
            is_async=True if is_async is None else is_async,
            message=opt_str(data.get("message")),
            image_ids=tuple(image_ids),
            raw=data,
        )


@attrs.frozen
class ExportResult(_BulkResult[ExportBatch]):
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
    def completed_files(self) -> int:
        """Images exported by the jobs waited for (0 before ``export_and_wait``)."""
        return sum(j.completed_files or 0 for j in self.jobs)

    @property
    def failed_files(self) -> int:
        """Images that failed in the jobs waited for (0 before ``export_and_wait``)."""
        return sum(j.failed_files or 0 for j in self.jobs)

    @property
    def status(self) -> JobStatus:
        """The jobs' combined status (see ``combined_status``)."""
        return combined_status([b.status or JobStatus.PENDING for b in self.batches], self.jobs)


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
