"""Job status mapping, terminal/success flags and progress."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aionvision_cloud import Job, JobStatus


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pending", JobStatus.PENDING),
        ("in_progress", JobStatus.IN_PROGRESS),
        ("completed", JobStatus.COMPLETED),
        ("partial", JobStatus.PARTIAL),
        ("failed", JobStatus.FAILED),
        ("cancelled", JobStatus.CANCELLED),
        ("processing", JobStatus.IN_PROGRESS),
        ("PROCESSING", JobStatus.IN_PROGRESS),
        ("Completed_With_Errors", JobStatus.PARTIAL),
        ("completed_with_errors", JobStatus.PARTIAL),
        (" Completed ", JobStatus.COMPLETED),
        ("IN_PROGRESS", JobStatus.IN_PROGRESS),
    ],
)
def test_known_and_backend_spellings_map(raw: str, expected: JobStatus) -> None:
    assert JobStatus.parse(raw) is expected


@pytest.mark.parametrize("raw", ["paused", "", None, 3, ["completed"], "complete"])
def test_unknown_values_become_unknown(raw: object) -> None:
    assert JobStatus.parse(raw) is JobStatus.UNKNOWN


def test_unknown_status_keeps_the_raw_string_on_the_job() -> None:
    job = Job.from_dict({"job_id": "job_1", "status": "paused_by_admin"})
    assert job.status is JobStatus.UNKNOWN
    assert job.raw_status == "paused_by_admin"
    assert not job.is_terminal


@given(st.text())
def test_parse_never_raises(raw: str) -> None:
    assert isinstance(JobStatus.parse(raw), JobStatus)


def test_status_compares_equal_to_plain_strings() -> None:
    job = Job.from_dict({"job_id": "job_1", "status": "completed"})
    assert job.status == "completed"
    assert job.status is JobStatus.COMPLETED
    assert job.status in ("completed", "partial", "failed")
    assert str(job.status) == "completed"
    assert f"{job.status}" == "completed"


@pytest.mark.parametrize(
    ("status", "terminal", "success"),
    [
        ("pending", False, False),
        ("in_progress", False, False),
        ("completed", True, True),
        ("partial", True, True),
        ("failed", True, False),
        ("cancelled", True, False),
        ("weird", False, False),
    ],
)
def test_terminal_and_success(status: str, terminal: bool, success: bool) -> None:
    job = Job.from_dict({"job_id": "j", "status": status})
    assert job.is_terminal is terminal
    assert job.is_success is success


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"total_files": 50, "completed_files": 30, "failed_files": 2}, 0.64),
        ({"total_files": 50, "completed_files": 50, "failed_files": 0}, 1.0),
        ({"total_files": 10, "completed_files": 20, "failed_files": 0}, 1.0),
        ({"total_files": 0}, 0.0),
        ({"total_files": None, "completed_files": None}, 0.0),
    ],
)
def test_progress_fraction(fields: dict[str, object], expected: float) -> None:
    job = Job.from_dict({"job_id": "j", "status": "in_progress", **fields})
    assert job.progress == pytest.approx(expected)


def test_progress_of_a_terminal_job_without_counts_is_complete() -> None:
    assert Job.from_dict({"job_id": "j", "status": "completed"}).progress == 1.0
