"""Browse a Drive folder through the picker proxy and import its images.

Run it with the project's interpreter. Against the local emulator (`make emulator` in another
terminal prints both variables; without AIONVISION_BASE_URL the script talks to the real service,
https://api.aionvision.tech/api/v2, with your own key):

    export AIONVISION_BASE_URL=http://127.0.0.1:8765/api/v2 AIONVISION_API_KEY=aion_emu_...
    .venv/bin/python examples/browse_and_import.py CONNECTION_ID FOLDER_ID

`aionvision-cloud connections` shows connection ids, `aionvision-cloud browse CONNECTION_ID`
folder ids. Files are listed lazily, page by page; the import is split into batches and waited
for.
"""

import argparse

from aionvision_cloud import Client, Progress

parser = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
)
parser.add_argument("connection_id", help="from `aionvision-cloud connections`")
parser.add_argument("folder_id", help="from `aionvision-cloud browse CONNECTION_ID`")
args = parser.parse_args()
connection_id, folder_id = args.connection_id, args.folder_id


def show(progress: Progress) -> None:
    print(f"\r{progress}", end="", flush=True)


with Client.from_env() as client:
    cs = client.cloud_storage
    files = list(cs.iter_drive_files(connection_id, folder_id=folder_id, mime_prefix="image/"))
    print(f"{len(files)} images in the folder")
    if not files:
        raise SystemExit(0)

    result = cs.import_and_wait(connection_id, files, tags=["drive"], on_progress=show)
    imported = sum(job.completed_files or 0 for job in result.jobs) + sum(
        len(batch.image_ids) for batch in result.batches if not batch.job_id
    )
    print(f"\nimport {result.status}: {imported} of {result.total_files} files imported")
    # Small imports answer with image ids; a background job reports counts (find its images
    # through the Files API).
    for image_id in result.image_ids[:10]:
        print(f"- {image_id}")
    for job in result.jobs:
        print(f"- job {job.job_id}: {job.completed_files} done, {job.failed_files} failed")
