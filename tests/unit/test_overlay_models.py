"""The overlay's results are the generated models, subclassed: every field is there, nulls and
left-out fields and extra keys are read, and what does not parse is one typed error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from overlay_testkit import FakeAPI, job_body, json_response

from aionvision_cloud import (
    APIResponseValidationError,
    Client,
    CloudFile,
    ConnectionList,
    ExportBatch,
    ExportResult,
    ImportBatch,
    ImportResult,
    Job,
    JobStatus,
    PickerSession,
)
from aionvision_cloud._results import combined_status
from aionvision_cloud_api.models.job import Job as GeneratedJob
from aionvision_cloud_api.types import UNSET

JOB = "/cloud-storage/jobs/job_550e8400"


def answer_job(api: FakeAPI, body: Any, **headers: str) -> None:
    api.on("GET", JOB, json_response(200, body, headers))


def test_a_job_is_the_generated_model_with_every_field(client: Client, api: FakeAPI) -> None:
    answer_job(api, job_body(cloud_file_ids=["d1"]))
    job = client.cloud_storage.get_job("job_550e8400")
    assert isinstance(job, GeneratedJob)
    # Every generated field is an attribute, read as the generator typed it.
    for field in attrs.fields(GeneratedJob):
        getattr(job, field.name)
    assert job.type_ == "import"
    assert not hasattr(job, "type")  # one name per field: the generated one
    assert job.created_at == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
    assert job.completed_at is None
    assert job.cloud_file_ids == ["d1"]
    assert job.status is JobStatus.IN_PROGRESS
    assert job.raw_status == "in_progress"


def test_nulls_left_out_fields_and_extra_keys_are_read(client: Client, api: FakeAPI) -> None:
    answer_job(
        api,
        {
            "job": {
                "job_id": "job_550e8400",
                "status": "paused_by_admin",
                "error": None,
                "cloud_file_ids": None,
                "completed_at": "2025-01-15T10:30:00",
                "brand_new_field": {"x": 1},
            }
        },
    )
    job = client.cloud_storage.get_job("job_550e8400")
    assert job.status is JobStatus.UNKNOWN
    assert job.raw_status == "paused_by_admin"
    assert (job.error, job.cloud_file_ids) == (None, None)
    assert job.total_files is UNSET
    assert job.created_at is UNSET
    assert not job.created_at
    # A naive timestamp from this API means UTC.
    assert job.completed_at == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
    assert job.additional_properties["brand_new_field"] == {"x": 1}
    assert "brand_new_field" not in repr(job)
    assert job.progress == 0.0


def test_to_dict_round_trips_what_the_service_sent(client: Client, api: FakeAPI) -> None:
    sent = {"job_id": "job_550e8400", "status": "processing", "total_files": 3, "x": [1]}
    answer_job(api, {"job": sent})
    job = client.cloud_storage.get_job("job_550e8400")
    assert job.status is JobStatus.IN_PROGRESS
    # The raw status, not the mapped one; unknown keys kept.
    assert job.to_dict() == sent
    again = Job.from_dict(job.to_dict())
    assert (again.status, again.raw_status, again.additional_properties) == (
        JobStatus.IN_PROGRESS,
        "processing",
        {"x": [1]},
    )


@pytest.mark.parametrize(
    ("job", "where"),
    [
        ({"job_id": "job_1", "status": "done", "total_files": "12"}, "job.total_files"),
        ({"job_id": "job_1", "status": "done", "failed_files": True}, "job.failed_files"),
        (
            {"job_id": "job_1", "status": "done", "created_at": "not a date"},
            "created_at must be date-time",
        ),
        ({"job_id": "job_1", "status": "done", "completed_at": "not a date"}, "completed_at"),
        # Null where openapi.yaml (and the service's published schema) has no null.
        ({"job_id": "job_1", "status": None}, "job.status"),
        ({"job_id": "job_1", "status": "done", "total_files": None}, "job.total_files"),
        ({"job_id": "job_1", "status": 5}, "job.status"),
        ({"job_id": "job_1", "status": "x", "cloud_file_ids": [1]}, "cloud_file_ids[0]"),
        ({"status": "completed"}, "job_id"),
        ({"job_id": None, "status": "completed"}, "job.job_id"),
        ({"job_id": "", "status": "completed"}, "job.job_id"),
        ({"job_id": [5], "status": "completed"}, "job.job_id"),
    ],
)
def test_what_does_not_parse_is_one_typed_error_naming_it(
    client: Client, api: FakeAPI, job: dict[str, Any], where: str
) -> None:
    answer_job(api, {"job": job}, **{"x-request-id": "req-9"})
    with pytest.raises(APIResponseValidationError) as info:
        client.cloud_storage.get_job("job_550e8400")
    err = info.value
    assert (err.operation, err.status_code, err.request_id) == ("get_job", 200, "req-9")
    assert where in str(err)
    assert str(err).startswith("get_job: GET /api/v2/cloud-storage/jobs/job_550e8400 answered 200")
    assert "req-9" in str(err)
    # The answer stays reachable.
    assert err.response is not None
    assert err.response.json() == {"job": job}


def test_connections_read_nulls_and_keep_unknown_keys(client: Client, api: FakeAPI) -> None:
    conn = {
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "provider": "google_drive",
        "provider_email": None,
        "last_used_at": None,
        "scopes": ["drive.file"],
    }
    api.on("GET", "/cloud-storage/connections", json_response(200, {"connections": [conn]}))
    listed = client.cloud_storage.list_connections()
    assert isinstance(listed, ConnectionList)
    [got] = listed
    assert (got.provider_email, got.last_used_at, got.created_at) == (None, None, UNSET)
    assert got.additional_properties["scopes"] == ["drive.file"]
    assert got.to_dict() == conn
    assert listed.total_count is UNSET


@pytest.mark.parametrize(
    ("connections", "where"),
    [
        ([{"provider": "google_drive"}], "'id'"),
        (
            [{"id": "c1", "provider": "p"}, {"id": 5, "provider": "p"}],
            "connections[1].id must be string",
        ),
        ([{"id": "", "provider": "p"}], "connections[0].id"),
        (
            [{"id": "c1", "provider": "p", "is_active": None}],
            "connections[0].is_active must be boolean",
        ),
        (None, "connections"),
    ],
)
def test_a_connection_needs_its_id_and_the_contract_s_types(
    client: Client, api: FakeAPI, connections: Any, where: str
) -> None:
    body = {"connections": connections}
    api.on("GET", "/cloud-storage/connections", json_response(200, body))
    with pytest.raises(APIResponseValidationError, match="list_connections") as info:
        client.cloud_storage.list_connections()
    assert where in str(info.value)


def test_picker_session_hides_secrets_and_knows_expiry() -> None:
    session = PickerSession.from_dict(
        {
            "session_id": "picker_sess_abc123",
            "access_token": "ya29.SECRET-TOKEN",
            "developer_key": "AIzaSECRET-KEY",
            "app_id": "123",
            "expires_at": "2025-01-15T11:30:00Z",
        }
    )
    assert "ya29.SECRET-TOKEN" not in repr(session)
    assert "AIzaSECRET-KEY" not in str(session)
    assert "picker_sess_abc123" in repr(session)
    assert session.access_token == "ya29.SECRET-TOKEN"
    before = datetime(2025, 1, 15, 11, 0, tzinfo=UTC)
    after = datetime(2025, 1, 15, 11, 31, tzinfo=UTC)
    assert not session.is_expired(before)
    assert session.is_expired(after)
    assert session.is_expired(datetime(2025, 1, 15, 11, 29, 45, tzinfo=UTC))  # within the margin
    assert not PickerSession(session_id="s").is_expired(after)  # no expiry known


def test_cloud_file_from_drive() -> None:
    f = CloudFile.from_drive(
        {
            "id": "abc",
            "name": "p.jpg",
            "mimeType": "image/jpeg",
            "size": "2048576",
            "parents": ["root"],
            "modifiedTime": "2024-05-01T10:00:00.000Z",
        }
    )
    assert (f.id, f.name, f.mime_type, f.size_bytes, f.parents) == (
        "abc",
        "p.jpg",
        "image/jpeg",
        2048576,
        ("root",),
    )
    assert f.modified_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    # Built past attrs' __init__ for speed, yet the same frozen, hashable value.
    same = CloudFile("abc", "p.jpg", "image/jpeg", 2048576, ("root",), f.modified_at)
    assert (f, hash(f)) == (same, hash(same))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        f.name = "other"  # type: ignore[misc]
    assert not f.is_folder
    folder = CloudFile.from_drive(
        {"id": "d", "name": "D", "mimeType": "application/vnd.google-apps.folder"}
    )
    assert folder.is_folder
    odd = CloudFile.from_drive({"id": "x", "name": None, "size": "big", "modifiedTime": "?"})
    assert (odd.size_bytes, odd.name, odd.modified_at) == (None, "", None)
    with pytest.raises(APIResponseValidationError):
        CloudFile.from_drive({"name": "no id"})


def test_import_batch_sync_and_async() -> None:
    sync = ImportBatch.from_dict(
        {"image_ids": ["img_001", "img_002"], "job_id": None, "status": None, "is_async": False}
    )
    assert (sync.is_async, sync.image_ids, sync.job_id, sync.status) == (
        False,
        ["img_001", "img_002"],
        None,
        None,
    )
    job = ImportBatch.from_dict(
        {"image_ids": None, "job_id": "job_550e8400", "status": "pending", "is_async": True}
    )
    assert job.is_async
    assert job.job_id == "job_550e8400"
    assert job.status is JobStatus.PENDING
    assert job.to_dict()["status"] == "pending"


def test_an_asynchronous_import_answer_needs_its_job(client: Client, api: FakeAPI) -> None:
    api.on("POST", "/cloud-storage/import", json_response(200, {"is_async": True, "job_id": None}))
    with pytest.raises(APIResponseValidationError, match=r"import_files.*job_id") as info:
        client.cloud_storage.import_files("conn_1", [{"id": "f1", "name": "a.jpg"}])
    assert info.value.partial.journal.stopped.uncertain  # the service may have started something


def test_import_result_aggregates_batches() -> None:
    result = ImportResult(
        batches=(
            ImportBatch(
                is_async=False,
                image_ids=["a", "b"],
                total_files=2,
                message="ok",
                files_sent=2,
                file_ids=("f1", "f2"),
            ),
            ImportBatch(
                is_async=True,
                job_id="job_2",
                status="pending",
                files_sent=3,
                file_ids=("f3", "f4", "f5"),
            ),
        )
    )
    assert result.job_ids == ("job_2",)
    assert result.job_id == "job_2"
    assert result.image_ids == ("a", "b")
    assert len(result.files) == 5
    assert [f.outcome for f in result.files] == ["done"] * 2 + ["unknown"] * 3
    assert result.status is JobStatus.PENDING


def test_import_result_without_jobs_is_completed() -> None:
    result = ImportResult(batches=(ImportBatch(is_async=False, image_ids=["a"], files_sent=1),))
    assert result.status is JobStatus.COMPLETED
    assert result.job_id is None
    assert result.job_ids == ()


def test_an_export_answer_needs_a_job_id(client: Client, api: FakeAPI) -> None:
    api.on(
        "POST",
        "/cloud-storage/export",
        json_response(200, {"job_id": "job_660f9500", "job_status": "pending", "is_async": True}),
        json_response(200, {"job_status": "pending"}),
    )
    result = client.cloud_storage.export_files("conn_1", ["img_1", "img_2"])
    [batch] = result.batches
    assert isinstance(batch, ExportBatch)
    assert (result.job_id, batch.status, batch.images_sent) == ("job_660f9500", "pending", 2)
    assert batch.sent_image_ids == ("img_1", "img_2")
    with pytest.raises(APIResponseValidationError, match="export_files"):
        client.cloud_storage.export_files("conn_1", ["img_1"])


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
    jobs = [Job(job_id=f"j{i}", status=s) for i, s in enumerate(statuses)]
    assert combined_status([], jobs) == expected


def test_bulk_results_sum_completed_and_failed_files_over_batches_and_jobs() -> None:
    done = Job(job_id="job_2", status=JobStatus.PARTIAL, completed_files=2, failed_files=1)
    result = ImportResult(
        batches=(
            # Synchronous: 3 sent, 2 ids back, so 1 lost (the message names it).
            ImportBatch(
                is_async=False,
                image_ids=["a", "b"],
                files_sent=3,
                file_ids=("f1", "f2", "f3"),
                file_names=("1.jpg", "2.jpg", "3.jpg"),
                message="1 of 3 files failed: 3.jpg: corrupt",
            ),
            ImportBatch(
                is_async=True,
                job_id="job_2",
                files_sent=3,
                file_ids=("f4", "f5", "f6"),
                file_names=("4.jpg", "5.jpg", "6.jpg"),
            ),
        ),
        jobs=(attrs.evolve(done, error="failed: 5.jpg: too large"),),
    )
    assert (result.completed_files, result.failed_files) == (4, 2)
    assert [(f.name, f.reason) for f in result.failed] == [
        ("3.jpg", "3.jpg: corrupt"),
        ("5.jpg", "5.jpg: too large"),
    ]
    export = ExportResult(
        batches=(
            ExportBatch(job_id="e1", images_sent=2, sent_image_ids=("i1", "i2")),
            ExportBatch(job_id="e2", images_sent=2, sent_image_ids=("i3", "i4")),
        ),
        jobs=(
            Job(job_id="e1", status=JobStatus.COMPLETED, completed_files=2, failed_files=0),
            Job(job_id="e2", status=JobStatus.FAILED, completed_files=None, failed_files=2),
        ),
    )
    assert (export.completed_files, export.failed_files) == (2, 2)
    assert ExportResult(batches=export.batches).completed_files == 0


def test_connection_list_reads_as_a_list_with_the_official_names() -> None:
    from aionvision_cloud import Connection

    a, b = Connection(id="a", provider="p"), Connection(id="b", provider="p")
    listed = ConnectionList([a, b], total_count=5)
    assert listed == [a, b]
    assert (listed[1], len(listed), listed.connections, listed.total_count) == (b, 2, [a, b], 5)
    assert list(reversed(listed)) == [b, a]
    assert a in listed
    assert not ConnectionList([])
    assert "total_count=5" in repr(listed)


def test_a_fresh_interpreter_gets_the_overlay_types_and_imports_models_late() -> None:
    # Nothing imported the overlay's models beforehand: the first client loads them, so answers
    # are re-classed, and `import aionvision_cloud` alone never pays for the generated models.
    script = """
import sys, httpx, aionvision_cloud
assert "aionvision_cloud_api.models" not in sys.modules
job = {"job": {"job_id": "job_1", "status": "completed"}}
client = aionvision_cloud.Client(
    "aion_" + "k" * 24,
    base_url="https://api.example.test/api/v2",
    transport=httpx.MockTransport(lambda r: httpx.Response(200, json=job)),
)
got = client.cloud_storage.get_job("job_1")
print(type(got).__module__, type(got).__name__, got.status is aionvision_cloud.JobStatus.COMPLETED)
"""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["aionvision_cloud._models", "Job", "True"]
