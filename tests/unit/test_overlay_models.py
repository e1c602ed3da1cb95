"""Responses are read defensively: extra fields, nulls, odd values; only core ids are required."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aionvision_cloud import (
    CloudFile,
    Connection,
    ImportBatch,
    ImportResult,
    Job,
    JobStatus,
    PickerSession,
)
from aionvision_cloud._models import ExportBatch, ExportResult, combined_status
from aionvision_cloud.errors import APIResponseValidationError


def test_job_parses_the_documented_example() -> None:
    job = Job.from_json(
        {
            "job_id": "job_550e8400",
            "type": "import",
            "status": "in_progress",
            "total_files": 50,
            "completed_files": 30,
            "failed_files": 2,
            "error": None,
            "created_at": "2025-01-15T10:30:00Z",
            "updated_at": "2025-01-15T10:35:00Z",
            "completed_at": None,
        }
    )
    assert job.created_at == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
    assert job.completed_at is None
    assert job.status is JobStatus.IN_PROGRESS


def test_job_tolerates_nulls_odd_values_and_extra_fields() -> None:
    job = Job.from_json(
        {
            "job_id": "job_1",
            "status": None,
            "total_files": "12",
            "completed_files": None,
            "failed_files": True,
            "created_at": "not a date",
            "updated_at": None,
            "completed_at": "2025-01-15T10:30:00",
            "brand_new_field": {"x": 1},
        }
    )
    assert job.status is JobStatus.UNKNOWN
    assert job.total_files == 12
    assert job.completed_files is None
    assert job.failed_files is None
    assert job.created_at is None
    assert job.completed_at == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
    assert job.raw["brand_new_field"] == {"x": 1}
    assert "brand_new_field" not in repr(job)


@pytest.mark.parametrize("bad", [{}, {"job_id": None}, {"job_id": ""}, {"job_id": []}])
def test_job_without_its_id_is_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(APIResponseValidationError, match="job_id"):
        Job.from_json({**bad, "status": "completed"})


def test_connection_tolerates_null_datetimes() -> None:
    conn = Connection.from_json(
        {
            "id": "550e8400-e29b-41d4-a716-446655440000",
            "provider": "google_drive",
            "provider_email": None,
            "is_active": None,
            "created_at": None,
            "last_used_at": None,
            "scopes": ["drive.file"],
        }
    )
    assert conn.created_at is None
    assert conn.is_active is None
    assert conn.raw["scopes"] == ["drive.file"]


def test_connection_needs_an_id() -> None:
    with pytest.raises(APIResponseValidationError):
        Connection.from_json({"provider": "google_drive"})


def test_picker_session_hides_secrets_and_knows_expiry() -> None:
    session = PickerSession.from_json(
        {
            "session_id": "picker_sess_abc123",
            "access_token": "ya29.SECRET-TOKEN",
            "developer_key": "AIzaSECRET-KEY",
            "app_id": "123",
            "expires_at": "2025-01-15T11:30:00Z",
        },
        "conn_1",
    )
    assert "ya29.SECRET-TOKEN" not in repr(session)
    assert "AIzaSECRET-KEY" not in str(session)
    assert session.access_token == "ya29.SECRET-TOKEN"
    before = datetime(2025, 1, 15, 11, 0, tzinfo=UTC)
    after = datetime(2025, 1, 15, 11, 31, tzinfo=UTC)
    assert not session.is_expired(before)
    assert session.is_expired(after)
    assert session.is_expired(datetime(2025, 1, 15, 11, 29, 45, tzinfo=UTC))  # within the margin


def test_cloud_file_from_drive() -> None:
    f = CloudFile.from_drive(
        {
            "id": "abc",
            "name": "p.jpg",
            "mimeType": "image/jpeg",
            "size": "2048576",
            "parents": ["root"],
        }
    )
    assert (f.id, f.name, f.mime_type, f.size_bytes, f.parents) == (
        "abc",
        "p.jpg",
        "image/jpeg",
        2048576,
        ("root",),
    )
    assert not f.is_folder
    folder = CloudFile.from_drive(
        {"id": "d", "name": "D", "mimeType": "application/vnd.google-apps.folder"}
    )
    assert folder.is_folder
    odd = CloudFile.from_drive({"id": "x", "name": None, "size": "big"})
    assert odd.size_bytes is None
    assert odd.name == ""


def test_import_batch_sync_and_async() -> None:
    sync = ImportBatch.from_json(
        {"image_ids": ["img_001", "img_002"], "job_id": None, "status": None, "is_async": False}, 2
    )
    assert (sync.is_async, sync.image_ids, sync.job_id, sync.status) == (
        False,
        ("img_001", "img_002"),
        None,
        None,
    )
    job = ImportBatch.from_json(
        {"image_ids": None, "job_id": "job_550e8400", "status": "pending", "is_async": True}, 50
    )
    assert job.is_async
    assert job.job_id == "job_550e8400"
    assert job.status is JobStatus.PENDING


def test_import_batch_infers_is_async_and_accepts_both_alternatives() -> None:
    both = ImportBatch.from_json({"image_ids": ["img_1"], "job_id": "job_1"}, 1)
    assert both.is_async
    assert both.image_ids == ("img_1",)
    with pytest.raises(APIResponseValidationError):
        ImportBatch.from_json({"is_async": True, "job_id": None}, 1)


def test_import_result_aggregates_batches() -> None:
    result = ImportResult(
        batches=(
            ImportBatch(
                files_sent=2, is_async=False, image_ids=("a", "b"), total_files=2, message="ok"
            ),
            ImportBatch(files_sent=3, is_async=True, job_id="job_2", status=JobStatus.PENDING),
        )
    )
    assert result.job_ids == ("job_2",)
    assert result.job_id == "job_2"
    assert result.is_async
    assert result.image_ids == ("a", "b")
    assert result.total_files == 5
    assert result.message == "ok"
    assert result.status is JobStatus.PENDING


def test_import_result_without_jobs_is_completed() -> None:
    result = ImportResult(batches=(ImportBatch(files_sent=1, is_async=False, image_ids=("a",)),))
    assert result.status is JobStatus.COMPLETED
    assert result.job_id is None
    assert not result.is_async


def test_export_batch_needs_a_job_id() -> None:
    batch = ExportBatch.from_json(
        {"job_id": "job_660f9500", "job_status": "pending", "is_async": True}, 2
    )
    assert ExportResult(batches=(batch,)).job_id == "job_660f9500"
    assert batch.status is JobStatus.PENDING
    with pytest.raises(APIResponseValidationError):
        ExportBatch.from_json({"job_status": "pending"}, 1)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["completed", "completed"], "completed"),
        (["completed", "failed"], "partial"),
        (["failed", "cancelled"], "failed"),
        (["completed", "in_progress"], "in_progress"),
    ],
)
def test_combined_status(statuses: list[str], expected: str) -> None:
    jobs = [Job.from_json({"job_id": f"j{i}", "status": s}) for i, s in enumerate(statuses)]
    assert combined_status([], jobs) == expected


def test_bulk_results_sum_completed_and_failed_files_over_batches_and_jobs() -> None:
    done = Job(job_id="job_2", status=JobStatus.PARTIAL, completed_files=2, failed_files=1)
    result = ImportResult(
        batches=(
            # Synchronous: 3 sent, 2 ids back, so 1 lost.
            ImportBatch(files_sent=3, is_async=False, image_ids=("a", "b")),
            ImportBatch(files_sent=3, is_async=True, job_id="job_2"),
        ),
        jobs=(done,),
    )
    assert (result.sync_counts, result.completed_files, result.failed_files) == ((2, 1), 4, 2)
    export = ExportResult(
        batches=(ExportBatch(job_id="e1", images_sent=2), ExportBatch(job_id="e2", images_sent=2)),
        jobs=(
            Job(job_id="e1", status=JobStatus.COMPLETED, completed_files=2, failed_files=0),
            Job(job_id="e2", status=JobStatus.FAILED, completed_files=None, failed_files=2),
        ),
    )
    assert (export.completed_files, export.failed_files) == (2, 2)
    assert ExportResult(batches=export.batches).completed_files == 0


def test_connection_list_is_a_list_with_the_official_names() -> None:
    from aionvision_cloud import Connection, ConnectionList

    a, b = Connection(id="a"), Connection(id="b")
    listed = ConnectionList([a, b], total_count=5)
    assert listed == [a, b]
    assert (listed[1], len(listed), listed.connections, listed.total_count) == (b, 2, [a, b], 5)
    assert ConnectionList().total_count == 0
    assert "total_count=5" in repr(listed)
