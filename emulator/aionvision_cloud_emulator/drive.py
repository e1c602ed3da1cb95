"""A deterministic fake Google Drive (v3 semantics) behind the picker proxy.

Each fake Google account gets the same seeded tree every time: folders, camera images of
realistic sizes, PDFs, Google Docs (no `size`, as in Drive), trashed and starred files, a file
whose name says it is corrupt, and one big folder for pagination. Files exported by the emulator
are layered on top from the store.

Held to Drive's published v3 discovery document (`drive_discovery`): files.list takes `q`
(`drive_query`), `fields` (`drive_fields`, names checked against the File/FileList/About
schemas), `orderBy` (every documented key, `desc`, several keys), `pageSize` (1..1000, larger
values coerced to 1000 as documented), `pageToken`, `spaces`, `corpora`, `driveId`,
`includeItemsFromAllDrives` and `supportsAllDrives`, validated as Drive does. The fake has one
account with one "My Drive", no shared drives (any `driveId` is "not found"), no appDataFolder
content, no sharing, no file content (fullText searches names), no revisions or permissions
endpoints. The `drive_short_pages` knob makes pages come back short or empty before the end,
with a `nextPageToken`, as Drive may.
"""

from __future__ import annotations

import base64
import bisect
import functools
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import attrs

from .drive_discovery import Selection, check_parameters, check_selection
from .drive_errors import DriveError, invalid
from .drive_fields import apply, parse_fields
from .drive_query import QueryContext, parse_query

__all__ = ["FOLDER", "DriveError", "DriveFile", "DriveTree", "DriveView", "build_tree"]

FOLDER = "application/vnd.google-apps.folder"
GDOC = "application/vnd.google-apps.document"
GSHEET = "application/vnd.google-apps.spreadsheet"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100

#: Export targets Drive offers per Google Workspace type.
EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    GDOC: (
        "application/pdf",
        "text/plain",
        "text/html",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    GSHEET: (
        "text/csv",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}

#: The names a seeded folder or file gets starred by.
STARRED = frozenset({"Vacation 2024", "profile.jpg", "Project plan"})


@attrs.frozen
class DriveFile:
    id: str
    name: str
    mime_type: str
    parent: str | None
    size: int | None = None
    created: float = 0.0
    modified: float = 0.0
    trashed: bool = False
    width: int | None = None
    height: int | None = None
    starred: bool = False

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER

    def resource(self, owner: Mapping[str, Any]) -> dict[str, Any]:
        """The Drive v3 file resource as far as the fake models it; `fields` picks from it.

        Field names and types follow the discovery document's File schema. Google Workspace
        files (Docs, Sheets) and folders carry no `size`, `md5Checksum` or `fileExtension`.
        """
        workspace = self.mime_type.startswith("application/vnd.google-apps.")
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime_type,
            "parents": [self.parent] if self.parent else [],
            "spaces": ["drive"],
            "createdTime": _rfc3339(self.created),
            "modifiedTime": _rfc3339(self.modified),
            "modifiedByMeTime": _rfc3339(self.modified),
            "modifiedByMe": True,
            "viewedByMe": False,
            "trashed": self.trashed,
            "explicitlyTrashed": self.trashed,
            "starred": self.starred,
            "shared": False,
            "ownedByMe": True,
            "owners": [dict(owner)],
            "lastModifyingUser": dict(owner),
            "writersCanShare": True,
            "viewersCanCopyContent": True,
            "copyRequiresWriterPermission": False,
            "hasThumbnail": bool(self.width and self.height),
            "quotaBytesUsed": str(self.size or 0),
            "version": str(1 + int(self.modified) % 97),
            "webViewLink": f"https://drive.google.com/file/d/{self.id}/view",
            "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{self.mime_type}",
            "capabilities": _capabilities(self),
        }
        if self.trashed:
            out["trashedTime"] = _rfc3339(self.modified)
        if self.size is not None and not workspace:
            # Drive v3 reports sizes as strings of digits (int64 in JSON).
            out["size"] = str(self.size)
            out["md5Checksum"] = hashlib.md5(self.id.encode(), usedforsecurity=False).hexdigest()
            out["originalFilename"] = self.name
            out["headRevisionId"] = "0B" + self.id[2:30]
            out["webContentLink"] = f"https://drive.google.com/uc?id={self.id}&export=download"
            if "." in self.name:
                out["fileExtension"] = self.name.rsplit(".", 1)[1]
                out["fullFileExtension"] = self.name.split(".", 1)[1]
        if self.mime_type in EXPORT_FORMATS:
            out["exportLinks"] = {
                target: f"https://docs.google.com/feeds/download/export?id={self.id}"
                f"&exportFormat={target.rsplit('/', 1)[1]}"
                for target in EXPORT_FORMATS[self.mime_type]
            }
        if self.width and self.height:
            out["imageMediaMetadata"] = {"width": self.width, "height": self.height}
            out["thumbnailLink"] = f"https://lh3.googleusercontent.com/d/{self.id}=s220"
            out["thumbnailVersion"] = "1"
        return out


