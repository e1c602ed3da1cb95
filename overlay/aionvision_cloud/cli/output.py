"""What the command line prints: the ``--json`` shapes, tables, one-line summaries, and the exit
codes it ends with.

Every line a person or a pipe reads passes ``visible`` here (table cells, ``say``/``note``
lines, the error line): a Drive name or a service message is someone else's text, and a newline
in it would forge a row, an escape sequence drive the terminal. ``--json`` is exact instead.

Every ``--json`` shape is built here, from the overlay's result types, so docs/cli.md and
``aionvision-cloud --help`` can describe one place. A wire model is printed whole (every field
of the contract, and any key the service sent beside them: ``model_json``); keys are always
present (``null`` when unknown), so ``jq`` filters never meet a missing key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aionvision_cloud_api.types import Unset

from .._results import FOLDER_MIME_TYPE, FileResult
from .._text import visible

if TYPE_CHECKING:
    from rich.console import Console

    from aionvision_cloud import CloudFile, Connection, ImportBatch, Job

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OTHER",
    "EXIT_PARTIAL",
    "EXIT_PIPE",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "FOLDER_MIME_TYPE",
    "CliError",
    "Table",
    "batch_json",
    "connection_json",
    "count",
    "file_json",
    "human_size",
    "job_json",
    "json_printed",
    "print_json",
    "record_json",
    "short_time",
    "text",
    "visible",
]

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_FAILED = 4
EXIT_TIMEOUT = 5
#: 128 + SIGPIPE: stdout closed early (| head), what a tool killed by SIGPIPE exits with.
EXIT_PIPE = 141
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A problem the command line reports as one line, then exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def text(value: object) -> str | None:
    """A string field of a wire model, or None when the service left it out or sent null."""
    return value if isinstance(value, str) else None


def model_json(model: Any, extra: Iterable[tuple[str, object]] = ()) -> dict[str, Any]:
    """A model as JSON under its wire keys (its ``to_dict``), with every key of its schema in
    ``openapi.yaml`` present: ``null`` when the service left it out."""
    from aionvision_cloud_api.contract import PROPERTIES

    schema = next(
        c.__name__ for c in type(model).__mro__ if c.__module__.startswith(_GENERATED_MODELS)
    )
    out: dict[str, Any] = dict.fromkeys(PROPERTIES[schema])
    out.update(model.to_dict())
    out.update(extra)
    return out


_GENERATED_MODELS = "aionvision_cloud_api.models."


def connection_json(conn: Connection) -> dict[str, Any]:
    """CONNECTION: the answer's connection, every field."""
    return model_json(conn)


def file_json(f: CloudFile) -> dict[str, Any]:
    return {
        "id": f.id,
        "name": f.name,
        "mime_type": f.mime_type,
        "size_bytes": f.size_bytes,
        "modified_at": f.modified_at.isoformat() if f.modified_at is not None else None,
        "is_folder": f.is_folder,
    }


def record_json(f: FileResult) -> dict[str, Any]:
    """FILE: one file of an import or image of an export, and what became of it."""
    return {
        "file_id": f.file_id,
        "name": f.name,
        "image_id": f.image_id,
        "outcome": f.outcome,
        "reason": f.reason,
        "job_id": f.job_id,
    }


def job_json(job: Job) -> dict[str, Any]:
    """JOB: every field of the answer's job, ``status`` mapped (``raw_status`` as sent), and
    the image ids a job reports (``[]`` when it does not)."""
    return model_json(
        job,
        [
            ("status", job.status.value),
            ("raw_status", job.raw_status),
            ("image_ids", list(job.image_ids)),
        ],
    )


def batch_json(batch: ImportBatch) -> dict[str, Any]:
    """One import request's answer, every field, and how many files it carried (of this
    command's: ``batch_files`` is the whole batch's when an earlier, larger import sent it)."""
    return model_json(batch, [("files_sent", batch.files_sent), ("batch_files", batch.batch_files)])


#: Whether this run printed its JSON document: a failure after it adds no second one.
_printed = {"json": False}


def json_printed(reset: bool = False) -> bool:
    was = _printed["json"]
    if reset:
        _printed["json"] = False
    return was


def print_json(data: Mapping[str, Any]) -> None:
    """One JSON document on stdout (indented on a terminal, one line when piped). A stdout that
    cannot encode every character (a C locale) gets \\u escapes: the same JSON, nothing lost."""
    indent = 2 if sys.stdout.isatty() else None
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower()
    ascii_only = not encoding.replace("_", "-").startswith("utf")
    _printed["json"] = True
    sys.stdout.write(json.dumps(data, indent=indent, ensure_ascii=ascii_only) + "\n")
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


def short_time(value: object) -> str:
    """A timestamp for a table; ``-`` when there is none (left out, null)."""
    if not isinstance(value, datetime):
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


class Table:
    """A table: a rich table on a terminal, tab-separated lines without a header otherwise
    (what ``gh`` does), so ``cut -f`` and ``awk -F'\\t'`` work on piped output."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self.rows: list[tuple[str, ...]] = []

    def add(self, *cells: object) -> None:
        # A field the service left out (UNSET) or sent as null shows as "-".
        self.rows.append(
            tuple("-" if c is None or isinstance(c, Unset) else visible(str(c)) for c in cells)
        )

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
