"""However a run ends, the user knows where things stand: a stdout closed early (| head) ends
quietly, a full one says so in one line, an encoding that cannot show a name replaces it, a
signal while batches are sent waits for their job ids, and --json failures are JSON too."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cli_testkit import Result

from aionvision_cloud import CloudStorage
from aionvision_cloud.cli.signals import Interrupted, deferred, handling
from aionvision_cloud_emulator.server import RunningEmulator

ACCENTED = "Été à Zürich 🌞.jpg"


def env_of(emu: RunningEmulator, **more: str) -> dict[str, str]:
    return {
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
        "AIONVISION_CONFIG": os.environ["AIONVISION_CONFIG"],
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"],
        "PATH": "",
        **more,
    }


def run_into(
    console_script: list[str],
    args: list[str],
    env: dict[str, str],
    stdout: Any,
    encoding: str = "utf-8",
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*console_script, *args],
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        encoding=encoding,
        errors="strict",
        timeout=60,
        check=False,
    )


@pytest.fixture
def closed_pipe() -> Iterator[int]:
    """The write end of a pipe whose reader has gone: what '| head -0' leaves a writer."""
    read, write = os.pipe()
    os.close(read)
    yield write
    os.close(write)


# -- a closed stdout ------------------------------------------------------------------------------


def test_a_closed_pipe_ends_quietly_with_141(
    emu: RunningEmulator, conn_id: str, console_script: list[str], closed_pipe: int
) -> None:
    done = run_into(console_script, ["browse", conn_id], env_of(emu), closed_pipe)
    assert done.returncode == 141  # 128 + SIGPIPE, what a C tool's death by SIGPIPE reports
    # Only browse's own title on stderr: no "Error", no "(a bug)", no "Exception ignored".
    assert done.stderr == "My Drive  (folder id root)\n", done.stderr


def test_a_closed_pipe_after_jobs_were_created_still_names_them(
    emu: RunningEmulator, conn_id: str, console_script: list[str], closed_pipe: int
) -> None:
    args = ["import", conn_id, "--folder", "Photos/Family", "--json"]
    done = run_into(console_script, args, env_of(emu), closed_pipe)
    assert done.returncode == 141, done.stderr
    assert "Error" not in done.stderr
    assert "Traceback" not in done.stderr
    started = re.search(r"^Jobs started: (job_\w+)$", done.stderr, re.M)
    assert started, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"Follow them with: aionvision-cloud job {started[1]} --wait"
    )


def test_a_full_stdout_is_one_clear_line(
    emu: RunningEmulator, conn_id: str, console_script: list[str]
) -> None:
    args = ["import", conn_id, "--folder", "Photos/Family", "--json"]
    with open("/dev/full", "w") as full:
        done = run_into(console_script, args, env_of(emu), full)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "Error: cannot write the output to stdout: No space left on device"
    assert any(re.fullmatch(r"Jobs started: job_\w+", line) for line in lines), done.stderr
    assert "a bug" not in done.stderr
    assert "Traceback" not in done.stderr


# -- encodings ------------------------------------------------------------------------------------


@pytest.fixture
def accented_file(emu: RunningEmulator, conn_id: str) -> str:
    """A file in My Drive whose name a C locale cannot encode."""
    store = emu.emulator.store
    conn = store.connection(emu.api_key, conn_id)
    assert conn is not None
    file_id = "1AccentedNameFile00000000000000000"
    store.add_drive_file(
        {
            "id": file_id,
            "account": conn["email"],
            "parent": emu.emulator.drive_for(conn).tree.root_id,
            "name": ACCENTED,
            "mime_type": "image/jpeg",
            "size": 1234,
            "created_at": emu.emulator.now(),
        }
    )
    return file_id


@pytest.mark.parametrize(
    ("locale", "encoding", "shown"),
    [
        ({"PYTHONIOENCODING": "ascii"}, "ascii", "?t? ? Z?rich ?.jpg"),
        (
            {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
            "ascii",
            "?t? ? Z?rich ?.jpg",
        ),
        ({"PYTHONIOENCODING": "latin-1"}, "latin-1", "Été à Zürich ?.jpg"),
    ],
    ids=["ascii", "C", "latin-1"],
)
def test_any_stdout_encoding_works(
    emu: RunningEmulator,
    conn_id: str,
    console_script: list[str],
    accented_file: str,
    locale: dict[str, str],
    encoding: str,
    shown: str,
) -> None:
    env = env_of(emu, **locale)
    table = run_into(console_script, ["browse", conn_id], env, subprocess.PIPE, encoding)
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if line.startswith(accented_file))
    # What cannot be encoded is replaced; the id, the column that matters, is whole.
    assert row.split("\t")[:2] == [accented_file, shown]

    args = ["browse", conn_id, "--json"]
    as_json = run_into(console_script, args, env, subprocess.PIPE, encoding)
    assert as_json.returncode == 0, as_json.stderr
    # --json loses nothing: escapes read back as the very name.
    names = {f["id"]: f["name"] for f in json.loads(as_json.stdout)["files"]}
    assert names[accented_file] == ACCENTED


# -- a signal while batches are sent ---------------------------------------------------------------


def stop_in(body: Callable[[], None]) -> Interrupted | None:
    """Run ``body`` inside ``deferred()`` with the CLI's handlers; the stop it ended with."""
    with handling():
        try:
            with deferred():
                body()
        except Interrupted as exc:
            return exc
    return None