def _capabilities(f: DriveFile) -> dict[str, bool]:
    """The owner's capabilities (all the fake's files are owned by the signed-in account)."""
    live = not f.trashed
    return {
        "canAddChildren": f.is_folder and live,
        "canComment": live and not f.is_folder,
        "canCopy": not f.is_folder,
        "canDelete": True,
        "canDownload": True,
        "canEdit": live,
        "canListChildren": f.is_folder,
        "canModifyContent": live and not f.is_folder,
        "canReadRevisions": not f.is_folder,
        "canRemoveChildren": f.is_folder and live,
        "canRename": live,
        "canShare": live,
        "canTrash": live,
        "canUntrash": f.trashed,
    }


def _rfc3339(ts: float) -> str:
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def drive_id(*parts: object) -> str:
    """Drive-looking ids (33 chars of letters, digits, - and _), stable for the same inputs."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return "1" + base64.urlsafe_b64encode(digest).decode()[:32]


# --- the seeded tree ---------------------------------------------------------------------------

_IMAGE_KINDS: dict[str, tuple[str, str, int, int]] = {
    # mime, extension, min and max size in bytes
    "jpeg": ("image/jpeg", "jpg", 1_200_000, 8_500_000),
    "heic": ("image/heic", "HEIC", 900_000, 4_000_000),
    "png": ("image/png", "png", 250_000, 6_000_000),
    "webp": ("image/webp", "webp", 80_000, 1_500_000),
}
_DIMENSIONS = ((4032, 3024), (3024, 4032), (4000, 3000), (1920, 1080), (1170, 2532), (2048, 1536))
_EPOCH_2023 = 1672531200.0
_TWO_YEARS = 2 * 365 * 86400.0


@attrs.frozen(cache_hash=True)  # a key of _sorted_matches: 3,000 files are hashed once
class DriveTree:
    root_id: str
    big_folder_id: str
    files: tuple[DriveFile, ...]


@lru_cache(maxsize=32)
def build_tree(seed: int, account: str, big_folder_size: int) -> DriveTree:
    rng = random.Random(f"{seed}|{account}")  # noqa: S311 - fake data, not security
    files: list[DriveFile] = []
    root = drive_id(seed, account, "root")
    root = "0A" + root[2:22] + "Uk9PVA"  # real My Drive root ids have this shape

    def when() -> tuple[float, float]:
        created = _EPOCH_2023 + rng.random() * _TWO_YEARS
        return created, created + rng.random() * 86400 * 30

    def folder(name: str, parent: str, path: str, trashed: bool = False) -> str:
        fid = drive_id(seed, account, path)
        c, m = when()
        files.append(DriveFile(fid, name, FOLDER, parent, None, c, m, trashed))
        return fid

    def image(kind: str, name: str, parent: str, path: str, trashed: bool = False) -> None:
        mime, _ext, lo, hi = _IMAGE_KINDS[kind]
        w, h = rng.choice(_DIMENSIONS)
        c, m = when()
        files.append(
            DriveFile(
                drive_id(seed, account, path, name),
                name,
                mime,
                parent,
                rng.randint(lo, hi),
                c,
                m,
                trashed,
                w,
                h,
            )
        )

    def other(mime: str, name: str, parent: str, path: str, size: int | None) -> None:
        c, m = when()
        files.append(DriveFile(drive_id(seed, account, path, name), name, mime, parent, size, c, m))

    def photo(kind: str, stem: str) -> str:
        return f"{stem}.{_IMAGE_KINDS[kind][1]}"

    photos = folder("Photos", root, "/Photos")
    vacation = folder("Vacation 2024", photos, "/Photos/Vacation 2024")
    for i in range(1, 41):
        kind = rng.choice(("jpeg", "jpeg", "heic", "png"))
        image(kind, photo(kind, f"beach_{i:03d}"), vacation, "/Photos/Vacation 2024")
    family = folder("Family", photos, "/Photos/Family")
    for i in range(1, 26):
        kind = rng.choice(("jpeg", "heic", "webp"))
        image(kind, photo(kind, f"family_{i:02d}"), family, "/Photos/Family")
    shots = folder("Screenshots", photos, "/Photos/Screenshots")
    for i in range(1, 16):
        image("png", f"Screenshot {i:02d}.png", shots, "/Photos/Screenshots")
    for i in range(1, 4):
        image("jpeg", f"blurry_{i}.jpg", photos, "/Photos", trashed=True)

    big = folder("Camera Uploads", root, "/Camera Uploads")
    for i in range(1, big_folder_size + 1):
        kind = rng.choices(("jpeg", "heic", "png", "webp"), weights=(60, 30, 6, 4))[0]
        image(kind, photo(kind, f"IMG_{i:05d}"), big, "/Camera Uploads")

    docs = folder("Documents", root, "/Documents")
    for i in range(1, 11):
        other(
            "application/pdf",
            f"invoice_{i:02d}.pdf",
            docs,
            "/Documents",
            rng.randint(50_000, 12_000_000),
        )
    for name in ("Meeting notes", "Project plan", "Trip itinerary", "Recipes", "Reading list"):
        other(GDOC, name, docs, "/Documents", None)
    for name in ("Budget 2025", "Photo inventory"):
        other(GSHEET, name, docs, "/Documents", None)

    mixed = folder("Mixed", root, "/Mixed")
    for kind in ("jpeg", "png", "webp", "heic"):
        image(kind, photo(kind, f"sample_{kind}"), mixed, "/Mixed")
    image("jpeg", "corrupt_photo.jpg", mixed, "/Mixed")
    other("application/pdf", "scan.pdf", mixed, "/Mixed", 2_345_678)
    other(GDOC, "Shared doc", mixed, "/Mixed", None)
    nested = folder("Nested", mixed, "/Mixed/Nested")
    for i in range(1, 4):
        image("jpeg", f"nested_{i}.jpg", nested, "/Mixed/Nested")

    folder("Empty Folder", root, "/Empty Folder")
    old = folder("Old stuff", root, "/Old stuff", trashed=True)
    image("jpeg", "old_photo.jpg", old, "/Old stuff", trashed=True)
    image("jpeg", "profile.jpg", root, "/")
    other("application/pdf", "Resume.pdf", root, "/", 184_320)
    other(GDOC, "Notes", root, "/", None)
    files = [attrs.evolve(f, starred=True) if f.name in STARRED else f for f in files]
    return DriveTree(root_id=root, big_folder_id=big, files=tuple(files))


# --- orderBy -----------------------------------------------------------------------------------

#: Sort keys Drive documents for files.list (discovery document, `orderBy`).
ORDER_KEYS = (
    "createdTime",
    "folder",
    "modifiedByMeTime",
    "modifiedTime",
    "name",
    "name_natural",
    "quotaBytesUsed",
    "recency",
    "sharedWithMeTime",
    "starred",
    "viewedByMeTime",
)
#: Without `orderBy` the fake lists folders first, then by name (Drive's order is unspecified).
DEFAULT_ORDER = "folder,name"
SortValue = str | float | bool | None
#: One file's values for the sort keys, then its id (JSON-able: page tokens carry it).
SortKey = list[SortValue]


def _natural(name: str) -> str:
    # Digit runs padded to one width sort 1, 2, 12, 22 as Drive's name_natural does.
    return re.sub(r"\d+", lambda m: m.group().zfill(20), name.casefold())


_SORT_VALUE: dict[str, Callable[[DriveFile], SortValue]] = {
    "createdTime": lambda f: f.created,
    "folder": lambda f: not f.is_folder,  # folders (False) before files
    "modifiedByMeTime": lambda f: f.modified,
    "modifiedTime": lambda f: f.modified,
    "name": lambda f: f.name.casefold(),
    "name_natural": lambda f: _natural(f.name),
    "quotaBytesUsed": lambda f: float(f.size or 0),
    "recency": lambda f: max(f.created, f.modified),
    "sharedWithMeTime": lambda f: None,  # nothing is shared with the signed-in account
    "starred": lambda f: not f.starred,  # starred first, like Drive's UI
    "viewedByMeTime": lambda f: None,
}


def parse_order(order_by: str) -> list[tuple[str, bool]]:
    """`folder,modifiedTime desc,name` into [(key, descending)]; Drive's 400 otherwise."""
    out: list[tuple[str, bool]] = []
    for part in order_by.split(","):
        words = part.split()
        if not words or len(words) > 2 or words[0] not in _SORT_VALUE:
            raise invalid(
                "orderBy", f"{part.strip()!r} is not a sort key; valid: {', '.join(ORDER_KEYS)}"
            )
        if len(words) == 2 and words[1].lower() != "desc":
            raise invalid("orderBy", f"only 'desc' may follow a sort key, not {words[1]!r}")
        out.append((words[0], len(words) == 2))
    return out


