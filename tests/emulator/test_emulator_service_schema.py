"""The `service` profile's whole flow, held to the schema the service publishes.

Consent, connections, picker token, proxy pages, a file, its export, about, imports, job polls,
an export, disconnect: every answer over HTTP (plain httpx, independent of the overlay) is
captured and validated with openapi-core against `tests/data/service-openapi-cloud-storage.json`
(the service's published OpenAPI, cloud-storage part, paths under `/api/v2`) and against
`openapi.yaml`. The document profile's bare proxy answer must fail the service's schema, so the
check can fail.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import REDIRECT, drive_json

ROOT = Path(__file__).resolve().parents[2]
SERVICE_SCHEMA = ROOT / "tests" / "data" / "service-openapi-cloud-storage.json"
OUR_SCHEMA = ROOT / "openapi.yaml"
BIG = 250  # three proxy pages of 100


@dataclass
class _Request:
    """openapi-core's request protocol."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters = field(default_factory=RequestParameters)
    content_type: str = "application/json"
    body: bytes | None = None


@dataclass
class _Response:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes


@dataclass(frozen=True)
class Answer:
    method: str
    path: str  # from the host on: /api/v2/cloud-storage/...
    query: tuple[tuple[str, str], ...]
    status: int
    content_type: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@cache
def _openapi(path: Path) -> OpenAPI:
    return OpenAPI.from_file_path(str(path))


def schema_errors(spec: Path, answer: Answer, host_url: str) -> list[str]:
    """Every way `answer` breaks the schema in `spec` (empty when it conforms)."""
    request = _Request(
        host_url=host_url,
        path=answer.path,
        method=answer.method.lower(),
        parameters=RequestParameters(
            query=ImmutableMultiDict(list(answer.query)), header=Headers(), cookie={}, path={}
        ),
    )
    response = _Response(
        answer.status, answer.content_type, Headers(list(answer.headers)), answer.body
    )
    out: list[str] = []
    for error in _openapi(spec).iter_response_errors(request, response):
        cause = error.__cause__
        details = getattr(cause, "schema_errors", None)
        if details:
            out += [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in details]
        else:
            out.append(f"{type(error).__name__}: {error} {cause or ''}")
    return out


def service_errors(answer: Answer) -> list[str]:
    # The published document has no `servers`: its paths carry /api/v2 themselves.
    return schema_errors(SERVICE_SCHEMA, answer, "http://127.0.0.1")


def our_errors(answer: Answer) -> list[str]:
    return schema_errors(OUR_SCHEMA, answer, "https://api.aionvision.tech")


#: The service document's path templates as patterns, to name the operation of an answer.
def operation_of(answer: Answer) -> str:
    for template, item in _openapi(SERVICE_SCHEMA).spec["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", str(template))
        if re.fullmatch(pattern, answer.path) and answer.method.lower() in item:
            return str(item[answer.method.lower()]["operationId"]).split("_api_v2")[0]
    raise AssertionError(f"no operation for {answer.method} {answer.path}")


class Recorder:
    """An httpx event hook keeping every answer of the product API."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        url = urlsplit(str(response.request.url))
        self.answers.append(
            Answer(
                method=response.request.method,
                path=url.path,
                query=tuple(response.request.url.params.multi_items()),
                status=response.status_code,
                content_type=response.headers.get("content-type", "").split(";")[0],
                headers=tuple(response.headers.items()),
                body=response.content,
            )
        )


def _client(emu: RunningEmulator, recorder: Recorder) -> httpx.Client:
    return httpx.Client(
        base_url=emu.base_url,
        headers={"Authorization": f"Bearer {emu.api_key}"},
        timeout=10,
        event_hooks={"response": [recorder]},
    )


def _ok(r: httpx.Response) -> Any:
    assert r.status_code == 200, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def _proxy(api: httpx.Client, sid: str, endpoint: str, **params: Any) -> dict[str, Any]:
    r = api.post(
        "/cloud-storage/picker-proxy",
        json={"session_id": sid, "endpoint": endpoint, "params": params},
    )
    _ok(r)
    return drive_json(r)


def _wait(api: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        job: dict[str, Any] = _ok(api.get(f"/cloud-storage/jobs/{job_id}"))["job"]
        if job["status"] in ("completed", "partial", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def whole_flow(emu: RunningEmulator) -> list[Answer]:
    """The user's flow, consent to disconnect; returns every product-API answer it got."""
    recorder = Recorder()
    with _client(emu, recorder) as api:
        auth = _ok(
            api.post(
                "/cloud-storage/auth/google_drive",
                json={"provider": "google_drive", "redirect_uri": REDIRECT},
            )
        )
        consent = httpx.get(auth["authorization_url"], timeout=10)  # Google's page, not the API
        assert consent.status_code == 302, consent.text
        q = httpx.URL(consent.headers["location"]).params
        conn = _ok(
            api.post(
                "/cloud-storage/auth/google_drive/callback",
                json={"code": q["code"], "state": q["state"], "redirect_uri": REDIRECT},
            )
        )["connection"]
        _ok(api.get("/cloud-storage/connections"))
        _ok(api.get("/cloud-storage/connections", params={"provider": "google_drive"}))
        sid = _ok(api.get(f"/cloud-storage/connections/{conn['id']}/picker-token"))["session"][
            "session_id"
        ]
        root = _proxy(api, sid, "files", q="'root' in parents and trashed = false")
        big = next(f["id"] for f in root["files"] if f["name"] == "Camera Uploads")
        docs = next(f["id"] for f in root["files"] if f["name"] == "Documents")
        files: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "q": f"'{big}' in parents and mimeType contains 'image/'",
                "pageSize": 100,
                "fields": "nextPageToken, files(id, name, mimeType, size)",
            }
            if token:
                params["pageToken"] = token
            page = _proxy(api, sid, "files", **params)
            files += page["files"]
            token = page.get("nextPageToken")
            if not token:
                break
        assert len(files) == BIG
        _proxy(api, sid, f"files/{files[0]['id']}", fields="id,name,mimeType,size,parents")
        doc = next(
            f
            for f in _proxy(api, sid, "files", q=f"'{docs}' in parents")["files"]
            if f["mimeType"] == "application/vnd.google-apps.document"
        )
        _proxy(api, sid, f"files/{doc['id']}/export", mimeType="application/pdf")
        _proxy(api, sid, "about", fields="user,storageQuota")
        picked = [{"id": f["id"], "name": f["name"], "mime_type": f["mimeType"]} for f in files]
        image_ids: list[str] = []
        for batch in (picked[:100], picked[100:103]):
            started = _ok(
                api.post(
                    "/cloud-storage/import",
                    json={"connection_id": conn["id"], "files": batch, "tags": ["drive"]},
                )
            )
            assert _wait(api, started["job_id"])["status"] == "completed"
            image_ids += started["image_ids"]
        export = _ok(
            api.post(
                "/cloud-storage/export",
                json={
                    "connection_id": conn["id"],
                    "image_ids": image_ids[:5],
                    "folder_name": "Aionvision Export",
                },
            )
        )
        assert len(_wait(api, export["job_id"])["cloud_file_ids"]) == 5
        _ok(api.delete(f"/cloud-storage/connections/{conn['id']}"))
        assert _ok(api.get("/cloud-storage/connections"))["total_count"] == 0
    return recorder.answers


