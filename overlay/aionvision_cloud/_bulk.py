"""Sending a bulk import or export batch by batch, so that no failure loses what was started.

Every batch is written to the journal (when there is one) before it is sent and again when it is
answered. When a batch fails, the exception raised is the original one (a ``ServerError`` stays a
``ServerError``) with ``exc.partial`` set: the batches accepted so far, the failed batch and
whether the service may have acted on it, and the items not sent. An accepted answer the client
cannot read (``APIResponseValidationError``) that still names its job is recorded as accepted with
that job, so a re-run follows the job rather than sending the batch twice.

Any other exception, ``KeyboardInterrupt`` and other ``BaseException``s included, goes on as it
is with ``partial`` set too: the batch in flight when it came is a ``BatchFailure`` with
``uncertain=True`` (the request may have reached the service), the rest are ``not_sent``.

A journal that cannot record a step raises ``JournalError`` with ``partial`` set all the same:
an answered batch is in ``partial.batches`` with its job (and written to the journal's side file
when it can be, for the next run to follow), and the failed write stops the call before anything
more is sent.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    JournalError,
    UncertainBatchError,
)

__all__ = ["BulkOutcome", "job_named", "keep_partial", "may_have_acted", "send_in_batches"]

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


def keep_partial(exc: BaseException, partial: object) -> None:
    """Set ``exc.partial``. Any exception instance takes attributes (``KeyboardInterrupt``
    included); one that does not (a C extension's, with ``__slots__``) goes on without."""
    with contextlib.suppress(AttributeError, TypeError):
        exc.partial = partial  # type: ignore[attr-defined]


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
    before_batch: Callable[[Sequence[B]], None] | None = None,
) -> BulkOutcome[B]:
    """Send ``items`` in batches of ``size``; ``send`` makes one request and returns its batch.

    With a ``journal``: batches accepted earlier are taken from it instead of being sent, open
    questions are settled as ``on_uncertain`` says (``"raise"``: an ``UncertainBatchError``
    before anything is sent). ``partial`` turns an outcome into the result attached to an
    exception as ``exc.partial``. ``before_batch`` gets the batches so far before each batch is
    sent (an export learns its new folder there); its error stops the call, the batch not sent.
    """
    batches: list[B] = []
    uncertain: tuple[UncertainBatch, ...] = ()
    skipped: tuple[str, ...] = ()
    by_key: dict[str, T] = {}
    for item in items:
        by_key.setdefault(key(item), item)  # the same file twice in one call is sent once
    to_send = list(by_key.values())
    sent_keys = list(by_key)
    from_earlier = 0  # batches taken from the journal, at the front of ``batches``
    handled: set[int] = set()  # exceptions already given their partial below

    def stop(exc: BaseException, failed: BatchFailure | None, after: int) -> None:
        handled.add(id(exc))
        outcome = BulkOutcome(
            tuple(batches),
            failed=failed,
            not_sent=tuple(sent_keys[after:]),
            uncertain=uncertain,
            skipped=skipped,
        )
        keep_partial(exc, partial(outcome))

    def settled() -> int:
        # Derived from ``batches`` alone, so a stop at any instant counts an appended batch as
        # sent, never also as not sent.
        return max(0, min(len(sent_keys), (len(batches) - from_earlier) * size))

    try:
        if journal is not None:
            journal.check_conflicts(by_key)
            plan = journal.plan(list(by_key), on_uncertain)
            # This call's files only: a batch of a larger earlier call counts what this call
            # holds.
            earlier = [from_journal(_only(r, by_key)) for r in plan.accepted]
            from_earlier = len(earlier)
            batches = earlier
            uncertain = tuple(
                UncertainBatch(_only(r, by_key).items, r.error, resolution)
                for records, resolution in (
                    (plan.uncertain, None),
                    (plan.resent, "resent"),
                    (_skipped_records(journal, plan.skipped), "skipped"),
                )
                for r in records
            )
            skipped = plan.skipped
            to_send = [by_key[k] for k in plan.to_send]
            sent_keys = list(plan.to_send)
            if plan.uncertain:
                # This call's files of them: on_uncertain decides for those only (see plan).
                exc = UncertainBatchError([_only(r, by_key) for r in plan.uncertain])
                stop(exc, None, 0)
                raise exc
        sent_keys = [key(i) for i in to_send]
        for start, chunk in zip(range(0, len(to_send), size), _chunks(to_send, size), strict=True):
            if before_batch is not None:
                try:
                    before_batch(batches)
                except BaseException as exc:
                    stop(exc, None, start)  # this batch was not sent: it is in not_sent
                    raise
            _send_one(
                chunk,
                sent_keys[start : start + len(chunk)],
                start,
                send=send,
                accepted_ids=accepted_ids,
                journal=journal,
                batches=batches,
                stop=stop,
            )
    except BaseException as exc:
        if id(exc) not in handled:
            stop(exc, None, settled())  # between two steps: nothing was in flight
        raise
    return BulkOutcome(tuple(batches), uncertain=uncertain, skipped=skipped)


