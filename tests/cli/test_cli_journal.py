"""import/export --journal: a lost answer, then the re-run asks, then resends or skips."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_testkit import Result

from aionvision_cloud_emulator.server import RunningEmulator


def _files(cli: Callable[..., Result], conn_id: str) -> list[str]:
    body = cli("browse", conn_id, "--folder", "Photos/Family", "--json").json()
    return [f"{f['id']}:{f['name']}" for f in body["files"]][:4]


@pytest.mark.parametrize("choice", ["resend", "skip"])
def test_import_with_journal_resumes_after_a_lost_answer(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator, tmp_path: Path, choice: str
) -> None:
    specs = _files(cli, conn_id)
    args = ["import", conn_id, *[a for s in specs for a in ("--file", s)], "--batch-size", "2"]
    journal = ["--journal", str(tmp_path / "import.journal")]
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["500_after"])
    first = cli(*args, *journal)
    emu.admin.configure(fault_ratio=0.0)
    assert first.code != 0
    assert "500" in first.error_line
    asked = cli(*args, *journal)
    assert asked.code != 0
    assert "--on-uncertain resend" in asked.error_line
    done = cli(*args, *journal, "--on-uncertain", choice, "--json").json()
    lost_batch = [s.split(":")[0] for s in specs[:2]]
    stats = emu.admin.stats()
    if choice == "resend":
        assert done["skipped_files"] == []
        assert set(stats["duplicate_imports"]) == set(lost_batch)
    else:
        assert done["skipped_files"] == lost_batch
        assert stats["duplicate_imports"] == {}
    # The lost batch's own ids never came back; a resent batch answers with new ones.
    assert len(done["image_ids"]) == (4 if choice == "resend" else 2)
    # Once more: everything is in the journal, nothing is sent.
    before = stats["requests_by_operation"].get("import_files", 0)
    assert cli(*args, *journal, "--json").code == 0
    assert emu.admin.stats()["requests_by_operation"].get("import_files", 0) == before


def test_on_uncertain_needs_a_journal_and_a_known_choice(
    cli: Callable[..., Result], conn_id: str
) -> None:
    bad = cli("import", conn_id, "--file", "x:y.jpg", "--on-uncertain", "resend", "--no-journal")
    assert bad.code == 2
    assert "--no-journal" in bad.error_line
    worse = cli("export", conn_id, "img_1", "--journal", "j", "--on-uncertain", "maybe")
    assert worse.code == 2
    assert "resend or skip" in worse.error_line


def test_a_journal_under_other_options_is_refused_as_usage_naming_the_difference(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator, tmp_path: Path
) -> None:
    specs = _files(cli, conn_id)
    args = ["import", conn_id, *[a for s in specs for a in ("--file", s)]]
    journal = ["--journal", str(tmp_path / "import.journal")]
    assert cli(*args, *journal, "--tag", "a").code == 0
    sent = emu.admin.stats()["requests_by_operation"].get("import_files", 0)
    other = cli(*args, *journal, "--tag", "b", "--json")
    # Nothing was sent, and the way on is the user's to choose: exit 2, as for bad usage.
    assert other.code == 2, other.err
    assert "tags" in other.error_line
    assert "journal" in other.error_line
    assert other.json()["error"]["type"] == "JournalConflictError"
    assert emu.admin.stats()["requests_by_operation"].get("import_files", 0) == sent
    # The tags in another order are the same operation: nothing new goes out.
    assert cli(*args, *journal, "--tag", "a", "--tag", "a").code == 0
    assert emu.admin.stats()["requests_by_operation"].get("import_files", 0) == sent


def test_a_smaller_rerun_reports_its_own_files_not_the_earlier_batches(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator, tmp_path: Path
) -> None:
    """A re-run for some files of an earlier import with the journal counts those files only:
    a job of 8 that completed gives 3 files done of 3, and the ids of a batch done at once for
    4 files are kept apart from this call's (which id is which file is not said)."""
    body = cli("browse", conn_id, "--folder", "Photos/Family", "--json").json()
    specs = [f"{f['id']}:{f['name']}" for f in body["files"]][:16]
    specs[15] = specs[15].split(":")[0] + ":corrupt.jpg"  # the emulator fails it
    journal = ["--journal", str(tmp_path / "import.journal"), "--json"]

    def run(files: list[str], *extra: str, code: int = 0) -> dict[str, Any]:
        args = ["import", conn_id, *[a for s in files for a in ("--file", s)], *extra]
        result = cli(*args, *journal)
        assert result.code == code, result.err
        out: dict[str, Any] = result.json()
        return out

    first = run(specs[:8], "--batch-size", "8", "--wait")
    assert (first["total_files"], first["completed_files"]) == (8, 8)
    again = run(specs[2:5], "--batch-size", "8", "--wait")
    assert (again["total_files"], again["completed_files"], again["failed_files"]) == (3, 3, 0)
    assert [f["outcome"] for f in again["files"]] == ["done"] * 3

    sync = run(specs[8:12], "--batch-size", "4")
    assert len(sync["image_ids"]) == 4
    part = run(specs[9:11], "--batch-size", "4")
    assert (part["total_files"], part["completed_files"]) == (2, 2)
    assert part["image_ids"] == []
    assert part["shared_image_ids"] == sync["image_ids"]
    assert [(b["files_sent"], b["batch_files"]) for b in part["batches"]] == [(2, 4)]
    assert [(f["outcome"], f["image_id"]) for f in part["files"]] == [("done", None)] * 2
    assert part["status"] == "completed"

    # 3 images for 4 files, 2 of them the other call's: at least 1 of these 2 was imported.
    lossy = run(specs[12:16], "--batch-size", "4", code=3)
    assert (lossy["completed_files"], lossy["failed_files"]) == (3, 1)
    mixed = run(specs[12:14], "--batch-size", "4", code=3)
    assert mixed["completed_files"] == 1
    assert mixed["status"] == "partial"  # the batch lost a file: maybe one of these
    # Which of the two went in is not said: neither file's outcome is guessed.
    assert [f["outcome"] for f in mixed["files"]] == ["unknown", "unknown"]
    assert set(emu.admin.stats()["imports_by_source_file"].values()) == {1}


