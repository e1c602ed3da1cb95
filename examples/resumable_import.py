"""Import a whole Drive folder so that an interrupted run can simply be started again.

    AIONVISION_API_KEY=aion_... python examples/resumable_import.py CONNECTION_ID FOLDER_ID

The journal file records every batch before it is sent and when the service accepts it. After
an error, a Ctrl-C or a crash, run the same command again: accepted batches are not sent twice,
running jobs are followed again, only the rest goes out. If a batch was sent but its answer was
lost, the re-run stops and asks; add `resend` (it may be imported twice) or `skip` (its files
are reported as not imported) to the command.
"""

import sys

from aionvision_cloud import AionvisionError, Client, UncertainBatchError

connection_id, folder_id = sys.argv[1], sys.argv[2]
on_uncertain = sys.argv[3] if len(sys.argv) > 3 else "raise"
journal = f"import-{folder_id}.journal"

with Client.from_env() as client:
    cs = client.cloud_storage
    files = list(cs.iter_drive_files(connection_id, folder_id=folder_id, mime_prefix="image/"))
    try:
        result = cs.import_and_wait(
            connection_id, files, tags=["drive"], journal=journal, on_uncertain=on_uncertain
        )
    except UncertainBatchError as exc:
        print(exc)
        raise SystemExit(2) from None
    except AionvisionError as exc:
        print(f"stopped: {exc}")
        done = exc.partial  # what was accepted before the error, and what was not
        if done is not None:
            print(f"jobs accepted: {', '.join(done.job_ids) or 'none'}")
            if done.failed is not None:
                maybe = "may have been imported" if done.failed.uncertain else "not imported"
                print(f"failed batch: {len(done.failed.items)} files ({maybe})")
            print(f"files not sent: {len(done.not_sent)}")
        print(f"run the same command again to resume (journal: {journal})")
        raise SystemExit(1) from None
    print(
        f"import {result.status}: {len(result.final_image_ids)} images ready, "
        f"{len(result.pending_image_ids)} still in jobs, "
        f"{len(result.skipped_files)} files skipped"
    )
