"""No image id dropped: an import answer with ids and a job keeps every id, and says which are
final."""

from __future__ import annotations

from typing import Any

from aionvision_cloud import ExportResult, ImportBatch, ImportResult, Job, JobStatus


def _job(job_id: str, status: str, **extra: object) -> Job:
    return Job.from_dict({"job_id": job_id, "status": status, **extra})


def _batch(answer: dict[str, Any], file_ids: tuple[str, ...] = ()) -> ImportBatch:
    batch = ImportBatch.from_dict({"is_async": bool(answer.get("job_id")), **answer})
    batch.files_sent, batch.file_ids = len(file_ids) or 1, file_ids
    return batch


def test_ids_announced_with_a_job_are_kept_but_not_final() -> None:
    both = _batch(
        {"image_ids": ["img_1", "img_2"], "job_id": "job_1", "status": "pending", "is_async": True},
        ("f1", "f2"),
    )
    assert both.image_ids == ["img_1", "img_2"]
    assert both.file_ids == ("f1", "f2")
    assert both.image_ids_final is False
    sync = _batch({"image_ids": ["img_3"], "is_async": False}, ("f3",))
    assert sync.image_ids_final is True
    result = ImportResult(batches=(both, sync))
    assert result.image_ids == ("img_1", "img_2", "img_3")
    assert result.final_image_ids == ("img_3",)
    assert result.pending_image_ids == ("img_1", "img_2")


def test_announced_ids_become_final_when_their_job_completes() -> None:
    batch = _batch({"image_ids": ["img_1"], "job_id": "job_1"})
    done = ImportResult(batches=(batch,), jobs=(_job("job_1", "completed"),))
    assert done.final_image_ids == ("img_1",)
    assert done.pending_image_ids == ()
    # A partial job: which announced ids failed is unknown, so none is called final...
    partial = ImportResult(batches=(batch,), jobs=(_job("job_1", "partial"),))
    assert partial.final_image_ids == ()
    assert partial.image_ids == ("img_1",)
    # ...unless the job itself lists the images it made.
    listed = ImportResult(batches=(batch,), jobs=(_job("job_1", "partial", image_ids=["img_1"]),))
    assert listed.final_image_ids == ("img_1",)


def test_ids_given_twice_appear_once() -> None:
    batch = _batch({"image_ids": ["img_1"], "job_id": "job_1"})
    job = _job("job_1", "completed", image_ids=["img_1", "img_2"])
    result = ImportResult(batches=(batch,), jobs=(job,))
    assert result.image_ids == ("img_1", "img_2")
    assert result.final_image_ids == ("img_1", "img_2")


def test_empty_results_are_complete_and_have_no_job() -> None:
    assert ImportResult(batches=()).is_complete
    assert ExportResult(batches=()).job_id is None
    assert ImportResult(batches=()).status is JobStatus.COMPLETED
