r"""Drive folder paths to folder ids: ``root``, a folder id, or ``My Drive/Photos/2024``.

The library and the command line resolve a folder the same way, here:

- ``""``, ``/``, ``root`` and ``My Drive`` are the root; a leading ``My Drive/`` may be left out.
- A bare word (no ``/``) that is a Drive id of a folder is that folder; of a file, an error.
- Each path segment is a sub-folder's name: an exact match first, then a case-insensitive one
  if it is the only one; otherwise ``FolderNotFoundError`` naming the near names (difflib), or
  ``AmbiguousFolderError`` when several folders match. Names compare after Unicode NFC
  normalisation: ``Café`` typed finds a folder macOS stored as ``Cafe`` + a combining accent.
- A ``/`` inside a folder's own name is written ``\/`` (and a backslash before it ``\\``):
  ``Photos\/Family`` is the folder named ``Photos/Family``. Unescaped, ``Photos/Family`` may
  mean that folder or ``Family`` inside ``Photos``: the one that exists is taken, and when both
  do, ``AmbiguousFolderError`` says so rather than picking one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ._results import FOLDER_MIME_TYPE, CloudFile
from .errors import (
    AmbiguousFolderError,
    AuthenticationError,
    DriveFolderError,
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
    """The folder names in a path, without a leading ``My Drive``; ``\\/`` is a ``/`` inside
    a name and ``\\\\`` a backslash (any other backslash is itself)."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(spec):
        char = spec[i]
        if char == "\\" and spec[i + 1 : i + 2] in ("/", "\\"):
            current.append(spec[i + 1])
            i += 2
            continue
        if char == "/":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    parts = [p.strip() for p in parts if p.strip()]
    if parts and parts[0] == ROOT_NAME:
        parts = parts[1:]
    return parts


def escape(name: str) -> str:
    """A folder's name as a path segment: what ``segments`` reads back as ``name``."""
    return name.replace("\\", "\\\\").replace("/", "\\/")


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _folded(name: str) -> str:
    # Unicode's canonical caseless match: NFD, casefold, NFD again.
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def _matching(folders: list[CloudFile], name: str) -> list[CloudFile]:
    """The folders named ``name``: exactly (after NFC), else regardless of case."""
    typed = _nfc(name)
    exact = [f for f in folders if _nfc(f.name) == typed]
    if exact:
        return exact
    folded = _folded(name)
    return [f for f in folders if _folded(f.name) == folded]


def _near(name: str, names: list[str]) -> list[str]:
    """Up to three of ``names`` that look like ``name``, case aside; never one equal to it."""
    import difflib

    typed = _nfc(name)
    by_folded = {_folded(n): n for n in names if _nfc(n) != typed}
    close = difflib.get_close_matches(_folded(name), list(by_folded), n=3, cutoff=0.6)
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
        folders = self._walk(DriveFolder(ROOT, ROOT_NAME), segments(spec), spec, as_id)
        if len(folders) > 1:
            ids = [f.id for f in folders]
            paths = ", ".join(repr(f.path) for f in folders)
            raise AmbiguousFolderError(
                f"{spec!r} names {len(folders)} folders ({paths});"
                " write a '/' that is part of a folder's name as '\\/', or pass the id of the"
                " one you mean",
                path=spec,
                candidates=ids,
            )
        return folders[0]

    def _walk(
        self, parent: DriveFolder, parts: list[str], spec: str, as_id: bool
    ) -> list[DriveFolder]:
        """Every folder ``parts`` leads to from ``parent``: ``parts[0]`` as a name, and also
        ``parts[0]/parts[1]...`` when a folder's own name holds those slashes. Raises what
        the plain reading (one segment, one folder) meets when no reading leads anywhere."""
        if not parts:
            return [parent]
        folders = list(self.subfolders(parent.id))
        found: list[DriveFolder] = []
        failure: DriveFolderError | None = None
        for width in range(1, len(parts) + 1):
            name = "/".join(parts[:width])
            matches = _matching(folders, name)
            if width > 1 and not matches:
                continue
            if len(matches) > 1:
                ids = [m.id for m in matches]
                raise AmbiguousFolderError(
                    f"{len(matches)} folders named {name!r} in {parent.path!r} "
                    f"({', '.join(ids)}); pass the id of the one you mean",
                    path=spec,
                    parent=parent.path,
                    candidates=ids,
                )
            if not matches:
                continue
            child = DriveFolder(matches[0].id, f"{parent.path}/{escape(matches[0].name)}")
            try:
                found += self._walk(child, parts[width:], spec, as_id)
            except (FolderNotFoundError, NotAFolderError) as exc:
                # Another reading may still lead somewhere; the plain one's error is the one told.
                if width == 1:
                    failure = exc
        if found:
            return found
        if failure is not None:
            raise failure
        raise self._not_found(parent, parts[0], folders, spec, as_id)

    def _not_found(
        self, parent: DriveFolder, name: str, folders: list[CloudFile], spec: str, as_id: bool
    ) -> DriveFolderError:
        # A file by that name is a clearer mistake than "no folder".
        if self._file_named(parent.id, name):
            return NotAFolderError(
                f"{name!r} in {parent.path!r} is a file, not a folder",
                path=spec,
                parent=parent.path,
            )
        near = _near(name, [f.name for f in folders])
        hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
        nor_id = f" and no Drive folder has the id {spec!r}" if as_id else ""
        return FolderNotFoundError(
            f"no folder {name!r} in {parent.path!r}{nor_id}{hint}",
            path=spec,
            parent=parent.path,
            suggestions=near,
        )

    def _file_named(self, folder_id: str, name: str) -> bool:
        escaped = name.replace("\\", "\\\\").replace("'", "\\'")
        found = self._cs.iter_drive_files(
            self._cid, folder_id=folder_id, query=f"name = '{escaped}'", page_size=1
        )
        return next(iter(found), None) is not None
