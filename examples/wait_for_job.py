"""Follow an import or export job until it ends.

    AIONVISION_API_KEY=aion_... python examples/wait_for_job.py job_550e8400

Polls quickly first, then less often; a cancelled job ends the wait too.
"""

import sys

from aionvision_cloud import Client, Job
from aionvision_cloud.errors import JobFailedError, JobTimeoutError


def show(job: Job) -> None:
    print(f"{job.status}: {job.completed_files}/{job.total_files} ({job.progress:.0%})")


with Client.from_env() as client:
    try:
        job = client.cloud_storage.wait_for_job(sys.argv[1], timeout=600, on_progress=show)
    except JobFailedError as exc:
        raise SystemExit(f"job ended {exc.job.status}: {exc.job.error}") from None
    except JobTimeoutError as exc:
        raise SystemExit(f"still running after {exc.timeout:g}s") from None
    print(f"done: {job.status} at {job.completed_at}")
