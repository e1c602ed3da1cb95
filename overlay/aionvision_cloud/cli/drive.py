"""Google Drive from the command line, through the picker proxy: the ``browse`` command, and
folder paths to ids, files by id, and the files an import takes from a folder."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import attrs
import typer

from aionvision_cloud import CloudFile, NotFoundError
from aionvision_cloud.errors import AuthenticationError

from .output import FOLDER_MIME_TYPE, CliError, Table, file_json, human_size, print_json, short_time
from .root import (
    DefaultConnectionArg,
    JsonOpt,
    VerboseOpt,
    app,
    connection_of,
    make_client,
    note,
    out,
    settings_of,
)

if TYPE_CHECKING:
    from aionvision_cloud import CloudStorage, PickerSession

__all__ = ["DriveBrowser", "Folder", "browse", "is_root"]

_DRIVE_ID = re.compile(r"[A-Za-z0-9_-]+")
ROOT = "root"
ROOT_NAME = "My Drive"
_FILE_FIELDS = "id, name, mimeType, size, parents, modifiedTime"


@attrs.frozen
class Folder:
    id: str
    #: What the user sees: ``My Drive/Photos/2024``, or the folder's name when given by id.
    path: str


def is_root(spec: str) -> bool:
    return spec.strip().strip("/") in ("", ROOT, ROOT_NAME)


def _segments(spec: str) -> list[str]:
    parts = [p for p in spec.strip().split("/") if p.strip()]
    if parts and parts[0] == ROOT_NAME:
        parts = parts[1:]
    return parts


class DriveBrowser:
    """One connection's Drive; holds one picker session for its lookups."""

    def __init__(self, cs: CloudStorage, connection_id: str) -> None:
        self._cs = cs
        self._cid = connection_id
        self._session: PickerSession | None = None

    def _proxy_file(self, file_id: str) -> dict[str, object]:
        if self._session is None:
            self._session = self._cs.get_picker_session(self._cid)
        params = {"fields": _FILE_FIELDS}
        try:
            return self._cs.picker_proxy(self._session, f"files/{file_id}", params)
        except AuthenticationError:
            # The proxy answers 401 once a picker session has expired: renew once.
            self._session = self._cs.get_picker_session(self._cid)
            return self._cs.picker_proxy(self._session, f"files/{file_id}", params)

    def lookup(self, file_id: str) -> CloudFile | None:
        """The Drive file with this id, or None when Drive has none."""
        if not _DRIVE_ID.fullmatch(file_id):
            return None
        try:
            return CloudFile.from_drive(self._proxy_file(file_id))
        except NotFoundError:
            return None

    def children(
        self,
        folder_id: str,
        *,
        mime_prefix: str | None = None,
        include_folders: bool = True,
        page_size: int = 1000,
    ) -> Iterator[CloudFile]:
        return self._cs.iter_drive_files(
            self._cid,
            folder_id=folder_id,
            mime_prefix=mime_prefix,
            include_folders=include_folders,
            page_size=page_size,
        )

    def _subfolders(self, folder_id: str) -> Iterator[CloudFile]:
        return self.children(folder_id, mime_prefix=FOLDER_MIME_TYPE)

    def resolve(self, spec: str) -> Folder:
        """``root``, a folder id, or a path like ``My Drive/Photos/2024`` (``My Drive/`` may be
        left out) to a folder. A bare word is tried as an id first, then as a folder name in
        My Drive."""
        if is_root(spec):
            return Folder(ROOT, ROOT_NAME)
        spec = spec.strip()
        if "/" not in spec and _DRIVE_ID.fullmatch(spec):
            found = self.lookup(spec)
            if found is not None:
                if not found.is_folder:
                    raise CliError(f"{found.name!r} ({spec}) is a file, not a folder", 2)
                return Folder(found.id, found.name or spec)
        parent = Folder(ROOT, ROOT_NAME)
        as_id = "/" not in spec and _DRIVE_ID.fullmatch(spec) is not None
        for name in _segments(spec):
            matches = [f for f in self._subfolders(parent.id) if f.name == name]
            if not matches:
                nor_id = f" and no Drive folder has the id {spec!r}" if as_id else ""
                raise CliError(
                    f"no folder {name!r} in {parent.path!r}{nor_id}; see what is there with: "
                    f"aionvision-cloud browse {self._cid} --folder {_quote(parent.path)}",
                    1,
                )
            if len(matches) > 1:
                ids = ", ".join(m.id for m in matches)
                raise CliError(
                    f"{len(matches)} folders named {name!r} in {parent.path!r} ({ids}); "
                    "pass the id of the one you mean",
                    2,
                )
            parent = Folder(matches[0].id, f"{parent.path}/{name}")
        return parent

    def files_in(self, folder: Folder, *, recursive: bool, images_only: bool) -> list[CloudFile]:
        """The files an import of ``folder`` takes (sub-folders' too when ``recursive``)."""
        out: list[CloudFile] = []
        todo = [folder.id]
        # Drive lets a folder sit in several parents: never walk one twice.
        seen = set(todo)
        while todo:
            current = todo.pop(0)
            out.extend(
                self.children(
                    current,
                    mime_prefix="image/" if images_only else None,
                    include_folders=False,
                )
            )
            if recursive:
                for sub in self._subfolders(current):
                    if sub.id not in seen:
                        seen.add(sub.id)
                        todo.append(sub.id)
        return out


