"""A journal re-run for some of an earlier, larger call's files: its totals are its own files,
never more than is known (the service counts outcomes per batch, not per file)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from aionvision_cloud import ExportBatch, ExportResult, ImportBatch, ImportResult, Job
from aionvision_cloud._results import attribute


def _job(job_id: str, status: str, total: int, done: int, failed: int, **extra: Any) -> Job:
    return Job.from_dict(
        {
            "job_id": job_id,
            "status": status,
            "total_files": total,
            "completed_files": done,
            "failed_files": failed,
            **extra,
        }
    )


def _batch(answer: dict[str, Any], mine: int, whole: int | None = None) -> ImportBatch:
    """A batch as the journal gives it back: ``mine`` of its ``whole`` files are this call's."""
    batch = ImportBatch.from_dict({"is_async": bool(answer.get("job_id")), **answer})
    batch.files_sent, batch.file_ids = mine, tuple(f"f{i}" for i in range(mine))
    batch.from_journal, batch.batch_files = True, whole
    return batch


def _possible(mine: int, whole: int, done: int, failed: int) -> list[tuple[int, int]]:
    """Every (completed, failed) of ``mine`` files that the counts allow."""
    others = whole - mine
    return [
        (c, f)
        for c, f in itertools.product(range(mine + 1), repeat=2)
        if c + f <= mine
        and 0 <= done - c <= others
        and 0 <= failed - f <= others
        and (done - c) + (failed - f) <= others
    ]


def test_attribution_is_what_holds_however_the_other_files_went() -> None:
    for whole in range(8):
        for mine, done in itertools.product(range(whole + 1), repeat=2):
            for failed in range(whole - done + 1):
                cases = _possible(mine, whole, done, failed)
                got = attribute(mine, whole, done, failed, all_done=False)
                assert got == (min(c for c, _ in cases), min(f for _, f in cases)), (
                    mine,
                    whole,
                    done,
                    failed,
                )
                assert sum(got) <= mine


def test_a_job_that_completed_without_failures_completed_every_file_of_this_call() -> None:
    assert attribute(3, 10, 10, 0, all_done=True) == (3, 0)
    shared = _batch({"job_id": "job_1", "status": "pending"}, 3, 10)
    result = ImportResult(batches=(shared,), jobs=(_job("job_1", "completed", 10, 10, 0),))
    assert (result.total_files, result.completed_files, result.failed_files) == (3, 3, 0)
    assert result.unattributed_files == 0
    assert result.counts_note is None


@pytest.mark.parametrize(
    ("status", "done", "failed", "expected"),
    [
        ("partial", 9, 1, (2, 0, 1)),  # 7 other files cannot hold all 9 completed
        ("partial", 5, 5, (0, 0, 3)),  # any of these 3 may be among the 5 failed
        ("failed", 0, 10, (0, 3, 0)),  # every file failed: these too
        ("cancelled", 4, 0, (0, 0, 3)),  # 6 never processed, 4 done: which, not said
        ("in_progress", 8, 0, (1, 0, 0)),  # still running: the rest is not finished yet
    ],
)
def test_a_shared_job_counts_only_what_is_certain(
    status: str, done: int, failed: int, expected: tuple[int, int, int]
) -> None:
    shared = _batch({"job_id": "job_1", "status": "pending"}, 3, 10)
    result = ImportResult(batches=(shared,), jobs=(_job("job_1", status, 10, done, failed),))
    counts = (result.completed_files, result.failed_files, result.unattributed_files)
    assert counts == expected
    assert sum(counts) <= result.total_files == 3
    if expected[2]:
        assert str(result.counts_note).startswith(
            f"{expected[2]} of these 3 files went in job job_1 together with files of an "
            "earlier, larger call"
        )
    else:
        assert result.counts_note is None


def test_unshared_batches_count_as_before_beside_a_shared_one() -> None:
    own = _batch({"job_id": "job_2", "status": "pending", "total_files": 4}, 4)
    own.from_journal = False
    shared = _batch({"job_id": "job_1", "status": "pending"}, 3, 10)
    result = ImportResult(
        batches=(shared, own),
        jobs=(_job("job_1", "partial", 10, 9, 1), _job("job_2", "partial", 4, 3, 1)),
    )
    assert result.total_files == 7
    assert (result.completed_files, result.failed_files, result.unattributed_files) == (5, 1, 1)


def test_a_shared_synchronous_batch_counts_and_keeps_its_ids_apart() -> None:
    ids = ["img_1", "img_2", "img_3", "img_4"]
    lossless = _batch({"image_ids": [*ids, "img_5"]}, 2, 5)
    assert lossless.is_shared
    clean = ImportResult(batches=(lossless,))
    assert (clean.completed_files, clean.failed_files, clean.unattributed_files) == (2, 0, 0)
    assert clean.image_ids == clean.image_ids == clean.pending_image_ids == ()
    assert clean.shared_image_ids == (*ids, "img_5")
    note = str(clean.image_ids_note)
    assert note.startswith("5 image ids, in shared_image_ids and not in image_ids, are those of")
    assert "this call's 2 files there and for 3 files of the other call" in note
    assert "no order" in note
    # 4 images for 5 files, 3 of them the other call's: at least 1 of these 2 was imported.
    lossy = ImportResult(batches=(_batch({"image_ids": ids}, 2, 5),))
    assert lossy.sync_counts == (1, 0)
    assert (lossy.completed_files, lossy.unattributed_files) == (1, 1)
    assert "a batch done at once" in str(lossy.counts_note)


def test_ids_of_a_shared_job_are_kept_apart_and_the_others_are_not() -> None:
    shared = _batch({"job_id": "job_1", "image_ids": ["u1", "u2", "u3"]}, 1, 3)
    own = _batch({"job_id": "job_2", "image_ids": ["u4"]}, 1)
    jobs = (
        _job("job_1", "completed", 3, 3, 0, image_ids=["u1", "u2", "u3", "u9"]),
        _job("job_2", "completed", 1, 1, 0),
    )
    result = ImportResult(batches=(shared, own), jobs=jobs)
    assert result.image_ids == result.image_ids == ("u4",)
    assert result.shared_image_ids == ("u1", "u2", "u3", "u9")
    assert result.jobs_without_image_ids == ()
    assert "shared_image_ids" in str(result.image_ids_note)
    # Without a re-run nothing is shared and nothing changes.
    whole = _batch({"job_id": "job_1", "image_ids": ["u1", "u2", "u3"]}, 3)
    plain = ImportResult(batches=(whole,), jobs=(jobs[0],))
    assert not whole.is_shared
    assert plain.shared_image_ids == ()
    assert plain.image_ids == ("u1", "u2", "u3", "u9")


def test_a_shared_export_job_counts_only_what_is_certain() -> None:
    shared = ExportBatch(job_id="e1", images_sent=3, batch_images=10, from_journal=True)
    assert shared.is_shared
    result = ExportResult(batches=(shared,), jobs=(_job("e1", "partial", 10, 9, 1),))
    assert (result.completed_files, result.failed_files, result.unattributed_files) == (2, 0, 1)
    assert str(result.counts_note).startswith("1 of these 3 files went in job e1")
    done = ExportResult(batches=(shared,), jobs=(_job("e1", "completed", 10, 10, 0),))
    assert (done.completed_files, done.unattributed_files) == (3, 0)
