"""Google Drive from the command line, through the picker proxy: the ``browse`` command, and
folder paths to ids, files by id, and the files an import takes from a folder."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from aionvision_cloud import CloudFile
from aionvision_cloud._paths import ROOT, ROOT_NAME, DriveFolder, FolderResolver, is_root
from aionvision_cloud.errors import DriveFolderError, FolderNotFoundError

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
    from aionvision_cloud import CloudStorage

__all__ = ["ROOT", "ROOT_NAME", "DriveBrowser", "Folder", "browse", "is_root"]

#: The CLI's name for a resolved folder (the library's ``DriveFolder``).
Folder = DriveFolder


class DriveBrowser:
    """One connection's Drive; holds one picker session for its lookups. Folder paths resolve
    as the library's ``CloudStorage.resolve_folder`` does (``aionvision_cloud._paths``)."""

    def __init__(self, cs: CloudStorage, connection_id: str) -> None:
        self._cs = cs
        self._cid = connection_id
        self._resolver = FolderResolver(cs, connection_id)

    def lookup(self, file_id: str) -> CloudFile | None:
        """The Drive file with this id, or None when Drive has none."""
        return self._resolver.lookup(file_id)

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
        left out) to a folder. Every way it names no single folder exits 1, with a hint."""
        try:
            return self._resolver.resolve(spec)
        except FolderNotFoundError as exc:
            where = exc.parent or ROOT_NAME
            raise CliError(
                f"{exc.message}; see what is there with: "
                f"aionvision-cloud browse {self._cid} --folder {_quote(where)}",
                1,
            ) from exc
        except DriveFolderError as exc:  # a file, or several folders of that name
            raise CliError(exc.message, 1) from exc

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
            help="'root', a folder id, or a path like 'My Drive/Photos/2024' (a '/' in a"
            " folder's own name is written '\\/'; names match in any Unicode form).",
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
    # The id first: what 'cut -f1' takes to the other commands, as docs/cli.md shows.
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
