"""The spec-validation layer: bad requests get documented errors, bad responses are caught."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from aionvision_cloud_emulator.app import create_app
from aionvision_cloud_emulator.config import EmulatorConfig
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import assert_error, client_for, connect
from aionvision_cloud_emulator.validation import SPEC_ENV, SpecValidator, locate_spec

REPO_SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


def _drop_job_id(op: str, status: int, body: Any) -> Any:
    # A deliberately wrong response: get_job without the required `job.job_id`.
    if op == "get_job" and status == 200:
        del body["job"]["job_id"]
    if op == "list_connections" and status == 200:
        body["total_count"] = "two"
    return body


def test_wrong_response_is_caught_in_strict_mode() -> None:
    with run_emulator(
        profile="document", response_hook=_drop_job_id, big_folder_size=10, job_start_delay=0
    ) as emu:
        with client_for(emu) as api:
            conn = connect(api)["connection"]
            files = [{"id": f"x{i}", "name": "a.jpg"} for i in range(6)]
            job = api.post(
                "/cloud-storage/import", json={"connection_id": conn["id"], "files": files}
            )
            r = api.get(f"/cloud-storage/jobs/{job.json()['job_id']}")
            body = assert_error(r, 500, "RESPONSE_VALIDATION_ERROR")
            assert any("job_id" in e for e in body["error"]["details"]["errors"])
            assert_error(api.get("/cloud-storage/connections"), 500, "RESPONSE_VALIDATION_ERROR")
        violations = emu.admin.stats()["spec_violations"]
        assert [v["operation"] for v in violations] == ["get_job", "list_connections"]


def test_wrong_response_is_counted_but_passed_when_not_strict() -> None:
    with run_emulator(
        profile="document", response_hook=_drop_job_id, strict=False, big_folder_size=10
    ) as emu:
        with client_for(emu) as api:
            r = api.get("/cloud-storage/connections")
            assert r.status_code == 200
            assert r.json()["total_count"] == "two"
        assert len(emu.admin.stats()["spec_violations"]) == 1


def test_validator_reports_response_problems_directly() -> None:
    v = SpecValidator()
    ok = v.check_response(
        "GET",
        "/cloud-storage/jobs/{job_id}",
        {"job_id": "j"},
        200,
        "application/json",
        [],
        b'{"job": {"job_id": "j", "status": "whatever-new"}}',
    )
    assert ok == []
    bad = v.check_response(
        "GET",
        "/cloud-storage/jobs/{job_id}",
        {"job_id": "j"},
        200,
        "application/json",
        [],
        b'{"job": {"job_id": "j", "status": "x", "created_at": "yesterday"}}',
    )
    assert bad
    assert "date-time" in bad[0]
    no_retry_after = v.check_response(
        "GET",
        "/cloud-storage/connections",
        {},
        429,
        "application/json",
        [],
        b'{"error": {"code": "RATE_LIMIT_ERROR", "message": "slow down"}}',
    )
    assert no_retry_after
    assert "Retry-After" in no_retry_after[0]
    undocumented = v.check_response(
        "GET", "/cloud-storage/connections", {}, 418, "application/json", [], b"{}"
    )
    assert undocumented


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"files": [{"id": "a", "name": "b"}]}, ["body"]),
        ({"connection_id": "c", "files": []}, ["body", "files"]),
        ({"connection_id": "c", "files": [{"id": "a"}]}, ["body", "files", 0]),
        ({"connection_id": "c", "files": [{"id": 5, "name": "b"}]}, ["body", "files", 0, "id"]),
        ({"connection_id": "", "files": [{"id": "a", "name": "b"}]}, ["body", "connection_id"]),
        (
            {"connection_id": "c", "files": [{"id": "a", "name": "b", "size_bytes": -1}]},
            ["body", "files", 0, "size_bytes"],
        ),
        (
            {"connection_id": "c", "files": [{"id": "a", "name": "b"}], "tags": "x"},
            ["body", "tags"],
        ),
    ],
)
def test_invalid_bodies_are_422_with_locations(
    api: httpx.Client, body: dict[str, Any], loc: list[Any]
) -> None:
    r = api.post("/cloud-storage/import", json=body)
    err = assert_error(r, 422, "VALIDATION_ERROR")
    assert loc in [e["loc"] for e in err["error"]["details"]["errors"]]
    assert err["error"]["details"]["field"]


def test_detail_style_422(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(validation_error_style="detail")
    r = api.post("/cloud-storage/import", json={"connection_id": "c", "files": [{"id": "a"}]})
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "loc": ["body", "files", 0],
                "msg": "'name' is a required property",
                "type": "required",
            }
        ]
    }


def test_unreadable_bodies_are_400(api: httpx.Client) -> None:
    r = api.post(
        "/cloud-storage/import", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, "BAD_REQUEST")
    r = api.post("/cloud-storage/import", content=b"a=b", headers={"Content-Type": "text/plain"})
    assert_error(r, 400, "BAD_REQUEST")
    r = api.post("/cloud-storage/picker-proxy", json=["not", "an", "object"])
    assert_error(r, 422, "VALIDATION_ERROR")


def test_bad_query_parameter(api: httpx.Client) -> None:
    r = api.get("/cloud-storage/connections", params={"active_only": "maybe"})
    err = assert_error(r, 422, "VALIDATION_ERROR")
    assert err["error"]["details"]["errors"][0]["loc"] == ["query", "active_only"]
    assert api.get("/cloud-storage/connections", params={"active_only": "false"}).status_code == 200


def test_unknown_paths_and_methods(emu: RunningEmulator, api: httpx.Client) -> None:
    assert_error(api.get("/cloud-storage/nothing-here"), 404, "NOT_FOUND")
    r = api.put("/cloud-storage/import")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["allow"] == "POST"


def test_every_response_carries_request_id(api: httpx.Client) -> None:
    a = api.get("/cloud-storage/connections")
    b = api.get("/cloud-storage/connections")
    assert a.headers["x-request-id"] != b.headers["x-request-id"]


def test_spec_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert locate_spec() == REPO_SPEC
    copy = tmp_path / "spec.yaml"
    shutil.copy(REPO_SPEC, copy)
    monkeypatch.setenv(SPEC_ENV, str(copy))
    assert locate_spec() == copy
    assert locate_spec(REPO_SPEC) == REPO_SPEC
    monkeypatch.setenv(SPEC_ENV, str(tmp_path / "missing.yaml"))
    with pytest.raises(FileNotFoundError, match=r"openapi\.yaml not found"):
        locate_spec()


def test_operation_without_handler_fails_at_startup(tmp_path: Path) -> None:
    spec = yaml.safe_load(REPO_SPEC.read_text())
    spec["paths"]["/cloud-storage/quota"] = {
        "get": {"operationId": "get_quota", "responses": {"200": {"description": "ok"}}}
    }
    path = tmp_path / "grown.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(RuntimeError, match="get_quota"):
        create_app(EmulatorConfig(spec_path=path, big_folder_size=1))


def test_head_and_options_are_not_operations(api: httpx.Client) -> None:
    assert api.head("/cloud-storage/connections").status_code == 405
    assert_error(api.options("/cloud-storage/connections"), 405, "METHOD_NOT_ALLOWED")


def test_admin_api_is_outside_the_contract(emu: RunningEmulator) -> None:
    spec = yaml.safe_load(REPO_SPEC.read_text())
    assert not [p for p in spec["paths"] if "_emulator" in p]
    # Admin answers aren't held to the spec (201 appears nowhere in it), and need no key.
    r = httpx.post(emu.root_url + "/_emulator/keys", json={})
    assert r.status_code == 201
    assert emu.admin.stats()["spec_violations"] == []
