"""What a user's environment brings: proxy variables, and two commands at once on the config
file."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_testkit import Result

REMOTE = "https://api.example.test/api/v2"


@pytest.fixture
def proxy_free(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.mark.usefixtures("proxy_free")
def test_a_socks_proxy_without_socksio_is_a_usage_error(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "socksio", None)  # as if not installed
    monkeypatch.setenv("ALL_PROXY", "socks5h://carol:n0t-in-logs@socks.example:1080")
    result = cli("--base-url", REMOTE, "connections")
    assert result.code == 2
    line = result.error_line
    assert "ALL_PROXY" in line
    assert "httpx[socks]" in line
    assert "a bug" not in line
    assert "n0t-in-logs" not in result.err + result.out


@pytest.mark.usefixtures("proxy_free")
def test_a_proxy_with_an_unknown_scheme_is_a_usage_error(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "gopher://proxy.example:70")
    result = cli("--base-url", REMOTE, "connections", "--json")
    assert result.code == 2
    error = result.json()["error"]
    assert error["type"] == "ConfigurationError"
    assert error["message"].startswith("HTTPS_PROXY is not a proxy httpx can use")


#: A CLI process that runs `config set KEY VALUE` for each line it reads, then says "rc=N": two
#: of these started once keep the test short (a process start is 0.4 s) and the sets concurrent.
WORKER = """
import sys
from aionvision_cloud.cli import main
for line in sys.stdin:
    code = main(["config", "set", *line.split()])
    print(f"rc={code}", flush=True)
"""


def _worker(path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "AIONVISION_CONFIG": str(path)}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _ended(worker: subprocess.Popen[str]) -> str:
    assert worker.stdout is not None
    said = ""
    while not said.startswith("rc="):
        said = worker.stdout.readline()
        assert said, "the worker ended"
    return said.strip()


@pytest.mark.timeout(300)
def test_concurrent_sets_of_different_keys_keep_both(tmp_path: Path) -> None:
    # Each set reads, changes and replaces the file: without a lock, one of two at once loses.
    path = tmp_path / "config.toml"
    workers = [_worker(path), _worker(path)]
    try:
        for i in range(20):
            for worker, line in zip(
                workers, [f"connection conn_{i}\n", f"base_url http://h{i}\n"], strict=True
            ):
                assert worker.stdin is not None
                worker.stdin.write(line)
                worker.stdin.flush()
            assert [_ended(w) for w in workers] == ["rc=0", "rc=0"]
            saved = tomllib.loads(path.read_text(encoding="utf-8"))
            assert saved == {"connection": f"conn_{i}", "base_url": f"http://h{i}"}, i
            path.unlink()
    finally:
        for worker in workers:
            worker.kill()
            worker.communicate()
