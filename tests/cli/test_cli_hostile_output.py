"""Text from outside (Drive names, service messages) never reaches a terminal or a pipe raw:
its control characters are shown as ``\\n``, ``\\x1b``... in tables, piped lines and error
lines, and ``--json`` keeps it exact."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from cli_testkit import Result
from rich.console import Console

from aionvision_cloud import CloudFile, CloudStorage
from aionvision_cloud.cli.output import Table, visible
from aionvision_cloud.errors import ValidationError

#: A name that, raw, would add a forged row to `browse | cut -f1`, retitle the window, clear
#: the screen and ring the bell.
FORGED = "holiday.jpg\tfolder\nATTACKER_ID\tevil.jpg\x1b]0;pwned\x07\x1b[2J\r\x9b31m\x7f"


def hostile_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    def iter_drive_files(self: CloudStorage, *args: Any, **kw: Any) -> Iterator[CloudFile]:
        yield CloudFile.from_drive({"id": "file_one", "name": FORGED, "mimeType": "image/jpeg"})
        yield CloudFile.from_drive({"id": "file_two", "name": "plain.jpg", "mimeType": "image/png"})

    monkeypatch.setattr(CloudStorage, "iter_drive_files", iter_drive_files)


def test_visible_spells_out_every_control_character() -> None:
    shown = visible("a\nb\tc\rd\x1b[0m\x00\x7f\x85\x9fé €")
    assert shown == "a\\nb\\tc\\rd\\x1b[0m\\x00\\x7f\\x85\\x9fé €"
    assert shown.isprintable()


def test_piped_browse_keeps_one_line_and_five_columns_per_entry(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile_listing(monkeypatch)
    result = cli("browse", conn_id)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert [len(line.split("\t")) for line in lines] == [5, 5]
    # cut -f1 yields the real ids, never one the name chose.
    assert [line.split("\t")[0] for line in lines] == ["file_one", "file_two"]
    assert lines[0].split("\t")[1] == visible(FORGED)
    assert "\x1b" not in result.out + result.err
    assert "\x07" not in result.out


def test_browse_json_keeps_the_name_exact(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile_listing(monkeypatch)
    body = cli("browse", conn_id, "--json").json()
    assert [f["name"] for f in body["files"]] == [FORGED, "plain.jpg"]


def test_terminal_table_shows_no_escape_sequence_from_a_name() -> None:
    table = Table(["ID", "NAME"])
    table.add("file_one", FORGED)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=300, color_system=None)
    table.show(console)
    printed = buffer.getvalue()
    assert "\x1b" not in printed
    assert "\x07" not in printed
    assert "\r" not in printed
    assert "\\x1b]0;pwned\\x07" in printed
    assert len(printed.splitlines()) == 2  # the header and one row


def test_error_line_from_the_service_is_escaped(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: CloudStorage, *args: Any, **kw: Any) -> Iterator[CloudFile]:
        raise ValidationError("bad folder \x1b]0;pwned\x07\nError: forged", status_code=422)

    monkeypatch.setattr(CloudStorage, "iter_drive_files", refuse)
    result = cli("browse", conn_id)
    assert result.code == 1
    assert "\x1b" not in result.err
    assert "\x07" not in result.err
    assert "\\x1b]0;pwned\\x07\\nError: forged" in result.error_line


def test_disconnect_message_from_the_service_is_one_visible_line(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = CloudStorage.disconnect

    def disconnect(self: CloudStorage, connection_id: str) -> Any:
        result = real(self, connection_id)
        result.message = "Bye\nRevoked conn_forged.\x1b[2J"
        return result

    monkeypatch.setattr(CloudStorage, "disconnect", disconnect)
    result = cli("disconnect", conn_id, "--yes")
    assert result.code == 0, result.err
    assert result.out == f"Disconnected {conn_id}. Bye\\nRevoked conn_forged.\\x1b[2J\n"


def test_usage_error_quoting_what_was_typed_is_escaped(cli: Callable[..., Result]) -> None:
    result = cli("browse", "conn", "--limit", "1\x1b[2J")
    assert result.code == 2
    assert "\x1b" not in result.err


def test_import_with_one_ill_named_file_imports_them_all(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = CloudStorage.iter_drive_files

    def one_renamed(self: CloudStorage, *args: Any, **kw: Any) -> Iterator[CloudFile]:
        files = list(real(self, *args, **kw))
        # The folder's first image gets the hostile name; folders keep theirs.
        first = next((i for i, f in enumerate(files) if not f.is_folder), None)
        for i, f in enumerate(files):
            yield attrs.evolve(f, name=FORGED) if i == first else f

    monkeypatch.setattr(CloudStorage, "iter_drive_files", one_renamed)
    result = cli("import", conn_id, "--folder", "Photos/Family", "--wait", "--json")
    assert result.code == 0, result.out + result.err
    body = result.json()
    assert body["status"] == "completed"
    assert (body["total_files"], body["completed_files"], body["failed_files"]) == (25, 25, 0)
