"""The journal: what a re-run sends, skips and asks about; locking; surviving SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aionvision_cloud._journal import Journal, JournalOperation
from aionvision_cloud.errors import InvalidInputError, JournalConflictError, JournalError

FILES = [f"f{i}" for i in range(10)]


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    j = Journal(tmp_path / "run.journal")
    yield j  # type: ignore[misc]
    j.close()


@pytest.fixture
def op(journal: Journal) -> JournalOperation:
    return journal.operation("import", "conn_1", {"tags": ["drive"]})


def test_fresh_journal_sends_everything(op: JournalOperation) -> None:
    plan = op.plan(FILES, "raise")
    assert plan.to_send == tuple(FILES)
    assert plan.accepted == plan.uncertain == plan.resent == ()
    assert plan.skipped == ()


def test_accepted_batches_are_skipped_and_rejected_ones_sent_again(op: JournalOperation) -> None:
    a = op.begin(FILES[:4])
    op.accepted(a, "job_1", ["img_1", "img_2"])
    r = op.begin(FILES[4:6])
    op.rejected(r, "422 VALIDATION_ERROR")
    plan = op.plan(FILES, "raise")
    assert [b.job_id for b in plan.accepted] == ["job_1"]
    assert plan.accepted[0].image_ids == ("img_1", "img_2")
    assert plan.to_send == tuple(FILES[4:])


def test_unanswered_batch_is_an_open_question_until_the_caller_decides(
    op: JournalOperation,
) -> None:
    a = op.begin(FILES[:5])
    op.accepted(a, "job_1", [])
    op.begin(FILES[5:8])  # killed before the answer: still `sending`
    plan = op.plan(FILES, "raise")
    assert [b.items for b in plan.uncertain] == [tuple(FILES[5:8])]
    assert plan.to_send == tuple(FILES[8:])  # neither resent nor skipped without a decision
    # "raise" records nothing: asking again gives the same answer.
    assert op.plan(FILES, "raise").uncertain == plan.uncertain


def test_resend_sends_the_uncertain_batch_once_more_and_remembers(op: JournalOperation) -> None:
    u = op.begin(FILES[:3])
    op.uncertain(u, "500 INTERNAL_ERROR")
    plan = op.plan(FILES, "resend")
    assert [b.id for b in plan.resent] == [u]
    assert plan.to_send == tuple(FILES)
    # The decision is recorded: the resent batch's files now follow their new batch.
    b = op.begin(FILES)
    op.accepted(b, "job_2", [])
    again = op.plan(FILES, "raise")
    assert again.uncertain == ()
    assert again.to_send == ()
    assert [r.job_id for r in again.accepted] == ["job_2"]


def test_skip_reports_the_files_as_not_imported_for_good(op: JournalOperation) -> None:
    u = op.begin(FILES[:3])
    op.uncertain(u, "dropped connection")
    plan = op.plan(FILES, "skip")
    assert plan.skipped == tuple(FILES[:3])
    assert plan.to_send == tuple(FILES[3:])
    later = op.plan(FILES, "resend")  # the earlier decision stands
    assert later.skipped == tuple(FILES[:3])
    assert later.resent == ()


@pytest.mark.parametrize("choice", ["resend", "skip"])
def test_a_choice_on_an_uncertain_batch_is_for_this_calls_files_only(
    op: JournalOperation, choice: str
) -> None:
    u = op.begin(FILES[:6])
    op.uncertain(u, "500 INTERNAL_ERROR")
    plan = op.plan(FILES[:2], choice)  # type: ignore[arg-type]
    assert (plan.skipped, plan.to_send) == (
        (tuple(FILES[:2]), ()) if choice == "skip" else ((), tuple(FILES[:2]))
    )
    # The batch's other 4 files were no part of that choice: a call holding them is asked.
    later = op.plan(FILES, "raise")
    assert [b.items for b in later.uncertain] == [tuple(FILES[2:6])]
    assert later.uncertain[0].error == "500 INTERNAL_ERROR"
    assert later.skipped == (tuple(FILES[:2]) if choice == "skip" else ())


def test_a_file_accepted_since_its_batch_was_refused_is_not_sent_again(
    op: JournalOperation,
) -> None:
    """A refused batch of 6, then a smaller call that sent 2 of them (accepted): a call for all
    6 sends the other 4 only; the refused batch no longer speaks for the 2."""
    r = op.begin(FILES[:6])
    op.rejected(r, "429 RATE_LIMIT_ERROR")
    a = op.begin(FILES[:2])
    op.accepted(a, "job_1", [])
    plan = op.plan(FILES[:6], "raise")
    assert plan.to_send == tuple(FILES[2:6])
    assert [b.job_id for b in plan.accepted] == ["job_1"]


def test_operations_are_told_apart_by_kind_and_options_not_connection(journal: Journal) -> None:
    first = journal.operation("import", "conn_1", {"tags": ["a", "b"]})
    first.accepted(first.begin(FILES), "job_1", [])
    # Tags are a set; the connection is recorded beside the operation, not part of it.
    for same in (
        journal.operation("import", "conn_1", {"tags": ["b", "a", "b"]}),
        journal.operation("import", "conn_2", {"tags": ["a", "b"]}),
    ):
        assert same.key == first.key
        assert same.plan(FILES, "raise").to_send == ()
    assert (
        journal.operation("import", "conn_1", {"tags": []}).key
        == journal.operation("import", "conn_1", {"tags": None}).key
    )
    for other in (
        journal.operation("import", "conn_1", {"tags": ["b"]}),
        journal.operation("export", "conn_1", {"tags": ["a", "b"]}),
    ):
        assert other.key != first.key
        assert other.plan(FILES, "raise").to_send == tuple(FILES)


def test_files_recorded_under_other_options_are_refused_naming_the_difference(
    journal: Journal,
) -> None:
    first = journal.operation("import", "conn_1", {"tags": ["a"], "collection_id": "c1"})
    first.accepted(first.begin(FILES[:4]), "job_1", [])
    other = journal.operation("import", "conn_1", {"tags": ["z"], "collection_id": "c1"})
    with pytest.raises(JournalConflictError, match=r"tags: recorded \['a'\], now \['z'\]") as info:
        other.check_conflicts(FILES)
    assert info.value.files == 4
    assert "new journal" in str(info.value)
    other.check_conflicts(FILES[4:])  # files the journal never saw are no conflict
    # An export of the same ids is another kind of operation: no conflict.
    journal.operation("export", "conn_1", {}).check_conflicts(FILES)


def test_a_journal_of_the_earlier_key_is_adopted(tmp_path: Path) -> None:
    import hashlib
    import json

    path = tmp_path / "old.journal"
    with Journal(path) as j:
        legacy = hashlib.sha256(
            json.dumps(["import", "conn_1", {"tags": ["a"]}], sort_keys=True).encode()
        ).hexdigest()[:32]
        from aionvision_cloud._journal import JournalOperation as Op

        old = Op(j, legacy)
        old.accepted(old.begin(FILES[:3]), "job_old", [])
    with Journal(path) as j:
        plan = j.operation("import", "conn_1", {"tags": ["a"]}).plan(FILES, "raise")
    assert [r.job_id for r in plan.accepted] == ["job_old"]
    assert plan.to_send == tuple(FILES[3:])


def test_planning_is_linear_in_files_and_batches(journal: Journal) -> None:
    """Counted, not timed: each item is hashed a bounded number of times however many batches
    the journal holds (the quadratic plan hashed every item once per batch)."""
    op = journal.operation("import", "conn_1", {})
    for n in range(200):
        op.accepted(op.begin([f"old{n}_{k}" for k in range(5)]), f"job_{n}", [])

    class Counted(str):
        __slots__ = ()
        hashes = 0

        def __hash__(self) -> int:
            Counted.hashes += 1
            return str.__hash__(self)

    items = [Counted(f"new{i}") for i in range(2000)]
    op.plan(items, "raise")
    assert Counted.hashes <= 10 * len(items)


def test_files_added_since_the_first_run_are_sent(op: JournalOperation) -> None:
    op.accepted(op.begin(FILES), "job_1", [])
    assert op.plan([*FILES, "new_1"], "raise").to_send == ("new_1",)


def test_finished_jobs_are_remembered(op: JournalOperation) -> None:
    op.job_seen("job_1", {"job_id": "job_1", "status": "in_progress"}, terminal=False)
    assert op.finished_jobs() == {}
    op.job_seen("job_1", {"job_id": "job_1", "status": "completed"}, terminal=True)
    assert op.finished_jobs() == {"job_1": {"job_id": "job_1", "status": "completed"}}


def test_bad_on_uncertain_is_refused(op: JournalOperation) -> None:
    with pytest.raises(InvalidInputError, match="on_uncertain"):
        op.plan(FILES, "maybe")  # type: ignore[arg-type]


def test_a_second_process_cannot_share_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "shared.journal"
    with Journal(path), pytest.raises(JournalError, match="locked"):
        Journal(path)
    Journal(path).close()  # free again once closed


def test_bad_paths_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        Journal(tmp_path / "missing" / "j.journal")
    with pytest.raises(InvalidInputError, match="file path"):
        Journal(":memory:")
    junk = tmp_path / "junk.journal"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalError, match=r"not a journal|cannot open"):
        Journal(junk)


_WRITER = textwrap.dedent(
    """
    import sys
    from aionvision_cloud._journal import Journal
    op = Journal(sys.argv[1]).operation("import", "conn_1", {})
    n = 0
    while True:
        b = op.begin([f"f{n}a", f"f{n}b"])
        op.accepted(b, f"job_{n}", [f"img_{n}"])
        print(n, flush=True)
        n += 1
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_writer_leaves_a_consistent_journal(tmp_path: Path) -> None:
    path = tmp_path / "killed.journal"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    acknowledged = 0
    for line in proc.stdout:
        acknowledged = int(line) + 1
        if acknowledged >= 25:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Journal(path) as j:
        records = j.operation("import", "conn_1", {}).batches()
    # Every batch printed as acknowledged is there, accepted; at most the last is mid-way.
    accepted = [r for r in records if r.state == "accepted"]
    assert len(accepted) >= acknowledged
    assert all(r.state == "accepted" for r in records[:-1])
    assert records[-1].state in ("accepted", "sending")
    for r in accepted:
        n = r.job_id.removeprefix("job_") if r.job_id else ""
        assert r.items == (f"f{n}a", f"f{n}b")
        assert r.image_ids == (f"img_{n}",)


