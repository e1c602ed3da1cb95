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
    assert result.image_ids == ("img_3",)
    assert result.pending_image_ids == ("img_1", "img_2")


def test_announced_ids_become_final_when_their_job_completes() -> None:
    batch = _batch({"image_ids": ["img_1"], "job_id": "job_1"})
    done = ImportResult(batches=(batch,), jobs=(_job("job_1", "completed"),))
    assert done.image_ids == ("img_1",)
    assert done.pending_image_ids == ()
    # A partial job: which announced ids failed is unknown, so none is called final...
    partial = ImportResult(batches=(batch,), jobs=(_job("job_1", "partial"),))
    assert partial.image_ids == ()
    assert partial.image_ids == ("img_1",)
    # ...unless the job itself lists the images it made.
    listed = ImportResult(batches=(batch,), jobs=(_job("job_1", "partial", image_ids=["img_1"]),))
    assert listed.image_ids == ("img_1",)


def test_ids_given_twice_appear_once() -> None:
    batch = _batch({"image_ids": ["img_1"], "job_id": "job_1"})
    job = _job("job_1", "completed", image_ids=["img_1", "img_2"])
    result = ImportResult(batches=(batch,), jobs=(job,))
    assert result.image_ids == ("img_1", "img_2")
    assert result.image_ids == ("img_1", "img_2")


def test_empty_results_are_complete_and_have_no_job() -> None:
    assert ImportResult(batches=()).is_complete
    assert ExportResult(batches=()).job_id is None
    assert ImportResult(batches=()).status is JobStatus.COMPLETED


def test_a_job_that_gave_no_ids_is_named_and_explained() -> None:
    # The API document's shape: an import that became a job answers a job id and no image ids.
    job = _batch({"job_id": "job_1", "status": "pending", "total_files": 40}, ("f",) * 40)
    sync = _batch({"image_ids": ["img_3"], "is_async": False}, ("f3",))
    result = ImportResult(batches=(job, sync), jobs=(_job("job_1", "completed"),))
    assert result.image_ids == ("img_3",)
    assert result.jobs_without_image_ids == ("job_1",)
    assert result.files_without_image_ids == 40
    note = result.image_ids_note
    assert note is not None
    assert note.startswith("No image ids for 40 files: the service ran them as job job_1 and")
    assert "Aionvision library" in note
    # A job that lists its images when polled is not among them.
    listed = ImportResult(batches=(job,), jobs=(_job("job_1", "completed", image_ids=["i"]),))
    assert listed.jobs_without_image_ids == ()
    assert listed.image_ids_note is None


def test_placeholder_ids_of_a_running_job_are_explained() -> None:
    batch = _batch({"image_ids": ["u1", "u2"], "job_id": "job_1"}, ("f1", "f2"))
    running = ImportResult(batches=(batch,))
    assert running.jobs_without_image_ids == ()
    assert running.image_ids == ("u1", "u2")
    assert running.image_ids_note is not None
    assert running.image_ids_note.startswith(
        "2 image ids are placeholders the service announced for job job_1, still running when"
        " last seen"
    )
    done = ImportResult(batches=(batch,), jobs=(_job("job_1", "completed"),))
    assert done.image_ids_note is None


def test_placeholder_ids_of_an_ended_job_are_described_as_ended() -> None:
    # A job that ended partial will never complete: no "(yet)", no advice to wait.
    batch = _batch({"image_ids": ["u1", "u2"], "job_id": "job_1"}, ("f1", "f2"))
    ended = ImportResult(batches=(batch,), jobs=(_job("job_1", "partial"),))
    note = ended.image_ids_note
    assert note is not None
    assert "job job_1, which ended partial" in note
    assert "yet" not in note
    assert "wait" not in note


def test_a_result_with_every_id_has_no_note() -> None:
    sync = _batch({"image_ids": ["img_1"], "is_async": False}, ("f1",))
    assert ImportResult(batches=(sync,)).image_ids_note is None
    assert ImportResult(batches=()).image_ids_note is None
