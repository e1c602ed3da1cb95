"""openapi.yaml against the Cloud Storage API document (a copy lives in tests/data/)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "openapi.yaml"
DOC_PATH = Path(__file__).parent / "data" / "cloud-storage-api.md"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# The document's JSON blocks, in the order they appear, and the schema each one illustrates.
DOC_BLOCK_SCHEMAS = [
    "InitiateAuthRequest",
    "InitiateAuthResponse",
    "CompleteAuthRequest",
    "CompleteAuthResponse",
    "ListConnectionsResponse",
    "DisconnectResponse",
    "PickerTokenResponse",
    "PickerProxyRequest",
    "ImportRequest",
    "ImportResponse",
    "ImportResponse",
    "ExportRequest",
    "ExportResponse",
    "JobResponse",
]

OPERATION_IDS = {
    ("post", "/cloud-storage/auth/{provider}"): "initiate_auth",
    ("get", "/cloud-storage/auth/{provider}/callback"): "oauth_callback",
    ("post", "/cloud-storage/auth/{provider}/callback"): "complete_auth",
    ("get", "/cloud-storage/connections"): "list_connections",
    ("delete", "/cloud-storage/connections/{connection_id}"): "disconnect",
    ("get", "/cloud-storage/connections/{connection_id}/picker-token"): "get_picker_token",
    ("post", "/cloud-storage/picker-proxy"): "picker_proxy",
    ("post", "/cloud-storage/import"): "import_files",
    ("post", "/cloud-storage/export"): "export_files",
    ("get", "/cloud-storage/jobs/{job_id}"): "get_job",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC_PATH.read_text()


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield method, path, op


def schema_validator(spec: dict[str, Any], schema: dict[str, Any]) -> OAS31Validator:
    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return OAS31Validator(schema, registry=registry, format_checker=OAS31Validator.FORMAT_CHECKER)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"urn:spec#/components/schemas/{name}"}


def doc_json_blocks(doc: str) -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", doc, re.S)]


def test_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_document_endpoint_table_matches_the_spec_exactly(spec: dict[str, Any], doc: str) -> None:
    rows = re.findall(r"^\| (GET|POST|DELETE|PUT|PATCH) \| (/\S+) \|", doc, re.M)
    documented = {(method.lower(), path) for method, path in rows}
    assert len(documented) == 10
    in_spec = {(method, path) for method, path, _ in operations(spec)}
    assert in_spec == documented


def test_operation_ids_tags_server_and_security(spec: dict[str, Any]) -> None:
    assert spec["servers"] == [{"url": "https://api.aionvision.tech/api/v2"}]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    found = {}
    for method, path, op in operations(spec):
        found[(method, path)] = op["operationId"]
        assert op["tags"] == ["cloud_storage"]
        assert {"bearerAuth": []} in op["security"]
    assert found == OPERATION_IDS
    assert [t["name"] for t in spec["tags"]] == ["cloud_storage"]


def test_every_error_status_uses_the_envelope_and_429_has_retry_after(
    spec: dict[str, Any],
) -> None:
    responses = spec["components"]["responses"]
    for method, path, op in operations(spec):
        codes = set(op["responses"])
        missing = {"200", "400", "401", "403", "404", "409", "422", "429", "500", "502", "503"}
        assert missing <= codes, (method, path, missing - codes)
        assert op["responses"]["429"] == {"$ref": "#/components/responses/TooManyRequests"}
    assert "Retry-After" in responses["TooManyRequests"]["headers"]
    shape_422 = responses["UnprocessableEntity"]["content"]["application/json"]["schema"]
    assert {s["$ref"].rsplit("/", 1)[1] for s in shape_422["anyOf"]} == {
        "ErrorResponse",
        "HTTPValidationError",
    }


def test_every_example_in_the_spec_validates_against_its_schema(spec: dict[str, Any]) -> None:
    checked = 0
    for name, schema in spec["components"]["schemas"].items():
        for example in schema.get("examples", []):
            schema_validator(spec, ref(name)).validate(example)
            checked += 1
    assert checked >= len(set(DOC_BLOCK_SCHEMAS)) + 1  # the document's, plus the error envelope


def test_spec_rejects_what_the_document_rules_out(spec: dict[str, Any]) -> None:
    importing = schema_validator(spec, ref("ImportRequest"))
    assert not importing.is_valid({"connection_id": "c", "files": []})
    assert not importing.is_valid({"connection_id": "c", "files": [{"id": "x"}]})
    assert not importing.is_valid({"connection_id": "c", "files": [{"name": "a.jpg"}]})
    assert importing.is_valid({"connection_id": "c", "files": [{"id": "x", "name": "a.jpg"}]})
    # Job status stays an open string: unknown backend values are not a contract breach.
    job = schema_validator(spec, ref("Job"))
    assert job.is_valid({"job_id": "job_1", "status": "queued_for_retry"})
    assert not job.is_valid({"job_id": "job_1"})
    assert not job.is_valid({"job_id": "job_1", "status": "pending", "created_at": "yesterday"})


def test_each_document_example_is_attached_and_valid(spec: dict[str, Any], doc: str) -> None:
    blocks = doc_json_blocks(doc)
    assert len(blocks) == len(DOC_BLOCK_SCHEMAS)
    schemas = spec["components"]["schemas"]
    for block, name in zip(blocks, DOC_BLOCK_SCHEMAS, strict=True):
        schema_validator(spec, ref(name)).validate(block)
        assert block in schemas[name]["examples"], name


def _declared_fields(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> None:
    """Every key of the document's example is a declared property of the schema, recursively."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(value, dict) and "properties" in schema:
        for key, sub in value.items():
            assert key in schema["properties"], f"{where}.{key} is not declared"
            _declared_fields(spec, schema["properties"][key], sub, f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            _declared_fields(spec, schema["items"], item, f"{where}[]")


def test_every_documented_field_is_declared(spec: dict[str, Any], doc: str) -> None:
    for block, name in zip(doc_json_blocks(doc), DOC_BLOCK_SCHEMAS, strict=True):
        _declared_fields(spec, {"$ref": f"#/components/schemas/{name}"}, block, name)


def test_documented_nulls_defaults_and_formats(spec: dict[str, Any]) -> None:
    s = spec["components"]["schemas"]
    for schema, field in [
        ("Connection", "last_used_at"),
        ("ImportResponse", "job_id"),
        ("ImportResponse", "image_ids"),
        ("ImportResponse", "status"),
        ("Job", "error"),
        ("Job", "completed_at"),
    ]:
        assert "null" in s[schema]["properties"][field]["type"], (schema, field)
    for schema, field in [
        ("Connection", "created_at"),
        ("Connection", "last_used_at"),
        ("PickerSession", "expires_at"),
        ("Job", "created_at"),
        ("Job", "updated_at"),
        ("Job", "completed_at"),
    ]:
        assert s[schema]["properties"][field]["format"] == "date-time", (schema, field)
    assert s["ImportRequest"]["properties"]["auto_describe"]["default"] is True
    assert s["ImportFile"]["required"] == ["id", "name"]
    list_params = {
        p["name"]: p for p in spec["paths"]["/cloud-storage/connections"]["get"]["parameters"]
    }
    assert list_params["active_only"]["schema"]["default"] is True
    assert "provider" in list_params
    callback = spec["paths"]["/cloud-storage/auth/{provider}/callback"]["get"]
    assert "text/html" in callback["responses"]["200"]["content"]
    assert {p.get("name") for p in callback["parameters"]} >= {
        "code",
        "state",
        "error",
        "error_description",
    }


def test_ids_are_opaque_strings(spec: dict[str, Any]) -> None:
    """The document's ids (job_550e8400, img_001, picker_sess_abc123) are not UUIDs."""
    formats = set(re.findall(r"'format': '([^']+)'", repr(spec)))
    assert formats == {"date-time"}
    job = schema_validator(spec, ref("JobResponse"))
    job.validate({"job": {"job_id": "job_550e8400", "status": "pending"}})


def test_response_schemas_stay_open_to_extra_fields(spec: dict[str, Any]) -> None:
    for name, schema in spec["components"]["schemas"].items():
        if schema.get("type") == "object":
            assert schema.get("additionalProperties", True) is not False, name


def _request_strings(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every string a client sends: parameters and request-body fields, with where they sit."""
    schemas = spec["components"]["schemas"]
    params = spec["components"]["parameters"]

    def walk(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if "$ref" in schema:
            yield from walk(schemas[schema["$ref"].rsplit("/", 1)[1]], where)
        elif schema.get("type") == "string":
            yield where, schema
        elif schema.get("type") == "array":
            yield from walk(schema["items"], f"{where}[]")
        for name, sub in schema.get("properties", {}).items():
            yield from walk(sub, f"{where}.{name}")

    for method, path, op in operations(spec):
        for p in op.get("parameters", []):
            p = params[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
            yield from walk(p["schema"], f"{method} {path} {p['in']}:{p['name']}")
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            yield from walk(body["schema"], f"{method} {path} body")


def test_every_string_a_client_sends_is_bounded(spec: dict[str, Any]) -> None:
    found = list(_request_strings(spec))
    assert len(found) >= 20
    for where, schema in found:
        assert "enum" in schema or schema.get("maxLength"), f"{where} has no maxLength"
        # The proxy's endpoint is held to its allowlist by the service itself (400, not 422).
        if not where.endswith("body.endpoint"):
            assert "enum" in schema or schema.get("pattern"), f"{where} has no pattern"


@pytest.mark.parametrize(
    ("schema", "field", "bad"),
    [
        ("ImportRequest", "collection_id", "c" * 10_000_000),
        ("ImportRequest", "collection_id", "../x"),
        ("ImportRequest", "collection_id", "a%2Fb"),
        ("ImportRequest", "collection_id", "a\x00b"),
        ("ImportRequest", "collection_id", "a\r\nb"),
        ("ImportRequest", "connection_id", "a/b"),
        ("ImportRequest", "tags", ["ok", "x" * 101]),
        ("ImportRequest", "tags", ["line\nbreak"]),
        ("ImportRequest", "tags", [""]),
        ("ExportRequest", "folder_name", "a\x07b"),
        ("ExportRequest", "folder_name", "n" * 256),
        ("ExportRequest", "folder_id", "../x"),
        ("ExportRequest", "image_ids", ["img_1", "img 2"]),
        ("CompleteAuthRequest", "state", "s t"),
        ("CompleteAuthRequest", "redirect_uri", "https://a.example/\x00"),
        ("InitiateAuthRequest", "redirect_uri", "https://ok.example/\r\nX: y"),
        ("PickerProxyRequest", "session_id", "s" * 257),
        ("PickerProxyRequest", "endpoint", "files/" + "a" * 600),
    ],
    ids=lambda v: repr(v)[:30],
)
def test_request_schemas_refuse_hostile_strings(
    spec: dict[str, Any], schema: str, field: str, bad: Any
) -> None:
    examples = spec["components"]["schemas"][schema]["examples"]
    good = dict(examples[0])
    validator = schema_validator(spec, ref(schema))
    validator.validate(good)
    assert not validator.is_valid({**good, field: bad})


def test_documented_ids_fit_the_id_patterns(spec: dict[str, Any]) -> None:
    importing = schema_validator(spec, ref("ImportRequest"))
    for cid in ("550e8400-e29b-41d4-a716-446655440000", "col_550e8400", "x"):
        assert importing.is_valid({"connection_id": cid, "files": [{"id": "1a-_Z", "name": "n"}]})
    list_params = {
        p["name"]: p for p in spec["paths"]["/cloud-storage/connections"]["get"]["parameters"]
    }
    assert list_params["provider"]["schema"] == {"$ref": "#/components/schemas/Provider"}