def _quote(text: str) -> str:
    return shlex.quote(text)


@app.command()
def browse(
    ctx: typer.Context,
    connection_id: DefaultConnectionArg = None,
    folder: Annotated[
        str,
        typer.Option(
            "--folder",
            metavar="ID|PATH",
            help="'root', a folder id, or a path like 'My Drive/Photos/2024'.",
        ),
    ] = "root",
    images_only: Annotated[
        bool, typer.Option("--images-only", help="List images only (no folders).")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=100000, help="List at most N entries.")
    ] = 100,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """List a Drive folder's files and sub-folders, with the ids the other commands take.

    Piped, one tab-separated line per entry: ID, NAME, TYPE, SIZE, MODIFIED (cut -f1: the ids).

    \b
    --json prints:
      {"connection_id", "folder": {"id", "path"},
       "files": [{"id", "name", "mime_type", "size_bytes", "modified_at", "is_folder"}, ...],
       "truncated": true|false}
    """
    from itertools import islice

    settings = settings_of(ctx, as_json, verbose)
    connection_id = connection_of(connection_id, "browse")
    with make_client(settings) as client:
        drive = DriveBrowser(client.cloud_storage, connection_id)
        target = drive.resolve(folder)
        listing = drive.children(
            target.id,
            mime_prefix="image/" if images_only else None,
            include_folders=not images_only,
            page_size=min(limit + 1, 1000),
        )
        items = list(islice(listing, limit + 1))
    truncated = len(items) > limit
    items = items[:limit]
    if settings.as_json:
        print_json(
            {
                "connection_id": connection_id,
                "folder": {"id": target.id, "path": target.path},
                "files": [file_json(f) for f in items],
                "truncated": truncated,
            }
        )
        return
    note(f"{target.path}  (folder id {target.id})")
    # The id first: what 'cut -f1' takes to the other commands, as the README shows.
    table = Table(["ID", "NAME", "TYPE", "SIZE", "MODIFIED"])
    for f in items:
        kind = "folder" if f.is_folder else (f.mime_type or "-")
        table.add(f.id, f.name, kind, human_size(f.size_bytes), short_time(f.modified_at))
    table.show(out())
    what = "images" if images_only else "entries"
    if truncated:
        note(f"Showing the first {limit} {what}; --limit N shows more.")
    elif not items:
        note(f"No {what} in this folder.")
    else:
        note(f"{len(items)} {what}.")
