"""Property-based tests (hypothesis): answers generated from openapi.yaml's own schemas, with
extra fields and nulls mixed in, parse through the overlay; any status string maps; any sequence
of job states ends ``wait_for_job`` correctly."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hostile_kit import Counting, FakeClock, json_response, make_client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aionvision_cloud import (
    APIResponseValidationError,
    APIStatusError,
    CloudStorage,
    JobFailedError,
    JobStatus,
    JobTimeoutError,
    PickerSession,
)
from aionvision_cloud.errors import from_response
from aionvision_cloud.status import TERMINAL_STATUSES

SPEC = yaml.safe_load((Path(__file__).parents[2] / "openapi.yaml").read_text())
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Where the overlay reads stricter than openapi.yaml says, on purpose: an id or URL it must use
# later cannot be empty (the spec gives these no minLength), and an asynchronous import must name
# its job. Listed here, once, so the gap is visible (reported with issue 12).
NON_EMPTY = frozenset({"id", "job_id", "state", "authorization_url", "session_id"})


def _loosen(schema: Any) -> Any:
    """The schema a tolerant reader must accept: every object may carry properties the spec does
    not name (optional ones may be left out, and null stands where openapi.yaml allows it, as
    generated below; a null anywhere else is the typed error the next test allows)."""
    if isinstance(schema, list):
        return [_loosen(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _loosen(v) for k, v in schema.items() if k not in ("examples", "description")}
    if "properties" in out:
        required = set(out.get("required", []))
        for name, sub in out["properties"].items():
            if name in NON_EMPTY and name in required and sub.get("type") == "string":
                sub.setdefault("minLength", 1)
        if out.get("additionalProperties") is not False:
            out["additionalProperties"] = {"type": ["string", "integer", "boolean", "null"]}
    return out


def from_schema(schema: Any) -> st.SearchStrategy[Any]:
    """JSON a (loosened) openapi.yaml schema allows. hypothesis-jsonschema would do this, but its
    last release (0.23.1) breaks on the pinned hypothesis; the spec uses few keywords."""
    if "$ref" in schema:
        return st.deferred(lambda: from_schema(SCHEMAS_LOOSE[schema["$ref"].rsplit("/", 1)[1]]))
    if "anyOf" in schema or "oneOf" in schema:
        return st.one_of([from_schema(s) for s in schema.get("anyOf", schema.get("oneOf"))])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = schema.get("type", ["string", "integer", "boolean", "null"])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return st.one_of([_of_type(k, schema) for k in kinds])


def _of_type(kind: str, schema: Any) -> st.SearchStrategy[Any]:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "string":
        if schema.get("format") == "date-time":
            return st.datetimes().map(lambda d: d.isoformat() + "Z")
        lo, hi = schema.get("minLength", 0), schema.get("maxLength", 40)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: lo <= len(s) <= hi
            )
        return st.text(min_size=lo, max_size=min(hi, 40))
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {})),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 5), 5),
        )
    return _object(schema)


def _object(schema: Any) -> st.SearchStrategy[Any]:
    props = schema.get("properties", {})
    required = [n for n in schema.get("required", []) if n in props]
    optional = [n for n in props if n not in required]
    extra = schema.get("additionalProperties", True)
    extras = (
        st.dictionaries(
            st.text(min_size=1, max_size=8).filter(lambda k: k not in props),
            from_schema(extra if isinstance(extra, dict) else {}),
            max_size=3,
        )
        if extra is not False
        else st.just({})
    )

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = draw(extras)
        out.update({n: draw(from_schema(props[n])) for n in required})
        for n in optional:
            if draw(st.booleans()):
                out[n] = draw(from_schema(props[n]))
        return out

    return build()


SCHEMAS_LOOSE: dict[str, Any] = _loosen(copy.deepcopy(SCHEMAS))


def answers(name: str) -> st.SearchStrategy[Any]:
    """Answers ``SCHEMAS[name]`` allows, loosened as above."""
    strategy = from_schema({"$ref": f"#/components/schemas/{name}"})
    if name == "ImportResponse":
        return strategy.map(lambda b: {**b, "job_id": "job_1"} if b.get("is_async") else b)
    if name == "PickerProxyResponse":
        # Stricter on purpose: a bare Drive answer may carry any key, but a top-level `data`
        # that is not an object is read as a broken envelope, never as Drive's JSON
        # (test_overlay_picker_envelope pins the APIResponseValidationError it raises).
        return strategy.filter(lambda b: not ("data" in b and not isinstance(b["data"], dict)))
    return strategy


SESSION = PickerSession(session_id="sess_1", access_token="t", app_id="a", developer_key="k")
FILE = {"id": "f1", "name": "a.jpg"}
# (response schema, the call that reads it)
READERS: dict[str, Callable[[CloudStorage], object]] = {
    "InitiateAuthResponse": lambda cs: cs.start_auth("google_drive", "https://app.test/cb"),
    "CompleteAuthResponse": lambda cs: cs.complete_auth(
        "google_drive", "c1", "s1", "https://a.test/cb"
    ),
    "ListConnectionsResponse": lambda cs: cs.list_connections(),
    "DisconnectResponse": lambda cs: cs.disconnect("c1"),
    "PickerTokenResponse": lambda cs: cs.get_picker_session("c1"),
    "PickerProxyResponse": lambda cs: cs.picker_proxy(SESSION, "about"),
    "ImportResponse": lambda cs: cs.import_files("c1", [FILE]),
    "ExportResponse": lambda cs: cs.export_files("c1", ["img_1"]),
    "JobResponse": lambda cs: cs.get_job("job_1"),
}


@pytest.mark.parametrize("schema", sorted(READERS))
@PROPS
@given(data=st.data())
def test_any_answer_the_spec_allows_parses(schema: str, data: st.DataObject) -> None:
    body = data.draw(answers(schema), label=schema)
    counting = Counting(lambda _: json_response(200, body))
    with make_client(counting, FakeClock()) as c:
        READERS[schema](c.cloud_storage)
    assert len(counting.requests) == 1


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.lists(st.integers() | st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value sits: object keys and list items, at any depth."""
    out: list[tuple[Any, ...]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, sub in items:
        out.append((*prefix, key))
        out.extend(_paths(sub, (*prefix, key)))
    return out


@pytest.mark.parametrize("schema", sorted(READERS))
@PROPS
@given(data=st.data())
def test_any_value_anywhere_is_read_or_one_typed_error(schema: str, data: st.DataObject) -> None:
    # An answer the spec allows with one value, anywhere, swapped for any JSON value: the overlay
    # reads it or raises APIResponseValidationError, never a KeyError or TypeError of its own.
    body = data.draw(answers(schema), label=schema)
    paths = _paths(body)
    if paths:
        *parents, last = data.draw(st.sampled_from(paths), label="path")
        target = body
        for key in parents:
            target = target[key]
        target[last] = data.draw(JSON_VALUES, label="value")
    counting = Counting(lambda _: json_response(200, body))
    refused: APIResponseValidationError | None = None
    with make_client(counting, FakeClock()) as c:
        try:
            READERS[schema](c.cloud_storage)
        except APIResponseValidationError as exc:
            refused = exc
    if refused is not None:
        assert (refused.status_code, refused.response is not None) == (200, True)
        assert refused.operation in str(refused)


@PROPS
@given(
    status=st.sampled_from([400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503, 504]),
    body=st.one_of(answers("ErrorResponse"), answers("HTTPValidationError")),
)
def test_any_error_answer_the_spec_allows_is_typed(status: int, body: Any) -> None:
    err = from_response(json_response(status, body))
    assert isinstance(err, APIStatusError)
    assert err.status_code == status


@PROPS
@given(
    raw=st.one_of(
        st.text(), st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.text())
    )
)
def test_any_status_maps_without_raising(raw: object) -> None:
    status = JobStatus.parse(raw)
    assert isinstance(status, JobStatus)
    if isinstance(raw, str) and raw.strip().lower() in {s.value for s in JobStatus}:
        assert status.value == raw.strip().lower()


