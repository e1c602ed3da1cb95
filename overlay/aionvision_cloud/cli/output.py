"""What the command line prints: the ``--json`` shapes, tables, one-line summaries.

Every ``--json`` shape is built here, from the overlay's result types, so README.md and
``aionvision-cloud --help`` can describe one place. Keys are always present (``null`` when
unknown), so ``jq`` filters never meet a missing key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from aionvision_cloud import CloudFile, Connection, Job

__all__ = [
    "CliError",
    "Table",
    "connection_json",
    "count",
    "file_json",
    "human_size",
    "job_json",
    "print_json",
    "short_time",
]

FOLDER_MIME_TYPE = "application/vnd.google-apps.folder"


class CliError(Exception):
    """A problem the command line reports as one line, then exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def connection_json(conn: Connection) -> dict[str, Any]:
    return {
        "id": conn.id,
        "provider": conn.provider,
        "provider_email": conn.provider_email,
        "provider_display_name": conn.provider_display_name,
        "is_active": conn.is_active,
        "created_at": _iso(conn.created_at),
        "last_used_at": _iso(conn.last_used_at),
    }


def file_json(f: CloudFile) -> dict[str, Any]:
    return {
        "id": f.id,
        "name": f.name,
        "mime_type": f.mime_type,
        "size_bytes": f.size_bytes,
        "modified_at": _iso(f.modified_at),
        "is_folder": f.is_folder,
    }


def job_json(job: Job) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "status": job.status.value,
        "raw_status": job.raw_status,
        "type": job.type,
        "connection_id": job.connection_id,
        "total_files": job.total_files,
        "completed_files": job.completed_files,
        "failed_files": job.failed_files,
        "error": job.error,
        "created_at": _iso(job.created_at),
        "updated_at": _iso(job.updated_at),
        "completed_at": _iso(job.completed_at),
        "image_ids": list(job.image_ids),
    }


def print_json(data: Mapping[str, Any]) -> None:
    """One JSON document on stdout (indented on a terminal, one line when piped)."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(data, indent=indent, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def count(n: int, noun: str) -> str:
    """``1 file``, ``3 files``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def short_time(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


class Table:
    """A table: a rich table on a terminal, tab-separated lines without a header otherwise
    (what ``gh`` does), so ``cut -f`` and ``awk -F'\\t'`` work on piped output."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self.rows: list[tuple[str, ...]] = []

    def add(self, *cells: object) -> None:
        self.rows.append(tuple("-" if c is None else str(c) for c in cells))

    def extend(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.add(*row)

    def show(self, console: Console) -> None:
        if not console.is_terminal:
            for row in self.rows:
                sys.stdout.write("\t".join(row) + "\n")
            sys.stdout.flush()
            return
        from rich.table import Table as RichTable
        from rich.text import Text

        table = RichTable(box=None, header_style="bold", pad_edge=False)
        for name in self.columns:
            # Ids must stay whole to be copied, accounts to be read; other columns may wrap.
            whole = name in ("ID", "ACCOUNT") or name.endswith(" ID")
            table.add_column(name, no_wrap=whole, min_width=len(name))
        for row in self.rows:
            # Text, not str: a Drive name like "[draft]" is not rich markup.
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
