"""One new Drive folder for an export with ``folder_name``, however many batches it takes.

The service makes a new folder for every request that carries ``folder_name``, so only the first
batch carries it; the later ones go by the folder's id. No answer names that id (the free-text
``message`` is no contract): the first batch's job reports the Drive files it made
(``cloud_file_ids``) once it has ended, and a file's ``parents``, read through the picker proxy,
is the new folder. Where that cannot be learned (a service that reports no file ids, a job whose
files all failed, a proxy that refuses), the later batches are not sent: ``ExportFolderError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._results import FOLDER_MIME_TYPE, id_tuple
from .errors import AionvisionError, ExportFolderError, NotFoundError

if TYPE_CHECKING:
    from ._journal import JournalOperation
    from ._models import ExportBatch, Job
    from .cloud_storage import CloudStorage

__all__ = ["ExportFolder", "find_export_folder", "folder_of"]

#: Files whose parents are asked for before giving up: one is enough unless it was removed.
_FILES_TRIED = 3


def find_export_folder(cs: CloudStorage, connection_id: str, job: Job) -> str:
    """The folder holding the files ``job`` (an ended export job) made in Drive.

    Raises:
        ExportFolderError: When the job names no file, or no file's folder can be read.
    """
    file_ids = id_tuple(job.cloud_file_ids)
    if not file_ids:
        raise ExportFolderError(
            f"export job {job.job_id} ended {job.status.value} without naming the Drive files it"
            " made (cloud_file_ids), so the folder it made cannot be found"
        )
    try:
        session = cs.get_picker_session(connection_id)
        for file_id in file_ids[:_FILES_TRIED]:
            try:
                drive_file = cs.picker_proxy(session, f"files/{file_id}", {"fields": "parents"})
            except NotFoundError:
                continue  # removed since: the next file says the same
            parents = id_tuple(drive_file.get("parents"))
            if not parents:
                continue
            # A folder, not something else the service put the files under.
            parent = cs.picker_proxy(session, f"files/{parents[0]}", {"fields": "mimeType"})
            if parent.get("mimeType") == FOLDER_MIME_TYPE:
                return parents[0]
    except AionvisionError as exc:
        raise ExportFolderError(
            f"the folder export job {job.job_id} made cannot be read through the picker proxy:"
            f" {exc}"
        ) from exc
    raise ExportFolderError(
        f"none of the Drive files export job {job.job_id} made names a folder it is in"
    )


class ExportFolder:
    """Where an export's batches go: ``folder_name`` for the first, the folder's id (learned
    once the first batch's job has ended, or recorded in the journal) for the rest."""

    def __init__(
        self,
        cs: CloudStorage,
        connection_id: str,
        folder_id: str | None,
        folder_name: str | None,
        op: JournalOperation | None,
        timeout: float | None,
    ) -> None:
        self._cs = cs
        self._cid = connection_id
        self._given = folder_id
        self.name = folder_name
        self._op = op
        self._timeout = timeout
        #: The new folder's id, once known (a re-run: from the journal).
        self.learned = op.folder_id() if op is not None and folder_name is not None else None

    @property
    def folder_id(self) -> str | None:
        """The folder the images go to: the new one once known, else the one given."""
        return self.learned if self.name is not None else self._given

    def fields(self) -> dict[str, str | None]:
        """What the next request carries instead of the call's own folder fields, if anything."""
        if self.learned is None:
            return {}
        return {"folder_id": self.learned, "folder_name": None}

    def before_batch(self, batches: Sequence[ExportBatch]) -> None:
        """Before each batch: once one went out with the name, learn the folder it made."""
        if self.name is None or self.learned is not None:
            return
        first = next((b for b in batches if b.job_id), None)
        if first is None:
            return  # nothing sent yet: this batch carries the name
        job = self._cs.wait_for_job(first.job_id, timeout=self._timeout, raise_on_failure=False)
        try:
            folder = find_export_folder(self._cs, self._cid, job)
        except ExportFolderError as exc:
            exc.message = (
                f"not sending the other batches of this export into a new folder named"
                f" {self.name!r}: {exc.message}; each batch sent with the name would make a folder"
                " of its own. Export into an existing folder (folder_id, --folder-id; the images"
                " sent so far are in the folder the first batch made) or send all the images in"
                " one batch (batch_size, --batch-size)"
            )
            exc.args = (exc.message,)
            raise
        self.remember(folder)

    def remember(self, folder: str) -> None:
        # In the journal before any batch goes by id: a re-run goes on into the same folder.
        if self._op is not None:
            self._op.set_folder_id(folder)
        self.learned = folder

    def look_up(self, jobs: Sequence[Job]) -> None:
        """After the wait: the new folder of a one-batch export too, when its job names it."""
        if self.name is None or self.learned is not None:
            return
        found = folder_of(self._cs, self._cid, jobs)
        if found is not None:
            self.remember(found)


def folder_of(cs: CloudStorage, connection_id: str, jobs: Sequence[Job]) -> str | None:
    """The folder of the first of ``jobs`` (ended) that names the files it made; None when none
    does or it cannot be read: after the export, nothing was scattered, it is only unknown."""
    job = next((j for j in jobs if id_tuple(j.cloud_file_ids)), None)
    if job is None:
        return None
    try:
        return find_export_folder(cs, connection_id, job)
    except ExportFolderError:
        return None
