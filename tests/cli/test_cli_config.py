"""The config file: set, get, list, unset; owner-only and atomic; options over the environment
over the file; the key never printed whole; a default connection."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_testkit import Result

from aionvision_cloud.cli.config import config_path
from aionvision_cloud_emulator.server import RunningEmulator

WRONG_KEY = "aion_" + "w" * 30


@pytest.fixture
def path() -> Path:
    return config_path()  # the test's own: the emu fixture points AIONVISION_CONFIG at tmp_path


def test_set_get_list_unset(cli: Callable[..., Result], path: Path, emu: RunningEmulator) -> None:
    assert not path.exists()
    saved = cli("config", "set", "base_url", emu.base_url)
    assert saved.code == 0, saved.err
    assert saved.out == f"Saved base_url = {emu.base_url} in {path}\n"
    assert cli("config", "get", "base_url").out == emu.base_url + "\n"
    assert cli("config", "set", "connection", "conn-1").code == 0
    assert cli("config", "list").out == f"base_url={emu.base_url}\nconnection=conn-1\n"
    assert tomllib.loads(path.read_text()) == {"base_url": emu.base_url, "connection": "conn-1"}

    assert cli("config", "unset", "connection").out == f"Removed connection from {path}\n"
    missing = cli("config", "get", "connection")
    assert missing.code == 1
    assert missing.error_line == f"Error: connection is not set in {path}"
    assert cli("config", "list", "--json").json() == {
        "path": str(path),
        "values": {"base_url": emu.base_url},
    }


def test_the_file_is_owner_only_and_the_key_never_shown_whole(
    cli: Callable[..., Result], path: Path, emu: RunningEmulator
) -> None:
    key = emu.api_key
    saved = cli("config", "set", "api_key", key)
    assert saved.code == 0, saved.err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # No temporary file left beside it: written whole, then renamed over. The lock stays (to
    # remove it would race with the next command's), empty and owner-only.
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml", "config.toml.lock"]
    lock = path.with_name("config.toml.lock")
    assert lock.stat().st_size == 0
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    masked = f"{key[:5]}...{key[-4:]}"
    for args in (("config", "get", "api_key"), ("config", "list"), ("config", "list", "--json")):
        result = cli(*args)
        assert result.code == 0
        assert key not in result.out + result.err
        assert masked in result.out
    assert key not in saved.out + saved.err


def test_a_key_read_from_stdin_stays_out_of_the_command_line(
    cli: Callable[..., Result],
    path: Path,
    emu: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(emu.api_key + "\n"))
    assert cli("config", "set", "api_key").code == 0
    assert tomllib.loads(path.read_text())["api_key"] == emu.api_key


def test_precedence_flag_over_environment_over_file(
    cli: Callable[..., Result],
    emu: RunningEmulator,
    conn_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("config", "set", "api_key", emu.api_key).code == 0
    assert cli("config", "set", "base_url", emu.base_url).code == 0
    monkeypatch.delenv("AIONVISION_API_KEY")
    monkeypatch.delenv("AIONVISION_BASE_URL")
    # The file alone is enough.
    only_file = cli("connections", "--json")
    assert only_file.code == 0, only_file.err
    assert [c["id"] for c in only_file.json()["connections"]] == [conn_id]
    # The environment wins over the file...
    monkeypatch.setenv("AIONVISION_API_KEY", WRONG_KEY)
    assert cli("connections").error_line.startswith("Error: 401 ")
    # ...and the option over the environment.
    assert cli("connections", "--api-key", emu.api_key).code == 0


def test_a_default_connection_for_browse_and_import(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    none = cli("browse")
    assert none.code == 2
    assert none.error_line == (
        "Error: no CONNECTION_ID: give one, set AIONVISION_CONNECTION_ID, or save a default with"
        " 'aionvision-cloud config set connection ID' (see: aionvision-cloud browse --help)"
    )
    assert cli("config", "set", "connection", conn_id).code == 0
    browsed = cli("browse", "--folder", "Photos", "--json")
    assert browsed.code == 0, browsed.err
    assert browsed.json()["connection_id"] == conn_id
    imported = cli("import", "--folder", "Photos/Screenshots", "--json")
    assert imported.code == 0, imported.err
    assert imported.json()["connection_id"] == conn_id
    # The environment wins over the file, the argument over both.
    monkeypatch.setenv("AIONVISION_CONNECTION_ID", "conn-from-env")
    assert cli("browse", "--json").error_line.startswith("Error: 404 ")
    assert cli("browse", conn_id, "--json").code == 0


def test_export_with_a_default_connection(cli: Callable[..., Result], conn_id: str) -> None:
    listed = cli("browse", conn_id, "--folder", "Photos/Family", "--images-only", "--json")
    files = [a for f in listed.json()["files"][:3] for a in ("--file", f["id"])]
    # Three files: a synchronous import, which answers with the image ids.
    image_ids = cli("import", conn_id, *files, "--json").json()["image_ids"]
    assert len(image_ids) == 3
    assert cli("config", "set", "connection", conn_id).code == 0
    # The image ids alone: the connection is the default.
    alone = cli("export", *image_ids[:2], "--json")
    assert alone.code == 0, alone.err
    assert alone.json()["connection_id"] == conn_id
    assert alone.json()["total_files"] == 2
    # A connection of yours first is still taken as the connection.
    named = cli("export", conn_id, image_ids[0], "--json")
    assert named.code == 0, named.err
    assert (named.json()["connection_id"], named.json()["total_files"]) == (conn_id, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["set", "colour", "blue"],
            "unknown key 'colour'; the keys are api_key, base_url, connection",
        ),
        (["set", "base_url", "ftp://x"], "base_url must start with https://"),
        (["set", "api_key", "sk-123"], "an API key starts with aion_"),
        (["get", "nope"], "unknown key 'nope'"),
    ],
)
def test_bad_config_usage(cli: Callable[..., Result], args: list[str], message: str) -> None:
    result = cli("config", *args)
    assert result.code == 2
    assert message in result.error_line


def test_a_broken_file_is_named(cli: Callable[..., Result], path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("api_key = [unclosed\n")
    result = cli("connections")
    assert result.code == 2
    assert result.error_line.startswith(f"Error: cannot read the config file {path}: ")


def test_the_user_config_is_under_xdg_config_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AIONVISION_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "aionvision-cloud" / "config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert config_path() == Path(os.path.expanduser("~/.config/aionvision-cloud/config.toml"))


def test_get_of_a_missing_key_under_json_is_one_error_document(
    cli: Callable[..., Result], path: Path
) -> None:
    result = cli("config", "get", "connection", "--json")
    assert result.code == 1
    error = result.json()["error"]  # one document: json.loads fails on two
    assert error["message"] == f"connection is not set in {path}"
