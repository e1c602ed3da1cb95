"""Two documents' facts side by side: one row per difference, each with its verdict, and a table."""

from __future__ import annotations

from dataclasses import dataclass

from contract_allowlist import Entry
from contract_facts import DocumentFacts, OperationFacts

ABSENT = "absent"
SAME, DELIBERATE, DRIFT, STALE = "same", "deliberate", "DRIFT", "STALE"
COLUMNS = ("operation", "aspect", "ours", "service", "verdict")


@dataclass(frozen=True)
class Row:
    operation: str
    aspect: str
    ours: str
    service: str
    verdict: str


@dataclass(frozen=True)
class Comparison:
    rows: list[Row]  # differences (and, when asked for, the aspects that agree), then stale entries
    compared: int  # aspects compared, whatever their verdict

    def count(self, verdict: str) -> int:
        return sum(row.verdict == verdict for row in self.rows)

    @property
    def passed(self) -> bool:
        return not self.count(DRIFT) and not self.count(STALE)


def compare(
    ours: DocumentFacts, service: DocumentFacts, allow: list[Entry], keep_same: bool = False
) -> Comparison:
    rows: list[Row] = []
    used: set[int] = set()
    compared = 0
    for operation in dict.fromkeys([*ours, *service]):
        for aspect, mine, theirs in _aspects(ours.get(operation), service.get(operation)):
            compared += 1
            values = {"operation": operation, "aspect": aspect, "ours": mine, "service": theirs}
            if mine == theirs:
                if keep_same:
                    rows.append(Row(**values, verdict=SAME))
                continue
            # Every entry that matches counts as used, so overlapping entries are not stale.
            matched = {i for i, entry in enumerate(allow) if entry.matches(**values)}
            used |= matched
            rows.append(Row(**values, verdict=DELIBERATE if matched else DRIFT))
    for i, entry in enumerate(allow):
        if i not in used:
            rows.append(
                Row(entry.operation, entry.aspect, entry.ours or "*", entry.service or "*", STALE)
            )
    return Comparison(rows, compared)


def _aspects(
    mine: OperationFacts | None, theirs: OperationFacts | None
) -> list[tuple[str, str, str]]:
    """(aspect, our value, their value) for every aspect worth a row."""
    if mine is None or theirs is None:
        # One row for the whole operation: what is inside it has nothing to be compared with.
        return [
            (
                "operation",
                ABSENT if mine is None else "present",
                ABSENT if theirs is None else "present",
            )
        ]
    out = []
    for aspect in _interleaved(list(mine), list(theirs)):
        a, b = mine.get(aspect), theirs.get(aspect)
        fact = a or b
        assert fact is not None
        if fact.parent is not None and not (fact.parent in mine and fact.parent in theirs):
            continue
        if fact.only_if_both and (a is None or b is None):
            continue
        out.append((aspect, a.value if a else ABSENT, b.value if b else ABSENT))
    return out


def _interleaved(first: list[str], second: list[str]) -> list[str]:
    """`first`, with each name only `second` has placed after the name it follows there, so a
    property only the service has sits beside its siblings rather than at the end."""
    merged = list(first)
    for i, name in enumerate(second):
        if name not in merged:
            before = next((n for n in reversed(second[:i]) if n in merged), None)
            merged.insert(merged.index(before) + 1 if before else 0, name)
    return merged


def render(rows: list[Row]) -> str:
    """A plain-text table, columns as wide as their widest cell."""
    cells = [COLUMNS, *((r.operation, r.aspect, r.ours, r.service, r.verdict) for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