STATUS_WORDS = [
    "pending", "in_progress", "processing", "completed", "partial", "completed_with_errors",
    "failed", "cancelled", "canceled", "COMPLETED", "queued", "", "weird",
]  # fmt: skip


@PROPS
@given(
    states=st.lists(st.sampled_from(STATUS_WORDS) | st.text(max_size=12), min_size=1, max_size=40),
    raise_on_failure=st.booleans(),
    timeout=st.floats(min_value=1.0, max_value=300.0),
)
def test_any_sequence_of_job_states_ends_correctly(
    states: list[str], raise_on_failure: bool, timeout: float
) -> None:
    served: list[str] = []
    queue = list(states)

    def answer(_: httpx.Request) -> httpx.Response:
        # The last state repeats once the sequence is used up.
        status = queue.pop(0) if len(queue) > 1 else queue[0]
        served.append(status)
        return json_response(200, {"job": {"job_id": "job_1", "status": status}})

    clock = FakeClock()
    failed_status: JobStatus | None = None
    with make_client(Counting(answer), clock) as c:
        try:
            job = c.cloud_storage.wait_for_job(
                "job_1", timeout=timeout, raise_on_failure=raise_on_failure
            )
        except JobFailedError as exc:
            failed_status = exc.job.status
            outcome = "failed"
        except JobTimeoutError:
            outcome = "timeout"
        else:
            assert job.status.is_terminal
            outcome = "returned"
    if outcome == "failed":
        assert raise_on_failure
        assert failed_status in {JobStatus.FAILED, JobStatus.CANCELLED}
    terminal = [JobStatus.parse(s) in TERMINAL_STATUSES for s in served]
    # It stops at the first terminal state, never before, never after.
    assert not any(terminal[:-1])
    if outcome == "timeout":
        assert not terminal[-1]
        assert clock.t >= timeout
    else:
        assert terminal[-1]
        if not raise_on_failure:
            assert outcome == "returned"
