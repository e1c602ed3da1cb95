"""An OpenAPI document as flat facts: per operation, aspect -> value, comparable across documents.

The two documents describe one API in different words: other operation ids and schema names,
`/api/v2` in the server URL or in every path, three spellings of "or null", `$ref`s or inline
schemas. The facts keep what a client depends on and drop the wording:

    operation                   present
    security                    bearer | cookie:session
    param query code            required string
    request                     required application/json object
    request files[].id          required string
    responses                   200,422
    response 200                application/json object
    response 200 job.status     required string
    response 200 job.created_at optional string(date-time)|null

Length limits, patterns and other constraints are not compared: ours are stricter on purpose and
the service publishes none, so they would only be noise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Schema = dict[str, Any]

API_BASE = "/api/v2"
# The live document holds the whole API; the comparison is about this part of it.
SCOPE = "/cloud-storage"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Top-level properties, and one level inside nested objects or arrays of objects.
MAX_DEPTH = 2
# Deep enough for array[array[...]]; stops a self-referencing schema from recursing forever.
MAX_TYPE_DEPTH = 6


@dataclass(frozen=True)
class Fact:
    value: str
    # The aspect this one belongs to: a fact is compared only where its parent is on both sides,
    # so a missing operation or property is one row, not one row per thing inside it.
    parent: str | None = "operation"
    # Set where another row already shows presence (the `responses` list shows which statuses
    # each side documents): compared only where both sides have it.
    only_if_both: bool = False


OperationFacts = dict[str, Fact]
DocumentFacts = dict[str, OperationFacts]


def document_facts(doc: Schema) -> DocumentFacts:
    """`{"POST /cloud-storage/import": {aspect: Fact}}`, paths relative to `/api/v2`."""
    base = urlsplit((doc.get("servers") or [{}])[0].get("url", "")).path.rstrip("/")
    operations: DocumentFacts = {}
    for path, item in (doc.get("paths") or {}).items():
        full = base + path
        relative = full.removeprefix(API_BASE) if full.startswith(API_BASE + "/") else full
        if relative != SCOPE and not relative.startswith(SCOPE + "/"):
            continue
        for method in HTTP_METHODS:
            if method in item:
                key = f"{method.upper()} {relative}"
                operations[key] = _operation_facts(doc, item, item[method])
    return operations


def _operation_facts(doc: Schema, item: Schema, op: Schema) -> OperationFacts:
    facts: OperationFacts = {"operation": Fact("present", parent=None)}

    def add(aspect: str, value: str, parent: str = "operation", only_if_both: bool = False) -> None:
        facts[aspect] = Fact(value, parent, only_if_both)

    add("security", _security(doc, op))
    for param in _parameters(doc, item, op):
        value = f"{_presence(param.get('required'))} {_param_type(doc, param.get('schema', {}))}"
        add(f"param {param['in']} {param['name']}", value)

    if "requestBody" in op:
        body = resolve(doc, op["requestBody"])
        content = body.get("content") or {}
        add("request", f"{_presence(body.get('required'))} {_media(doc, content)}")
        _children(doc, _json_schema(content), "request", True, 1, add)

    responses = op.get("responses") or {}
    add("responses", ",".join(sorted(responses, key=str)))
    for status in sorted(responses, key=str):
        aspect = f"response {status}"
        content = resolve(doc, responses[status]).get("content") or {}
        add(aspect, _media(doc, content), only_if_both=True)
        _children(doc, _json_schema(content), aspect, True, 1, add)
    return facts


def _children(
    doc: Schema,
    schema: Schema | None,
    aspect: str,
    top: bool,
    depth: int,
    add: Callable[[str, str, str], None],
) -> None:
    """Facts for the properties of `schema`, named `request code`, `files[].id`, `job.status`."""
    if schema is None:
        return
    items = _array_items(doc, schema)
    if items is not None:
        schema, prefix = items, f"{aspect} []." if top else f"{aspect}[]."
    else:
        prefix = f"{aspect} " if top else f"{aspect}."
    for name, sub, required in _merged_properties(doc, schema):
        child = prefix + name
        add(child, f"{_presence(required)} {type_of(doc, sub)}", aspect)
        if depth < MAX_DEPTH:
            _children(doc, sub, child, False, depth + 1, add)


def _merged_properties(doc: Schema, schema: Schema) -> Iterator[tuple[str, Schema, bool]]:
    """(name, schema, required) over every object an `anyOf`/`oneOf` allows: required only where
    every one of them requires it, since an answer may be any of them."""
    branches = [b for b in alternatives(doc, schema) if _is_object(b)]
    names = dict.fromkeys(name for b in branches for name in b.get("properties") or {})
    for name in names:
        subs = [b["properties"][name] for b in branches if name in (b.get("properties") or {})]
        required = all(name in (b.get("required") or []) for b in branches)
        yield name, subs[0] if len(subs) == 1 else {"anyOf": subs}, required


def type_of(doc: Schema, schema: Schema, depth: int = 0) -> str:
    """`string`, `string(date-time)|null`, `array[string]`, `string{google_drive}`, `any`.

    `anyOf: [X, {type: null}]`, `type: [X, "null"]` and `nullable: true` all read `X|null`."""
    if depth > MAX_TYPE_DEPTH:
        return "..."
    names: set[str] = set()
    nullable = False
    for branch in alternatives(doc, schema):
        nullable = nullable or bool(branch.get("nullable"))
        declared = branch.get("type")
        kinds = [declared] if isinstance(declared, str) else list(declared or [])
        if not kinds:
            kinds = ["object"] if "properties" in branch else ["array"] if "items" in branch else []
        if not kinds:
            names.add("any")
        for kind in kinds:
            if kind == "null":
                nullable = True
            else:
                names.add(_spelled(doc, kind, branch, depth))
    spelled = sorted(names) + (["null"] if nullable else [])
    return "|".join(spelled) or "any"


def _spelled(doc: Schema, kind: str, branch: Schema, depth: int) -> str:
    if kind == "array":
        return f"array[{type_of(doc, branch.get('items') or {}, depth + 1)}]"
    spelled = kind
    if "format" in branch:
        spelled += f"({branch['format']})"
    if "enum" in branch:
        spelled += "{" + ",".join(sorted(str(v) for v in branch["enum"] if v is not None)) + "}"
    return spelled


def alternatives(doc: Schema, schema: Schema) -> Iterator[Schema]:
    """The schemas a value may match: `$ref`s resolved, `anyOf`/`oneOf` flattened, `allOf`
    merged into one."""
    schema = resolve(doc, schema)
    if "anyOf" in schema or "oneOf" in schema:
        for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
            yield from alternatives(doc, branch)
    elif "allOf" in schema:
        yield _merge_all_of(doc, schema)
    else:
        yield schema


def _merge_all_of(doc: Schema, schema: Schema) -> Schema:
    merged: Schema = {k: v for k, v in schema.items() if k != "allOf"}
    merged.setdefault("properties", {})
    merged.setdefault("required", [])
    for part in schema["allOf"]:
        for branch in alternatives(doc, part):
            merged["properties"] = {**branch.get("properties", {}), **merged["properties"]}
            merged["required"] = [*merged["required"], *branch.get("required", [])]
            for key, value in branch.items():
                merged.setdefault(key, value)
    if not merged["properties"]:
        del merged["properties"]
    return merged


def resolve(doc: Schema, node: Schema) -> Schema:
    """Follow local `$ref`s (`#/components/...`) to the node they name."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise ValueError(f"cannot resolve $ref {ref!r}: only local, acyclic refs")
        seen.add(ref)
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _is_object(schema: Schema) -> bool:
    declared = schema.get("type")
    return "properties" in schema or declared == "object" or "object" in (declared or [])


