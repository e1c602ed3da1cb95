"""The command line speaks command line: advice names commands and options, never Python
functions; a state is described as it is now; a finished export says where its files went."""

from __future__ import annotations

import re
from collections.abc import Callable

import typer
from cli_testkit import Result

from aionvision_cloud.cli.root import app
from aionvision_cloud_emulator.server import RunningEmulator


def _family(cli: Callable[..., Result], conn_id: str, count: int) -> list[str]:
    body = cli("browse", conn_id, "--folder", "Photos/Family", "--json").json()
    ids = [f["id"] for f in body["files"]][:count]
    args = [a for fid in ids for a in ("--file", fid)]
    imported = cli("import", conn_id, *args, "--json").json()
    return list(imported["image_ids"])


def test_placeholder_advice_names_the_command_not_the_python_functions(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    emu.admin.configure(async_image_ids=True, job_pace=1)
    result = cli("import", conn_id, "--folder", "Photos/Family")
    assert result.code == 0, result.err
    said = result.out + result.err
    assert "import_and_wait" not in said
    assert "wait_for_job" not in said
    job_ids = re.findall(r"job_\w+", said)
    assert job_ids
    assert re.search(rf"aionvision-cloud job {job_ids[0]}( job_\w+)* --wait", said), said


def test_after_wait_each_batch_says_its_jobs_status_now(
    cli: Callable[..., Result], conn_id: str
) -> None:
    body = cli("import", conn_id, "--folder", "Photos/Family", "--wait", "--json").json()
    assert body["status"] == "completed"
    job_batches = [b for b in body["batches"] if b["job_id"]]
    assert job_batches
    assert {b["status"] for b in job_batches} == {"completed"}


def test_a_finished_export_says_where_its_files_went(
    cli: Callable[..., Result], conn_id: str
) -> None:
    image_ids = _family(cli, conn_id, 2)
    result = cli("export", conn_id, *image_ids, "--folder-name", "From CLI", "--wait")
    assert result.code == 0, result.err
    assert "Export job created" not in result.out  # said when it was created, no longer so
    assert "go to" not in result.out
    assert "Exported files are in the new folder 'From CLI' in My Drive." in result.out
    into = cli("export", conn_id, *image_ids, "--folder-id", "My Drive/Photos", "--wait", "--json")
    assert into.code == 0, into.err
    assert into.json()["destination"].startswith("the Drive folder My Drive/Photos (")


def test_usage_lines_bracket_an_optional_connection_once() -> None:
    command = typer.main.get_command(app)
    for name in ("import", "browse"):
        sub = command.commands[name]  # type: ignore[attr-defined]
        (argument,) = [p for p in sub.params if p.name == "connection_id"]
        assert argument.metavar == "CONNECTION_ID"  # the brackets are click's to add, once
    result_help = command.commands["import"].get_usage(  # type: ignore[attr-defined]
        typer.Context(command.commands["import"], info_name="import")  # type: ignore[attr-defined]
    )
    assert "import [OPTIONS] [CONNECTION_ID]" in result_help
    assert "[[" not in result_help


def test_disconnect_says_it_once(cli: Callable[..., Result], conn_id: str) -> None:
    result = cli("disconnect", conn_id, "--yes")
    assert result.code == 0, result.err
    assert result.out == f"Disconnected {conn_id}.\n"
