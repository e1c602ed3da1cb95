"""What the overlay derives from the generated models, held to openapi.yaml: the JSON key of every
attribute, and the checks that follow each annotation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import aionvision_cloud_api.models as generated
from aionvision_cloud import _wire
from aionvision_cloud.errors import InvalidInputError
from aionvision_cloud_api.models.job import Job
from aionvision_cloud_api.models.job_response import JobResponse

SPEC = yaml.safe_load((Path(__file__).parents[2] / "openapi.yaml").read_text())
OBJECTS = {
    name: schema
    for name, schema in SPEC["components"]["schemas"].items()
    if schema.get("properties") and hasattr(generated, name)
}


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_every_attribute_maps_back_to_its_property(name: str) -> None:
    # The CLI prints models with every key present by this mapping: it must be openapi.yaml's.
    cls = getattr(generated, name)
    keys = {_wire.json_key(f.name) for f in attrs.fields(cls) if f.name != "additional_properties"}
    assert keys == set(OBJECTS[name]["properties"])


def test_a_checked_answer_comes_back_as_the_overlay_s_types() -> None:
    from aionvision_cloud import Job as OverlayJob

    answer = JobResponse.from_dict(
        {"job": {"job_id": "j", "status": "x", "updated_at": "2025-01-15T10:30:00"}}
    )
    _wire.check(answer, "get_job")
    assert type(answer.job) is OverlayJob
    assert answer.job.updated_at.tzinfo is not None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "ok"),
    [("job_1", True), ("", True), (5, False), (None, False), (["x"], False)],
)
def test_a_required_string_is_a_string(value: Any, ok: bool) -> None:
    answer = JobResponse.from_dict({"job": {"job_id": value, "status": "x"}})
    if ok:
        _wire.check(answer, "get_job")
    else:
        with pytest.raises(_wire.Mismatch, match=r"get_job\.job\.job_id: expected str"):
            _wire.check(answer, "get_job")


def test_a_number_is_never_a_bool_and_a_string_enum_is_a_string() -> None:
    from aionvision_cloud import JobStatus
    from aionvision_cloud_api.models.import_request import ImportRequest

    with pytest.raises(_wire.Mismatch, match="total_files: expected int, got bool"):
        _wire.check(Job.from_dict({"job_id": "j", "status": "x", "total_files": True}), "job")
    required = {"connection_id": "c", "files": []}
    built = _wire.body(ImportRequest, "op", required, {}, {"collection_id": JobStatus.PENDING})
    assert built.to_dict()["collection_id"] == "pending"
    with pytest.raises(InvalidInputError, match="expected bool"):
        _wire.body(ImportRequest, "op", required, {}, {"auto_describe": 1})