def test_the_side_file_is_folded_in_once_and_a_torn_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "side.journal"
    with Journal(path) as j:
        op = j.operation("import", "conn_1", {})
        batch = op.begin(FILES[:3])
        assert j.write_side(batch, "job_9", ["img_9"])
    with open(str(path) + "-accepted", "a", encoding="utf-8") as side:
        side.write('{"batch": 99, "job_')  # cut short by the failure that sent it there
    with Journal(path) as j:
        [record] = j.operation("import", "conn_1", {}).batches()
    assert (record.state, record.job_id, record.image_ids) == ("accepted", "job_9", ("img_9",))
    assert not Path(str(path) + "-accepted").exists()


def test_a_journal_records_its_server_and_refuses_another(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    with Journal(path) as j:
        # Written before journals recorded a server: no record, adopted at first use.
        j._write("DELETE FROM meta", ())
        assert j.server is None
        j.use_server("https://one.example/api/v2/")
        assert j.server == "https://one.example/api/v2"
    with Journal(path) as j:
        j.use_server("https://one.example/api/v2")  # the same server, slash or not
        with pytest.raises(JournalConflictError) as caught:
            j.use_server("https://two.example/api/v2")
    assert "https://one.example/api/v2" in str(caught.value)
    assert "https://two.example/api/v2" in str(caught.value)
