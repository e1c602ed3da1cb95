"""Browse a Drive folder through the picker proxy and import its images.

    AIONVISION_API_KEY=aion_... python examples/browse_and_import.py CONNECTION_ID FOLDER_ID

Files are listed lazily, page by page; the import is split into batches and waited for.
"""

import sys

from aionvision_cloud import Client, Progress

connection_id, folder_id = sys.argv[1], sys.argv[2]


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
