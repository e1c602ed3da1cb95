"""The command line: prints a URL and a key, serves, stops cleanly on Ctrl-C; loopback only."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from aionvision_cloud_emulator.__main__ import main, parser
from aionvision_cloud_emulator.server import check_loopback


def test_cli_starts_prints_and_stops() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aionvision_cloud_emulator",
            "--port",
            "0",
            "--big-folder-size",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(5)]
    assert lines[0].startswith("Aionvision Cloud Storage emulator on http://127.0.0.1:")
    # The consent mode it runs and how to change it, and where the options are.
    assert lines[4] == (
        "consent page: click Allow (--consent auto approves at once); "
        "every option: aionvision-cloud-emulator --help\n"
    )
    # The two variables' lines paste into a shell as they are.
    pasted = subprocess.run(
        [
            "bash",
            "-c",
            lines[1] + lines[2] + 'printf "%s\\n" "$AIONVISION_BASE_URL" "$AIONVISION_API_KEY"',
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    base, key = pasted.stdout.split()
    assert base.endswith("/api/v2")
    assert key.startswith("aion_")
    try:
        r = httpx.get(
            base + "/cloud-storage/connections", headers={"Authorization": f"Bearer {key}"}
        )
        assert r.json() == {"connections": [], "total_count": 0}
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "emulator stopped" in out


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_cli_refuses_non_loopback(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", host, "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_cli_refuses_bad_knobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", "--fault-kinds", "500,teapot"]) == 2
    assert main(["--port", "0", "--fault-ratio", "3"]) == 2
    assert capsys.readouterr().err


def test_loopback_names() -> None:
    assert check_loopback("localhost") == "127.0.0.1"
    assert check_loopback("::1") == "::1"
    assert check_loopback("127.0.0.2") == "127.0.0.2"


def test_cli_reports_busy_port_and_missing_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["--port", str(port), "--big-folder-size", "1"]) == 2
    assert "cannot listen" in capsys.readouterr().err
    assert main(["--port", "0", "--spec", str(tmp_path / "nope.yaml")]) == 2
    assert "openapi.yaml not found" in capsys.readouterr().err


def test_cli_consent_defaults_to_the_page_a_person_sees() -> None:
    assert parser().parse_args([]).consent == "page"
    args = parser().parse_args(
        ["--consent", "auto", "--grant-scope", "openid", "--grant-scope", "email"]
    )
    assert (args.consent, args.grant_scope) == ("auto", ["openid", "email"])
    with pytest.raises(SystemExit):
        parser().parse_args(["--consent", "sometimes"])
