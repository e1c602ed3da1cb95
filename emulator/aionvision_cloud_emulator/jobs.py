"""Imports and exports: per-file outcomes, job creation, and the background runner.

Under the `service` profile every import is a job that announces its placeholder image ids
(UUIDs) at once, job ids are `job_<uuid>`, and an export job carries `cloud_file_ids`: null
while it runs, the Drive file ids it created once it has ended.

Backend states are `pending` -> `processing` -> `completed` / `completed_with_errors` /
`failed` (or `cancelled` through the admin API); answers normalize them as the service does.
Each runner step (some files plus the job's counters) is one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from .clock import iso
from .core import Emulator, log
from .drive import FOLDER, DriveError, DriveView
from .errors import ApiError
from .state import ACTIVE_STATES, Row

#: Backend spellings the API answers differently.
NORMALIZED = {"processing": "in_progress", "completed_with_errors": "partial"}
TERMINAL = ("completed", "completed_with_errors", "failed", "cancelled")
# A job's error names this many failed files and their reasons, then counts the rest.
MAX_REASONS = 5


def normalize(status: str) -> str:
    return NORMALIZED.get(status, status)


def job_body(row: Row) -> dict[str, Any]:
    body = {
        "job_id": row["id"],
        "type": row["type"],
        "status": normalize(row["status"]),
        "connection_id": row["connection_id"],
        "provider": row["provider"],
        "total_files": row["total"],
        "completed_files": row["completed"],
        "failed_files": row["failed"],
        "error": row["error"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "completed_at": iso(row["completed_at"]) if row["completed_at"] is not None else None,
    }
    # Only service-profile export jobs carry the key (their params say so), so a document-profile
    # job answers exactly as before.
    if row["params"].get("cloud_file_ids"):
        found = row.get("cloud_file_ids")
        body["cloud_file_ids"] = json.loads(found) if found is not None else None
    return body


def check_batch(emu: Emulator, count: int, field: str) -> None:
    limit = emu.config.batch_limit
    if count > limit:
        raise ApiError(
            422,
            "BATCH_LIMIT_EXCEEDED",
            f"Too many files: {count} in one request, at most {limit} allowed; "
            "split the request into batches",
            {"field": field, "count": count, "max": limit},
        )


# --- per-file outcomes -------------------------------------------------------------------------


def import_one(
    emu: Emulator, job_key: str, conn: Row, view: DriveView, item: dict[str, Any]
) -> tuple[bool, str]:
    """(True, image id) or (False, why); deterministic for the same file."""
    try:
        f = view.get(str(item["id"]))
    except DriveError:
        return False, f"File {item['id']} not found in Google Drive"
    if f.mime_type == FOLDER:
        return False, f"{f.name} is a folder"
    if f.mime_type.startswith("application/vnd.google-apps."):
        return False, f"{f.name} is a Google Docs Editors file (export it first)"
    if "corrupt" in f.name.lower() or "corrupt" in str(item.get("name", "")).lower():
        return False, f"{f.name} is corrupt or not a readable file"
    # An id announced when the job was created is kept, so the announcement stays true.
    image_id = str(item.get("_image_id") or emu.store.next_id("img_"))
    emu.store.add_image(
        {
            "id": image_id,
            "api_key": job_key,
            "connection_id": conn["id"],
            "name": f.name,
            "mime_type": f.mime_type,
            "size": f.size or 0,
            "source_file_id": f.id,
            "tags": item.get("tags") or [],
            "collection_id": item.get("collection_id"),
            "created_at": emu.now(),
        }
    )
    return True, image_id


def export_one(
    emu: Emulator, job_key: str, conn: Row, folder_id: str, image_id: str
) -> tuple[bool, str]:
    image = emu.store.image(job_key, image_id)
    if image is None:
        return False, f"Image {image_id} not found"
    file_id = "1" + emu.store.next_id("", 32)
    emu.counters.exported(image_id)
    emu.store.add_drive_file(
        {
            "id": file_id,
            "account": conn["email"],
            "parent": folder_id,
            "name": image["name"],
            "mime_type": image["mime_type"],
            "size": image["size"],
            "created_at": emu.now(),
        }
    )
    return True, file_id


# --- requests ----------------------------------------------------------------------------------


def live_connection(emu: Emulator, api_key: str, conn_id: str) -> Row:
    conn = emu.store.connection(api_key, conn_id)
    if conn is None:
        raise ApiError(
            404, "NOT_FOUND", f"Connection {conn_id!r} not found", {"resource": "connection"}
        )
    return conn


def start_import(emu: Emulator, api_key: str, body: dict[str, Any]) -> dict[str, Any]:
    files: list[dict[str, Any]] = body["files"]
    check_batch(emu, len(files), "files")
    conn = live_connection(emu, api_key, body["connection_id"])
    now = emu.now()
    emu.store.touch_connection(conn["id"], now)
    extras = {"tags": body.get("tags") or [], "collection_id": body.get("collection_id")}
    if not emu.config.service and len(files) <= emu.config.sync_import_limit:
        view = emu.drive_for(conn)
        image_ids: list[str] = []
        failures: list[str] = []
        with emu.store.transaction():
            for item in files:
                ok, out = import_one(emu, api_key, conn, view, {**item, **extras})
                (image_ids if ok else failures).append(out)
        message = f"{len(image_ids)} files imported successfully"
        if failures:
            message = f"{len(image_ids)} of {len(files)} files imported; failed: " + "; ".join(
                failures
            )
        return {
            "image_ids": image_ids,
            "job_id": None,
            "status": None,
            "total_files": len(files),
            "is_async": False,
            "message": message,
        }
    items = [{**f, **extras} for f in files]
    announced: list[str] | None = None
    if emu.config.service:
        # The service answers its placeholder ids at once; here each becomes its image's id when
        # the file arrives, and a file that fails leaves its id unused.
        announced = [emu.store.next_uuid() for _ in items]
    elif emu.config.async_image_ids:
        announced = [emu.store.next_id("img_") for _ in items]
    if announced is not None:
        items = [{**item, "_image_id": i} for item, i in zip(items, announced, strict=True)]
    job = _create_job(emu, api_key, "import", conn, items, {})
    return {
        "image_ids": announced,
        "job_id": job["id"],
        "status": normalize(job["status"]),
        "total_files": len(files),
        "is_async": True,
        "message": f"Importing {len(files)} files" if emu.config.service else "Import job created",
    }


def start_export(emu: Emulator, api_key: str, body: dict[str, Any]) -> dict[str, Any]:
    image_ids: list[str] = body["image_ids"]
    check_batch(emu, len(image_ids), "image_ids")
    conn = live_connection(emu, api_key, body["connection_id"])
    view = emu.drive_for(conn)
    now = emu.now()
    with emu.store.transaction():
        parent = view.tree.root_id
        if body.get("folder_id"):
            try:
                target = view.get(str(body["folder_id"]))
            except DriveError:
                raise ApiError(
                    404,
                    "NOT_FOUND",
                    f"Drive folder {body['folder_id']!r} not found",
                    {"field": "folder_id"},
                ) from None
            if target.mime_type != FOLDER or target.trashed:
                raise ApiError(
                    422,
                    "VALIDATION_ERROR",
                    f"{target.name!r} is not a folder",
                    {"field": "folder_id"},
                )
            parent = target.id
        folder_id = parent
        where = "the chosen folder" if body.get("folder_id") else "My Drive"
        if body.get("folder_name"):
            folder_id = "1" + emu.store.next_id("", 32)
            emu.store.add_drive_file(
                {
                    "id": folder_id,
                    "account": conn["email"],
                    "parent": parent,
                    "name": body["folder_name"],
                    "mime_type": FOLDER,
                    "size": None,
                    "created_at": now,
                }
            )
            where = f"new folder {body['folder_name']!r}"
        emu.store.touch_connection(conn["id"], now)
        params: dict[str, Any] = {"folder_id": folder_id}
        if emu.config.service:
            params["cloud_file_ids"] = True
        job = _create_job(emu, api_key, "export", conn, list(image_ids), params)
    answer: dict[str, Any] = {
        "job_id": job["id"],
        "job_status": normalize(job["status"]),
        "is_async": True,
        "message": f"Export job created; files go to {where} (folder id {folder_id})",
    }
    if emu.config.service:
        answer["cloud_file_ids"] = None  # known once the job has ended: see get_job
    return answer


def _create_job(
    emu: Emulator, api_key: str, kind: str, conn: Row, items: list[Any], params: dict[str, Any]
) -> Row:
    now = emu.now()
    job_id = "job_" + emu.store.next_uuid() if emu.config.service else emu.store.next_id("job_", 12)
    row = {
        "id": job_id,
        "api_key": api_key,
        "type": kind,
        "connection_id": conn["id"],
        "provider": conn["provider"],
        "status": "pending",
        "total": len(items),
        "created_at": now,
        "updated_at": now,
        "params": params,
    }
    emu.store.add_job(row, items)
    return {**row, "completed": 0, "failed": 0, "error": None, "completed_at": None}


def ended(emu: Emulator, job: Row) -> dict[str, Any]:
    """Extra columns a job gets when it ends: an export's Drive file ids, if it reports them."""
    if not job["params"].get("cloud_file_ids"):
        return {}
    created = [str(i["result"]) for i in emu.store.job_items(job["id"]) if i["state"] == "done"]
    return {"cloud_file_ids": json.dumps(created)}


