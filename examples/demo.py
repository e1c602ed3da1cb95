"""The whole flow from a terminal, against the local emulator: what `make demo` runs.

    make demo                      # or, once `make install` has run:
    .venv/bin/python examples/demo.py [--job-pace FILES_PER_SECOND]

Starts the emulator on a free 127.0.0.1 port (no account, nothing leaves the machine) and runs
the `aionvision-cloud` command line against it: connect (this script plays the browser: it opens
the consent URL the CLI prints, and the emulator's consent page approves at once), browse a
folder, import its images with the progress bar, export some back into a new folder, show the
jobs, disconnect. The emulator stops at the end, and also when a step fails or on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from aionvision_cloud_emulator.server import RunningEmulator, run_emulator

FOLDER = "My Drive/Photos/Vacation 2024"
EXPORT_FOLDER = "Aionvision demo export"
# Slow enough to watch the bar move for a few seconds, fast enough to stay well under a minute.
EMULATOR_KNOBS = {"job_pace": 5.0, "job_start_delay": 0.5}
# The service as users meet it today (picker answers wrapped in `data`, every import a job).
PROFILE = "service"


class StepFailed(Exception):
    pass


def cli_command() -> list[str]:
    # The console script sits next to the interpreter in a virtualenv (not resolved: a venv's
    # python is a symlink to the system one).
    script = Path(sys.executable).with_name("aionvision-cloud")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aionvision_cloud.cli"]


def bold(text: str) -> str:
    # Escape codes only for a person at a terminal, not in a CI log or a pipe.
    return f"\033[1m{text}\033[0m" if sys.stdout.isatty() else text


class Demo:
    def __init__(self, emu: RunningEmulator) -> None:
        self.emu = emu
        self.cli = cli_command()
        self.env = {
            **os.environ,
            "AIONVISION_API_KEY": emu.api_key,
            "AIONVISION_BASE_URL": emu.base_url,
        }

    def title(self, text: str, args: list[str]) -> None:
        print(f"\n{bold('== ' + text)}", flush=True)
        print("$ aionvision-cloud " + shlex.join(args), flush=True)

    def run(self, text: str, *args: str, json_out: bool = False) -> Any:
        """One CLI command; its progress bar and messages go straight to this terminal."""
        argv = [*args, "--json"] if json_out else list(args)
        self.title(text, argv)
        done = subprocess.run(  # noqa: S603 - our own CLI, arguments built here
            [*self.cli, *argv],
            env=self.env,
            stdout=subprocess.PIPE if json_out else None,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise StepFailed(f"'{text}' exited with {done.returncode}")
        return json.loads(done.stdout) if json_out else None

    def quietly(self, *args: str) -> Any:
        done = subprocess.run(  # noqa: S603 - our own CLI, arguments built here
            [*self.cli, *args, "--json"], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise StepFailed(f"'{shlex.join(args)}' exited with {done.returncode}: {done.stderr}")
        return json.loads(done.stdout)

    def connect(self) -> None:
        """`connect --no-browser` prints the consent URL; open it as a browser would."""
        args = ["connect", "--no-browser", "--timeout", "30"]
        self.title("Connect a Google Drive account (the emulator's)", args)
        proc = subprocess.Popen(  # noqa: S603 - our own CLI, arguments built here
            [*self.cli, *args], env=self.env, stderr=subprocess.PIPE, text=True
        )
        assert proc.stderr is not None
        for line in proc.stderr:
            sys.stderr.write(line)
            found = re.search(r"https?://\S+", line)
            if found:
                print("(demo: opening that URL as a browser would; the consent page approves)")
                with httpx.Client(follow_redirects=True, timeout=10) as browser:
                    page = browser.get(found.group(0))
                if page.status_code != 200:
                    raise StepFailed(f"the consent page answered {page.status_code}")
        if proc.wait() != 0:
            raise StepFailed(f"'connect' exited with {proc.returncode}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--job-pace",
        type=float,
        default=EMULATOR_KNOBS["job_pace"],
        help="files a second each emulated job processes (default %(default)s: a bar to watch)",
    )
    args = parser.parse_args()
    if args.job_pace <= 0:
        parser.error("--job-pace must be more than 0")
    knobs = {**EMULATOR_KNOBS, "job_pace": args.job_pace}
    started = time.monotonic()
    print("Starting the emulator on 127.0.0.1 (a free port)...", flush=True)
    try:
        with run_emulator(profile=PROFILE, **knobs) as emu:
            print(
                f"Emulator at {emu.base_url} (profile {emu.profile}); every command below "
                "gets it as AIONVISION_BASE_URL"
            )
            summary = flow(Demo(emu))
    except StepFailed as exc:
        print(f"\nDemo failed: {exc}. The emulator has stopped.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nDemo interrupted. The emulator has stopped.", file=sys.stderr)
        return 130
    print(f"\n{bold(f'Demo finished in {time.monotonic() - started:.1f} s.')} {summary}")
    print("The emulator has stopped. Run it yourself with: make emulator")
    return 0


def flow(demo: Demo) -> str:
    demo.connect()
    demo.run("The connections this API key has", "connections")
    conn = demo.quietly("connections")["connections"][0]
    cid = conn["id"]
    demo.run("Browse a folder: its sub-folders and their ids", "browse", cid, "--folder", "Photos")
    demo.run("Browse the folder to import", "browse", cid, "--folder", FOLDER, "--limit", "5")
    imported = demo.run(
        "Import its images: 3 batches, one progress bar",
        "import",
        cid,
        "--folder",
        FOLDER,
        "--images-only",
        "--tag",
        "demo",
        "--batch-size",
        "15",
        "--wait",
        json_out=True,
    )
    print(
        f"-> {imported['status']}: {imported['completed_files']} of {imported['total_files']} "
        f"files imported, {imported['failed_files']} failed, jobs {', '.join(imported['job_ids'])}"
    )
    # What a user has: the ids the import answered (the service announces them with each job).
    to_export = imported["image_ids"][:5]
    if not to_export:
        failed = "; ".join(f"{f['name']}: {f['reason']}" for f in imported["failed"])
        raise StepFailed(f"the import gave no image ids to export{': ' + failed if failed else ''}")
    exported = demo.run(
        "Export 5 of those images into a new Drive folder",
        "export",
        cid,
        *to_export,
        "--folder-name",
        EXPORT_FOLDER,
        "--wait",
        json_out=True,
    )
    print(f"-> {exported['status']}: {exported['message']}")
    job_ids = [*imported["job_ids"], *exported["job_ids"]]
    demo.run("The jobs", "job", *job_ids)
    jobs = demo.quietly("job", *job_ids)["jobs"]
    completed = sum(1 for j in jobs if j["status"] == "completed")
    demo.run("Disconnect", "disconnect", cid, "--yes")
    return (
        f"Connected {conn['provider_email']}, browsed 'My Drive/Photos', imported "
        f"{imported['completed_files']} of {imported['total_files']} images from '{FOLDER}' "
        f"in {len(imported['job_ids'])} jobs, exported {exported['completed_files']} of them "
        f"into the new folder '{EXPORT_FOLDER}'; {completed} of {len(jobs)} jobs completed; "
        "disconnected."
    )


if __name__ == "__main__":
    sys.exit(main())
