"""The client's one table of string limits (``_inputs.STRING_LIMITS``) is openapi.yaml's: same
minLength, maxLength and pattern for every string the client sends. Fails when either side
changes alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aionvision_cloud._inputs import ITEM_LIMITS, MAX_BATCH_SIZE, STRING_LIMITS, check_string
from aionvision_cloud.errors import InvalidInputError

SPEC = yaml.safe_load((Path(__file__).parents[2] / "openapi.yaml").read_text())
S = SPEC["components"]["schemas"]


def _path_param(path: str, method: str, name: str) -> dict[str, Any]:
    for p in SPEC["paths"][path][method]["parameters"]:
        if "$ref" in p:
            p = SPEC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        if p["name"] == name:
            return dict(p["schema"])
    raise KeyError(name)


# Where each table entry lives in the spec (every occurrence must agree).
WHERE: dict[str, list[dict[str, Any]]] = {
    "job_id": [_path_param("/cloud-storage/jobs/{job_id}", "get", "job_id")],
    "connection_id": [
        SPEC["components"]["parameters"]["ConnectionId"]["schema"],
        S["ImportRequest"]["properties"]["connection_id"],
        S["ExportRequest"]["properties"]["connection_id"],
    ],
    "collection_id": [S["ImportRequest"]["properties"]["collection_id"]],
    "image_id": [S["ExportRequest"]["properties"]["image_ids"]["items"]],
    "session_id": [S["PickerProxyRequest"]["properties"]["session_id"]],
    "file_id": [S["ImportFile"]["properties"]["id"]],
    "folder_id": [S["ExportRequest"]["properties"]["folder_id"]],
    "file_name": [S["ImportFile"]["properties"]["name"]],
    "folder_name": [S["ExportRequest"]["properties"]["folder_name"]],
    "tag": [S["ImportRequest"]["properties"]["tags"]["items"]],
    "mime_type": [S["ImportFile"]["properties"]["mime_type"]],
    "code": [S["CompleteAuthRequest"]["properties"]["code"]],
    "state": [S["CompleteAuthRequest"]["properties"]["state"]],
    "redirect_uri": [
        S["InitiateAuthRequest"]["properties"]["redirect_uri"],
        S["CompleteAuthRequest"]["properties"]["redirect_uri"],
    ],
    "endpoint": [S["PickerProxyRequest"]["properties"]["endpoint"]],
}


def test_every_table_entry_is_located_in_the_spec() -> None:
    assert set(WHERE) == set(STRING_LIMITS)


@pytest.mark.parametrize("field", sorted(STRING_LIMITS))
def test_table_matches_the_spec(field: str) -> None:
    limit = STRING_LIMITS[field]
    for schema in WHERE[field]:
        assert schema.get("maxLength") == limit.max_length
        assert schema.get("pattern") == limit.pattern
        # A pattern ending in "+" already demands one character.
        implied = 1 if (schema.get("pattern") or "").endswith("+$") else 0
        assert max(schema.get("minLength", 0), implied) == limit.min_length


def test_item_limits_match_the_spec() -> None:
    assert ITEM_LIMITS["tags"][1] == S["ImportRequest"]["properties"]["tags"]["maxItems"]
    assert ITEM_LIMITS["image_ids"][1] == S["ExportRequest"]["properties"]["image_ids"]["maxItems"]
    assert ITEM_LIMITS["files"][1] == S["ImportRequest"]["properties"]["files"]["maxItems"]
    assert min(ITEM_LIMITS["files"][1], ITEM_LIMITS["image_ids"][1]) == MAX_BATCH_SIZE


@pytest.mark.parametrize("field", sorted(STRING_LIMITS))
def test_one_character_over_the_limit_is_refused(field: str) -> None:
    limit = STRING_LIMITS[field]
    with pytest.raises(InvalidInputError, match="too long"):
        check_string("a" * (limit.max_length + 1), field, field)
