"""`aionvision-cloud connect --no-browser` as a person uses it: the installed command prints the
consent URL, the person opens it in Chromium and clicks, and the command prints the connection."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from aionvision_cloud_emulator.server import RunningEmulator

WAIT = 20  # seconds a step may take on a loaded 2-core machine
URL_RE = re.compile(r"^\s+(http://\S+/_emulator/oauth/consent\?\S+)$")


def _command() -> list[str]:
    script = Path(sys.executable).with_name("aionvision-cloud")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aionvision_cloud.cli"]


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@contextmanager
def cli_connect(emu: RunningEmulator) -> Iterator[tuple[str, subprocess.Popen[str], list[str]]]:
    """Run `connect --no-browser --json`; yield the consent URL it printed, the process and the
    stderr lines read so far (the list grows while the command runs)."""
    env = {
        **os.environ,
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
    }
    proc = subprocess.Popen(
        [*_command(), "--json", "connect", "--no-browser", "--timeout", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stderr, lines), daemon=True).start()
    seen: list[str] = []
    try:
        url = None
        while url is None:
            line = lines.get(timeout=WAIT)
            seen.append(line)
            match = URL_RE.match(line.rstrip("\n"))
            url = match.group(1) if match else None
        yield url, proc, seen
        proc.wait(timeout=WAIT)
        while not lines.empty():
            seen.append(lines.get())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_connect_allow_prints_the_connection(browser: Any, emu: RunningEmulator) -> None:
    with cli_connect(emu) as (url, proc, _stderr):
        browser.get(url)
        WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable((By.ID, "allow")))
        browser.shots.take("cli-consent")
        browser.find_element(By.ID, "allow").click()
        browser.wait_for_text("You can close this window")
        browser.shots.take("cli-loopback-finished")
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert proc.returncode == 0
    shape = json.loads(out)
    assert shape["is_new"] is True
    assert shape["connection"]["provider_email"] == "emulated.user@gmail.com"
    assert emu.api_key not in out


def test_cli_connect_cancel_is_one_error_line(browser: Any, emu: RunningEmulator) -> None:
    with cli_connect(emu) as (url, proc, stderr):
        browser.get(url)
        WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable((By.ID, "cancel")))
        browser.find_element(By.ID, "cancel").click()
        browser.wait_for_text("Authorization failed")
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert proc.returncode == 1
    # --json: the failure as a JSON document on stdout too, the same words as stderr's line.
    error = json.loads(out)["error"]
    assert (error["type"], error["code"], error["exit_code"]) == ("OAuthError", "access_denied", 1)
    errors = [line for line in stderr if line.startswith("Error")]
    assert len(errors) == 1
    assert "access_denied" in errors[0]
    assert not any("Traceback" in line for line in stderr)
