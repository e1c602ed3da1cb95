"""job: show and follow jobs; the exit code follows their outcome; Ctrl-C during --wait."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable

import pytest
from cli_testkit import JOB_KEYS, Result, held_until_polled

from aionvision_cloud_emulator.server import RunningEmulator


def start_import(cli: Callable[..., Result], conn_id: str, folder: str) -> list[str]:
    body = cli("import", conn_id, "--folder", folder, "--json").json()
    return list(body["job_ids"])


def test_job_shows_a_table_and_json(cli: Callable[..., Result], conn_id: str) -> None:
    (job_id,) = start_import(cli, conn_id, "Photos/Screenshots")
    assert cli("job", job_id, "--wait").code == 0
    result = cli("job", job_id)
    assert result.code == 0
    fields = result.out.strip().split("\t")
    assert fields[:6] == [job_id, "import", "completed", "15", "0", "15"]

    body = cli("job", job_id, job_id, "--json").json()
    assert set(body) == {"status", "jobs", "waited", "timed_out", "stopped_by"}
    assert body["status"] == "completed"
    # The same id twice is shown once.
    assert [j["job_id"] for j in body["jobs"]] == [job_id]
    assert set(body["jobs"][0]) == JOB_KEYS
    assert body["jobs"][0]["connection_id"] == conn_id


def test_job_wait_follows_several_jobs(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    with held_until_polled(emu, polls=2):  # `job` reads both before it waits
        ids = start_import(cli, conn_id, "Photos/Screenshots") + start_import(
            cli, conn_id, "Photos/Family"
        )
        result = cli("job", *ids, "--wait", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["waited"] is True
    assert [j["status"] for j in body["jobs"]] == ["completed", "completed"]
    assert "Waiting: 40/40 files done, 0 failed, 2/2 jobs finished" in result.err


@pytest.mark.parametrize(
    ("folder", "code", "status"),
    [("Mixed", 3, "partial"), ("Documents", 3, "partial")],
)
def test_job_exit_code_follows_partial(
    cli: Callable[..., Result], conn_id: str, folder: str, code: int, status: str
) -> None:
    ids = start_import(cli, conn_id, folder)
    result = cli("job", *ids, "--wait", "--json")
    assert result.code == code
    assert result.json()["status"] == status


def test_job_cancelled_exits_4(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    emu.admin.configure(job_pace=0.5, job_start_delay=0)
    (job_id,) = start_import(cli, conn_id, "Photos/Vacation 2024")
    emu.admin.cancel_job(job_id)
    result = cli("job", job_id, "--wait")
    assert result.code == 4
    assert "\tcancelled\t" in result.out
    assert cli("job", job_id, "--json").json()["status"] == "cancelled"


def test_job_running_without_wait_exits_0_and_times_out_with_wait(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    emu.admin.configure(job_pace=0.5)
    (job_id,) = start_import(cli, conn_id, "Photos/Vacation 2024")
    shown = cli("job", job_id, "--json")
    assert shown.code == 0
    assert shown.json()["status"] in ("pending", "in_progress")

    waited = cli("job", job_id, "--wait", "--timeout", "0.2", "--json")
    assert waited.code == 5
    assert waited.json()["timed_out"] is True
    assert waited.error_line == (
        f"Error: timed out after 0.2s; still running: {job_id}. "
        f"Follow them with: aionvision-cloud job {job_id} --wait"
    )


def test_job_unknown_id_is_one_error_line(cli: Callable[..., Result]) -> None:
    result = cli("job", "job_nope")
    assert result.code == 1
    assert result.error_line.startswith("Error: 404 NOT_FOUND: Job 'job_nope' not found")
    assert "(request_id=" in result.error_line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Missing argument 'JOB_ID...'"),
        (["job_1", "--timeout", "5"], "--timeout only applies with --wait"),
        (["job_1", "--wait", "--timeout", "soon"], "Invalid value for '--timeout'"),
    ],
)
def test_job_bad_usage(cli: Callable[..., Result], args: list[str], message: str) -> None:
    result = cli("job", *args)
    assert result.code == 2
    assert message in result.err


@pytest.mark.parametrize(
    ("signum", "code", "by"),
    [
        (signal.SIGINT, 130, ""),  # Ctrl-C
        (signal.SIGTERM, 143, " (SIGTERM)"),  # timeout(1), a CI cancel, docker stop
        (signal.SIGHUP, 129, " (SIGHUP)"),  # the terminal closed
    ],
)
def test_a_stop_during_wait_names_the_running_jobs(
    emu: RunningEmulator,
    cli: Callable[..., Result],
    conn_id: str,
    console_script: list[str],
    signum: int,
    code: int,
    by: str,
) -> None:
    """The real console script in its own process, stopped as a terminal's Ctrl-C, timeout(1)
    or a closed terminal would: each exits 128 + the signal's number, naming the jobs."""
    emu.admin.configure(job_pace=0.5)
    env = {
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
        "AIONVISION_CONFIG": os.environ["AIONVISION_CONFIG"],
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"],
        "PATH": "",
    }
    proc = subprocess.Popen(
        [*console_script, "import", conn_id, "--folder", "Photos/Family", "--wait"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    # The first progress line says the jobs exist and the wait has begun.
    seen = ""
    deadline = time.monotonic() + 30
    while "Importing:" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    assert "Importing:" in seen
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, seen + err
    assert out == ""  # no summary of a wait that did not end
    running = [line for line in err.splitlines() if line.startswith("Still running")]
    assert len(running) == 1
    stopped = rf"Stopped waiting{re.escape(by)} at \d+/25 files \(0 failed\); the jobs go on\."
    assert re.search(stopped, err), err
    job_id = running[0].split(": ")[1]
    assert err.strip().splitlines()[-1] == f"Follow them with: aionvision-cloud job {job_id} --wait"
    assert "Traceback" not in err
    # Stopping the wait did not stop the job.
    assert cli("job", job_id, "--json").json()["jobs"][0]["status"] in ("pending", "in_progress")


@pytest.mark.parametrize(
    ("signum", "code", "name"),
    [
        (signal.SIGINT, 130, "SIGINT"),
        (signal.SIGTERM, 143, "SIGTERM"),
        (signal.SIGHUP, 129, "SIGHUP"),
    ],
)
def test_a_stop_during_wait_under_json_prints_the_whole_document(
    emu: RunningEmulator,
    conn_id: str,
    console_script: list[str],
    signum: int,
    code: int,
    name: str,
) -> None:
    """Under --json every way out is one document: a stop by signal prints what --timeout
    prints (job ids as a list, a record per file, the ids announced so far), saying how it
    ended."""
    emu.admin.configure(job_pace=0.5, async_image_ids=True)
    env = {
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
        "AIONVISION_CONFIG": os.environ["AIONVISION_CONFIG"],
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"],
        "PATH": "",
    }
    proc = subprocess.Popen(
        [*console_script, "import", conn_id, "--folder", "Photos/Family", "--wait", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + 30
    while "Importing:" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    assert "Importing:" in seen
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, seen + err
    doc = json.loads(out)  # one document, nothing after it
    assert "error" not in doc
    assert (doc["stopped_by"], doc["timed_out"], doc["waited"]) == (name, False, True)
    assert len(doc["job_ids"]) == 1
    # Announced with the job, known before it ends, but not safe to export until it does.
    assert len([i for b in doc["batches"] for i in b["image_ids"]]) == 25
    assert doc["image_ids"] == []
    assert [f["outcome"] for f in doc["files"]] == ["unknown"] * 25
    assert doc["status"] in ("pending", "in_progress")


def test_sigterm_during_job_wait_names_the_jobs(
    emu: RunningEmulator,
    cli: Callable[..., Result],
    conn_id: str,
    console_script: list[str],
) -> None:
    """`job --wait`, stopped as `timeout 10 aionvision-cloud job ID --wait` would stop it."""
    emu.admin.configure(job_pace=0.5)
    (job_id,) = start_import(cli, conn_id, "Photos/Family")
    env = {
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
        "AIONVISION_CONFIG": os.environ["AIONVISION_CONFIG"],
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"],
        "PATH": "",
    }
    proc = subprocess.Popen(
        [*console_script, "job", job_id, "--wait"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + 30
    while "Waiting:" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    assert "Waiting:" in seen
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, seen + err
    assert out == ""
    assert f"Still running: {job_id}" in err
    assert err.strip().splitlines()[-1] == f"Follow them with: aionvision-cloud job {job_id} --wait"
