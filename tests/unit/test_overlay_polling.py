"""wait_for_job, import_and_wait and export_and_wait against a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from overlay_testkit import FakeAPI, FakeClock, error_body, job_body, json_response

from aionvision_cloud import Client, JobStatus, Progress
from aionvision_cloud.errors import InvalidInputError, JobFailedError, JobTimeoutError

JOB = "/cloud-storage/jobs/job_1"
IMPORT = "/cloud-storage/import"
EXPORT = "/cloud-storage/export"


def job(
    status: str, completed: int = 0, failed: int = 0, total: int = 10, job_id: str = "job_1"
) -> Any:
    return json_response(
        200,
        job_body(
            job_id, status=status, completed_files=completed, failed_files=failed, total_files=total
        ),
    )


def test_first_poll_is_immediate(client: Client, api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, job("completed", 10))
    done = client.cloud_storage.wait_for_job("job_1")
    assert done.status is JobStatus.COMPLETED
    assert clock.sleeps == []
    assert len(api.requests) == 1


def test_intervals_grow_up_to_max_interval(client: Client, api: FakeAPI, clock: FakeClock) -> None:
    # No counters: nothing to estimate from, so the plain growing intervals.
    # (left out, not null: the contract has no null counters)
    body = job_body("job_1", "in_progress")
    for name in ("total_files", "completed_files", "failed_files"):
        del body["job"][name]
    blind = json_response(200, body)
    api.on("GET", JOB, *[blind] * 8, job("completed", 10))
    client.cloud_storage.wait_for_job("job_1", poll_interval=1.0, max_interval=4.0)
    assert clock.sleeps == [1.0, 1.5, 2.25, 3.375, 4.0, 4.0, 4.0, 4.0]
    assert len(api.requests) == 9


def test_a_first_file_that_takes_long_thins_the_polls_out_to_max_interval(
    client: Client, api: FakeAPI, clock: FakeClock
) -> None:
    # Processing (updated_at moved past created_at) with no file done yet.
    api.on("GET", JOB, *[job("in_progress")] * 8, job("completed", 10))
    client.cloud_storage.wait_for_job("job_1", poll_interval=1.0, max_interval=4.0)
    assert clock.sleeps == [1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]


def test_default_interval_comes_from_the_client(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(polling_interval=0.5)
    api.on("GET", JOB, job("pending"), job("completed", 10))
    client.cloud_storage.wait_for_job("job_1")
    assert clock.sleeps == [0.5]


def test_rate_limit_waits_retry_after_and_carries_on(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    # Retries off in the transport so the poller sees the 429 itself.
    client = make_client(max_retries=0)
    api.on(
        "GET",
        JOB,
        job("in_progress"),
        json_response(429, error_body("RATE_LIMIT_ERROR", "slow down"), {"Retry-After": "30"}),
        job("completed", 10),
    )
    done = client.cloud_storage.wait_for_job("job_1", poll_interval=2.0)
    assert done.is_success
    assert clock.sleeps == [2.0, 30.0]


def test_on_progress_fires_only_when_progress_changes(client: Client, api: FakeAPI) -> None:
    api.on(
        "GET",
        JOB,
        job("pending"),
        job("in_progress", 3),
        job("in_progress", 3),
        job("in_progress", 7, 1),
        job("in_progress", 7, 1),
        job("completed", 9, 1),
    )
    seen: list[Progress] = []
    client.cloud_storage.wait_for_job("job_1", on_progress=seen.append)
    # The same Progress import_and_wait reports: files done and failed, jobs ended of one.
    assert [(p.completed_files, p.failed_files, p.jobs_done, p.jobs_total) for p in seen] == [
        (0, 0, 0, 1),
        (3, 0, 0, 1),
        (7, 1, 0, 1),
        (9, 1, 1, 1),
    ]
    assert seen[-1].fraction == 1.0


@pytest.mark.parametrize("status", ["failed", "cancelled"])
def test_failed_and_cancelled_raise_with_the_job(client: Client, api: FakeAPI, status: str) -> None:
    api.on(
        "GET",
        JOB,
        job("in_progress"),
        json_response(200, job_body("job_1", status=status, error="boom")),
    )
    with pytest.raises(JobFailedError) as info:
        client.cloud_storage.wait_for_job("job_1")
    assert info.value.job.status == status
    assert info.value.job.error == "boom"
    assert len(api.requests) == 2


def test_cancelled_ends_the_wait_when_not_raising(client: Client, api: FakeAPI) -> None:
    api.on("GET", JOB, job("cancelled"), job("in_progress"))
    result = client.cloud_storage.wait_for_job("job_1", raise_on_failure=False)
    assert result.status is JobStatus.CANCELLED
    assert len(api.requests) == 1


def test_partial_is_a_success(client: Client, api: FakeAPI) -> None:
    api.on("GET", JOB, job("completed_with_errors", 8, 2))
    result = client.cloud_storage.wait_for_job("job_1")
    assert result.status is JobStatus.PARTIAL
    assert result.is_success


def test_timeout_raises_with_the_last_job(client: Client, api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, job("in_progress", 4))
    with pytest.raises(JobTimeoutError) as info:
        client.cloud_storage.wait_for_job("job_1", timeout=10, poll_interval=1.0, max_interval=2.0)
    assert info.value.job is not None
    assert info.value.job.completed_files == 4
    assert info.value.job_id == "job_1"
    # Never sleeps past the deadline: the last poll lands exactly on it.
    assert sum(clock.sleeps) == pytest.approx(10.0)


def test_timeout_when_never_seen(make_client: Callable[..., Client], api: FakeAPI) -> None:
    client = make_client(max_retries=0)
    api.on(
        "GET", JOB, json_response(429, error_body("RATE_LIMIT_ERROR", "no"), {"Retry-After": "5"})
    )
    with pytest.raises(JobTimeoutError) as info:
        client.cloud_storage.wait_for_job("job_1", timeout=12)
    assert info.value.job is None


def test_unknown_status_keeps_polling(client: Client, api: FakeAPI) -> None:
    api.on("GET", JOB, job("queued_somewhere"), job("completed", 10))
    assert client.cloud_storage.wait_for_job("job_1").status is JobStatus.COMPLETED
    assert len(api.requests) == 2


@pytest.mark.parametrize(
    "kw", [{"timeout": 0}, {"timeout": -1}, {"poll_interval": 0}, {"max_interval": -2}]
)
def test_bad_wait_arguments(client: Client, api: FakeAPI, kw: dict[str, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        client.cloud_storage.wait_for_job("job_1", **kw)
    assert api.requests == []


def test_bad_wait_argument_types(client: Client) -> None:
    with pytest.raises(InvalidInputError):
        client.cloud_storage.wait_for_job("job_1", timeout="10")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        client.cloud_storage.wait_for_job("")


# -- import_and_wait / export_and_wait -------------------------------------------------------------


def test_import_and_wait_sync_import_needs_no_polling(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        IMPORT,
        json_response(200, {"image_ids": ["img_001"], "is_async": False, "total_files": 1}),
    )
    progress: list[Progress] = []
    result = client.cloud_storage.import_and_wait(
        "conn_1", [{"id": "f", "name": "n"}], on_progress=progress.append
    )
    assert result.image_ids == ("img_001",)
    assert result.jobs == ()
    assert result.status is JobStatus.COMPLETED
    assert len(api.requests) == 1
    assert progress[-1].fraction == 1.0


def test_import_and_wait_async_import_returns_the_same_type(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        IMPORT,
        json_response(
            200, {"job_id": "job_1", "status": "pending", "is_async": True, "total_files": 10}
        ),
    )
    api.on(
        "GET",
        JOB,
        job("in_progress", 5),
        json_response(
            200,
            job_body(
                "job_1",
                status="completed",
                completed_files=10,
                failed_files=0,
                total_files=10,
                image_ids=["img_1", "img_2"],
            ),
        ),
    )
    result = client.cloud_storage.import_and_wait("conn_1", [{"id": "f", "name": "n"}])
    assert result.job_id == "job_1"
    assert [j.status for j in result.jobs] == [JobStatus.COMPLETED]
    assert result.status is JobStatus.COMPLETED
    assert result.image_ids == ("img_1", "img_2")


def test_import_and_wait_reports_progress_over_all_batches(
    make_client: Callable[..., Client], api: FakeAPI
) -> None:
    client = make_client(batch_size=2)
    replies = iter(
        [
            json_response(
                200, {"image_ids": ["img_a", "img_b"], "is_async": False, "total_files": 2}
            ),
            json_response(200, {"job_id": "job_1", "is_async": True, "total_files": 2}),
            json_response(200, {"job_id": "job_2", "is_async": True, "total_files": 2}),
        ]
    )
    api.on("POST", IMPORT, lambda r: next(replies))
    api.on("GET", JOB, job("in_progress", 1, total=2), job("completed", 2, total=2))
    api.on("GET", "/cloud-storage/jobs/job_2", job("completed", 1, 1, total=2, job_id="job_2"))
    seen: list[Progress] = []
    files = [{"id": f"f{i}", "name": "n"} for i in range(6)]
    result = client.cloud_storage.import_and_wait("conn_1", files, on_progress=seen.append)
    assert [(p.completed_files, p.failed_files, p.total_files) for p in seen] == [
        (3, 0, 6),
        (4, 0, 6),
        (5, 1, 6),
    ]
    assert seen[-1].fraction == 1.0
    assert str(seen[-1]).startswith("6/6 files, 1 failed")
    assert result.job_ids == ("job_1", "job_2")
    assert result.status is JobStatus.COMPLETED


def test_import_and_wait_failure_raises_with_the_whole_result(
    make_client: Callable[..., Client], api: FakeAPI
) -> None:
    client = make_client(batch_size=1)
    ids = iter(["job_1", "job_2"])
    api.on("POST", IMPORT, lambda r: json_response(200, {"job_id": next(ids), "is_async": True}))
    api.on("GET", JOB, job("failed"))
    api.on("GET", "/cloud-storage/jobs/job_2", job("completed", 10, job_id="job_2"))
    with pytest.raises(JobFailedError) as info:
        client.cloud_storage.import_and_wait(
            "conn_1", [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}]
        )
    assert info.value.job.job_id == "job_1"
    # Both jobs were waited for before raising.
    assert len(info.value.result.jobs) == 2


def test_import_and_wait_can_return_failures(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, json_response(200, {"job_id": "job_1", "is_async": True}))
    api.on("GET", JOB, job("failed"))
    result = client.cloud_storage.import_and_wait(
        "conn_1", [{"id": "a", "name": "a"}], raise_on_failure=False
    )
    assert result.status is JobStatus.FAILED


def test_import_and_wait_shares_one_deadline(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(batch_size=1)
    ids = iter(["job_1", "job_2"])
    api.on("POST", IMPORT, lambda r: json_response(200, {"job_id": next(ids), "is_async": True}))
    api.on("GET", JOB, *[job("in_progress")] * 3, job("completed", 10))
    api.on("GET", "/cloud-storage/jobs/job_2", job("in_progress", job_id="job_2"))
    with pytest.raises(JobTimeoutError):
        client.cloud_storage.import_and_wait(
            "conn_1",
            [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}],
            timeout=20,
            poll_interval=2,
        )
    assert clock.t == pytest.approx(20.0)


def test_export_and_wait(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        EXPORT,
        json_response(200, {"job_id": "job_1", "job_status": "pending", "is_async": True}),
    )
    api.on("GET", JOB, job("processing", 1, total=2), job("completed", 2, total=2))
    seen: list[Progress] = []
    result = client.cloud_storage.export_and_wait(
        "conn_1", ["img_001", "img_002"], on_progress=seen.append
    )
    assert result.status is JobStatus.COMPLETED
    assert result.jobs[0].completed_files == 2
    assert [p.fraction for p in seen] == [0.5, 1.0]


def test_export_and_wait_cancelled_raises(client: Client, api: FakeAPI) -> None:
    api.on("POST", EXPORT, json_response(200, {"job_id": "job_1"}))
    api.on("GET", JOB, job("cancelled"))
    with pytest.raises(JobFailedError):
        client.cloud_storage.export_and_wait("conn_1", ["img_001"])


def test_deadline_clock_bounds_all_waiting(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    from aionvision_cloud import WaitBudgetExceededError
    from aionvision_cloud._clock import DeadlineClock

    client = make_client(clock=DeadlineClock(5.0, inner=clock))
    api.on("GET", JOB, job("in_progress"))
    with pytest.raises(WaitBudgetExceededError):
        client.cloud_storage.wait_for_job("job_1", poll_interval=2.0, timeout=100)
    assert clock.t <= 5.0


def test_sync_batch_with_missing_ids_counts_them_failed(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, json_response(200, {"image_ids": ["img_1"], "is_async": False}))
    seen: list[Progress] = []
    files = [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}]
    client.cloud_storage.import_and_wait("conn_1", files, on_progress=seen.append)
    assert (seen[-1].completed_files, seen[-1].failed_files, seen[-1].fraction) == (1, 1, 1.0)
