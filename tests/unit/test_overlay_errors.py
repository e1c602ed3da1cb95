"""Error statuses map to the typed hierarchy, from either body shape or no usable body."""

from __future__ import annotations

import httpx
import pytest
from overlay_testkit import API_KEY, FakeAPI, error_body, json_response

from aionvision_cloud import Client
from aionvision_cloud.errors import (
    AionvisionError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    from_response,
    parse_retry_after,
)
from aionvision_cloud.status import JobStatus

PATH = "/cloud-storage/jobs/job_1"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (402, APIStatusError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, APIStatusError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (501, ServerError),
        (502, ServerError),
        (599, ServerError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[APIStatusError]) -> None:
    response = json_response(status, error_body("SOME_CODE", "went wrong", request_id="rid-9"))
    err = from_response(response)
    assert type(err) is cls
    assert isinstance(err, APIStatusError)
    assert isinstance(err, AionvisionError)
    assert (err.status_code, err.code, err.message, err.request_id) == (
        status,
        "SOME_CODE",
        "went wrong",
        "rid-9",
    )
    assert "rid-9" in str(err)


def test_api_errors_raise_through_the_client(client: Client, api: FakeAPI) -> None:
    api.on("GET", PATH, json_response(404, error_body("NOT_FOUND", "Job not found", "r-404")))
    with pytest.raises(NotFoundError) as info:
        client.cloud_storage.get_job("job_1")
    assert info.value.request_id == "r-404"
    assert info.value.code == "NOT_FOUND"


def test_envelope_details_become_field_errors() -> None:
    body = error_body(
        "VALIDATION_ERROR", "Invalid request parameters", field="limit", issue="1-100"
    )
    err = from_response(json_response(400, body))
    assert isinstance(err, ValidationError)
    assert err.details == {"field": "limit", "issue": "1-100"}
    assert [(f.field, f.message) for f in err.field_errors] == [("limit", "1-100")]
    assert "limit: 1-100" in str(err)


def test_framework_detail_shape_becomes_field_errors() -> None:
    body = {
        "detail": [
            {"loc": ["body", "files", 0, "id"], "msg": "Field required", "type": "missing"},
            {"loc": ["query", "limit"], "msg": "too big", "type": "less_than"},
        ]
    }
    err = from_response(json_response(422, body, headers={"x-request-id": "hdr-1"}))
    assert isinstance(err, ValidationError)
    assert err.code == "VALIDATION_ERROR"
    assert [f.field for f in err.field_errors] == ["files.0.id", "limit"]
    assert err.field_errors[0].type == "missing"
    assert err.field_errors[0].loc == ("body", "files", 0, "id")
    assert err.request_id == "hdr-1"
    assert "files.0.id: Field required" in str(err)


@pytest.mark.parametrize(
    ("content", "ctype", "fragment"),
    [
        (b"<html><body>Bad gateway</body></html>", "text/html", "non-JSON body"),
        (b"", "text/plain", "empty body"),
        (b"{not json", "application/json", "non-JSON body"),
        (b"[1, 2]", "application/json", "HTTP 502"),
    ],
)
def test_unusable_bodies_still_give_a_clear_error(
    content: bytes, ctype: str, fragment: str
) -> None:
    response = httpx.Response(502, content=content, headers={"content-type": ctype})
    err = from_response(response)
    assert isinstance(err, ServerError)
    assert err.status_code == 502
    assert err.status_code == 502
    assert fragment in str(err)


def test_request_id_from_header_when_body_has_none() -> None:
    response = json_response(500, {"error": {"code": "X", "message": "m"}}, {"x-request-id": "h"})
    assert from_response(response).request_id == "h"


def test_string_detail_becomes_the_message() -> None:
    err = from_response(json_response(403, {"detail": "Not allowed"}))
    assert isinstance(err, PermissionDeniedError)
    assert err.message == "Not allowed"


def test_rate_limit_carries_retry_after_seconds() -> None:
    response = json_response(429, error_body("RATE_LIMIT_ERROR", "slow"), {"Retry-After": "7"})
    err = from_response(response)
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 7.0


def test_rate_limit_carries_retry_after_http_date() -> None:
    from overlay_testkit import START

    response = json_response(
        429,
        error_body("RATE_LIMIT_ERROR", "slow"),
        {"Retry-After": "Wed, 15 Jan 2025 10:30:30 GMT"},
    )
    err = from_response(response, now=START)
    assert isinstance(err, RateLimitError)
    assert err.retry_after == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0.0), ("-4", 0.0), ("garbage", None), (None, None), ("", None)]
)
def test_parse_retry_after_edge_cases(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_past_http_date_means_no_wait() -> None:
    assert parse_retry_after("Wed, 01 Jan 2020 00:00:00 GMT") == 0.0


def test_echoed_secret_is_redacted_from_the_message() -> None:
    body = error_body("INVALID_API_KEY", f"key {API_KEY} is not valid")
    err = from_response(json_response(401, body), secrets=[API_KEY])
    assert API_KEY not in str(err)
    assert API_KEY not in repr(err)
    assert "[redacted]" in err.message


def test_connection_error_maps(make_client, api: FakeAPI) -> None:  # type: ignore[no-untyped-def]
    api.on("GET", PATH, httpx.ConnectError("connection refused"))
    client = make_client(max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        client.cloud_storage.get_job("job_1")
    assert not isinstance(info.value, APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_timeout_maps(make_client, api: FakeAPI) -> None:  # type: ignore[no-untyped-def]
    api.on("GET", PATH, httpx.ReadTimeout("slow"))
    client = make_client(max_retries=0)
    with pytest.raises(APITimeoutError):
        client.cloud_storage.get_job("job_1")


def test_success_with_non_json_body_is_a_clear_error(client: Client, api: FakeAPI) -> None:
    api.on("GET", PATH, httpx.Response(200, content=b"<html>login</html>"))
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        client.cloud_storage.get_job("job_1")


def test_job_error_messages() -> None:
    from aionvision_cloud import Job
    from aionvision_cloud.errors import JobFailedError, JobTimeoutError

    job = Job.from_dict({"job_id": "job_1", "status": "failed", "error": "quota"})
    failed = JobFailedError(job)
    assert failed.job is job
    assert "job_1" in str(failed)
    assert "quota" in str(failed)
    timeout = JobTimeoutError("job_1", 5, job)
    assert isinstance(timeout, TimeoutError)
    assert timeout.job is job
    assert job.status is JobStatus.FAILED


def test_batch_limit_exceeded_says_batch_size_to_a_caller_of_a_library_that_batches() -> None:
    body = error_body(
        "BATCH_LIMIT_EXCEEDED",
        "Too many files: 150 in one request, at most 10 allowed; split the request into batches",
        field="files",
        count=150,
        max=10,
    )
    err = from_response(json_response(422, body))
    assert "pass batch_size=10 or less" in str(err)
