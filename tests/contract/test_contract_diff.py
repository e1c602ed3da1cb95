"""`make contract-diff`: the vendored service document passes, and seeded drift is reported.

Each drift test mutates a copy of one side in tmp_path and expects exactly the row it seeded as
DRIFT (everything else still `deliberate`), exit code 1 and no stale entry.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import contract_diff
import httpx
import pytest
import yaml
from contract_allowlist import Entry
from contract_facts import document_facts, type_of

OURS_DOC: dict[str, Any] = yaml.safe_load(contract_diff.OURS.read_text())
SERVICE_DOC: dict[str, Any] = json.loads(contract_diff.SERVICE.read_text())
ALLOW_DOC: dict[str, Any] = yaml.safe_load(contract_diff.ALLOW.read_text())
SERVICE_URL = "https://api.aionvision.tech/openapi.json"

Row = tuple[str, ...]


def _rows(out: str) -> list[Row]:
    """The printed table's body, each row split back into its five cells."""
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("operation  ")), None)
    if start is None:
        return []
    body = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        body.append(tuple(re.split(r"\s{2,}", line.strip())))
    return body


def run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ours: dict[str, Any] | None = None,
    service: dict[str, Any] | None = None,
    allow: dict[str, Any] | None = None,
) -> tuple[int, list[Row]]:
    """contract_diff.main on (copies of) the three files; returns exit code and table rows."""
    paths = {}
    for name, doc, default in [
        ("ours", ours, OURS_DOC),
        ("service", service, SERVICE_DOC),
        ("allow", allow, ALLOW_DOC),
    ]:
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(default if doc is None else doc))
    argv = [f"--{name}={path}" for name, path in paths.items()]
    code = contract_diff.main(argv)
    return code, _rows(capsys.readouterr().out)


def flagged(rows: list[Row], verdict: str) -> list[Row]:
    return [row for row in rows if row[-1] == verdict]


def drift(tmp_path: Path, capsys: pytest.CaptureFixture[str], **docs: dict[str, Any]) -> list[Row]:
    code, rows = run(tmp_path, capsys, **docs)
    assert code == 1
    assert flagged(rows, "STALE") == []
    return flagged(rows, "DRIFT")


@pytest.fixture
def ours() -> dict[str, Any]:
    return copy.deepcopy(OURS_DOC)


@pytest.fixture
def service() -> dict[str, Any]:
    return copy.deepcopy(SERVICE_DOC)


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]


# -- the committed state ---------------------------------------------------------------------


def test_vendored_copy_passes_with_the_committed_allowlist() -> None:
    # As `make contract-diff` runs it: a script, its defaults, its own sys.path.
    script = Path(contract_diff.__file__)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = _rows(done.stdout)
    assert rows, "the two documents should differ deliberately somewhere"
    assert {row[-1] for row in rows} == {"deliberate"}
    assert ("POST /cloud-storage/import", "responses") in {row[:2] for row in rows}


def test_vendored_copy_is_the_shared_file_byte_for_byte() -> None:
    shared = contract_diff.ROOT.parent / "shared" / "service" / "openapi-cloud-storage.json"
    if not shared.exists():
        pytest.skip("the shared service folder is not beside this checkout")
    assert contract_diff.SERVICE.read_bytes() == shared.read_bytes()


def test_every_allowlist_entry_has_a_reason() -> None:
    entries = ALLOW_DOC["differences"]
    assert entries
    assert all(str(entry.get("reason", "")).strip() for entry in entries)


# -- seeded drift, each reported with its row ------------------------------------------------


def test_response_property_removed_by_the_service(tmp_path, capsys, service) -> None:
    job = schemas(service)["CloudStorageJobDetail"]
    del job["properties"]["job_id"]
    job["required"].remove("job_id")
    assert drift(tmp_path, capsys, service=service) == [
        (
            "GET /cloud-storage/jobs/{job_id}",
            "response 200 job.job_id",
            "required string",
            "absent",
            "DRIFT",
        )
    ]


def test_response_property_removed_from_ours(tmp_path, capsys, ours) -> None:
    response = schemas(ours)["InitiateAuthResponse"]
    del response["properties"]["state"]
    response["required"].remove("state")
    assert drift(tmp_path, capsys, ours=ours) == [
        (
            "POST /cloud-storage/auth/{provider}",
            "response 200 state",
            "absent",
            "required string",
            "DRIFT",
        )
    ]


def test_parameter_made_required(tmp_path, capsys, service) -> None:
    params = service["paths"]["/api/v2/cloud-storage/connections"]["get"]["parameters"]
    next(p for p in params if p["name"] == "active_only")["required"] = True
    assert drift(tmp_path, capsys, service=service) == [
        (
            "GET /cloud-storage/connections",
            "param query active_only",
            "optional boolean",
            "required boolean",
            "DRIFT",
        )
    ]