def _sent(emu: RunningEmulator) -> int:
    return int(emu.admin.stats()["requests_by_operation"].get("import_files", 0))


@pytest.mark.parametrize("signals", [1, 2], ids=["ctrl-c", "ctrl-c-twice"])
def test_a_rerun_after_ctrl_c_resumes_and_restart_sends_again(
    cli: Callable[..., Result],
    conn_id: str,
    emu: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    signals: int,
) -> None:
    """SIGINT once the first batch is answered: one signal lets the sending finish, two stop it
    before the second batch. Either way the same command again sends nothing twice."""
    import signal

    from aionvision_cloud._journal import JournalOperation

    args = ["import", conn_id, "--folder", "Photos/Family", "--batch-size", "10"]
    begin = JournalOperation.begin
    begun: list[int] = []

    def ctrl_c_after_the_first(self: JournalOperation, items: Any) -> int:
        begun.append(1)
        if len(begun) == 2:
            for _ in range(signals):
                signal.raise_signal(signal.SIGINT)
        return begin(self, items)

    monkeypatch.setattr(JournalOperation, "begin", ctrl_c_after_the_first)
    first = cli(*args)
    assert first.code == 130, first.err
    sent_first = _sent(emu)
    assert sent_first == (3 if signals == 1 else 1)
    if signals == 2:
        assert "15 files not sent: run the same command again" in first.err

    monkeypatch.setattr(JournalOperation, "begin", begin)
    again = cli(*args, "--json")
    assert again.code == 0, again.err
    already = 10 * sent_first if signals == 2 else 25
    assert f"resuming: {already} of 25 files already sent" in again.err
    assert again.json()["total_files"] == 25
    assert _sent(emu) == 3  # the batches of 10, 10 and 5, once each
    assert emu.admin.stats()["duplicate_imports"] == {}

    restarted = cli(*args, "--restart")
    assert restarted.code == 0, restarted.err
    assert "resuming" not in restarted.err
    assert _sent(emu) == 6  # everything again, as asked
    assert "resuming" not in cli(*args, "--no-journal").err
    assert _sent(emu) == 9


def test_journal_options_that_contradict_are_usage_errors(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    for extra in (["--no-journal", "--restart"], ["--journal", "j", "--restart"]):
        bad = cli("import", conn_id, "--file", "x:y.jpg", *extra)
        assert bad.code == 2, bad.err
        assert "--restart" in bad.error_line
    assert _sent(emu) == 0
