"""The journal's edge cases against the emulator, counted by the emulator itself: reordered tags,
a reconnect, other options, a smaller re-run, and a journal that cannot write."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from aionvision_cloud import (
    Client,
    JournalConflictError,
    JournalError,
    Progress,
    ServerError,
    UncertainBatchError,
)
from aionvision_cloud._journal import JournalOperation
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import client_for, connect

Setup = tuple[str, list[dict[str, Any]]]


def _imports(emulator: RunningEmulator) -> dict[str, int]:
    counts: dict[str, int] = emulator.admin.stats()["imports_by_source_file"]
    return counts


def test_reordered_tags_are_the_same_import(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "tags.journal"
    cs.import_and_wait(conn_id, files, tags=["a", "b"], batch_size=10, journal=journal)
    again = cs.import_and_wait(conn_id, files, tags=["b", "a", "a"], batch_size=10, journal=journal)
    assert all(b.from_journal for b in again.batches)
    assert set(_imports(emulator).values()) == {1}  # 20 files, each imported once


def test_a_reconnect_to_the_same_account_is_the_same_import_and_export(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "reconnect.journal"
    first = cs.import_and_wait(conn_id, files, batch_size=10, journal=journal)
    out = tmp_path / "export.journal"
    cs.export_and_wait(conn_id, first.image_ids, folder_name="out", journal=out)
    cs.disconnect(conn_id)
    with client_for(emulator) as api:
        new_id = str(connect(api)["connection"]["id"])
    assert new_id != conn_id
    again = cs.import_and_wait(new_id, files, batch_size=10, journal=journal)
    assert len(again.files) == 20
    assert set(_imports(emulator).values()) == {1}
    cs.export_and_wait(new_id, first.image_ids, folder_name="out", journal=out)
    assert set(emulator.admin.stats()["exports_by_image"].values()) == {1}


def test_an_export_through_another_account_is_refused(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    first = cs.import_and_wait(conn_id, files[:5], journal=tmp_path / "i.journal")
    out = tmp_path / "export.journal"
    cs.export_and_wait(conn_id, first.image_ids, folder_name="out", journal=out)
    with client_for(emulator) as api:
        other = str(connect(api, login_hint="someone.else@example.com")["connection"]["id"])
    with pytest.raises(JournalConflictError, match="new journal") as caught:
        cs.export_files(other, first.image_ids, folder_name="out", journal=out)
    assert conn_id in str(caught.value)
    assert other in str(caught.value)
    assert set(emulator.admin.stats()["exports_by_image"].values()) == {1}


def test_other_tags_are_refused_naming_the_difference(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "other.journal"
    cs.import_files(conn_id, files, tags=["a"], batch_size=10, journal=journal)
    with pytest.raises(JournalConflictError, match=r"tags: recorded \['a'\], now \['c'\]"):
        cs.import_files(conn_id, files, tags=["c"], batch_size=10, journal=journal)
    assert emulator.admin.stats()["jobs_created"] == {"import": 2}  # the first call's only


def test_a_smaller_rerun_reports_its_own_files(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "smaller.journal"
    cs.import_files(conn_id, files, batch_size=10, journal=journal)
    smaller = cs.import_files(conn_id, files[3:8], batch_size=10, journal=journal)
    assert [f.file_id for f in smaller.files] == [f["id"] for f in files[3:8]]
    assert {i for b in smaller.batches for i in b.file_ids} == {f["id"] for f in files[3:8]}


def test_a_smaller_rerun_counts_its_own_files_of_a_job_that_completed(
    client: Client, setup: Setup, tmp_path: Path
) -> None:
    """A job of 10 files that all completed: the 3 files of this call are done, exactly; the
    10 placeholder ids the job announced are kept apart, not handed to this call as its own."""
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "smaller-done.journal"
    first = cs.import_and_wait(conn_id, files[:10], batch_size=10, journal=journal)
    assert first.completed_files == 10
    smaller = cs.import_and_wait(conn_id, files[2:5], batch_size=10, journal=journal)
    assert (len(smaller.files), smaller.completed_files, smaller.failed_files) == (3, 3, 0)
    assert [f.outcome for f in smaller.files] == ["done"] * 3
    assert [f.image_id for f in smaller.files] == [None] * 3  # which id is whose: not said
    assert smaller.image_ids == ()
    assert set(smaller.journal.shared_image_ids) == set(first.image_ids)


def test_a_smaller_rerun_reports_progress_over_its_own_files(
    client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "smaller-progress.journal"
    cs.import_files(conn_id, files[:10], batch_size=10, journal=journal)  # not waited for
    seen: list[Progress] = []
    cs.import_and_wait(conn_id, files[2:5], batch_size=10, journal=journal, on_progress=seen.append)
    assert seen
    assert all(p.total_files == 3 and p.completed_files + p.failed_files <= 3 for p in seen)
    assert str(seen[-1]).startswith("3/3 files")


def test_a_smaller_rerun_never_claims_more_than_is_known_of_a_partial_job(
    client: Client, setup: Setup, tmp_path: Path
) -> None:
    """A job of 10 files, 1 of them failed and named: in the first call that file failed with
    its reason and the 9 others are done; a re-run for 3 others of them says nothing of them
    it does not know (the job's counts cover the other 7 too): unknown, never guessed."""
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "smaller-partial.journal"
    [corrupt] = [
        {"id": f.id, "name": f.name}
        for f in cs.iter_drive_files(conn_id, folder="Mixed")
        if f.name == "corrupt_photo.jpg"
    ]
    ten = [corrupt, *[dict(f) for f in files[:9]]]
    first = cs.import_and_wait(conn_id, ten, batch_size=10, journal=journal, raise_on_failure=False)
    assert (first.completed_files, first.failed_files) == (9, 1)
    [failed] = first.failed
    assert (failed.file_id, failed.name) == (corrupt["id"], "corrupt_photo.jpg")
    assert failed.reason == "corrupt_photo.jpg is corrupt or not a readable file"
    smaller = cs.import_and_wait(
        conn_id, ten[2:5], batch_size=10, journal=journal, raise_on_failure=False
    )
    assert [f.outcome for f in smaller.files] == ["unknown"] * 3
    assert (smaller.completed_files, smaller.failed_files, smaller.image_ids) == (0, 0, ())


def test_a_smaller_rerun_of_a_synchronous_batch_keeps_the_others_ids_apart(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    """A batch the service finished at once answered 5 image ids for 5 files; the contract does
    not say they come in file order, so a re-run for 2 of them cannot say which 2 ids are its."""
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "smaller-sync.journal"
    first = cs.import_files(conn_id, files[:5], batch_size=5, journal=journal)
    assert first.job_ids == ()
    assert len(first.image_ids) == 5
    smaller = cs.import_and_wait(conn_id, files[1:3], batch_size=5, journal=journal)
    assert (len(smaller.files), smaller.completed_files, smaller.failed_files) == (2, 2, 0)
    assert [f.image_id for f in smaller.files] == [None, None]
    assert smaller.image_ids == ()
    assert smaller.journal.shared_image_ids == first.image_ids
    assert set(_imports(emulator).values()) == {1}


def test_a_smaller_rerun_of_a_synchronous_batch_with_a_loss(
    client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "smaller-sync-loss.journal"
    five = [dict(f) for f in files[:5]]
    five[4]["name"] = "corrupt.jpg"
    first = cs.import_files(conn_id, five, batch_size=5, journal=journal)
    assert len(first.batches[0].image_ids or []) == 4  # 4 images for 5 files
    assert len(first.image_ids) == 4  # images that exist, whichever file each is
    smaller = cs.import_files(conn_id, five[:2], batch_size=5, journal=journal)
    # 3 of the 5 files are another call's: which of these 2 went in is not said.
    assert [f.outcome for f in smaller.files] == ["unknown", "unknown"]
    assert (smaller.completed_files, smaller.failed_files, smaller.image_ids) == (0, 0, ())
    assert len(smaller.journal.shared_image_ids) == 4


def test_a_smaller_rerun_lists_its_own_files_of_an_uncertain_batch(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    """An earlier call's batch of 10 went unanswered; a re-run for 3 of them resends those 3,
    and its result says so, not that it resent 10."""
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "smaller-uncertain.journal"
    emulator.admin.configure(fault_ratio=1.0, fault_kinds=["500_after"])
    with pytest.raises(ServerError):
        cs.import_files(conn_id, files[:10], batch_size=10, journal=journal)
    emulator.admin.configure(fault_ratio=0.0)
    with pytest.raises(UncertainBatchError) as caught:
        cs.import_files(conn_id, files[2:5], batch_size=10, journal=journal)
    assert caught.value.partial is not None
    assert [u.items for u in caught.value.partial.journal.uncertain] == [
        tuple(f["id"] for f in files[2:5])
    ]
    again = cs.import_files(
        conn_id, files[2:5], batch_size=10, journal=journal, on_uncertain="resend"
    )
    assert [(u.items, u.resolution) for u in again.journal.uncertain] == [
        (tuple(f["id"] for f in files[2:5]), "resent")
    ]
    assert [f.file_id for f in again.files] == [f["id"] for f in files[2:5]]
    assert [b.files_sent for b in again.batches if not b.from_journal] == [3]
    sent = emulator.admin.stats()["requests_by_operation"]["import_files"]
    assert sent == 2  # the first batch, then these 3 files once more
    # The other 7 files of that batch were not part of the choice: a call holding them asks.
    with pytest.raises(UncertainBatchError) as asked:
        cs.import_files(conn_id, files[:10], batch_size=10, journal=journal)
    assert asked.value.partial is not None
    others = {f["id"] for f in files[:2] + files[5:10]}
    assert [set(u.items) for u in asked.value.partial.journal.uncertain] == [others]
    assert "(7 files)" in str(asked.value)
    assert emulator.admin.stats()["requests_by_operation"]["import_files"] == sent


def test_an_uncertain_batch_is_asked_about_after_a_reconnect(
    emulator: RunningEmulator, client: Client, setup: Setup, tmp_path: Path
) -> None:
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "uncertain.journal"
    emulator.admin.configure(fault_ratio=1.0, fault_kinds=["500_after"])
    with pytest.raises(ServerError):
        cs.import_files(conn_id, files, batch_size=10, journal=journal)
    emulator.admin.configure(fault_ratio=0.0)
    cs.disconnect(conn_id)
    with client_for(emulator) as api:
        new_id = str(connect(api)["connection"]["id"])
    with pytest.raises(UncertainBatchError):
        cs.import_files(new_id, files, batch_size=10, journal=journal)
    assert emulator.admin.stats()["jobs_created"] == {"import": 1}  # the first batch, once


def test_a_journal_that_cannot_record_an_accepted_batch(
    emulator: RunningEmulator,
    client: Client,
    setup: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The disk fills after the first batch was accepted: the error carries that batch and its
    job, and the next run follows the job instead of sending the batch again."""
    conn_id, files = setup
    cs = client.cloud_storage
    journal = tmp_path / "full.journal"
    real = JournalOperation.accepted
    calls = 0

    def full_disk(self: JournalOperation, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # the second batch
            raise JournalError(
                f"cannot write journal: {sqlite3.OperationalError('database or disk is full')}"
            )
        real(self, *args)

    monkeypatch.setattr(JournalOperation, "accepted", full_disk)
    with pytest.raises(JournalError, match="disk is full") as caught:
        cs.import_and_wait(conn_id, files, batch_size=8, journal=journal)
    partial = caught.value.partial
    assert partial is not None
    assert len(partial.batches) == 2
    assert all(b.job_id for b in partial.batches)
    assert str(partial.batches[1].job_id) in str(caught.value)
    assert len(partial.not_sent) == 4
    monkeypatch.setattr(JournalOperation, "accepted", real)

    again = cs.import_and_wait(conn_id, files, batch_size=8, journal=journal)
    assert [b.job_id for b in again.batches[:2]] == [b.job_id for b in partial.batches]
    assert set(_imports(emulator).values()) == {1}
    assert len(again.image_ids) == 20


def test_a_journal_that_cannot_record_a_finished_job_still_gives_partial(
    emulator: RunningEmulator,
    client: Client,
    setup: Setup,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conn_id, files = setup

    def full_disk(self: JournalOperation, *args: Any) -> None:
        raise JournalError("cannot write journal: database or disk is full")

    monkeypatch.setattr(JournalOperation, "job_seen", full_disk)
    with pytest.raises(JournalError) as caught:
        client.cloud_storage.import_and_wait(
            conn_id, files, batch_size=10, journal=tmp_path / "jobs.journal"
        )
    partial = caught.value.partial
    assert partial is not None
    assert len(partial.job_ids) == 2
    assert partial.jobs[0].is_terminal