def test_type_changed(tmp_path, capsys, service) -> None:
    schemas(service)["ImportFilesResponse"]["properties"]["total_files"]["type"] = "string"
    assert drift(tmp_path, capsys, service=service) == [
        (
            "POST /cloud-storage/import",
            "response 200 total_files",
            "optional integer",
            "optional string",
            "DRIFT",
        )
    ]


def test_null_added_by_the_service(tmp_path, capsys, service) -> None:
    success = schemas(service)["DisconnectResponse"]["properties"]["success"]
    success.pop("type")
    success["anyOf"] = [{"type": "boolean"}, {"type": "null"}]
    assert drift(tmp_path, capsys, service=service) == [
        (
            "DELETE /cloud-storage/connections/{connection_id}",
            "response 200 success",
            "required boolean",
            "required boolean|null",
            "DRIFT",
        )
    ]


def test_null_removed_from_ours(tmp_path, capsys, ours) -> None:
    schemas(ours)["ImportResponse"]["properties"]["job_id"]["type"] = "string"
    assert drift(tmp_path, capsys, ours=ours) == [
        (
            "POST /cloud-storage/import",
            "response 200 job_id",
            "optional string",
            "optional string|null",
            "DRIFT",
        )
    ]


def test_operation_added_by_the_service(tmp_path, capsys, service) -> None:
    job = service["paths"]["/api/v2/cloud-storage/jobs/{job_id}"]["get"]
    service["paths"]["/api/v2/cloud-storage/jobs"] = {"get": copy.deepcopy(job)}
    assert drift(tmp_path, capsys, service=service) == [
        ("GET /cloud-storage/jobs", "operation", "absent", "present", "DRIFT")
    ]


def test_operation_added_to_ours(tmp_path, capsys, ours) -> None:
    job = ours["paths"]["/cloud-storage/jobs/{job_id}"]["get"]
    ours["paths"]["/cloud-storage/jobs/{job_id}"]["delete"] = copy.deepcopy(job)
    assert drift(tmp_path, capsys, ours=ours) == [
        ("DELETE /cloud-storage/jobs/{job_id}", "operation", "present", "absent", "DRIFT")
    ]


def test_request_body_property_added_by_the_service(tmp_path, capsys, service) -> None:
    request = schemas(service)["ImportFilesRequest"]
    request["properties"]["priority"] = {"type": "integer", "title": "Priority"}
    assert drift(tmp_path, capsys, service=service) == [
        ("POST /cloud-storage/import", "request priority", "absent", "optional integer", "DRIFT")
    ]


def test_nested_request_property_made_required(tmp_path, capsys, service) -> None:
    schemas(service)["CloudFileRequest"]["required"].append("mime_type")
    rows = drift(tmp_path, capsys, service=service)
    assert [row[:2] for row in rows] == [
        ("POST /cloud-storage/import", "request files[].mime_type")
    ]
    assert rows[0][3].startswith("required ")


def test_security_scheme_added_by_the_service(tmp_path, capsys, service) -> None:
    service["components"]["securitySchemes"]["APIKeyCookie"] = {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
    }
    operation = service["paths"]["/api/v2/cloud-storage/connections"]["get"]
    operation["security"] = [{"HTTPBearer": []}, {"APIKeyCookie": []}]
    assert drift(tmp_path, capsys, service=service) == [
        ("GET /cloud-storage/connections", "security", "bearer", "bearer | cookie:session", "DRIFT")
    ]


def test_a_listed_aspect_whose_value_moves_on_is_drift(tmp_path, capsys, service) -> None:
    # The allowlist pins the service's `200,422`: a newly documented status is news.
    responses = service["paths"]["/api/v2/cloud-storage/import"]["post"]["responses"]
    responses["404"] = copy.deepcopy(responses["422"])
    rows = drift(tmp_path, capsys, service=service)
    assert (
        "POST /cloud-storage/import",
        "responses",
        "200,400,401,402,403,404,409,422,429,500,502,503,504",
        "200,404,422",
        "DRIFT",
    ) in rows
    # Documented on both sides now, the 404 bodies are compared too.
    assert ("POST /cloud-storage/import", "response 404 error") in {row[:2] for row in rows}


# -- normalisation: what is not drift ---------------------------------------------------------


def test_nullable_spellings_are_one_type(tmp_path, capsys, ours) -> None:
    status = schemas(ours)["ImportResponse"]["properties"]["status"]
    assert status["type"] == ["string", "null"]
    status["type"] = "string"
    status["nullable"] = True
    code, rows = run(tmp_path, capsys, ours=ours)
    assert code == 0
    assert flagged(rows, "DRIFT") == []