def _sort_values(f: DriveFile, order: list[tuple[str, bool]]) -> SortKey:
    # The id last makes the order total, which keyset page tokens need.
    return [*(_SORT_VALUE[key](f) for key, _ in order), f.id]


def _compare(a: SortKey, b: SortKey, order: list[tuple[str, bool]]) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x == y:
            continue
        if x is None or y is None:
            return 1 if x is None else -1  # missing values last, either direction
        descending = i < len(order) and order[i][1]
        less = x < y  # type: ignore[operator]  # same key, same type
        return (1 if less else -1) if descending else (-1 if less else 1)
    return 0


def _sort_key(order: list[tuple[str, bool]]) -> Callable[[SortKey], Any]:
    """``SortKey`` to an object ordered by ``_compare`` (its ``.obj`` is the key)."""

    def compare(a: SortKey, b: SortKey) -> int:
        return _compare(a, b, order)

    return functools.cmp_to_key(compare)


# A few listings at a time: each entry holds every match of its query (a 100,000-file folder's
# takes about 24 MB, traced).
@lru_cache(maxsize=16)
def _sorted_matches(
    tree: DriveTree,
    added: tuple[DriveFile, ...],
    q: str,
    order_by: str,
    account: str,
) -> tuple[list[Any], list[DriveFile]]:
    """The files ``q`` matches in the seeded tree plus ``added``, in ``order_by``'s order, and
    their sort keys (comparable with ``_compare``, wrapped for ``bisect``). A view is built per
    request, so this is what each page of a listing would otherwise do again: test and sort
    every file of the Drive (a 3,000-file folder paged by 100: 30 sorts of 3,000 keys)."""
    order = parse_order(order_by)
    predicate = parse_query(q, QueryContext(tree.root_id, account))
    wrap = _sort_key(order)
    # By id, an added file over a seeded one with the same id, as DriveView.files has them.
    files = {f.id: f for f in (*tree.files, *added)}.values()
    keyed = [(wrap(_sort_values(f, order)), f) for f in files if predicate(f)]
    keyed.sort(key=lambda kf: kf[0])
    return [k for k, _ in keyed], [f for _, f in keyed]


