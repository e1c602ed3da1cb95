"""Options where users put them and errors that say what to do: global options after the
command, a base URL without /api/v2, a busy --port, --allow-insecure-http, disconnect's
confirmation, shell completion."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import typer
from cli_testkit import Result

from aionvision_cloud import Client
from aionvision_cloud.cli.root import app, hoist_globals
from aionvision_cloud_emulator.server import RunningEmulator

WRONG_KEY = "aion_" + "w" * 30


# -- global options anywhere ----------------------------------------------------------------------


def test_api_key_after_the_command_is_used(cli: Callable[..., Result], conn_id: str) -> None:
    after = cli("connections", "--api-key", WRONG_KEY)
    assert after.code == 1
    assert after.error_line.startswith("Error: 401 ")
    assert WRONG_KEY not in after.err

    # The same as before the command, and in the --opt=value form too.
    def without_id(result: Result) -> str:
        return re.sub(r"request_id=[\w-]+", "", result.error_line)

    assert without_id(cli("--api-key", WRONG_KEY, "connections")) == without_id(after)
    assert without_id(cli("connections", f"--api-key={WRONG_KEY}")) == without_id(after)


def test_base_url_after_the_command_is_used(
    cli: Callable[..., Result], emu: RunningEmulator, conn_id: str
) -> None:
    result = cli("browse", conn_id, "--base-url", emu.base_url + "/nowhere")
    assert result.code == 1
    assert "404" in result.error_line


@pytest.mark.parametrize(
    ("args", "hoisted"),
    [
        (
            ["import", "C", "--tag", "x", "--api-key", "K", "--json"],
            ["--api-key", "K", "import", "C", "--tag", "x", "--json"],
        ),
        (
            ["job", "J", "--allow-insecure-http", "--base-url=U"],
            ["--allow-insecure-http", "--base-url=U", "job", "J"],
        ),
        # A value of the command's own option stays its value.
        (["import", "C", "--tag", "--api-key"], ["import", "C", "--tag", "--api-key"]),
        # After "--" nothing is an option.
        (["job", "--", "--api-key", "K"], ["job", "--", "--api-key", "K"]),
        # Before the command: already where click looks.
        (["--api-key", "K", "job", "J"], ["--api-key", "K", "job", "J"]),
        (
            ["config", "set", "base_url", "--api-key", "K"],
            ["--api-key", "K", "config", "set", "base_url"],
        ),
    ],
)
def test_hoist_globals(args: list[str], hoisted: list[str]) -> None:
    assert hoist_globals(typer.main.get_command(app), args) == hoisted


# -- errors that say what to do -------------------------------------------------------------------


def test_a_base_url_without_api_v2_gets_a_hint(
    cli: Callable[..., Result], emu: RunningEmulator
) -> None:
    root = emu.base_url.removesuffix("/api/v2")
    result = cli("--base-url", root, "connections")
    assert result.code == 1
    line = result.error_line
    assert line.startswith("Error: 404")
    assert line.endswith(
        f"the base URL {root} does not end in /api/v2: try --base-url {root}/api/v2"
        " (or fix AIONVISION_BASE_URL)"
    )
    # A 404 with the right base URL has no such hint.
    assert "does not end in" not in cli("job", "job_nope").error_line


def test_the_base_url_hint_names_the_config_file_when_the_value_came_from_it(
    cli: Callable[..., Result], emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = emu.base_url.removesuffix("/api/v2")
    assert cli("config", "set", "base_url", root).code == 0
    monkeypatch.delenv("AIONVISION_BASE_URL")
    line = cli("connections").error_line
    assert line.endswith(
        f"the base URL {root}, from {os.environ['AIONVISION_CONFIG']}, does not end in /api/v2:"
        f" fix it with 'aionvision-cloud config set base_url {root}/api/v2'"
    )
    assert "AIONVISION_BASE_URL" not in line


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def test_a_busy_port_says_so_and_what_to_do(
    cli: Callable[..., Result], emu: RunningEmulator, busy_port: int
) -> None:
    before = emu.admin.stats()["requests_total"]
    result = cli("connect", "--no-browser", "--port", str(busy_port), "--timeout", "5")
    assert result.code == 2
    assert result.error_line == (
        f"Error: port {busy_port} on 127.0.0.1 is busy (another program listens on it): pick"
        " another with --port N, or leave --port out for any free one (see: aionvision-cloud"
        " connect --help)"
    )
    assert emu.admin.stats()["requests_total"] == before  # nothing sent


def test_insecure_http_names_the_flag_and_the_flag_works(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = cli("--base-url", "http://api.example.com/api/v2", "connections")
    assert refused.code == 2
    assert refused.error_line.endswith("or pass --allow-insecure-http")

    seen: dict[str, Any] = {}

    def from_env(**overrides: Any) -> Client:
        seen.update(overrides)
        raise SystemExit(0)  # enough: the flag reached the client

    monkeypatch.setattr(Client, "from_env", staticmethod(from_env))
    allowed = cli(
        "connections", "--base-url", "http://api.example.com/api/v2", "--allow-insecure-http"
    )
    assert allowed.code == 0
    assert seen["allow_insecure_http"] is True
    assert seen["base_url"] == "http://api.example.com/api/v2"


# -- disconnect asks first ------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_disconnect_without_yes_on_a_pipe_refuses_and_sends_nothing(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    before = emu.admin.stats()["requests_total"]
    result = cli("disconnect", conn_id)
    assert result.code == 2
    assert result.error_line == (
        f"Error: disconnecting {conn_id} needs confirmation, and stdin is not a terminal to ask"
        " on: pass --yes (see: aionvision-cloud disconnect --help)"
    )
    assert emu.admin.stats()["requests_total"] == before
    assert [c["id"] for c in cli("connections", "--json").json()["connections"]] == [conn_id]


@pytest.mark.parametrize(("answer", "code", "left"), [("n\n", 1, 1), ("y\n", 0, 0)])
def test_disconnect_asks_on_a_terminal(
    cli: Callable[..., Result],
    conn_id: str,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    left: int,
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    result = cli("disconnect", conn_id)
    assert result.code == code, result.err
    assert f"Disconnect {conn_id}?" in result.out + result.err
    assert len(cli("connections", "--json").json()["connections"]) == left


# -- shell completion -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _aionvision_cloud_completion aionvision-cloud"),
        ("zsh", "compdef _aionvision_cloud_completion aionvision-cloud"),
        ("fish", "complete --command aionvision-cloud"),
    ],
)
def test_completion_prints_the_script(cli: Callable[..., Result], shell: str, marker: str) -> None:
    result = cli("completion", shell)
    assert result.code == 0
    assert marker in result.out
    assert "_AIONVISION_CLOUD_COMPLETE=complete_" in result.out


def test_completion_of_an_unknown_shell_is_usage(cli: Callable[..., Result]) -> None:
    result = cli("completion", "tcsh")
    assert result.code == 2
    assert "completion is for bash, zsh, fish, not 'tcsh'" in result.error_line


def test_the_bash_script_completes_commands_and_options(console_script: list[str]) -> None:
    """What bash does on Tab with the printed script: ask the command, with COMP_WORDS."""

    def complete(words: str, cword: int) -> list[str]:
        env = {
            "PATH": "",
            "_AIONVISION_CLOUD_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
            "AIONVISION_CONFIG": os.devnull,
        }
        done = subprocess.run(
            console_script, env=env, capture_output=True, text=True, timeout=30, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("aionvision-cloud imp", 1) == ["import"]
    assert "config" in complete("aionvision-cloud co", 1)
    assert "--images-only" in complete("aionvision-cloud import C --im", 3)
    assert complete("aionvision-cloud config s", 2) == ["set"]
    assert complete("aionvision-cloud config set ", 3) == ["api_key", "base_url", "connection"]
    assert complete("aionvision-cloud config get ba", 3) == ["base_url"]
