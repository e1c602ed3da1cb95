"""Global options, help, the request log, and errors: one line, the right exit code, no secret,
no traceback."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable

import pytest
from cli_testkit import Result

from aionvision_cloud_emulator.server import RunningEmulator

COMMANDS = ("connect", "connections", "disconnect", "browse", "import", "export", "job")
WRONG_KEY = "aion_" + "w" * 30


def test_help_lists_commands_exit_codes_and_json(cli: Callable[..., Result]) -> None:
    result = cli("--help")
    assert result.code == 0
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", result.out, re.M), command
    for code in ("0    completed", "2    bad usage", "3    partial", "5    timed out", "130"):
        assert code in result.out
    assert "AIONVISION_API_KEY" in result.out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_documents_its_json_shape(cli: Callable[..., Result], command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert "--json prints:" in result.out
    assert "Usage: aionvision-cloud " + command in result.out


def test_no_arguments_shows_help_and_unknown_command_is_usage(
    cli: Callable[..., Result],
) -> None:
    assert "Usage: aionvision-cloud" in cli().out + cli().err
    result = cli("imprt")
    assert result.code == 2
    assert "No such command 'imprt'" in result.err


def test_version(cli: Callable[..., Result]) -> None:
    result = cli("--version")
    assert result.code == 0
    assert re.fullmatch(r"aionvision-cloud \d+\.\d+\.\d+\n", result.out)


def test_global_and_trailing_json_are_the_same(cli: Callable[..., Result], conn_id: str) -> None:
    assert cli("--json", "connections").out == cli("connections", "--json").out


def test_verbose_logs_each_request_without_the_key(
    cli: Callable[..., Result], emu: RunningEmulator, conn_id: str
) -> None:
    result = cli("-v", "connections")
    assert result.code == 0
    assert re.search(r"GET /api/v2/cloud-storage/connections -> 200 in [\d.]+s", result.err)
    assert emu.api_key not in result.out + result.err
    # The log handler goes away with the run: a second run logs nothing.
    assert "GET /api/v2" not in cli("connections").err


def test_missing_api_key_is_usage(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIONVISION_API_KEY")
    result = cli("connections")
    assert result.code == 2
    line = result.error_line
    # All three places, in the order they win; the file by its path.
    assert line.startswith(
        "Error: no API key: pass --api-key, set AIONVISION_API_KEY, or save one in"
        f" {os.environ['AIONVISION_CONFIG']} with 'aionvision-cloud config set api_key'."
    )
    # ... and where a key comes from.
    assert "https://aionvision.tech" in line
    assert "emulator prints one" in line


def test_malformed_api_key_is_usage_and_never_echoed(cli: Callable[..., Result]) -> None:
    secret = "sk-live-do-not-print-me"
    result = cli("--api-key", secret, "connections")
    assert result.code == 2
    assert result.error_line.startswith("Error: malformed API key")
    assert secret not in result.out + result.err


def test_wrong_api_key_is_401_line_without_the_key(cli: Callable[..., Result]) -> None:
    result = cli("--api-key", WRONG_KEY, "job", "job_1")
    assert result.code == 1
    line = result.error_line
    assert re.fullmatch(
        r"Error: 401 INVALID_API_KEY: .+ \(request_id=[\w-]+\); check AIONVISION_API_KEY", line
    ), line
    assert WRONG_KEY not in result.out + result.err


def test_server_error_is_one_line(cli: Callable[..., Result], emu: RunningEmulator) -> None:
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["500"])
    result = cli("connections")
    assert result.code == 1
    assert result.error_line.startswith("Error: 500 ")
    assert "request_id=" in result.error_line


def test_unreachable_service_names_the_base_url(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The message is the point here; the retries' real backoff (2 s) is the retry tests' business.
    monkeypatch.setenv("AIONVISION_MAX_RETRIES", "0")
    result = cli("--base-url", "http://127.0.0.1:9/api/v2", "connections")
    assert result.code == 1
    assert result.error_line.endswith("(base URL http://127.0.0.1:9/api/v2)")
    assert "Connect" in result.error_line


def test_insecure_base_url_is_usage(cli: Callable[..., Result]) -> None:
    result = cli("--base-url", "http://api.example.test/api/v2", "connections")
    assert result.code == 2
    assert "plain http:// sends the API key in the clear" in result.error_line


def test_a_bug_is_one_line_and_verbose_shows_the_traceback(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, conn_id: str
) -> None:
    from aionvision_cloud import CloudStorage

    def broken(self: CloudStorage, *args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(CloudStorage, "list_connections", broken)
    result = cli("connections")
    assert result.code == 1
    assert result.error_line == (
        "Error: unexpected RuntimeError: boom (a bug: -v shows the traceback)"
    )
    verbose = cli("connections", "-v")
    assert verbose.code == 1
    assert "Traceback (most recent call last)" in verbose.err


def test_help_is_printed_by_the_console_script(console_script: list[str]) -> None:
    done = subprocess.run(
        [*console_script, "--help"], capture_output=True, text=True, check=False, timeout=30
    )
    assert done.returncode == 0
    assert "Usage: aionvision-cloud [OPTIONS] COMMAND [ARGS]..." in done.stdout


def test_the_documented_exit_code_table_matches_help(cli: Callable[..., Result]) -> None:
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
    readme = page.read_text(encoding="utf-8")
    in_readme = set(re.findall(r"^\| `(\d+)` \|", readme, re.M))
    in_help = set(re.findall(r"^ +(\d{1,3}) {2,}\S", cli("--help").out, re.M))
    assert in_readme == in_help == {"0", "1", "2", "3", "4", "5", "129", "130", "141", "143"}
