"""Fixtures for the command line's tests: one fast emulator per session, reset before each test,
and ``cli(...)`` running ``aionvision-cloud`` in-process (``main``) with its output captured."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cli_testkit import FAST, Result

from aionvision_cloud.cli import main
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import client_for, connect


@pytest.fixture(scope="session")
def cli_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="document", **FAST) as emu:
        yield emu


@pytest.fixture
def emu(
    cli_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[RunningEmulator]:
    """The shared emulator, reset, with the CLI's environment pointing at it (and a config file
    of the test's own, never the user's)."""
    cli_emulator.admin.reset()
    names = ("AIONVISION_TIMEOUT", "AIONVISION_MAX_RETRIES", "AIONVISION_POLLING_TIMEOUT")
    for name in (*names, "AIONVISION_CONNECTION_ID", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIONVISION_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("AIONVISION_API_KEY", cli_emulator.api_key)
    monkeypatch.setenv("AIONVISION_BASE_URL", cli_emulator.base_url)
    yield cli_emulator
    # Whatever the CLI sent, every answer conformed to openapi.yaml.
    assert cli_emulator.admin.stats()["spec_violations"] == []


@pytest.fixture
def cli(emu: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def api(emu: RunningEmulator) -> Iterator[httpx.Client]:
    with client_for(emu) as client:
        yield client


@pytest.fixture
def conn_id(api: httpx.Client) -> str:
    """A connection made straight through the emulator's API (the CLI's connect has its own
    tests)."""
    return str(connect(api)["connection"]["id"])


@pytest.fixture
def console_script() -> list[str]:
    """The installed ``aionvision-cloud`` (``make install`` puts it next to the interpreter)."""
    script = Path(sys.executable).with_name("aionvision-cloud")
    assert script.exists(), "the console script is missing: run make install"
    return [str(script)]


@pytest.fixture
def visit() -> Callable[[str], int]:
    """What a browser does with the consent URL: follow the redirects to the loopback server."""

    def go(url: str) -> int:
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            return browser.get(url).status_code

    return go
