"""Refuses JSON nested deeper than any request of the API needs, before anything parses it.

Python's json module (and openapi-core's validation after it) recurses once per level, so a
body of 5,000 `[` raises RecursionError; a linear scan finds the depth without recursing.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: The deepest legitimate request (picker-proxy params) is a handful of levels.
MAX_DEPTH = 64

# A JSON string (escapes included) and a bracket; both scanned by the regex engine, in C.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


class BodyError(ValueError):
    """A request body the emulator will not parse; the message says why."""


def depth(raw: bytes) -> int:
    """The deepest nesting of arrays/objects in `raw`, ignoring brackets inside strings."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return 0  # cannot be too deep; the common case costs two C-level counts
    deepest = level = 0
    for m in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if m.group() in (b"[", b"{"):
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def check_depth(raw: bytes) -> None:
    if depth(raw) > MAX_DEPTH:
        raise BodyError(f"Body is nested too deep (more than {MAX_DEPTH} levels)")


def _no_constant(name: str) -> Any:
    raise BodyError(f"Body is not valid JSON: {name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as inf
        raise BodyError(f"Body is not valid JSON: {text[:40]} is out of range")
    return value


def loads(raw: bytes) -> Any:
    """Strict JSON: depth-checked, without Python's NaN/Infinity extensions or overflows."""
    check_depth(raw)
    try:
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except BodyError:
        raise
    except ValueError:
        raise BodyError("Body is not valid JSON") from None
