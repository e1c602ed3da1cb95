"""A record per file: an import answer's ids are tied to the files sent by position only where
there is exactly one id per file, a file's id is safe to export once its job has made it, and a
failed file is the one the service's error names."""

from __future__ import annotations

from typing import Any

from aionvision_cloud import ExportResult, FileResult, ImportBatch, ImportResult, Job, JobStatus


def _job(job_id: str, status: str, **extra: object) -> Job:
    return Job.from_dict({"job_id": job_id, "status": status, **extra})


def _batch(
    answer: dict[str, Any], file_ids: tuple[str, ...] = (), names: tuple[str, ...] = ()
) -> ImportBatch:
    batch = ImportBatch.from_dict({"is_async": bool(answer.get("job_id")), **answer})
    batch.files_sent, batch.file_ids = len(file_ids) or 1, file_ids
    batch.file_names = names
    return batch


def test_ids_announced_with_a_job_are_tied_to_files_but_not_safe_until_it_ends() -> None:
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
    assert result.image_ids == ("img_3",)
    assert [(f.file_id, f.image_id, f.outcome, f.job_id) for f in result.files] == [
        ("f1", None, "unknown", "job_1"),
        ("f2", None, "unknown", "job_1"),
        ("f3", "img_3", "done", None),
    ]


def test_announced_ids_become_safe_when_their_job_completes() -> None:
    batch = _batch({"image_ids": ["img_1"], "job_id": "job_1"}, ("f1",))
    running = ImportResult(batches=(batch,), jobs=(_job("job_1", "in_progress"),))
    assert running.image_ids == ()
    done = ImportResult(
        batches=(batch,), jobs=(_job("job_1", "completed", completed_files=1, total_files=1),)
    )
    assert done.image_ids == ("img_1",)
    assert done.files == (FileResult("f1", None, "img_1", "done", None, "job_1"),)


def test_a_partial_job_names_its_failed_file_and_the_others_are_done() -> None:
    batch = _batch(
        {"image_ids": ["u1", "u2", "u3"], "job_id": "job_1"},
        ("d1", "d2", "d3"),
        ("a.jpg", "bad.jpg", "c.jpg"),
    )
    job = _job(
        "job_1",
        "partial",
        total_files=3,
        completed_files=2,
        failed_files=1,
        error="1 of 3 files failed: bad.jpg: not an image",
    )
    result = ImportResult(batches=(batch,), jobs=(job,))
    assert [f.outcome for f in result.files] == ["done", "failed", "done"]
    assert result.failed == (
        FileResult("d2", "bad.jpg", None, "failed", "bad.jpg: not an image", "job_1"),
    )
    assert result.image_ids == ("u1", "u3")
    assert (result.completed_files, result.failed_files) == (2, 1)


def test_a_failure_nobody_is_named_for_leaves_the_files_unknown() -> None:
    batch = _batch({"image_ids": ["u1", "u2"], "job_id": "job_1"}, ("d1", "d2"), ("a", "b"))
    job = _job("job_1", "partial", completed_files=1, failed_files=1, error="something broke")
    result = ImportResult(batches=(batch,), jobs=(job,))
    assert [f.outcome for f in result.files] == ["unknown", "unknown"]
    assert result.image_ids == ()
    assert result.failed == ()


def test_ids_are_not_tied_when_there_is_not_one_per_file() -> None:
    batch = _batch({"image_ids": ["u1"], "job_id": "job_1"}, ("d1", "d2"))
    job = _job("job_1", "completed", completed_files=2, total_files=2)
    result = ImportResult(batches=(batch,), jobs=(job,))
    assert [(f.outcome, f.image_id) for f in result.files] == [("done", None), ("done", None)]
    # Every file of the job is done: the id it gave is an image that exists, though not tied.
    assert result.image_ids == ("u1",)
    running = ImportResult(batches=(batch,), jobs=(_job("job_1", "in_progress"),))
    assert running.image_ids == ()
    # A synchronous batch's ids are images that exist, tied or not: they are safe to export.
    sync = _batch({"image_ids": ["img_1", "img_1"], "is_async": False}, ("f1",))
    assert ImportResult(batches=(sync,)).image_ids == ("img_1",)


def test_a_job_that_lists_its_images_when_polled_ties_them() -> None:
    batch = _batch({"job_id": "job_1", "status": "pending"}, ("d1", "d2"))
    job = _job("job_1", "completed", completed_files=2, image_ids=["i1", "i2"])
    result = ImportResult(batches=(batch,), jobs=(job,))
    assert [f.image_id for f in result.files] == ["i1", "i2"]
    assert result.image_ids == ("i1", "i2")


def test_empty_results_are_complete_and_have_no_job() -> None:
    empty = ImportResult(batches=())
    assert (empty.files, empty.not_sent, empty.journal.stopped) == ((), (), None)
    assert empty.job_id is None
    assert ExportResult(batches=()).job_id is None
    assert empty.status is JobStatus.COMPLETED


def test_the_first_job_is_the_job_of_a_one_batch_call() -> None:
    one = ImportResult(batches=(_batch({"job_id": "job_1"}, ("d1",)),))
    assert (one.job_id, one.job_ids) == ("job_1", ("job_1",))


def _public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def test_results_have_at_most_twelve_public_names() -> None:
    shared = {"batches", "jobs", "not_sent", "journal", "files", "failed", "status"}
    counts = {"completed_files", "failed_files", "job_ids", "job_id"}
    assert _public(ImportResult) == shared | counts | {"image_ids"}
    assert _public(ExportResult) == shared | counts | {"folder_id"}
    # An instance has no more names than its class (no stray attributes).
    assert _public(type(ImportResult(batches=()))) == _public(ImportResult)
    assert all(len(_public(c)) <= 12 for c in (ImportResult, ExportResult))