def _send_one(
    chunk: Sequence[T],
    chunk_keys: list[str],
    start: int,
    *,
    send: Callable[[Sequence[T]], B],
    accepted_ids: Callable[[B], tuple[str | None, Sequence[str]]],
    journal: JournalOperation | None,
    batches: list[B],
    stop: Callable[[BaseException, BatchFailure | None, int], None],
) -> None:
    """Send one batch (journalled) and append its answer to ``batches``; any exception leaves
    with its partial set by ``stop``."""
    try:
        batch_id = journal.begin(chunk_keys) if journal is not None else None
    except BaseException as exc:
        stop(exc, None, start)  # this batch was not sent: it is in not_sent
        raise
    after = start + len(chunk)
    try:
        batch = send(chunk)
    except AionvisionError as exc:
        acted = may_have_acted(exc)
        job_id, announced = job_named(exc)
        # With its job known, the batch is no open question: the service took it.
        failed = BatchFailure(tuple(chunk_keys), exc, acted and job_id is None, job_id)
        if journal is not None and batch_id is not None:
            try:
                if job_id is not None:
                    _record_accepted(journal, batch_id, job_id, announced)
                else:
                    record = journal.uncertain if acted else journal.rejected
                    record(batch_id, str(exc))
            except JournalError as journal_exc:
                stop(journal_exc, failed, after)
                raise journal_exc from exc
        stop(exc, failed, after)
        raise
    except BaseException as exc:
        # Ctrl-C (or any other way out) mid-request: the service may have taken the batch.
        # The journal already holds it as sent, an open question for the next run; saying why
        # is a courtesy that must not hide the interruption.
        failed = BatchFailure(tuple(chunk_keys), exc, True)
        if journal is not None and batch_id is not None:
            with contextlib.suppress(JournalError):
                journal.uncertain(batch_id, f"interrupted: {type(exc).__name__}")
        stop(exc, failed, after)
        raise
    if journal is not None and batch_id is not None:
        job_id, image_ids = accepted_ids(batch)
        try:
            _record_accepted(journal, batch_id, job_id, image_ids)
        except JournalError as exc:
            batches.append(batch)  # accepted by the service, whatever the journal says
            stop(exc, None, after)
            raise
        except BaseException as exc:
            batches.append(batch)
            # Interrupted while recording: the side file keeps the job for the next run (the
            # fold is idempotent, so a write that did commit is not harmed).
            journal.journal.write_side(batch_id, job_id, image_ids)
            stop(exc, None, after)
            raise
    batches.append(batch)


def _record_accepted(
    journal: JournalOperation, batch_id: int, job_id: str | None, image_ids: Sequence[str]
) -> None:
    """Record an accepted batch; when the journal cannot, keep its job in the side file (folded
    in at the next open) and raise the ``JournalError`` naming the job."""
    try:
        journal.accepted(batch_id, job_id, image_ids)
    except JournalError as exc:
        kept = journal.journal.write_side(batch_id, job_id, image_ids)
        job = f"job {job_id}" if job_id else "its images"
        where = (
            f"kept in {journal.journal.side_path!r} for the next run to follow"
            if kept
            else "not recorded anywhere: the next run will ask about it (on_uncertain)"
        )
        exc.message = f"{exc.message}; the service accepted the batch ({job}), {where}"
        exc.args = (exc.message,)
        raise


def _only(record: BatchRecord, wanted: Mapping[str, object]) -> BatchRecord:
    items = tuple(i for i in record.items if i in wanted)
    if len(items) == len(record.items):
        return record
    return attrs.evolve(record, items=items, items_sent=len(record.items))


def _skipped_records(journal: JournalOperation, skipped: Sequence[str]) -> list[BatchRecord]:
    wanted = set(skipped)
    return [r for r in journal.batches() if r.resolution == "skipped" and wanted & set(r.items)]