def _array_items(doc: Schema, schema: Schema) -> Schema | None:
    for branch in alternatives(doc, schema):
        declared = branch.get("type")
        if declared == "array" or "array" in (declared or []) or "items" in branch:
            return resolve(doc, branch.get("items") or {})
    return None


def _json_schema(content: Schema) -> Schema | None:
    for media, body in content.items():
        if media == "application/json" or media.endswith("+json"):
            return (body or {}).get("schema") or {}
    return None


def _media(doc: Schema, content: Schema) -> str:
    parts = [
        f"{media} {type_of(doc, (body or {}).get('schema') or {})}"
        for media, body in content.items()
    ]
    return ", ".join(sorted(parts)) or "no content"


def _parameters(doc: Schema, item: Schema, op: Schema) -> list[Schema]:
    # Operation-level parameters override path-level ones of the same name and place.
    merged: dict[tuple[str, str], Schema] = {}
    for param in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        param = resolve(doc, param)
        merged[(param["in"], param["name"])] = param
    return list(merged.values())


def _param_type(doc: Schema, schema: Schema) -> str:
    # A query string cannot carry null: a framework's `X|null` only means "may be left out",
    # which `required` already says.
    spelled = type_of(doc, schema)
    return spelled.removesuffix("|null") if spelled != "null" else spelled


def _security(doc: Schema, op: Schema) -> str:
    """Alternatives by what they send (`bearer`, `cookie:session`, `none`), not by scheme name."""
    requirements = op.get("security", doc.get("security") or [])
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    spelled = {
        "+".join(sorted(_scheme(schemes.get(name), name) for name in requirement)) or "none"
        for requirement in requirements
    }
    return " | ".join(sorted(spelled)) or "none"


def _scheme(scheme: Schema | None, name: str) -> str:
    if scheme is None:
        return f"undefined:{name}"
    if scheme.get("type") == "http":
        return str(scheme.get("scheme", "http")).lower()
    if scheme.get("type") == "apiKey":
        return f"{scheme.get('in')}:{scheme.get('name')}"
    return str(scheme.get("type"))


def _presence(required: object) -> str:
    return "required" if required else "optional"
