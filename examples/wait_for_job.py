"""Follow an import or export job until it ends.

Run it with the project's interpreter. Against the local emulator (`make emulator` in another
terminal prints both variables; without AIONVISION_BASE_URL the script talks to the real service,
https://api.aionvision.tech/api/v2, with your own key):

    export AIONVISION_BASE_URL=http://127.0.0.1:8765/api/v2 AIONVISION_API_KEY=aion_emu_...
    .venv/bin/python examples/wait_for_job.py JOB_ID

Polls quickly first, then less often; a cancelled job ends the wait too. Any error (an unknown
job, no key) ends it in one line and a non-zero exit; so does Ctrl-C (the job goes on).
"""

import argparse
import sys

from aionvision_cloud import AionvisionError, Client, Progress
from aionvision_cloud.errors import JobFailedError, JobTimeoutError

parser = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
)
parser.add_argument("job_id", help="from an import or export (`aionvision-cloud import ...`)")
args = parser.parse_args()


def show(progress: Progress) -> None:
    print(progress, flush=True)


try:
    with Client.from_env() as client:
        job = client.cloud_storage.wait_for_job(args.job_id, timeout=600, on_progress=show)
except JobFailedError as exc:
    sys.exit(f"job ended {exc.job.status}: {exc.job.error or 'no reason given'}")
except JobTimeoutError as exc:
    sys.exit(f"still running after {exc.timeout:g}s")
except AionvisionError as exc:
    sys.exit(f"cannot follow {args.job_id}: {exc}")
except KeyboardInterrupt:
    sys.exit(f"stopped waiting; the job goes on: run {sys.argv[0]} {args.job_id} again")
print(f"done: {job.status} at {job.completed_at}")
