"""A journal re-run for some of an earlier, larger call's files: the service's counts and ids
cover the other call's files too, so a file of this call is done or failed only where that
holds however the other files went, and its image id is never guessed."""

from __future__ import annotations

from typing import Any

import pytest

from aionvision_cloud import ExportBatch, ExportResult, ImportBatch, ImportResult, Job
from aionvision_cloud._bulk import BulkOutcome
from aionvision_cloud._transfers import import_result


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
    batch.file_names = tuple(f"photo{i}.jpg" for i in range(mine))
    batch.from_journal, batch.batch_files = True, whole
    return batch


def _outcomes(result: ImportResult | ExportResult) -> list[str]:
    return [f.outcome for f in result.files]


def test_a_job_that_completed_without_failures_completed_every_file_of_this_call() -> None:
    shared = _batch({"job_id": "job_1", "status": "pending"}, 3, 10)
    result = ImportResult(batches=(shared,), jobs=(_job("job_1", "completed", 10, 10, 0),))
    assert _outcomes(result) == ["done"] * 3
    assert (len(result.files), result.completed_files, result.failed_files) == (3, 3, 0)
    # Done, but which of the job's ids is whose is not said: none is tied.
    assert [f.image_id for f in result.files] == [None] * 3


@pytest.mark.parametrize(
    ("status", "done", "failed", "expected"),
    [
        ("partial", 9, 1, "unknown"),  # the failed one may be this call's or the other's
        ("partial", 5, 5, "unknown"),
        ("failed", 0, 10, "failed"),  # every file failed: these too
        ("cancelled", 4, 0, "unknown"),  # 6 never processed, 4 done: which, not said
        ("in_progress", 8, 0, "unknown"),  # still running: not finished yet
    ],
)
def test_a_shared_job_says_only_what_is_certain(
    status: str, done: int, failed: int, expected: str
) -> None:
    shared = _batch({"job_id": "job_1", "status": "pending"}, 3, 10)
    result = ImportResult(batches=(shared,), jobs=(_job("job_1", status, 10, done, failed),))
    assert _outcomes(result) == [expected] * 3
    assert result.image_ids == ()


def test_a_shared_job_whose_error_names_a_file_of_this_call_fails_that_file() -> None:
    shared = _batch({"job_id": "job_1", "status": "pending"}, 3, 10)
    job = _job("job_1", "partial", 10, 9, 1, error="1 of 10 files failed: photo1.jpg: corrupt")
    result = ImportResult(batches=(shared,), jobs=(job,))
    assert _outcomes(result) == ["unknown", "failed", "unknown"]
    assert [(f.file_id, f.reason) for f in result.failed] == [("f1", "photo1.jpg: corrupt")]


def test_unshared_batches_go_as_before_beside_a_shared_one() -> None:
    own = _batch({"job_id": "job_2", "status": "pending", "total_files": 4}, 4)
    own.from_journal, own.batch_files = False, None
    shared = _batch({"job_id": "job_1", "status": "pending"}, 3, 10)
    result = ImportResult(
        batches=(shared, own),
        jobs=(
            _job("job_1", "partial", 10, 9, 1),
            _job("job_2", "partial", 4, 3, 1, error="failed: photo2.jpg: too large"),
        ),
    )
    assert len(result.files) == 7
    assert _outcomes(result) == ["unknown"] * 3 + ["done", "done", "failed", "done"]
    assert (result.completed_files, result.failed_files) == (3, 1)


def test_a_shared_synchronous_batch_keeps_its_ids_apart() -> None:
    ids = ["img_1", "img_2", "img_3", "img_4"]
    lossless = _batch({"image_ids": [*ids, "img_5"]}, 2, 5)
    assert lossless.is_shared
    clean = import_result(BulkOutcome((lossless,)))
    assert _outcomes(clean) == ["done", "done"]
    assert clean.image_ids == ()
    assert clean.journal.shared_image_ids == (*ids, "img_5")
    # 4 images for 5 files, 3 of them the other call's: which of these 2 went in, not said.
    lossy = import_result(BulkOutcome((_batch({"image_ids": ids}, 2, 5),)))
    assert _outcomes(lossy) == ["unknown", "unknown"]
    assert lossy.image_ids == ()


def test_ids_of_a_shared_job_are_kept_apart_and_the_others_are_not() -> None:
    shared = _batch({"job_id": "job_1", "image_ids": ["u1", "u2", "u3"]}, 1, 3)
    own = _batch({"job_id": "job_2", "image_ids": ["u4"]}, 1)
    own.from_journal, own.batch_files = False, None
    jobs = (
        _job("job_1", "completed", 3, 3, 0, image_ids=["u1", "u2", "u3", "u9"]),
        _job("job_2", "completed", 1, 1, 0),
    )
    result = import_result(BulkOutcome((shared, own)), jobs)
    assert result.image_ids == ("u4",)
    assert result.journal.shared_image_ids == ("u1", "u2", "u3", "u9")
    # Without a re-run nothing is shared and nothing changes.
    whole = _batch({"job_id": "job_1", "image_ids": ["u1", "u2", "u3"]}, 3)
    whole.from_journal, whole.batch_files = False, None
    plain = import_result(BulkOutcome((whole,)), (jobs[0],))
    assert not whole.is_shared
    assert plain.journal.shared_image_ids == ()
    assert plain.image_ids == ("u1", "u2", "u3", "u9")


def test_a_shared_export_job_says_only_what_is_certain() -> None:
    shared = ExportBatch(
        job_id="e1",
        images_sent=3,
        sent_image_ids=("i1", "i2", "i3"),
        batch_images=10,
        from_journal=True,
    )
    assert shared.is_shared
    result = ExportResult(batches=(shared,), jobs=(_job("e1", "partial", 10, 9, 1),))
    assert _outcomes(result) == ["unknown"] * 3
    done = ExportResult(batches=(shared,), jobs=(_job("e1", "completed", 10, 10, 0),))
    assert _outcomes(done) == ["done"] * 3
    assert [f.file_id for f in done.files] == [None] * 3  # Drive ids not tied in a shared job
