"""The deliberate differences: entries read from a YAML file, each matching difference rows.

    differences:
      - operation: "*"                      # `*` matches any run of characters, in every field
        aspect: "response 200 *created_at"
        ours: "* string(date-time)"         # optional: pins the value on our side
        service: "* string"                 # optional: pins the value on the service's side
        reason: we parse timestamps; the service publishes plain strings

Pinning values keeps an entry from hiding a later change of the same aspect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FIELDS = ("operation", "aspect", "ours", "service")


@dataclass(frozen=True)
class Entry:
    operation: str
    aspect: str
    reason: str
    ours: str | None = None
    service: str | None = None
    patterns: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = {
            name: re.compile(re.escape(value).replace(r"\*", ".*"))
            for name in FIELDS
            if (value := getattr(self, name)) is not None
        }
        object.__setattr__(self, "patterns", compiled)

    def matches(self, **values: str) -> bool:
        """`values` holds operation, aspect, ours and service of one difference."""
        return all(pattern.fullmatch(values[name]) for name, pattern in self.patterns.items())


def load_allowlist(path: Path) -> list[Entry]:
    """Every entry of the file; a malformed one raises ValueError naming it."""
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict) or not isinstance(data.get("differences", []), list):
        raise ValueError(f"{path}: expected a mapping with a `differences` list")
    entries = []
    for number, raw in enumerate(data.get("differences") or [], start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: entry {number} is not a mapping")
        unknown = set(raw) - {*FIELDS, "reason"}
        missing = {"operation", "aspect", "reason"} - set(raw)
        if unknown or missing:
            problem = f"unknown {sorted(unknown)}" if unknown else f"missing {sorted(missing)}"
            raise ValueError(f"{path}: entry {number} ({raw.get('aspect')!r}): {problem}")
        if not str(raw["reason"]).strip():
            raise ValueError(f"{path}: entry {number} ({raw['aspect']!r}) has an empty reason")
        entries.append(
            Entry(
                operation=str(raw["operation"]),
                aspect=str(raw["aspect"]),
                reason=str(raw["reason"]).strip(),
                ours=None if raw.get("ours") is None else str(raw["ours"]),
                service=None if raw.get("service") is None else str(raw["service"]),
            )
        )
    return entries
