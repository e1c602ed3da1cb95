"""Every script in examples/ end to end, as a user runs it: a fresh interpreter, the key and base
URL in the environment, against the emulator in both profiles (the service as it runs today, and
the API document's shape)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from aionvision_cloud import Client
from aionvision_cloud_emulator.server import RunningEmulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = {"job_pace": 400.0, "job_start_delay": 0.05}
BOTH = [
    pytest.param("service", marks=pytest.mark.aionvision_emulator(profile="service", **FAST)),
    pytest.param("document", marks=pytest.mark.aionvision_emulator(profile="document", **FAST)),
]
# Every example, so that a new one without a test here fails this module.
COVERED = {
    "browse_and_import.py",
    "connect_google_drive.py",
    "demo.py",
    "export_images.py",
    "resumable_import.py",
    "wait_for_job.py",
}


def env_for(emu: RunningEmulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIONVISION_")}
    return {
        **env,
        "AIONVISION_API_KEY": emu.api_key,
        "AIONVISION_BASE_URL": emu.base_url,
        # Where resumable_import.py keeps its journal: the test's own folder, not the user's.
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "PYTHONUNBUFFERED": "1",
    }


def run(
    name: str, *args: str, emu: RunningEmulator, tmp_path: Path, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        env={**env_for(emu, tmp_path), **extra_env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_example_is_covered() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == COVERED


@pytest.mark.parametrize("profile", BOTH)
def test_connect_google_drive(
    aionvision_emulator: RunningEmulator, tmp_path: Path, profile: str
) -> None:
    # $BROWSER is what Python's webbrowser runs: here a "browser" that follows the consent URL.
    browser = tmp_path / "browser.py"
    browser.write_text(
        "import sys\n"
        "from aionvision_cloud_emulator.testing import visit_consent\n"
        "visit_consent(sys.argv[1])\n"
    )
    done = run(
        "connect_google_drive.py",
        emu=aionvision_emulator,
        tmp_path=tmp_path,
        BROWSER=f"{sys.executable} {browser} %s",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Connected emulated.user@gmail.com (new: True)"
    assert lines[1].startswith("- ")


@pytest.mark.parametrize("profile", BOTH)
def test_browse_and_import_takes_a_folder_path(
    aionvision_emulator: RunningEmulator,
    aionvision_connection_id: str,
    tmp_path: Path,
    profile: str,
) -> None:
    done = run(
        "browse_and_import.py",
        aionvision_connection_id,
        "Photos/Family",
        emu=aionvision_emulator,
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("25 images in the folder\n")
    assert "import completed: 25 of 25 files imported" in out
    if profile == "service":
        assert (
            len([line for line in out.splitlines() if line.startswith("- ") and "job" not in line])
            == 10
        )
        assert "No image ids" not in out
    else:
        assert "No image ids for 25 files: the service ran them as job " in out


def test_browse_and_import_a_missing_folder_is_one_line(
    aionvision_emulator: RunningEmulator, aionvision_connection_id: str, tmp_path: Path
) -> None:
    done = run(
        "browse_and_import.py",
        aionvision_connection_id,
        "Photos/Famly",
        emu=aionvision_emulator,
        tmp_path=tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr == "no folder 'Famly' in 'My Drive/Photos' (did you mean 'Family'?)\n"


@pytest.mark.parametrize("profile", BOTH)
def test_export_images(
    aionvision_emulator: RunningEmulator,
    aionvision_client: Client,
    aionvision_connection_id: str,
    tmp_path: Path,
    profile: str,
) -> None:
    cs = aionvision_client.cloud_storage
    files = list(cs.iter_drive_files(aionvision_connection_id, folder="Photos/Family"))[:3]
    imported = cs.import_and_wait(aionvision_connection_id, files)
    assert len(imported.image_ids) == 3  # at once (document) or announced (service)
    done = run(
        "export_images.py",
        aionvision_connection_id,
        *imported.image_ids,
        emu=aionvision_emulator,
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(": completed, 3 done, 0 failed\n")


@pytest.mark.parametrize("profile", BOTH)
def test_resumable_import_ends_with_the_ids_or_says_why_not(
    aionvision_emulator: RunningEmulator,
    aionvision_connection_id: str,
    tmp_path: Path,
    profile: str,
) -> None:
    args = ("resumable_import.py", aionvision_connection_id, "Photos/Vacation 2024")
    done = run(*args, emu=aionvision_emulator, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    journal = Path(lines[0].split("(journal: ")[1].rstrip(")"))
    assert journal.parent == tmp_path / "state" / "aionvision-cloud" / "journals"
    assert journal.exists()
    assert list(tmp_path.glob("*.journal")) == []  # nothing in the working directory
    assert "import completed: 40 of 40 files imported, 0 failed, 0 skipped" in lines
    if profile == "service":
        assert any(line.startswith("40 image ids, to export: ") for line in lines)
    else:
        assert lines[-1].startswith("No image ids for 40 files: the service ran them as job ")


@pytest.mark.aionvision_emulator(profile="service", job_pace=10.0, job_start_delay=0.05)
def test_resumable_import_ctrl_c_says_what_to_re_run(
    aionvision_emulator: RunningEmulator, aionvision_connection_id: str, tmp_path: Path
) -> None:
    args = [str(EXAMPLES / "resumable_import.py"), aionvision_connection_id, "Photos/Vacation 2024"]
    proc = subprocess.Popen(
        [sys.executable, *args],
        env=env_for(aionvision_emulator, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("importing 40 images")
        # The first progress line comes once every batch is accepted: interrupt the wait.
        assert proc.stdout.readline().startswith("0/40 files")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert err.startswith("interrupted: run python ")
    assert "'Photos/Vacation 2024' again to resume (journal: " in err

    again = run(*["resumable_import.py", *args[1:]], emu=aionvision_emulator, tmp_path=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "import completed: 40 of 40 files imported, 0 failed, 0 skipped" in again.stdout


@pytest.mark.parametrize("profile", BOTH)
def test_wait_for_job(
    aionvision_emulator: RunningEmulator,
    aionvision_client: Client,
    aionvision_connection_id: str,
    tmp_path: Path,
    profile: str,
) -> None:
    cs = aionvision_client.cloud_storage
    files = list(cs.iter_drive_files(aionvision_connection_id, folder="Photos/Family"))
    job_id = cs.import_files(aionvision_connection_id, files).job_id
    assert job_id is not None
    done = run("wait_for_job.py", job_id, emu=aionvision_emulator, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("done: completed at ")


def test_wait_for_an_unknown_job_is_one_line(
    aionvision_emulator: RunningEmulator, tmp_path: Path
) -> None:
    done = run("wait_for_job.py", "job_nope", emu=aionvision_emulator, tmp_path=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("cannot follow job_nope: 404 NOT_FOUND")


def test_demo(tmp_path: Path) -> None:
    # The demo starts its own emulator (service profile) and drives the CLI; the ids it exports
    # come from `import --json`, as a user's would. Its jobs at 100 files a second, not the
    # 5 that `make demo` shows a bar with: the flow is the same.
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py"), "--job-pace", "100"],
        env={k: v for k, v in os.environ.items() if not k.startswith("AIONVISION_")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "exported 5 of them into the new folder" in done.stdout
    # A user has no admin API on the real service: the demo must not lean on it.
    assert ".admin" not in (EXAMPLES / "demo.py").read_text()


@pytest.mark.parametrize("profile", BOTH)
def test_the_readmes_five_lines_import_one_folder(
    aionvision_emulator: RunningEmulator,
    aionvision_connection_id: str,
    monkeypatch: pytest.MonkeyPatch,
    profile: str,
) -> None:
    import re

    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Five lines\n.*?```python\n(.*?)```", readme, re.S)
    assert block is not None
    monkeypatch.setenv("AIONVISION_API_KEY", aionvision_emulator.api_key)
    monkeypatch.setenv("AIONVISION_BASE_URL", aionvision_emulator.base_url)
    names: dict[str, object] = {}
    exec(block.group(1), names)  # noqa: S102 - the README's own code
    result = names["result"]
    assert len(result.files) == 25  # type: ignore[attr-defined]  # one folder, not the Drive
    assert result.status == "completed"  # type: ignore[attr-defined]
