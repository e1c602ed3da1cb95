"""Batch by batch: the partial result on every failure, and what the journal makes of a re-run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from aionvision_cloud._bulk import BulkOutcome, may_have_acted, send_in_batches
from aionvision_cloud._journal import BatchRecord, Journal, JournalOperation, OnUncertain
from aionvision_cloud.errors import (
    AionvisionError,
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InvalidInputError,
    JournalError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UncertainBatchError,
)

FILES = [f"f{i}" for i in range(10)]
Batch = tuple[str, tuple[str, ...]]  # (job id, files)


def _from(cause: Exception, cls: type[APIConnectionError] = APIConnectionError) -> Exception:
    try:
        raise cls("failed") from cause
    except APIConnectionError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "acted"),
    [
        (ServerError("boom", status_code=500), True),
        (ServerError("bad gateway", status_code=502), True),
        (ServerError("unavailable", status_code=503), False),
        (RateLimitError("slow down", status_code=429), False),
        (NotFoundError("no connection", status_code=404), False),
        (InvalidInputError("bad"), False),
        (_from(httpx.RemoteProtocolError("dropped")), True),
        (_from(httpx.ReadTimeout("slow"), APITimeoutError), True),
        (_from(httpx.ConnectError("refused")), False),
        (_from(httpx.ConnectTimeout("no route"), APITimeoutError), False),
        (APIResponseValidationError("not JSON"), True),
    ],
)
def test_may_have_acted(exc: AionvisionError, acted: bool) -> None:
    assert may_have_acted(exc) is acted


class FakeService:
    """Accepts batches as jobs; fails the ones numbered in ``fail`` with the given error."""

    def __init__(self, fail: dict[int, AionvisionError] | None = None) -> None:
        self.fail = fail or {}
        self.sent: list[tuple[str, ...]] = []

    def send(self, chunk: Sequence[str]) -> Batch:
        n = len(self.sent)
        self.sent.append(tuple(chunk))
        if n in self.fail:
            raise self.fail[n]
        return (f"job_{n}", tuple(chunk))


def run(
    service: FakeService,
    journal: JournalOperation | None = None,
    on_uncertain: OnUncertain = "raise",
    items: Sequence[str] = FILES,
) -> BulkOutcome[Batch]:
    def from_journal(r: BatchRecord) -> Batch:
        return (r.job_id or "", r.items)

    return send_in_batches(
        items,
        key=str,
        size=4,
        send=service.send,
        accepted_ids=lambda b: (b[0], ()),
        from_journal=from_journal,
        journal=journal,
        on_uncertain=on_uncertain,
        partial=lambda outcome: outcome,
    )


def test_a_failed_batch_keeps_what_went_before_and_what_was_not_sent() -> None:
    service = FakeService({1: ServerError("boom", status_code=500)})
    with pytest.raises(ServerError) as caught:
        run(service)
    partial = caught.value.partial
    assert [b[0] for b in partial.batches] == ["job_0"]
    assert partial.failed.items == ("f4", "f5", "f6", "f7")
    assert partial.failed.uncertain is True
    assert "boom" in partial.failed.reason
    assert partial.not_sent == ("f8", "f9")


def test_the_same_file_twice_is_sent_once() -> None:
    service = FakeService()
    outcome = run(service, items=["a", "b", "a"])
    assert service.sent == [("a", "b")]
    assert len(outcome.batches) == 1


@pytest.fixture
def op(tmp_path: Path) -> JournalOperation:
    journal = Journal(tmp_path / "bulk.journal")
    return journal.operation("import", "conn_1", {})


def test_a_rerun_sends_only_what_was_not_accepted(op: JournalOperation) -> None:
    first = FakeService({1: ServerError("unavailable", status_code=503)})  # certainly not acted
    with pytest.raises(ServerError):
        run(first, op)
    again = FakeService()
    outcome = run(again, op)
    assert again.sent == [("f4", "f5", "f6", "f7"), ("f8", "f9")]
    assert [b[0] for b in outcome.batches] == ["job_0", "job_0", "job_1"]
    assert outcome.uncertain == ()


def test_an_uncertain_batch_needs_a_decision(op: JournalOperation) -> None:
    with pytest.raises(APIConnectionError):
        run(FakeService({1: _from(httpx.RemoteProtocolError("dropped"))}), op)  # type: ignore[dict-item]
    idle = FakeService()
    with pytest.raises(UncertainBatchError, match="on_uncertain='resend'") as caught:
        run(idle, op)
    assert idle.sent == []  # nothing is sent before the caller decides
    assert [b.items for b in caught.value.batches] == [("f4", "f5", "f6", "f7")]
    assert caught.value.partial.not_sent == ("f8", "f9")
    assert [u.resolution for u in caught.value.partial.uncertain] == [None]


def test_resend_sends_the_uncertain_batch_again(op: JournalOperation) -> None:
    with pytest.raises(ServerError):
        run(FakeService({1: ServerError("boom", status_code=500)}), op)
    again = FakeService()
    outcome = run(again, op, "resend")
    assert again.sent == [("f4", "f5", "f6", "f7"), ("f8", "f9")]
    assert [u.resolution for u in outcome.uncertain] == ["resent"]
    assert outcome.skipped == ()


def test_skip_reports_the_uncertain_files_as_not_done(op: JournalOperation) -> None:
    with pytest.raises(ServerError):
        run(FakeService({1: ServerError("boom", status_code=500)}), op)
    again = FakeService()
    outcome = run(again, op, "skip")
    assert again.sent == [("f8", "f9")]
    assert outcome.skipped == ("f4", "f5", "f6", "f7")
    assert [u.resolution for u in outcome.uncertain] == ["skipped"]
    # A third run changes nothing and keeps reporting the skipped files.
    third = FakeService()
    assert run(third, op, "resend").skipped == ("f4", "f5", "f6", "f7")
    assert third.sent == []


# -- a journal that cannot write -----------------------------------------------------------------


def _failing(
    op: JournalOperation, method: str, on_call: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = getattr(op, method)
    calls = 0

    def write(*args: object) -> object:
        nonlocal calls
        calls += 1
        if calls == on_call:
            raise JournalError("cannot write journal: database or disk is full")
        return real(*args)

    monkeypatch.setattr(op, method, write)


def test_an_accepted_batch_the_journal_cannot_record_is_in_partial_and_followed_next_run(
    op: JournalOperation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing(op, "accepted", 2, monkeypatch)
    first = FakeService()
    with pytest.raises(JournalError, match="job_1") as caught:
        run(first, op)
    partial = caught.value.partial
    assert partial is not None  # something was sent
    assert [b[0] for b in partial.batches] == ["job_0", "job_1"]
    assert partial.not_sent == ("f8", "f9")
    assert "kept in" in str(caught.value)
    monkeypatch.undo()
    op.journal.close()  # the run ends; the next one opens the journal afresh
    # The next open folds the side file in: job_1's batch is followed, not asked about or resent.
    with Journal(op.journal.path) as journal:
        again = FakeService()
        outcome = run(again, journal.operation("import", "conn_1", {}), on_uncertain="resend")
    assert again.sent == [("f8", "f9")]
    assert [b[0] for b in outcome.batches] == ["job_0", "job_1", "job_0"]
    assert not Path(op.journal.side_path).exists()


def test_without_a_side_file_the_batch_stays_an_open_question(
    op: JournalOperation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing(op, "accepted", 1, monkeypatch)
    monkeypatch.setattr(op.journal, "write_side", lambda *a: False)
    with pytest.raises(JournalError, match="not recorded anywhere") as caught:
        run(FakeService(), op)
    assert [b[0] for b in caught.value.partial.batches] == ["job_0"]
    monkeypatch.undo()
    with pytest.raises(UncertainBatchError):  # asked, never silently resent
        run(FakeService(), op)


def test_a_batch_the_journal_cannot_begin_is_not_sent_and_partial_says_so(
    op: JournalOperation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing(op, "begin", 2, monkeypatch)
    service = FakeService()
    with pytest.raises(JournalError) as caught:
        run(service, op)
    assert service.sent == [("f0", "f1", "f2", "f3")]
    partial = caught.value.partial
    assert [b[0] for b in partial.batches] == ["job_0"]
    assert partial.not_sent == tuple(FILES[4:])


def test_a_failure_the_journal_cannot_record_keeps_partial(
    op: JournalOperation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing(op, "uncertain", 1, monkeypatch)
    with pytest.raises(JournalError) as caught:
        run(FakeService({1: ServerError("boom", status_code=500)}), op)
    partial = caught.value.partial
    assert partial.failed.items == ("f4", "f5", "f6", "f7")
    assert partial.failed.uncertain is True
    assert isinstance(caught.value.__cause__, ServerError)