@pytest.fixture(scope="module")
def service_flow() -> Iterator[tuple[RunningEmulator, list[Answer]]]:
    with run_emulator(
        profile="service", job_pace=300.0, job_start_delay=0.1, big_folder_size=BIG
    ) as emu:
        yield emu, whole_flow(emu)


def test_the_vendored_schema_is_the_published_one() -> None:
    spec = json.loads(SERVICE_SCHEMA.read_text())
    assert spec["paths"]["/api/v2/cloud-storage/picker-proxy"]["post"]["responses"]["200"]
    assert len([m for item in spec["paths"].values() for m in item]) == 10
    assert spec["components"]["schemas"]["PickerProxyResponse"]["required"] == ["data"]


def test_every_answer_of_the_service_flow_is_valid_against_the_service_schema(
    service_flow: tuple[RunningEmulator, list[Answer]],
) -> None:
    _, answers = service_flow
    ops = [operation_of(a) for a in answers]
    # Every operation of the flow was answered, several times where a user repeats it.
    assert set(ops) == {
        "initiate_auth",
        "complete_auth",
        "list_connections",
        "get_picker_token",
        "picker_proxy",
        "import_files",
        "export_files",
        "get_job_status",
        "disconnect",
    }
    assert ops.count("picker_proxy") == 8
    assert ops.count("get_job_status") >= 3
    assert all(a.status == 200 for a in answers)
    broken = {f"{i} {ops[i]}": service_errors(a) for i, a in enumerate(answers)}
    assert {k: v for k, v in broken.items() if v} == {}
    assert len(answers) >= 25


def test_every_answer_of_the_service_flow_is_valid_against_openapi_yaml(
    service_flow: tuple[RunningEmulator, list[Answer]],
) -> None:
    emu, answers = service_flow
    broken = {f"{i} {a.path}": our_errors(a) for i, a in enumerate(answers)}
    assert {k: v for k, v in broken.items() if v} == {}
    # The emulator's own check (strict: a violation would have been a 500) saw none either.
    assert emu.admin.stats()["spec_violations"] == []


def test_the_check_catches_an_answer_missing_a_required_field(
    service_flow: tuple[RunningEmulator, list[Answer]],
) -> None:
    _, answers = service_flow
    started = next(a for a in answers if operation_of(a) == "import_files")
    assert service_errors(started) == []
    mangled = Answer(**{**started.__dict__, "body": started.body.replace(b'"is_async"', b'"x"')})
    assert any("is_async" in e for e in service_errors(mangled))


def test_the_document_profiles_bare_proxy_answer_fails_the_service_schema() -> None:
    recorder = Recorder()
    with run_emulator(profile="document", big_folder_size=5) as emu, _client(emu, recorder) as api:
        auth = _ok(
            api.post(
                "/cloud-storage/auth/google_drive",
                json={"provider": "google_drive", "redirect_uri": REDIRECT},
            )
        )
        q = httpx.URL(httpx.get(auth["authorization_url"]).headers["location"]).params
        conn = _ok(
            api.post(
                "/cloud-storage/auth/google_drive/callback",
                json={"code": q["code"], "state": q["state"], "redirect_uri": REDIRECT},
            )
        )["connection"]
        sid = _ok(api.get(f"/cloud-storage/connections/{conn['id']}/picker-token"))["session"][
            "session_id"
        ]
        _proxy(api, sid, "files", q="'root' in parents")
        _proxy(api, sid, "about", fields="user")
    proxied = [a for a in recorder.answers if operation_of(a) == "picker_proxy"]
    assert len(proxied) == 2
    for answer in proxied:
        errors = service_errors(answer)
        assert any("'data' is a required property" in e for e in errors), errors
        # ... while openapi.yaml, which describes both, takes it.
        assert our_errors(answer) == []
    # The rest of the document's answers here fit the service's schema too.
    others = [a for a in recorder.answers if operation_of(a) != "picker_proxy"]
    assert [service_errors(a) for a in others] == [[] for _ in others]