def test_deferred_holds_a_signal_until_its_end() -> None:
    reached: list[bool] = []

    def body() -> None:
        signal.raise_signal(signal.SIGTERM)
        reached.append(True)  # the body went on: a request in flight gets its answer

    stopped = stop_in(body)
    assert reached == [True]
    assert stopped is not None
    assert (stopped.signum, stopped.exit_code, stopped.name) == (signal.SIGTERM, 143, "SIGTERM")


def test_a_second_signal_stops_at_once() -> None:
    reached: list[bool] = []

    def body() -> None:
        signal.raise_signal(signal.SIGHUP)
        signal.raise_signal(signal.SIGHUP)
        reached.append(True)

    stopped = stop_in(body)
    assert reached == []
    assert stopped is not None
    assert stopped.exit_code == 129


def test_handling_puts_the_handlers_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with handling():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_while_importing_names_the_jobs_and_exits_143(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM lands while the batches are being sent: the sending finishes, then the run stops
    with the job ids the service gave, instead of losing them mid-request."""
    send = CloudStorage.import_files

    def stopped_midway(self: CloudStorage, *args: Any, **kwargs: Any) -> Any:
        signal.raise_signal(signal.SIGTERM)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(CloudStorage, "import_files", stopped_midway)
    result = cli("import", conn_id, "--folder", "Photos/Family", "--batch-size", "10", "--wait")
    assert result.code == 143, result.err
    assert result.out == ""
    # Batches of 10, 10 and 5: the two larger became jobs, the last was done at once.
    started = re.search(r"^Jobs started: (job_\w+), (job_\w+)$", result.err, re.M)
    assert started, result.err
    assert "Stopped (SIGTERM); the jobs go on." in result.err
    assert result.err.strip().splitlines()[-1] == (
        f"Follow them with: aionvision-cloud job {' '.join(started.groups())} --wait"
    )


def test_sigterm_under_json_prints_a_json_document(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = CloudStorage.import_files

    def stopped_midway(self: CloudStorage, *args: Any, **kwargs: Any) -> Any:
        signal.raise_signal(signal.SIGTERM)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(CloudStorage, "import_files", stopped_midway)
    result = cli("import", conn_id, "--folder", "Photos/Family", "--wait", "--json")
    assert result.code == 143, result.err
    # The import's own document, as --timeout prints it: the job ids as a list, how it ended.
    doc = result.json()
    assert "error" not in doc
    assert doc["stopped_by"] == "SIGTERM"
    assert doc["timed_out"] is False
    assert len(doc["job_ids"]) == 1
    assert doc["job_ids"][0].startswith("job_")
    assert [b["job_id"] for b in doc["batches"]] == doc["job_ids"]
    assert f"aionvision-cloud job {doc['job_ids'][0]} --wait" in result.err


def test_a_failure_after_some_batches_names_their_jobs(
    cli: Callable[..., Result], conn_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The network fails after two batches were accepted: the error line, and before it the
    jobs that run on (exc.partial), with the command that follows them."""
    from aionvision_cloud.errors import APIConnectionError

    send = CloudStorage.import_files

    def fails_after_two(self: CloudStorage, *args: Any, **kwargs: Any) -> Any:
        accepted = send(self, *args, **kwargs)
        exc = APIConnectionError("connection reset")
        exc.partial = accepted
        raise exc

    monkeypatch.setattr(CloudStorage, "import_files", fails_after_two)
    result = cli("import", conn_id, "--folder", "Photos/Family", "--batch-size", "10")
    assert result.code == 1
    assert result.error_line.startswith("Error: connection reset")
    started = re.search(r"^Jobs started: (job_\w+), (job_\w+)$", result.err, re.M)
    assert started, result.err
    assert f"Follow them with: aionvision-cloud job {' '.join(started.groups())} --wait" in (
        result.err
    )


# -- --json failures ------------------------------------------------------------------------------

ERROR_KEYS = {"type", "message", "status", "code", "request_id", "exit_code"}


def test_a_json_failure_is_a_json_document_too(cli: Callable[..., Result]) -> None:
    result = cli("job", "job_nope", "--json")
    assert result.code == 1
    error = result.json()["error"]
    assert set(error) == ERROR_KEYS
    assert error["type"] == "NotFoundError"
    assert (error["status"], error["code"], error["exit_code"]) == (404, "NOT_FOUND", 1)
    assert re.fullmatch(r"[\w-]+", error["request_id"])
    # The same words as the one line on stderr.
    assert result.error_line == "Error: " + error["message"]


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "import", "CONN"],  # our own usage check
        ["job", "--json", "--timeout", "3", "job_x"],  # --timeout without --wait
        ["job", "--json", "--bogus"],  # click's: an unknown option
    ],
)
def test_json_usage_errors_are_json_too(cli: Callable[..., Result], args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 2
    error = result.json()["error"]
    assert set(error) == ERROR_KEYS
    assert (error["type"], error["exit_code"], error["status"]) == ("UsageError", 2, None)
    assert error["message"]


def test_without_json_a_failure_prints_nothing_on_stdout(cli: Callable[..., Result]) -> None:
    result = cli("job", "job_nope")
    assert result.code == 1
    assert result.out == ""
