"""The client against the emulator when the server acts and then loses its answer: what a
re-run with a journal does, counted by the emulator itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aionvision_cloud import Client, JobStatus, ServerError, UncertainBatchError
from aionvision_cloud_emulator.server import RunningEmulator


@pytest.mark.parametrize("choice", ["resend", "skip"])
def test_lost_answer_then_rerun_with_journal(
    emulator: RunningEmulator,
    client: Client,
    setup: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
    choice: str,
) -> None:
    conn_id, files = setup
    journal = tmp_path / "import.journal"
    cs = client.cloud_storage
    emulator.admin.configure(fault_ratio=1.0, fault_kinds=["500_after"])
    with pytest.raises(ServerError) as caught:
        cs.import_and_wait(conn_id, files, batch_size=10, journal=journal)
    emulator.admin.configure(fault_ratio=0.0)
    partial = caught.value.partial
    assert partial.journal.stopped.uncertain is True
    assert partial.not_sent == tuple(f["id"] for f in files[10:])
    assert emulator.admin.stats()["jobs_created"] == {"import": 1}  # it did act

    with pytest.raises(UncertainBatchError):
        cs.import_and_wait(conn_id, files, batch_size=10, journal=journal)
    result = cs.import_and_wait(
        conn_id,
        files,
        batch_size=10,
        journal=journal,
        on_uncertain=choice,  # type: ignore[arg-type]
    )
    assert result.status is JobStatus.COMPLETED
    stats = emulator.admin.stats()
    first = {f["id"] for f in files[:10]}
    if choice == "resend":
        # The lost batch arrives twice (the risk the caller took), every other file once.
        assert set(stats["duplicate_imports"]) == first
        assert len(result.image_ids) == 20
    else:
        assert stats["duplicate_imports"] == {}
        assert set(result.journal.skipped_files) == first
        assert len(result.image_ids) == 10
    assert set(stats["imports_by_source_file"]) == {f["id"] for f in files}
