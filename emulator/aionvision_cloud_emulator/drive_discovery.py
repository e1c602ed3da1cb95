"""Drive v3's published discovery document, the fake Drive's source of names and rules.

`data/drive_v3_discovery.json` is a trimmed copy of the document Google's API clients ship
(`googleapiclient/discovery_cache/documents/drive.v3.json` in google-api-python-client 2.202.0,
Apache License 2.0; Drive API revision in its `revision` key): the methods files.list, files.get,
files.export and about.get, the common parameters, and the schemas File, FileList, About and
those they reference. It is data only; the emulator does not depend on that package.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from .drive_errors import DriveError, invalid

#: `fields` selections are `a,b(c,d),e/f`: name -> sub-selection (None: the whole value).
Selection = dict[str, "Selection | None"]


@cache
def document() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data/drive_v3_discovery.json").read_text()
    doc: dict[str, Any] = json.loads(text)
    return doc


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = document()["schemas"][name]
    return found


def method_parameters(resource: str, method: str) -> dict[str, Any]:
    """A method's own parameters plus the ones every Drive method takes (`fields`, `alt`...)."""
    doc = document()
    own = doc["resources"][resource]["methods"][method]["parameters"]
    return {**doc["parameters"], **own}


def check_parameters(resource: str, method: str, params: dict[str, Any]) -> None:
    """Types and enums of the parameters the method documents; unknown names are ignored.

    `pageSize` is left to the caller: its documented maximum is coerced, not refused.
    """
    for name, spec in method_parameters(resource, method).items():
        if name not in params or name == "pageSize":
            continue
        value = params[name]
        kind = spec.get("type")
        if kind == "boolean":
            if not isinstance(value, bool) and str(value).lower() not in ("true", "false"):
                raise invalid(name, f"{str(value)[:40]!r} is not a boolean (true or false)")
        elif kind == "integer":
            if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
                raise invalid(name, f"{str(value)[:40]!r} is not an integer")
        elif kind == "string":
            if not isinstance(value, str):
                raise invalid(name, "expected a string")
            if "enum" in spec and value not in spec["enum"]:
                raise invalid(name, f"{value[:40]!r} is not one of {', '.join(spec['enum'])}")


def check_selection(selection: Selection | None, schema_name: str) -> None:
    """Every selected field exists in the schema (recursively); Drive's 400 otherwise."""
    _check(selection, schema(schema_name), "")


def _check(selection: Selection | None, node: dict[str, Any], prefix: str) -> None:
    if selection is None:
        return
    node = _resolve(node)
    if node.get("type") == "array":
        _check(selection, node["items"], prefix)
        return
    props: dict[str, Any] = node.get("properties", {})
    if not props and "additionalProperties" in node:
        return  # a map (exportLinks, appProperties): any key may be asked for
    for name, sub in selection.items():
        if name == "*":
            continue
        where = f"{prefix}{name}"
        if name not in props:
            raise DriveError(400, "invalidParameter", f"Invalid field selection {where}", "fields")
        if sub is not None:
            child = _resolve(props[name])
            if child.get("type") == "array":
                child = _resolve(child["items"])
            if "properties" not in child and "additionalProperties" not in child:
                # Drive refuses a sub-selection of a scalar field, e.g. `name(x)`.
                raise DriveError(
                    400, "invalidParameter", f"Invalid field selection {where}", "fields"
                )
            _check(sub, child, f"{where}/")


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema(node["$ref"])
    return node
