"""Import a whole Drive folder so that an interrupted run can simply be started again.

    export AIONVISION_API_KEY=aion_...          # and AIONVISION_BASE_URL for the emulator
    .venv/bin/python examples/resumable_import.py CONNECTION_ID 'Photos/Vacation 2024'

The folder is a path like `My Drive/Photos` (case aside) or a folder id. The journal file
records every batch before it is sent and when the service accepts it. After an error, a Ctrl-C
or a crash, run the same command again: accepted batches are not sent twice, running jobs are
followed again, only the rest goes out. If a batch was sent but its answer was lost, the re-run
stops and asks; add `--on-uncertain resend` (it may be imported twice) or `--on-uncertain skip`
(its files are reported as not imported).

Exit codes: 0 done, 1 an error, 2 a batch of an earlier run went unanswered (choose with
--on-uncertain), 130 Ctrl-C.

The journal lives in your per-user state folder, not in the working directory:
`$XDG_STATE_HOME/aionvision-cloud/journals/` (`~/.local/state/aionvision-cloud/journals/` when
XDG_STATE_HOME is unset; `%LOCALAPPDATA%\\aionvision-cloud\\journals\\` on Windows), one file
per connection and folder; `--journal PATH` puts it elsewhere. The script prints where it is.
"""

import argparse
import hashlib
import os
import shlex
import sys
from pathlib import Path
from typing import NoReturn

from aionvision_cloud import AionvisionError, Client, UncertainBatchError


def stop(message: str, code: int) -> NoReturn:
    """End in one line on stderr: what happened and what to run next."""
    print(message, file=sys.stderr)
    sys.exit(code)


def default_journal(connection_id: str, folder: str) -> Path:
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    # One journal per connection and folder; a path holds '/' and spaces, so a digest names it.
    digest = hashlib.sha256(f"{connection_id}\n{folder}".encode()).hexdigest()[:16]
    return base / "aionvision-cloud" / "journals" / f"import-{digest}.journal"


parser = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
)
parser.add_argument("connection_id", help="from `aionvision-cloud connections`")
parser.add_argument("folder", help="a folder path like 'My Drive/Photos', or a folder id")
parser.add_argument("--on-uncertain", choices=("raise", "resend", "skip"), default="raise")
parser.add_argument("--journal", type=Path, help="the journal file (default: see above)")
args = parser.parse_args()
journal = args.journal or default_journal(args.connection_id, args.folder)
journal.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
again = shlex.join(["python", *sys.argv])  # what to re-run, as it was run

try:
    with Client.from_env() as client:
        cs = client.cloud_storage
        files = list(
            cs.iter_drive_files(args.connection_id, folder=args.folder, mime_prefix="image/")
        )
        print(f"importing {len(files)} images (journal: {journal})", flush=True)
        result = cs.import_and_wait(
            args.connection_id,
            files,
            tags=["drive"],
            journal=journal,
            on_uncertain=args.on_uncertain,
            raise_on_failure=False,
            on_progress=lambda progress: print(progress, flush=True),
        )
except KeyboardInterrupt:
    stop(f"interrupted: run {again} again to resume (journal: {journal})", 130)
except UncertainBatchError as exc:
    stop(f"{exc}: run {again} --on-uncertain resend (or skip)", 2)
except AionvisionError as exc:
    done = exc.partial  # what was accepted before the error, and what was not
    so_far = ""
    if done is not None:
        so_far = f"; jobs accepted: {', '.join(done.job_ids) or 'none'}"
        stopped = done.journal.stopped
        if stopped is not None:
            maybe = "may have been imported" if stopped.uncertain else "not imported"
            so_far += f"; failed batch: {len(stopped.items)} files ({maybe})"
        so_far += f"; files not sent: {len(done.not_sent)}"
    stop(f"stopped: {exc}{so_far}; run {again} again to resume (journal: {journal})", 1)

print(
    f"import {result.status}: {result.completed_files} of {len(result.files)} files imported, "
    f"{result.failed_files} failed, {len(result.journal.skipped_files)} skipped"
)
ids = result.image_ids
if ids:
    print(f"{len(ids)} image ids, to export: {' '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}")
for f in result.failed:  # the files the service named, and why
    print(f"failed: {f.name}: {f.reason}")
no_id = [f for f in result.files if f.outcome == "done" and not f.image_id]
if no_id and not result.image_ids:  # jobs that report counts only, as the API document shows
    jobs = ", ".join(dict.fromkeys(f"job {f.job_id}" for f in no_id if f.job_id))
    print(
        f"No image ids for {len(no_id)} files: the service ran them as {jobs} and answered no"
        " image ids. Find those images in your Aionvision library (tagged 'drive')."
    )
