"""Drive folder paths to folder ids: ``root``, a folder id, or ``My Drive/Photos/2024``.

The library and the command line resolve a folder the same way, here:

- ``""``, ``/``, ``root`` and ``My Drive`` are the root; a leading ``My Drive/`` may be left out.
- A bare word (no ``/``) that is a Drive id of a folder is that folder; of a file, an error.
- Each path segment is a sub-folder's name: an exact match first, then a case-insensitive one
  if it is the only one; otherwise ``FolderNotFoundError`` naming the near names (difflib), or
  ``AmbiguousFolderError`` when several folders match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ._results import FOLDER_MIME_TYPE, CloudFile
from .errors import (
    AmbiguousFolderError,
    AuthenticationError,
    FolderNotFoundError,
    InvalidInputError,
    NotAFolderError,
    NotFoundError,
)

if TYPE_CHECKING:
    from ._models import PickerSession
    from .cloud_storage import CloudStorage

__all__ = ["ROOT", "ROOT_NAME", "DriveFolder", "FolderResolver", "is_root", "segments"]

ROOT = "root"
ROOT_NAME = "My Drive"
_DRIVE_ID = re.compile(r"[A-Za-z0-9_-]+")
_FILE_FIELDS = "id, name, mimeType, size, parents, modifiedTime"


@attrs.frozen
class DriveFolder:
    """A resolved Drive folder: its ``id`` and the ``path`` a person reads (``My Drive/Photos``
    with Drive's own spelling of each name, or the folder's name when it was given by id)."""

    id: str
    path: str


def is_root(spec: str) -> bool:
    return spec.strip().strip("/") in ("", ROOT, ROOT_NAME)


def segments(spec: str) -> list[str]:
    """The folder names in a path, without a leading ``My Drive``."""
    parts = [p.strip() for p in spec.strip().split("/") if p.strip()]
    if parts and parts[0] == ROOT_NAME:
        parts = parts[1:]
    return parts


def _near(name: str, names: list[str]) -> list[str]:
    """Up to three of ``names`` that look like ``name``, case aside."""
    import difflib

    by_folded = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=3, cutoff=0.6)
    return [by_folded[c] for c in close]


class FolderResolver:
    """One connection's folder lookups, sharing one picker session (renewed when it expires)."""

    def __init__(self, cs: CloudStorage, connection_id: str) -> None:
        self._cs = cs
        self._cid = connection_id
        self._session: PickerSession | None = None

    def _proxy_file(self, file_id: str) -> dict[str, Any]:
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

    def subfolders(self, folder_id: str) -> Iterator[CloudFile]:
        return self._cs.iter_drive_files(
            self._cid, folder_id=folder_id, mime_prefix=FOLDER_MIME_TYPE, include_folders=True
        )

    def resolve(self, spec: str) -> DriveFolder:
        """``spec`` (``root``, a folder id, or a path) to a folder; see the module's rules.

        Raises ``InvalidInputError`` for a spec that is not a string, ``FolderNotFoundError``,
        ``NotAFolderError`` or ``AmbiguousFolderError`` (all ``DriveFolderError``)."""
        if not isinstance(spec, str):
            raise InvalidInputError("folder must be a string: 'root', a folder id or a path")
        if is_root(spec):
            return DriveFolder(ROOT, ROOT_NAME)
        spec = spec.strip()
        as_id = "/" not in spec and _DRIVE_ID.fullmatch(spec) is not None
        if as_id:
            found = self.lookup(spec)
            if found is not None:
                if not found.is_folder:
                    raise NotAFolderError(
                        f"{found.name!r} ({spec}) is a file, not a folder", path=spec
                    )
                return DriveFolder(found.id, found.name or spec)
        parent = DriveFolder(ROOT, ROOT_NAME)
        for name in segments(spec):
            folders = list(self.subfolders(parent.id))
            matches = [f for f in folders if f.name == name] or [
                f for f in folders if f.name.casefold() == name.casefold()
            ]
            if not matches:
                # A file by that name is a clearer mistake than "no folder".
                if self._file_named(parent.id, name):
                    raise NotAFolderError(
                        f"{name!r} in {parent.path!r} is a file, not a folder",
                        path=spec,
                        parent=parent.path,
                    )
                near = _near(name, [f.name for f in folders])
                hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
                nor_id = f" and no Drive folder has the id {spec!r}" if as_id else ""
                raise FolderNotFoundError(
                    f"no folder {name!r} in {parent.path!r}{nor_id}{hint}",
                    path=spec,
                    parent=parent.path,
                    suggestions=near,
                )
            if len(matches) > 1:
                ids = [m.id for m in matches]
                raise AmbiguousFolderError(
                    f"{len(matches)} folders named {name!r} in {parent.path!r} "
                    f"({', '.join(ids)}); pass the id of the one you mean",
                    path=spec,
                    parent=parent.path,
                    candidates=ids,
                )
            parent = DriveFolder(matches[0].id, f"{parent.path}/{matches[0].name}")
        return parent

    def _file_named(self, folder_id: str, name: str) -> bool:
        escaped = name.replace("\\", "\\\\").replace("'", "\\'")
        found = self._cs.iter_drive_files(
            self._cid, folder_id=folder_id, query=f"name = '{escaped}'", page_size=1
        )
        return next(iter(found), None) is not None
