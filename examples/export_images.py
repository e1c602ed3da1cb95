"""Export images from Aionvision into a new Drive folder and wait for the job.

AIONVISION_API_KEY=aion_... python examples/export_images.py CONNECTION_ID img_001 img_002
"""

import sys

from aionvision_cloud import Client
from aionvision_cloud.errors import JobFailedError

connection_id, image_ids = sys.argv[1], sys.argv[2:]

with Client.from_env() as client:
    try:
        result = client.cloud_storage.export_and_wait(
            connection_id, image_ids, folder_name="Aionvision Export", timeout=600
        )
    except JobFailedError as exc:
        job = exc.job
        raise SystemExit(f"Export {job.job_id} ended {job.status}: {job.error}") from None
    for job in result.jobs:
        print(f"{job.job_id}: {job.status}, {job.completed_files} done, {job.failed_files} failed")
