"""`connect --paste`: connecting from a machine with no browser (over SSH). The consent URL is
printed; the address the browser ended on (a 127.0.0.1 page that fails to load on the other
machine) is pasted back; its state is checked before the code is exchanged."""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from aionvision_cloud_emulator.server import RunningEmulator


def _start(emu: RunningEmulator, console_script: list[str], *args: str) -> subprocess.Popen[str]:
    env = {
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
        "AIONVISION_CONFIG": os.environ["AIONVISION_CONFIG"],
        "PATH": "",
    }
    return subprocess.Popen(
        [*console_script, "connect", "--paste", *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _consent_url(proc: subprocess.Popen[str], seen: list[str] | None = None) -> str:
    """The URL from the command's stderr; the lines before it go into ``seen``. (What follows
    may already sit in the pipe's read buffer, which communicate() does not see.)"""
    assert proc.stderr is not None
    for _ in range(20):
        line = proc.stderr.readline()
        if line.strip().startswith("http"):
            return line.strip()
        if seen is not None:
            seen.append(line)
    raise AssertionError("no consent URL printed")


def _landed_on(consent_url: str) -> str:
    # The other machine's browser: Allow (the emulator approves at once), then the redirect to
    # 127.0.0.1 that does not load there; its address is what the person copies.
    answer = httpx.get(consent_url)
    assert answer.is_redirect, answer.text
    return answer.headers["location"]


def test_paste_the_address_the_browser_ended_on(
    emu: RunningEmulator, console_script: list[str]
) -> None:
    proc = _start(emu, console_script, "--json")
    seen: list[str] = []
    address = _landed_on(_consent_url(proc, seen))
    assert seen[0] == "Open this URL in a browser, on any machine, to authorize access:\n"
    assert address.startswith("http://127.0.0.1:")
    out, err = proc.communicate(address + "\n", timeout=30)
    assert proc.returncode == 0, err
    body = json.loads(out)
    assert body["is_new"] is True
    assert body["connection"]["provider_email"] == "emulated.user@gmail.com"
    # The code is a secret: never echoed back.
    code = dict(parse_qsl(urlsplit(address).query))["code"]
    assert code not in out + err


def test_a_pasted_address_with_another_state_is_refused(
    emu: RunningEmulator, console_script: list[str]
) -> None:
    proc = _start(emu, console_script)
    address = urlsplit(_landed_on(_consent_url(proc)))
    query = dict(parse_qsl(address.query))
    query["state"] = "forged-" + query["state"]
    forged = urlunsplit(address._replace(query=urlencode(query)))
    out, err = proc.communicate(forged + "\n", timeout=30)
    assert proc.returncode == 1
    assert "state in the redirect does not match" in err
    assert out == ""


@pytest.mark.parametrize("pasted", ["", "   "])
def test_nothing_pasted_is_usage(
    emu: RunningEmulator, console_script: list[str], pasted: str
) -> None:
    proc = _start(emu, console_script)
    _consent_url(proc)
    _, err = proc.communicate(pasted + "\n", timeout=30)
    assert proc.returncode == 2
    assert "no address was pasted" in err


def test_help_says_paste_the_address_in_a_line(console_script: list[str]) -> None:
    shown = subprocess.run(
        [*console_script, "connect", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert any("paste the address" in line for line in shown.splitlines())
