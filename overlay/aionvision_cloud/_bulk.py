"""Sending a bulk import or export batch by batch, so that no failure loses what was started.

Every batch is written to the journal (when there is one) before it is sent and again when it is
answered. When a batch fails, the exception raised is the original one (a ``ServerError`` stays a
``ServerError``) with ``exc.partial`` set: the batches accepted so far, the failed batch and
whether the service may have acted on it, and the items not sent. An accepted answer the client
cannot read (``APIResponseValidationError``) that still names its job is recorded as accepted with
that job, so a re-run follows the job rather than sending the batch twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

import attrs
import httpx

from ._journal import BatchRecord, JournalOperation, OnUncertain
from ._results import BatchFailure, UncertainBatch, id_tuple
from ._retry import NOT_SENT_ERRORS
from .errors import (
    AionvisionError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    InvalidInputError,
    UncertainBatchError,
)

__all__ = ["BulkOutcome", "job_named", "may_have_acted", "send_in_batches"]

T = TypeVar("T")
B = TypeVar("B")


def may_have_acted(exc: AionvisionError) -> bool:
    """Could the service have acted on a request that ended in ``exc``? Only a 4xx, a 503
    (which the service sends before doing anything) and a connection never made say no."""
    if isinstance(exc, InvalidInputError):
        return False
    if isinstance(exc, APIStatusError):
        return not (400 <= exc.status_code < 500 or exc.status_code == 503)
    if isinstance(exc, APIConnectionError):
        return not isinstance(exc.__cause__, (*NOT_SENT_ERRORS, httpx.UnsupportedProtocol))
    # A 2xx whose body could not be read, or anything unforeseen: assume the worst.
    return True


def job_named(exc: AionvisionError) -> tuple[str | None, tuple[str, ...]]:
    """The job id (and image ids) in an accepted answer the client could not read otherwise."""
    response = exc.response if isinstance(exc, APIResponseValidationError) else None
    if response is None or not response.is_success:
        return None, ()
    try:
        data = json.loads(response.content)
    except ValueError:
        return None, ()
    job_id = data.get("job_id") if isinstance(data, dict) else None
    if not isinstance(job_id, str) or not job_id:
        return None, ()
    return job_id, id_tuple(data.get("image_ids"))


@attrs.frozen
class BulkOutcome(Generic[B]):
    """What a bulk call did, whether it finished or not."""

    batches: tuple[B, ...]
    failed: BatchFailure | None = None
    not_sent: tuple[str, ...] = ()
    uncertain: tuple[UncertainBatch, ...] = ()
    skipped: tuple[str, ...] = ()


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def send_in_batches(
    items: Sequence[T],
    *,
    key: Callable[[T], str],
    size: int,
    send: Callable[[Sequence[T]], B],
    accepted_ids: Callable[[B], tuple[str | None, Sequence[str]]],
    from_journal: Callable[[BatchRecord], B],
    journal: JournalOperation | None,
    on_uncertain: OnUncertain,
    partial: Callable[[BulkOutcome[B]], object],
) -> BulkOutcome[B]:
    """Send ``items`` in batches of ``size``; ``send`` makes one request and returns its batch.

    With a ``journal``: batches accepted earlier are taken from it instead of being sent, open
    questions are settled as ``on_uncertain`` says (``"raise"``: an ``UncertainBatchError``
    before anything is sent). ``partial`` turns an outcome into the result attached to an
    exception as ``exc.partial``.
    """
    batches: list[B] = []
    uncertain: tuple[UncertainBatch, ...] = ()
    skipped: tuple[str, ...] = ()
    by_key: dict[str, T] = {}
    for item in items:
        by_key.setdefault(key(item), item)  # the same file twice in one call is sent once
    to_send = list(by_key.values())
    if journal is not None:
        plan = journal.plan(list(by_key), on_uncertain)
        batches = [from_journal(r) for r in plan.accepted]
        uncertain = tuple(
            UncertainBatch(r.items, r.error, resolution)
            for records, resolution in (
                (plan.uncertain, None),
                (plan.resent, "resent"),
                (_skipped_records(journal, plan.skipped), "skipped"),
            )
            for r in records
        )
        skipped = plan.skipped
        to_send = [by_key[k] for k in plan.to_send]
        if plan.uncertain:
            exc = UncertainBatchError(plan.uncertain)
            exc.partial = partial(
                BulkOutcome(
                    tuple(batches),
                    not_sent=plan.to_send,
                    uncertain=uncertain,
                    skipped=skipped,
                )
            )
            raise exc
    sent_keys = [key(i) for i in to_send]
    for start, chunk in zip(range(0, len(to_send), size), _chunks(to_send, size), strict=True):
        chunk_keys = sent_keys[start : start + len(chunk)]
        batch_id = journal.begin(chunk_keys) if journal is not None else None
        try:
            batch = send(chunk)
        except AionvisionError as exc:
            acted = may_have_acted(exc)
            job_id, announced = job_named(exc)
            if journal is not None and batch_id is not None:
                if job_id is not None:
                    journal.accepted(batch_id, job_id, announced)
                else:
                    record = journal.uncertain if acted else journal.rejected
                    record(batch_id, str(exc))
            outcome = BulkOutcome(
                tuple(batches),
                # With its job known, the batch is no open question: the service took it.
                failed=BatchFailure(tuple(chunk_keys), exc, acted and job_id is None, job_id),
                not_sent=tuple(sent_keys[start + len(chunk) :]),
                uncertain=uncertain,
                skipped=skipped,
            )
            exc.partial = partial(outcome)
            raise
        if journal is not None and batch_id is not None:
            job_id, image_ids = accepted_ids(batch)
            journal.accepted(batch_id, job_id, image_ids)
        batches.append(batch)
    return BulkOutcome(tuple(batches), uncertain=uncertain, skipped=skipped)


def _skipped_records(journal: JournalOperation, skipped: Sequence[str]) -> list[BatchRecord]:
    wanted = set(skipped)
    return [r for r in journal.batches() if r.resolution == "skipped" and wanted & set(r.items)]
