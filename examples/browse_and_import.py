"""Browse a Drive folder through the picker proxy and import its images.

Run it with the project's interpreter. Against the local emulator (`make emulator` in another
terminal prints both variables; without AIONVISION_BASE_URL the script talks to the real service,
https://api.aionvision.tech/api/v2, with your own key):

    export AIONVISION_BASE_URL=http://127.0.0.1:8765/api/v2 AIONVISION_API_KEY=aion_emu_...
    .venv/bin/python examples/browse_and_import.py CONNECTION_ID 'Photos/Family'

The folder is a path like `My Drive/Photos/Family` (`My Drive/` may be left out; case does not
matter when only one folder matches) or a folder id; `aionvision-cloud connections` shows
connection ids, `aionvision-cloud browse CONNECTION_ID` folders. Files are listed lazily, page
by page; the import is split into batches and waited for. It prints the image ids to export,
or says plainly why the service gave none.
"""

import argparse
import sys

from aionvision_cloud import AionvisionError, Client, Progress

parser = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
)
parser.add_argument("connection_id", help="from `aionvision-cloud connections`")
parser.add_argument("folder", help="a folder path like 'Photos/Family', or a folder id")
args = parser.parse_args()
connection_id, folder = args.connection_id, args.folder


shown: list[Progress] = []


def show(progress: Progress) -> None:
    shown.append(progress)
    print(f"\r{progress}", end="", flush=True)


try:
    with Client.from_env() as client:
        cs = client.cloud_storage
        files = list(cs.iter_drive_files(connection_id, folder=folder, mime_prefix="image/"))
        print(f"{len(files)} images in the folder")
        if not files:
            sys.exit(0)
        result = cs.import_and_wait(connection_id, files, tags=["drive"], on_progress=show)
except AionvisionError as exc:  # a folder that is not there, a failed job, no key...
    sys.exit(f"\n{exc}" if shown else str(exc))

print(f"\nimport {result.status}: {result.completed_files} of {len(result.files)} files imported")
for image_id in result.image_ids[:10]:
    print(f"- {image_id}")
for f in result.failed:  # the files the service named, and why
    print(f"failed: {f.name}: {f.reason}")
for job in result.jobs:
    print(f"- job {job.job_id}: {job.completed_files} done, {job.failed_files} failed")
no_id = [f for f in result.files if f.outcome == "done" and not f.image_id]
if no_id and not result.image_ids:  # jobs that report counts only, as the API document shows
    jobs = ", ".join(dict.fromkeys(f"job {f.job_id}" for f in no_id if f.job_id))
    print(
        f"No image ids for {len(no_id)} files: the service ran them as {jobs} and answered no"
        " image ids. Find those images in your Aionvision library (tagged 'drive')."
    )
