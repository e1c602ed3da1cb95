"""Drive's partial responses: the `fields` parameter, parsed and applied.

Syntax as Drive documents it: `a,b(c,d),e/f`, `*` for everything, nesting to any depth
(`files(id,owners(emailAddress),capabilities/canEdit)`). Names are checked against the
discovery document's schemas by `drive_discovery.check_selection`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .drive_discovery import Selection
from .drive_errors import DriveError

#: Deeper selections than any Drive schema has are refused before they cost a recursion.
MAX_NESTING = 8
_NAME = re.compile(r"\s*([A-Za-z*][A-Za-z0-9_]*)\s*")


def _bad(fields: str) -> DriveError:
    return DriveError(400, "invalidParameter", f"Invalid field selection {fields}", "fields")


def parse_fields(fields: str) -> Selection | None:
    """`a,b(c,d),e/f` into a nested selection; None means everything (`*`)."""
    fields = fields.strip()
    if fields in ("", "*"):
        return None
    pos = 0

    def parse_list(end: str | None, depth: int) -> Selection:
        nonlocal pos
        if depth > MAX_NESTING:
            raise _bad(fields)
        sel: Selection = {}
        while True:
            m = _NAME.match(fields, pos)
            if not m:
                raise _bad(fields)
            name = m.group(1)
            pos = m.end()
            sub: Selection | None = None
            if pos < len(fields) and fields[pos] == "(":
                pos += 1
                sub = parse_list(")", depth + 1)
            elif pos < len(fields) and fields[pos] == "/":
                pos += 1
                sub = parse_path(depth + 1)
            sel[name] = None if sub is None or name == "*" else _merge(sel.get(name), sub)
            while pos < len(fields) and fields[pos] == " ":
                pos += 1
            if pos >= len(fields):
                if end is not None:
                    raise _bad(fields)
                return sel
            if fields[pos] == ",":
                pos += 1
                continue
            if end is not None and fields[pos] == end:
                pos += 1
                return sel
            raise _bad(fields)

    def parse_path(depth: int) -> Selection:
        nonlocal pos
        if depth > MAX_NESTING:
            raise _bad(fields)
        m = re.compile(r"([A-Za-z*][A-Za-z0-9_]*)").match(fields, pos)
        if not m:
            raise _bad(fields)
        pos = m.end()
        if pos < len(fields) and fields[pos] == "/":
            pos += 1
            return {m.group(1): parse_path(depth + 1)}
        if pos < len(fields) and fields[pos] == "(":
            pos += 1
            return {m.group(1): parse_list(")", depth + 1)}
        return {m.group(1): None}

    return parse_list(None, 0)


def _merge(a: Selection | None, b: Selection) -> Selection:
    return {**(a or {}), **b}


def apply(obj: Mapping[str, Any], sel: Selection | None) -> dict[str, Any]:
    """The parts of `obj` the selection names; absent fields stay absent, as with Drive."""
    if sel is None or "*" in sel:
        return dict(obj)
    out: dict[str, Any] = {}
    for name, sub in sel.items():
        if name in obj:
            out[name] = _pick(obj[name], sub)
    return out


def _pick(value: Any, sub: Selection | None) -> Any:
    if sub is None:
        return value
    if isinstance(value, Mapping):
        return apply(value, sub)
    if isinstance(value, list):
        return [_pick(v, sub) for v in value]
    return value
