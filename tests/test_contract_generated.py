"""The generated client sends what the document describes and parses what it shows.

Every call goes through ``httpx.MockTransport``: nothing leaves the process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from aionvision_cloud_api import AuthenticatedClient, errors
from aionvision_cloud_api.api.cloud_storage import (
    complete_auth,
    disconnect,
    export_files,
    get_job,
    get_picker_token,
    import_files,
    initiate_auth,
    list_connections,
    oauth_callback,
    picker_proxy,
)
from aionvision_cloud_api.models import (
    CompleteAuthRequest,
    CompleteAuthResponse,
    Connection,
    DisconnectResponse,
    DriveResponse,
    ErrorResponse,
    ExportRequest,
    ExportResponse,
    HTTPValidationError,
    ImportRequest,
    ImportResponse,
    InitiateAuthRequest,
    InitiateAuthResponse,
    Job,
    JobResponse,
    ListConnectionsResponse,
    PickerProxyEnvelope,
    PickerProxyRequest,
    PickerTokenResponse,
    Provider,
)
from aionvision_cloud_api.types import UNSET

ROOT = Path(__file__).resolve().parents[1]
DOC = (Path(__file__).parent / "data" / "cloud-storage-api.md").read_text()
BLOCKS = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", DOC, re.S)]
(
    INITIATE_REQ,
    INITIATE_RESP,
    COMPLETE_REQ,
    COMPLETE_RESP,
    LIST_RESP,
    DISCONNECT_RESP,
    PICKER_TOKEN_RESP,
    PROXY_REQ,
    IMPORT_REQ,
    IMPORT_SYNC_RESP,
    IMPORT_ASYNC_RESP,
    EXPORT_REQ,
    EXPORT_RESP,
    JOB_RESP,
) = BLOCKS

BASE = "https://api.aionvision.tech/api/v2"
KEY = "aion_test_key_0123456789abcdef"
CONN = "550e8400-e29b-41d4-a716-446655440000"


class Recorder:
    """A MockTransport handler that answers one canned response and keeps what it was sent."""

    def __init__(self, status: int = 200, body: Any = None, content_type: str = "json") -> None:
        self.status, self.body, self.content_type = status, body, content_type
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.content_type == "html":
            return httpx.Response(self.status, html=self.body)
        return httpx.Response(self.status, json=self.body)

    @property
    def only(self) -> httpx.Request:
        assert len(self.requests) == 1
        return self.requests[0]


def make_client(recorder: Recorder, **kwargs: Any) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE,
        token=KEY,
        httpx_args={"transport": httpx.MockTransport(recorder)},
        **kwargs,
    )


# (call, method, path, query, sent JSON, canned response body, expected parsed type)
CASES: list[
    tuple[str, Callable[[AuthenticatedClient], Any], str, str, dict[str, str], Any, Any, type]
] = [
    (
        "initiate_auth",
        lambda c: initiate_auth.sync_detailed(
            Provider.GOOGLE_DRIVE, client=c, body=InitiateAuthRequest.from_dict(INITIATE_REQ)
        ),
        "POST",
        "/cloud-storage/auth/google_drive",
        {},
        INITIATE_REQ,
        INITIATE_RESP,
        InitiateAuthResponse,
    ),
    (
        "complete_auth",
        lambda c: complete_auth.sync_detailed(
            Provider.GOOGLE_DRIVE, client=c, body=CompleteAuthRequest.from_dict(COMPLETE_REQ)
        ),
        "POST",
        "/cloud-storage/auth/google_drive/callback",
        {},
        COMPLETE_REQ,
        COMPLETE_RESP,
        CompleteAuthResponse,
    ),
    (
        "list_connections",
        lambda c: list_connections.sync_detailed(client=c, provider=Provider.GOOGLE_DRIVE),
        "GET",
        "/cloud-storage/connections",
        {"provider": "google_drive", "active_only": "true"},
        None,
        LIST_RESP,
        ListConnectionsResponse,
    ),
    (
        "disconnect",
        lambda c: disconnect.sync_detailed(CONN, client=c),
        "DELETE",
        f"/cloud-storage/connections/{CONN}",
        {},
        None,
        DISCONNECT_RESP,
        DisconnectResponse,
    ),
    (
        "get_picker_token",
        lambda c: get_picker_token.sync_detailed(CONN, client=c),
        "GET",
        f"/cloud-storage/connections/{CONN}/picker-token",
        {},
        None,
        PICKER_TOKEN_RESP,
        PickerTokenResponse,
    ),
    (
        "picker_proxy",
        lambda c: picker_proxy.sync_detailed(
            client=c, body=PickerProxyRequest.from_dict(PROXY_REQ)
        ),
        "POST",
        "/cloud-storage/picker-proxy",
        {},
        PROXY_REQ,
        {"id": "abc123", "name": "photo1.jpg", "mimeType": "image/jpeg", "size": "2048576"},
        DriveResponse,
    ),
    (
        "picker_proxy wrapped",
        lambda c: picker_proxy.sync_detailed(
            client=c, body=PickerProxyRequest.from_dict(PROXY_REQ)
        ),
        "POST",
        "/cloud-storage/picker-proxy",
        {},
        PROXY_REQ,
        {"data": {"id": "abc123", "name": "photo1.jpg", "mimeType": "image/jpeg"}},
        PickerProxyEnvelope,
    ),
    (
        "import_files sync",
        lambda c: import_files.sync_detailed(client=c, body=ImportRequest.from_dict(IMPORT_REQ)),
        "POST",
        "/cloud-storage/import",
        {},
        IMPORT_REQ,
        IMPORT_SYNC_RESP,
        ImportResponse,
    ),
    (
        "import_files async",
        lambda c: import_files.sync_detailed(client=c, body=ImportRequest.from_dict(IMPORT_REQ)),
        "POST",
        "/cloud-storage/import",
        {},
        IMPORT_REQ,
        IMPORT_ASYNC_RESP,
        ImportResponse,
    ),
    (
        "export_files",
        lambda c: export_files.sync_detailed(client=c, body=ExportRequest.from_dict(EXPORT_REQ)),
        "POST",
        "/cloud-storage/export",
        {},
        EXPORT_REQ,
        EXPORT_RESP,
        ExportResponse,
    ),
    (
        "get_job",
        lambda c: get_job.sync_detailed("job_550e8400", client=c),
        "GET",
        "/cloud-storage/jobs/job_550e8400",
        {},
        None,
        JOB_RESP,
        JobResponse,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "sent", "answer", "model"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_operation_sends_the_documented_request_and_parses_the_documented_answer(
    call: Callable[[AuthenticatedClient], Any],
    method: str,
    path: str,
    query: dict[str, str],
    sent: Any,
    answer: Any,
    model: type,
) -> None:
    recorder = Recorder(body=answer)
    with make_client(recorder) as client:
        response = call(client)
    request = recorder.only
    assert request.method == method
    assert request.url.scheme == "https"
    assert request.url.host == "api.aionvision.tech"
    assert request.url.path == "/api/v2" + path
    assert dict(request.url.params) == query
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    if sent is None:
        assert request.content == b""
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.content) == sent
    assert response.status_code == 200
    assert isinstance(response.parsed, model)
    # What came back parses into the model and serialises back to the same data.
    assert same_data(response.parsed.to_dict()) == same_data(answer)


def same_data(value: Any) -> Any:
    """JSON data with timestamps as datetimes, since "Z" comes back as "+00:00"."""
    if isinstance(value, dict):
        return {k: same_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [same_data(v) for v in value]
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        return dt.datetime.fromisoformat(value)
    return value


def test_timestamps_parse_into_datetimes() -> None:
    connection = CompleteAuthResponse.from_dict(COMPLETE_RESP).connection
    assert connection.created_at == dt.datetime(2025, 1, 15, 10, 30, tzinfo=dt.UTC)
    assert connection.last_used_at is None
    listed = ListConnectionsResponse.from_dict(LIST_RESP).connections[0]
    assert listed.last_used_at == dt.datetime(2025, 1, 15, 11, 0, tzinfo=dt.UTC)
    session = PickerTokenResponse.from_dict(PICKER_TOKEN_RESP).session
    assert session.expires_at == dt.datetime(2025, 1, 15, 11, 30, tzinfo=dt.UTC)
    job = JobResponse.from_dict(JOB_RESP).job
    assert isinstance(job.created_at, dt.datetime)
    assert isinstance(job.updated_at, dt.datetime)
    assert job.completed_at is None
    assert job.error is None
    assert (job.total_files, job.completed_files, job.failed_files) == (50, 30, 2)
    assert job.type_ == "import"


def test_sync_and_async_import_answers_keep_their_nulls() -> None:
    sync = ImportResponse.from_dict(IMPORT_SYNC_RESP)
    assert (sync.image_ids, sync.job_id, sync.status, sync.is_async) == (
        ["img_001", "img_002"],
        None,
        None,
        False,
    )
    queued = ImportResponse.from_dict(IMPORT_ASYNC_RESP)
    assert (queued.image_ids, queued.job_id, queued.status) == (None, "job_550e8400", "pending")


def test_unknown_fields_are_kept_and_null_optional_fields_parse() -> None:
    raw = {
        "job_id": "job_1",
        "status": "queued_for_retry",
        "error": None,
        "completed_at": None,
        "priority": 7,
        "owner": {"team": "vision"},
    }
    job = Job.from_dict(raw)
    assert job.status == "queued_for_retry"
    assert job.additional_properties == {"priority": 7, "owner": {"team": "vision"}}
    assert job.created_at is UNSET
    assert job.to_dict() == raw
    conn = Connection.from_dict(
        {"id": "c1", "provider": "dropbox", "provider_email": None, "provider_display_name": None}
    )
    assert conn.provider == "dropbox"
    assert conn.provider_email is None
    assert conn.is_active is UNSET


def test_both_422_shapes_parse() -> None:
    envelope = {
        "error": {"code": "VALIDATION_ERROR", "message": "Invalid", "details": {"field": "files"}},
        "request_id": "req_1",
    }
    recorder = Recorder(status=422, body=envelope)
    parsed = get_job.sync_detailed("job_1", client=make_client(recorder)).parsed
    assert isinstance(parsed, ErrorResponse)
    assert parsed.error.code == "VALIDATION_ERROR"
    assert parsed.request_id == "req_1"
    framework = {
        "detail": [{"loc": ["body", "files", 0, "id"], "msg": "Field required", "type": "missing"}]
    }
    recorder = Recorder(status=422, body=framework)
    parsed = get_job.sync_detailed("job_1", client=make_client(recorder)).parsed
    assert isinstance(parsed, HTTPValidationError)
    assert parsed.detail[0].loc == ["body", "files", 0, "id"]


def test_oauth_callback_returns_the_html_page() -> None:
    page = "<html><script>window.opener.postMessage({}, 'https://app.example')</script></html>"
    recorder = Recorder(body=page, content_type="html")
    response = oauth_callback.sync_detailed(
        Provider.GOOGLE_DRIVE, client=make_client(recorder), code="c0de", state="s1"
    )
    assert recorder.only.method == "GET"
    assert recorder.only.url.path == "/api/v2/cloud-storage/auth/google_drive/callback"
    assert dict(recorder.only.url.params) == {"code": "c0de", "state": "s1"}
    assert response.parsed == page


def test_path_parameters_are_escaped() -> None:
    recorder = Recorder(body=JOB_RESP)
    get_job.sync_detailed("../connections/x", client=make_client(recorder))
    assert recorder.only.url.raw_path == b"/api/v2/cloud-storage/jobs/..%2Fconnections%2Fx"


def test_undocumented_status_gives_none_or_raises_when_asked() -> None:
    recorder = Recorder(status=418, body={"teapot": True})
    response = get_job.sync_detailed("job_1", client=make_client(recorder))
    assert response.status_code == 418
    assert response.parsed is None
    assert json.loads(response.content) == {"teapot": True}
    assert get_job.sync("job_1", client=make_client(recorder)) is None
    strict = make_client(recorder, raise_on_unexpected_status=True)
    with pytest.raises(errors.UnexpectedStatus) as caught:
        get_job.sync_detailed("job_1", client=strict)
    assert caught.value.status_code == 418


def test_regeneration_is_byte_identical_to_the_committed_client(tmp_path: Path) -> None:
    generator = Path(sys.executable).parent / "openapi-python-client"
    # Two folders deep, as make regen writes it: its first post-hook finds generator-hooks/ and
    # openapi.yaml at ../../ (generator-config.yml).
    out = tmp_path / "scratch" / "aionvision_cloud_api"
    (tmp_path / "generator-hooks").symlink_to(ROOT / "generator-hooks")
    (tmp_path / "openapi.yaml").symlink_to(ROOT / "openapi.yaml")
    subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(ROOT / "openapi.yaml"),
            "--config",
            str(ROOT / "generator-config.yml"),
            "--meta",
            "none",
            "--fail-on-warning",
            "--output-path",
            str(out),
        ],
        check=True,
        capture_output=True,
        # The post-hooks call ruff from the same environment as the generator.
        env={**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    committed = ROOT / "generated_client" / "aionvision_cloud_api"
    fresh = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.py")}
    kept = {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*.py")}
    assert fresh.keys() == kept.keys()
    assert [name for name in fresh if fresh[name] != kept[name]] == []