def test_operations_outside_cloud_storage_are_ignored(tmp_path, capsys, service) -> None:
    # The live document holds the whole API.
    service["paths"]["/api/v2/images"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    code, _ = run(tmp_path, capsys, service=service)
    assert code == 0


def test_paths_are_relative_to_the_api_base_however_it_is_spelled() -> None:
    prefixed = {"paths": {"/api/v2/cloud-storage/x": {"get": {"responses": {}}}}}
    served = {
        "servers": [{"url": "https://example.test/api/v2"}],
        "paths": {"/cloud-storage/x": {"get": {"responses": {}}}},
    }
    assert (
        list(document_facts(prefixed)) == list(document_facts(served)) == ["GET /cloud-storage/x"]
    )


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"anyOf": [{"type": "string"}, {"type": "null"}]}, "string|null"),
        ({"type": ["string", "null"]}, "string|null"),
        ({"type": "string", "nullable": True}, "string|null"),
        ({"$ref": "#/components/schemas/When"}, "string(date-time)|null"),
        ({"type": "array", "items": {"type": "string"}}, "array[string]"),
        (
            {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
            "array[string]|null",
        ),
        ({"type": "string", "enum": ["google_drive"]}, "string{google_drive}"),
        (
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "array[integer|string]",
        ),
        ({}, "any"),
    ],
)
def test_type_spelling(schema: dict[str, Any], expected: str) -> None:
    doc = {"components": {"schemas": {"When": {"type": ["string", "null"], "format": "date-time"}}}}
    assert type_of(doc, schema) == expected


# -- the allowlist stays honest ---------------------------------------------------------------


def test_stale_allowlist_entry_is_reported(tmp_path, capsys) -> None:
    allow = copy.deepcopy(ALLOW_DOC)
    allow["differences"].append(
        {"operation": "POST /cloud-storage/import", "aspect": "request priority", "reason": "x"}
    )
    code, rows = run(tmp_path, capsys, allow=allow)
    assert code == 1
    assert flagged(rows, "DRIFT") == []
    assert flagged(rows, "STALE") == [
        ("POST /cloud-storage/import", "request priority", "*", "*", "STALE")
    ]


def test_unlisted_difference_fails_without_its_entry(tmp_path, capsys) -> None:
    allow = copy.deepcopy(ALLOW_DOC)
    removed = allow["differences"].pop(0)
    code, rows = run(tmp_path, capsys, allow=allow)
    assert code == 1
    entry = Entry(**removed)
    drifted = flagged(rows, "DRIFT")
    assert drifted
    for operation, aspect, mine, theirs, _ in drifted:
        assert entry.matches(operation=operation, aspect=aspect, ours=mine, service=theirs)


def test_entry_without_a_reason_is_refused(tmp_path, capsys) -> None:
    allow = {"differences": [{"operation": "*", "aspect": "responses"}]}
    paths = [f"--allow={tmp_path / 'allow.yaml'}"]
    (tmp_path / "allow.yaml").write_text(yaml.safe_dump(allow))
    assert contract_diff.main(paths) == 2
    assert "missing ['reason']" in capsys.readouterr().err


# -- --url ------------------------------------------------------------------------------------


def test_url_reads_the_service_document_through_httpx(capsys) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=contract_diff.SERVICE.read_bytes())

    code = contract_diff.main(["--url", SERVICE_URL], transport=httpx.MockTransport(answer))
    out = capsys.readouterr().out
    assert code == 0, out
    assert seen == [SERVICE_URL]
    assert f"service: {SERVICE_URL}" in out


def test_url_document_with_drift_fails(capsys, service) -> None:
    del schemas(service)["CloudStorageJobDetail"]["properties"]["status"]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=service)

    code = contract_diff.main(["--url", SERVICE_URL], transport=httpx.MockTransport(answer))
    rows = _rows(capsys.readouterr().out)
    assert code == 1
    assert [row[:2] for row in flagged(rows, "DRIFT")] == [
        ("GET /cloud-storage/jobs/{job_id}", "response 200 job.status")
    ]


def test_url_that_fails_is_a_clear_error(capsys) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(503, text="<html>down</html>"))
    code = contract_diff.main(["--url", SERVICE_URL], transport=transport)
    assert code == 2
    assert "503" in capsys.readouterr().err


def test_all_lists_the_aspects_that_agree_too(capsys) -> None:
    assert contract_diff.main(["--all"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert (
        "GET /cloud-storage/jobs/{job_id}",
        "response 200 job.job_id",
        "required string",
        "required string",
        "same",
    ) in rows
    assert flagged(rows, "deliberate")
