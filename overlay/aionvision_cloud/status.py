"""Job status mapping: the document's values, the backend's spellings, and anything else."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SUCCESS_STATUSES", "TERMINAL_STATUSES", "JobStatus"]


class JobStatus(StrEnum):
    """A job's status. A ``str`` enum, so ``job.status == "completed"`` holds.

    ``UNKNOWN`` stands for any value the service sends that this client does not know; the raw
    string stays on the job (``Job.raw_status``).
    """

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, raw: object) -> JobStatus:
        """Map a status as sent (any case, backend spellings included); never raises."""
        if isinstance(raw, JobStatus):
            return raw
        if not isinstance(raw, str):
            return cls.UNKNOWN
        key = raw.strip().lower().replace("-", "_").replace(" ", "_")
        return _ALIASES.get(key, cls.UNKNOWN)

    @property
    def is_terminal(self) -> bool:
        """True for a state the job never leaves (completed, partial, failed, cancelled)."""
        return self in TERMINAL_STATUSES

    @property
    def is_success(self) -> bool:
        """True for completed or partial."""
        return self in SUCCESS_STATUSES


_ALIASES: dict[str, JobStatus] = {s.value: s for s in JobStatus if s is not JobStatus.UNKNOWN}
_ALIASES.update(
    {
        # Backend spellings the service normalizes; mapped here too in case one slips through.
        "processing": JobStatus.IN_PROGRESS,
        "completed_with_errors": JobStatus.PARTIAL,
        # The US spelling of the same state.
        "canceled": JobStatus.CANCELLED,
    }
)

TERMINAL_STATUSES = frozenset(
    {JobStatus.COMPLETED, JobStatus.PARTIAL, JobStatus.FAILED, JobStatus.CANCELLED}
)
SUCCESS_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.PARTIAL})
