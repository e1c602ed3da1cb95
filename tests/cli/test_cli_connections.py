"""connect, connections, disconnect: the loopback OAuth flow, listing, removal."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import webbrowser
from collections.abc import Callable

import pytest
from cli_testkit import Result

from aionvision_cloud_emulator.server import RunningEmulator

CONNECTION_KEYS = {
    "id",
    "provider",
    "provider_email",
    "provider_display_name",
    "is_active",
    "created_at",
    "last_used_at",
}


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, visit: Callable[[str], int]) -> list[str]:
    """A system browser that approves the consent page; records the URLs it was sent to."""
    opened: list[str] = []

    def open_url(url: str, new: int = 0, autoraise: bool = True) -> bool:
        opened.append(url)
        threading.Thread(target=visit, args=(url,), daemon=True).start()
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    return opened


def test_connect_opens_the_browser_and_prints_the_connection(
    cli: Callable[..., Result], browser: list[str]
) -> None:
    result = cli("connect")
    assert result.code == 0, result.err
    assert len(browser) == 1
    assert "/_emulator/oauth/consent?" in browser[0]
    assert "Connected google_drive account emulated.user@gmail.com (new connection)." in result.out
    conn_id = re.search(r"Connection id: (\S+)", result.out)
    assert conn_id is not None
    assert f"Next: aionvision-cloud browse {conn_id.group(1)}" in result.err

    again = cli("connect", "--json")
    assert again.code == 0, again.err
    body = again.json()
    assert set(body) == {"connection", "is_new"}
    assert set(body["connection"]) == CONNECTION_KEYS
    # The same Google account again: the same connection, not a new one.
    assert body["connection"]["id"] == conn_id.group(1)
    assert body["is_new"] is False


def test_a_browser_launcher_that_blocks_does_not_hold_the_wait(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, visit: Callable[[str], int]
) -> None:
    """A launcher that returns only once the browser is done (webbrowser with a BROWSER that
    stays in the foreground): the loopback server must already be waiting for it, and
    --timeout counts from the URL, not from the launcher's return."""

    def blocking_open(url: str, new: int = 0, autoraise: bool = True) -> bool:
        assert visit(url) == 200  # returns once the loopback server answered the browser
        return True

    monkeypatch.setattr(webbrowser, "open", blocking_open)
    result = cli("connect", "--timeout", "20")
    assert result.code == 0, result.err
    assert "Opening a browser to authorize access; if none appears, visit:" in result.err
    assert "Connected google_drive account" in result.out


def test_connect_no_browser_prints_the_url_and_waits(
    emu: RunningEmulator, console_script: list[str], visit: Callable[[str], int]
) -> None:
    """The real console script, as a user (or `make demo`) runs it: the URL on stderr, the
    connection as JSON on stdout once the browser came back."""
    env = {
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
        "AIONVISION_CONFIG": os.environ["AIONVISION_CONFIG"],
        "PATH": "",
    }
    proc = subprocess.Popen(
        [*console_script, "connect", "--no-browser", "--timeout", "30", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = ""
    for line in proc.stderr:
        seen += line
        found = re.search(r"https?://\S+", line)
        if found:
            assert visit(found.group(0)) == 200
            break
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, seen + err
    assert "Open this URL in a browser to authorize access" in seen
    assert '"provider_email": "emulated.user@gmail.com"' in out


def test_connect_gives_up_after_the_timeout_with_exit_5(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A browser that opens but never comes back.
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0, autoraise=True: True)
    result = cli("connect", "--timeout", "0.3")
    assert result.code == 5
    assert result.err.strip().splitlines()[-1] == (
        "Error: no browser came back to the redirect within 0.3s"
    )


def test_connect_denied_consent_is_one_error_line(
    cli: Callable[..., Result], emu: RunningEmulator, browser: list[str]
) -> None:
    emu.admin.configure(oauth_deny=True)
    result = cli("connect")
    assert result.code == 1
    last = result.err.strip().splitlines()[-1]
    assert last == "Error: authorization failed (access_denied)"
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "dropbox"], "unknown provider 'dropbox'; supported: google_drive"),
        (["--timeout", "0"], "--timeout must be a positive number of seconds"),
    ],
)
def test_connect_bad_arguments_exit_2_before_any_request(
    cli: Callable[..., Result], emu: RunningEmulator, args: list[str], message: str
) -> None:
    before = emu.admin.stats()
    result = cli("connect", *args)
    assert result.code == 2
    assert message in result.error_line
    assert emu.admin.stats()["requests_total"] == before["requests_total"]


def test_connections_empty_then_listed(cli: Callable[..., Result], conn_id: str) -> None:
    listed = cli("connections")
    assert listed.code == 0
    # Piped: one tab-separated line per connection, no header.
    fields = listed.out.strip().split("\t")
    assert fields[:4] == [conn_id, "google_drive", "emulated.user@gmail.com", "yes"]

    body = cli("connections", "--json", "--provider", "google_drive").json()
    assert [c["id"] for c in body["connections"]] == [conn_id]
    assert set(body["connections"][0]) == CONNECTION_KEYS


def test_connections_without_any(cli: Callable[..., Result]) -> None:
    result = cli("connections")
    assert result.code == 0
    assert result.out == ""
    assert "No connections. Make one with: aionvision-cloud connect" in result.err
    assert cli("--json", "connections").json() == {"connections": []}


def test_disconnect_removes_the_connection(cli: Callable[..., Result], conn_id: str) -> None:
    assert [c["id"] for c in cli("connections", "--all", "--json").json()["connections"]] == [
        conn_id
    ]
    result = cli("disconnect", conn_id, "--json", "--yes")
    assert result.code == 0
    body = result.json()
    assert set(body) == {"connection_id", "success", "message"}
    assert body["connection_id"] == conn_id
    assert body["success"] is True

    assert cli("connections", "--json").json() == {"connections": []}
    human = cli("disconnect", conn_id, "-y")
    assert human.code == 1
    assert human.error_line.startswith("Error: 404 NOT_FOUND: ")


def test_disconnect_unknown_connection_is_one_error_line(cli: Callable[..., Result]) -> None:
    result = cli("disconnect", "no-such-connection", "--yes")
    assert result.code == 1
    line = result.error_line
    assert line.startswith("Error: 404 NOT_FOUND: ")
    assert re.search(r"\(request_id=[\w-]+\)$", line), line


def test_disconnect_without_an_id_is_bad_usage(cli: Callable[..., Result]) -> None:
    result = cli("disconnect")
    assert result.code == 2
    assert "Missing argument 'CONNECTION_ID'" in result.err


def test_a_disconnect_that_says_no_prints_one_json_document(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aionvision_cloud import CloudStorage

    real = CloudStorage.disconnect

    def refused(self: CloudStorage, connection_id: str) -> object:
        answer = real(self, connection_id)
        answer.success = False  # type: ignore[attr-defined]
        return answer

    monkeypatch.setattr(CloudStorage, "disconnect", refused)
    result = cli("disconnect", conn_id, "--yes", "--json")
    assert result.code == 1
    body = result.json()  # the command's own document, and no second one after it
    assert body["success"] is False
    assert result.error_line.startswith(f"Error: could not disconnect {conn_id}: ")