# --- the view one connection sees --------------------------------------------------------------

_BOOL_TEXT = {"true": True, "false": False}
_SPACES = ("drive", "appDataFolder")
_CORPORA = ("user", "domain", "drive", "allDrives")
#: A page cut short by the knob serves at least one file after this many empty pages in a row.
MAX_EMPTY_PAGES = 2


def _bool_param(params: Mapping[str, Any], name: str) -> bool:
    raw = params.get(name, False)
    if isinstance(raw, bool):
        return raw
    value = _BOOL_TEXT.get(str(raw).lower())
    if value is None:
        raise invalid(name, f"{raw!r} is not a boolean (true or false)")
    return value


def _str_param(params: Mapping[str, Any], name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise invalid(name, "expected a string")
    return raw


class DriveView:
    """The seeded tree plus what the emulator has written into this account's Drive."""

    def __init__(
        self,
        tree: DriveTree,
        added: Iterable[DriveFile],
        account: str,
        name: str,
        *,
        short_pages: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.tree = tree
        self.account = account
        self.display_name = name
        self.short_pages = short_pages
        self.seed = seed
        self.added = tuple(added)
        self.files: dict[str, DriveFile] = {f.id: f for f in tree.files}
        self.files.update({f.id: f for f in self.added})

    @property
    def owner(self) -> dict[str, Any]:
        return {
            "kind": "drive#user",
            "displayName": self.display_name,
            "emailAddress": self.account,
            "me": True,
            "permissionId": drive_id("perm", self.account)[1:21],
            "photoLink": f"https://lh3.googleusercontent.com/a/{drive_id('photo', self.account)}",
        }

    def get(self, file_id: str) -> DriveFile:
        if file_id == "root":
            file_id = self.tree.root_id
        found = self.files.get(file_id)
        if found is None:
            if file_id == self.tree.root_id:
                return DriveFile(self.tree.root_id, "My Drive", FOLDER, None)
            raise DriveError(404, "notFound", f"File not found: {file_id}.", "fileId")
        return found

    def get_resource(self, file_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        check_parameters("files", "get", dict(params))
        sel = parse_fields(str(params.get("fields", "kind,id,name,mimeType")))
        check_selection(sel, "File")
        return apply(self.get(file_id).resource(self.owner), sel)

    def list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        check_parameters("files", "list", dict(params))
        q = _str_param(params, "q") or ""
        parse_query(q, QueryContext(self.tree.root_id, self.account))  # a bad `q` is its 400 first
        page_size = _int_param(params, "pageSize", DEFAULT_PAGE_SIZE)
        if page_size < 1:
            raise invalid("pageSize", f"{page_size} is below the minimum of 1")
        page_size = min(page_size, MAX_PAGE_SIZE)  # documented: larger values are coerced
        order_by = _str_param(params, "orderBy") or DEFAULT_ORDER
        order = parse_order(order_by)
        in_app_data = self._spaces(params)
        self._corpora(params)
        fields = params.get("fields")
        # Without `fields`, Drive answers only these (notably no `size`).
        sel = parse_fields(
            str(fields)
            if fields is not None
            else "kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)"
        )
        check_selection(sel, "FileList")
        files_sel: Selection | None = None if sel is None else sel.get("files")

        # A token is valid only for the query, order and scope it was issued for.
        scope = json.dumps([q, order_by, in_app_data, self.seed])
        fingerprint = hashlib.sha256(scope.encode()).hexdigest()[:12]
        after: SortKey | None = None
        empties = 0
        token = params.get("pageToken")
        if token:
            after, empties = _decode_token(str(token), fingerprint, len(order) + 1)
        keys, files = (
            ([], [])
            if in_app_data
            else _sorted_matches(self.tree, self.added, q, order_by, self.account)
        )
        start = 0
        if after is not None:
            # Keyset paging: a page starts right after the last key served, so files added
            # meanwhile never make a later page repeat or skip one already listed.
            start = bisect.bisect_right(keys, _sort_key(order)(after))
        remaining = len(files) - start
        take = self._page_length(page_size, remaining, fingerprint, after, empties)
        page = files[start : start + take]
        body: dict[str, Any] = {
            "kind": "drive#fileList",
            "incompleteSearch": False,
            "files": [f.resource(self.owner) for f in page],
        }
        if remaining > take:
            last = keys[start + len(page) - 1].obj if page else after
            body["nextPageToken"] = _encode_token(last, fingerprint, empties + 1 if not page else 0)
        out = apply(body, sel)
        if "files" in out:
            out["files"] = [apply(f, files_sel) for f in body["files"]]
        return out

    def _page_length(
        self,
        page_size: int,
        remaining: int,
        fingerprint: str,
        after: SortKey | None,
        empties: int,
    ) -> int:
        """`page_size`, or with the `drive_short_pages` knob sometimes fewer, even none."""
        if self.short_pages <= 0 or remaining <= 1:
            return page_size
        # Seeded by the request, so the same request always gets the same page.
        rng = random.Random(f"{self.seed}|{fingerprint}|{after}|{empties}")  # noqa: S311
        if rng.random() >= self.short_pages:
            return page_size
        shortest = 1 if empties >= MAX_EMPTY_PAGES else 0
        return rng.randint(shortest, max(shortest, min(page_size, remaining) - 1))

    def _spaces(self, params: Mapping[str, Any]) -> bool:
        """Validates `spaces`; True when only appDataFolder is asked for (empty in the fake)."""
        raw = _str_param(params, "spaces")
        if raw is None:
            return False
        spaces = [s.strip() for s in raw.split(",")]
        for space in spaces:
            if space not in _SPACES:
                raise invalid("spaces", f"{space!r} is not one of {', '.join(_SPACES)}")
        return "drive" not in spaces

    def _corpora(self, params: Mapping[str, Any]) -> None:
        """Drive's rules for corpora/driveId/includeItemsFromAllDrives/supportsAllDrives."""
        corpora = _str_param(params, "corpora")
        drive = _str_param(params, "driveId")
        all_drives = _bool_param(params, "includeItemsFromAllDrives")
        supports = _bool_param(params, "supportsAllDrives")
        _bool_param(params, "includeTeamDriveItems")
        _bool_param(params, "supportsTeamDrives")
        if corpora is not None and corpora not in _CORPORA:
            raise invalid("corpora", f"{corpora!r} is not one of {', '.join(_CORPORA)}")
        if (corpora == "drive") != (drive is not None):
            raise invalid("driveId", "driveId must be given if and only if corpora is 'drive'")
        if corpora in ("drive", "allDrives") and not all_drives:
            raise DriveError(
                403,
                "teamDrivesParameterNotSupported",
                "includeItemsFromAllDrives must be true when corpora is 'drive' or 'allDrives'",
                "includeItemsFromAllDrives",
            )
        if all_drives and not supports:
            raise DriveError(
                403,
                "teamDrivesParameterNotSupported",
                "includeItemsFromAllDrives may be true only if supportsAllDrives is true too",
                "includeItemsFromAllDrives",
            )
        if drive is not None:
            # The fake account is a consumer account: it has no shared drives at all.
            raise DriveError(404, "notFound", f"Shared drive not found: {drive}", "driveId")

    def about(self, params: Mapping[str, Any]) -> dict[str, Any]:
        check_parameters("about", "get", dict(params))
        if not params.get("fields"):
            raise DriveError(
                400, "required", "The 'fields' parameter is required for this method.", "fields"
            )
        sel = parse_fields(str(params["fields"]))
        check_selection(sel, "About")
        used = sum(f.size or 0 for f in self.files.values())
        body = {
            "kind": "drive#about",
            "user": self.owner,
            "storageQuota": {
                "limit": str(15 * 1024**3),
                "usage": str(used),
                "usageInDrive": str(used),
                "usageInDriveTrash": str(
                    sum(f.size or 0 for f in self.files.values() if f.trashed)
                ),
            },
            "maxUploadSize": str(5 * 1024**4),
            "appInstalled": False,
            "canCreateDrives": False,
            "exportFormats": {mime: list(targets) for mime, targets in EXPORT_FORMATS.items()},
            "importFormats": {
                "text/plain": [GDOC],
                "text/csv": [GSHEET],
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [GDOC],
            },
            "maxImportSizes": {GDOC: "10485760", GSHEET: "104857600"},
            "folderColorPalette": ["#ac725e", "#d06b64", "#f83a22", "#fa573c", "#ff7537"],
        }
        return apply(body, sel)

    def export(self, file_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        check_parameters("files", "export", dict(params))
        f = self.get(file_id)
        target = params.get("mimeType")
        if not target:
            raise DriveError(400, "required", "Required parameter: mimeType", "mimeType")
        formats = EXPORT_FORMATS.get(f.mime_type)
        if formats is None:
            raise DriveError(403, "fileNotExportable", "Export only supports Docs Editors files.")
        if target not in formats:
            raise DriveError(
                400, "badRequest", f"The requested conversion is not supported: {target}"
            )
        content = f"{f.name}\n\nExported by the Aionvision emulator as {target}.\n".encode()
        # Drive answers raw bytes; the proxy's contract is a JSON object, so they travel base64
        # (openapi.yaml, PickerProxyRequest.params).
        return {
            "kind": "drive#export",
            "id": f.id,
            "name": f.name,
            "mimeType": target,
            "size": str(len(content)),
            "encoding": "base64",
            "data": base64.b64encode(content).decode(),
        }


def _int_param(params: Mapping[str, Any], name: str, default: int) -> int:
    raw = params.get(name, default)
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise invalid(name, f"{raw!r} is not an integer")
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise invalid(name, f"{str(raw)[:40]!r} is not an integer") from None
    if not -(2**31) <= value < 2**31:
        raise invalid(name, "out of the int32 range")
    return value


def _encode_token(key: SortKey | None, fingerprint: str, empties: int) -> str:
    raw = json.dumps({"q": fingerprint, "k": key, "e": empties}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str, width: int) -> tuple[SortKey | None, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if raw["q"] != fingerprint:
            raise ValueError("token of another query")
        key, empties = raw["k"], raw["e"]
        if key is not None and (not isinstance(key, list) or len(key) != width):
            raise ValueError("malformed key")
        if not isinstance(empties, int):
            raise ValueError("malformed count")
        return key, empties
    except (ValueError, KeyError, TypeError, IndexError):
        raise invalid("pageToken", "not a token this query issued") from None


def added_file(row: Mapping[str, Any]) -> DriveFile:
    """A store row of `drive_added` as a Drive file."""
    mime = str(row["mime_type"])
    return DriveFile(
        id=str(row["id"]),
        name=str(row["name"]),
        mime_type=mime,
        parent=str(row["parent"]),
        size=row["size"],
        created=float(row["created_at"]),
        modified=float(row["created_at"]),
    )