def cancel(emu: Emulator, job_id: str) -> Row:
    with emu.store.transaction():
        job = emu.store.job(None, job_id)
        if job is None:
            raise ApiError(404, "NOT_FOUND", f"Job {job_id!r} not found")
        if job["status"] not in ACTIVE_STATES:
            raise ApiError(409, "CONFLICT", f"Job {job_id!r} is already {normalize(job['status'])}")
        now = max(emu.now(), job["updated_at"])
        emu.store.update_job(
            job_id,
            status="cancelled",
            updated_at=now,
            completed_at=now,
            error="Cancelled through the admin API",
            **ended(emu, job),
        )
        found = emu.store.job(None, job_id)
    assert found is not None
    return found


def failure_reasons(emu: Emulator, job: Row) -> str:
    """Why files failed, in item order, for the job's ``error``: the service's only per-file
    word, so a user can tell which files to look at. A few are named; the rest are counted."""
    reasons = [str(i["error"]) for i in emu.store.job_items(job["id"]) if i["state"] == "failed"]
    shown = "; ".join(reasons[:MAX_REASONS])
    more = len(reasons) - MAX_REASONS
    return shown + (f"; and {more} more" if more > 0 else "")


# --- the runner --------------------------------------------------------------------------------


class JobRunner:
    """Moves jobs along at `job_pace` files per second on the server's event loop."""

    TICK = 0.02

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._budget: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            # Advance by the time that really passed, not by TICK: on a busy machine a tick runs
            # late, and the pace (files per second) must still hold for time-scaled benchmarks.
            now = loop.time()
            try:
                self.tick(min(now - last, 1.0))
            except Exception:
                log.exception("job runner step failed")
            last = now
            await asyncio.sleep(self.TICK)

    def tick(self, dt: float) -> None:
        active = self.emu.store.active_jobs()
        live = {j["id"] for j in active}
        for gone in set(self._budget) - live:
            del self._budget[gone]
        for job in active:
            self._advance(job, dt)

    def _advance(self, job: Row, dt: float) -> None:
        emu = self.emu
        now = max(emu.now(), job["updated_at"])  # never let updated_at go backwards
        if job["status"] == "pending":
            if emu.now() - job["created_at"] >= emu.config.job_start_delay:
                emu.store.update_job(job["id"], status="processing", started_at=now, updated_at=now)
                self._budget[job["id"]] = 0.0
            return
        budget = self._budget.get(job["id"], 0.0) + dt * emu.config.job_pace
        count = int(budget)
        self._budget[job["id"]] = budget - count
        if count == 0:
            return
        with emu.store.transaction():
            # Re-read inside the transaction: a cancel may have landed since the tick began.
            fresh = emu.store.job(None, job["id"])
            if fresh is None or fresh["status"] != "processing":
                return
            job = fresh
            conn = emu.store.connection(job["api_key"], job["connection_id"])
            lost = None
            if conn is None:
                lost = "The connection was disconnected while the job ran"
            elif conn["grant_revoked"]:
                lost = "Google authorization of the connection was revoked; connect it again"
            if conn is None or lost is not None:
                emu.store.update_job(
                    job["id"],
                    status="failed",
                    error=lost,
                    updated_at=now,
                    completed_at=now,
                    **ended(emu, job),
                )
                return
            view = emu.drive_for(conn) if job["type"] == "import" else None
            done, failed = job["completed"], job["failed"]
            for item in emu.store.pending_items(job["id"], count):
                if view is not None:
                    ok, out = import_one(emu, job["api_key"], conn, view, item["payload"])
                else:
                    ok, out = export_one(
                        emu, job["api_key"], conn, job["params"]["folder_id"], item["payload"]
                    )
                emu.store.finish_item(
                    job["id"], item["idx"], ok, out if ok else None, None if ok else out
                )
                done, failed = done + ok, failed + (not ok)
            fields: dict[str, Any] = {"completed": done, "failed": failed, "updated_at": now}
            if done + failed >= job["total"]:
                fields["completed_at"] = now
                fields.update(ended(emu, job))
                if failed == 0:
                    fields["status"] = "completed"
                elif done == 0:
                    fields["status"] = "failed"
                    fields["error"] = f"All {failed} files failed: {failure_reasons(emu, job)}"
                else:
                    fields["status"] = "completed_with_errors"
                    fields["error"] = (
                        f"{failed} of {job['total']} files failed: {failure_reasons(emu, job)}"
                    )
            emu.store.update_job(job["id"], **fields)
