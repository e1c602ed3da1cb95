"""Export images from Aionvision into a new Drive folder and wait for the job.

Run it with the project's interpreter. Against the local emulator (`make emulator` in another
terminal prints both variables; without AIONVISION_BASE_URL the script talks to the real service,
https://api.aionvision.tech/api/v2, with your own key):

    export AIONVISION_BASE_URL=http://127.0.0.1:8765/api/v2 AIONVISION_API_KEY=aion_emu_...
    .venv/bin/python examples/export_images.py CONNECTION_ID IMAGE_ID [IMAGE_ID ...]

Image ids come from an import: `aionvision-cloud import ... --json` lists the ids safe to
export (`image_ids`) and a record per file (`files`: its image id where the service tied one to
it, its outcome); `examples/browse_and_import.py` prints them too.
"""

import argparse
import sys

from aionvision_cloud import AionvisionError, Client
from aionvision_cloud.errors import JobFailedError

parser = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
)
parser.add_argument("connection_id", help="from `aionvision-cloud connections`")
parser.add_argument("image_ids", nargs="+", metavar="image_id", help="Aionvision image ids")
args = parser.parse_args()
connection_id, image_ids = args.connection_id, args.image_ids

try:
    with Client.from_env() as client:
        result = client.cloud_storage.export_and_wait(
            connection_id, image_ids, folder_name="Aionvision Export", timeout=600
        )
except JobFailedError as exc:
    job = exc.job
    sys.exit(f"Export {job.job_id} ended {job.status}: {job.error or 'no reason given'}")
except AionvisionError as exc:
    sys.exit(f"Export failed: {exc}")
for job in result.jobs:
    print(f"{job.job_id}: {job.status}, {job.completed_files} done, {job.failed_files} failed")
