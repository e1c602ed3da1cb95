"""A deterministic fake Google Drive (v3 semantics) behind the picker proxy.

Each fake Google account gets the same seeded tree every time: folders, camera images of
realistic sizes, PDFs, Google Docs, trashed files, a file whose name says it is corrupt, and one
big folder for pagination. Files exported by the emulator are layered on top from the store.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import attrs

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

FILE_FIELDS = frozenset(
    {
        "kind",
        "id",
        "name",
        "mimeType",
        "parents",
        "size",
        "createdTime",
        "modifiedTime",
        "trashed",
        "starred",
        "md5Checksum",
        "fileExtension",
        "imageMediaMetadata",
        "webViewLink",
        "thumbnailLink",
        "iconLink",
    }
)
LIST_FIELDS = frozenset({"kind", "nextPageToken", "incompleteSearch", "files"})
ABOUT_FIELDS = frozenset({"kind", "user", "storageQuota", "maxUploadSize"})


class DriveError(Exception):
    """An error the Drive v3 API would answer (status, reason as Drive spells them)."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


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

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER

    def sort_key(self) -> tuple[int, str, str]:
        # Folders first, then by name; the id makes the order total (needed by page tokens).
        return (0 if self.is_folder else 1, self.name.lower(), self.id)

    def resource(self) -> dict[str, Any]:
        """The full Drive v3 file resource; `fields` then picks from it."""
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime_type,
            "parents": [self.parent] if self.parent else [],
            "createdTime": _rfc3339(self.created),
            "modifiedTime": _rfc3339(self.modified),
            "trashed": self.trashed,
            "starred": False,
            "webViewLink": f"https://drive.google.com/file/d/{self.id}/view",
            "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{self.mime_type}",
        }
        if self.size is not None:
            # Drive v3 reports sizes as strings of digits (int64 in JSON).
            out["size"] = str(self.size)
            out["md5Checksum"] = hashlib.md5(self.id.encode(), usedforsecurity=False).hexdigest()
            if "." in self.name:
                out["fileExtension"] = self.name.rsplit(".", 1)[1]
        if self.width and self.height:
            out["imageMediaMetadata"] = {"width": self.width, "height": self.height}
            out["thumbnailLink"] = f"https://lh3.googleusercontent.com/d/{self.id}=s220"
        return out


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


@attrs.frozen
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
    return DriveTree(root_id=root, big_folder_id=big, files=tuple(files))


# --- queries -----------------------------------------------------------------------------------

Predicate = Callable[[DriveFile], bool]

_TOKEN = re.compile(r"\s*(?:('(?:[^'\\]|\\.)*')|(!=|=)|([A-Za-z_][A-Za-z0-9_]*))")


def _tokens(q: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    q = q.rstrip()
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m or m.end() == pos:
            raise DriveError(400, "invalid", f"Invalid Value: cannot parse query near {q[pos:]!r}")
        string, op, word = m.groups()
        if string is not None:
            out.append(("str", re.sub(r"\\(.)", r"\1", string[1:-1])))
        elif op is not None:
            out.append(("op", op))
        else:
            out.append(("word", word))
        pos = m.end()
    return out


def parse_query(q: str, root_id: str) -> list[Predicate]:
    """The subset of Drive's `q` the emulator understands; anything else is Drive's 400."""
    tokens = _tokens(q)
    clauses: list[list[tuple[str, str]]] = [[]]
    for tok in tokens:
        if tok[0] == "word" and tok[1].lower() == "and":
            clauses.append([])
        else:
            clauses[-1].append(tok)
    return [_clause(c, root_id) for c in clauses]


def _clause(c: list[tuple[str, str]], root_id: str) -> Predicate:
    shape = [k if k != "word" else v.lower() for k, v in c]
    bad = DriveError(
        400, "invalid", f"Invalid Value: unsupported query term {' '.join(v for _, v in c)!r}"
    )
    if shape == ["str", "in", "parents"]:
        parent = root_id if c[0][1] == "root" else c[0][1]
        return lambda f: f.parent == parent
    if len(c) != 3 or c[0][0] != "word":
        raise bad
    field, (kind, op), (vkind, value) = c[0][1], c[1], c[2]
    negate = op == "!="
    if field in ("mimeType", "name") and vkind == "str":
        attr: Callable[[DriveFile], str] = (
            (lambda f: f.mime_type) if field == "mimeType" else (lambda f: f.name)
        )
        if kind == "op":
            return lambda f: (attr(f) == value) != negate
        if op.lower() == "contains":
            needle = value.lower() if field == "name" else value
            if field == "name":
                return lambda f: needle in f.name.lower()
            return lambda f: needle in f.mime_type
    if (
        field == "trashed"
        and kind == "op"
        and vkind == "word"
        and value.lower() in ("true", "false")
    ):
        wanted = value.lower() == "true"
        return lambda f: (f.trashed == wanted) != negate
    raise bad


# --- fields ------------------------------------------------------------------------------------

Selection = dict[str, "Selection | None"]


def parse_fields(fields: str) -> Selection | None:
    """`a,b(c,d),e/f` into a nested selection; None means everything (`*`)."""
    fields = fields.strip()
    if fields in ("", "*"):
        return None
    pos = 0

    def parse_list(end: str | None) -> Selection:
        nonlocal pos
        sel: Selection = {}
        while True:
            m = re.compile(r"\s*([A-Za-z*][A-Za-z0-9_]*)\s*").match(fields, pos)
            if not m:
                raise DriveError(400, "invalidParameter", f"Invalid field selection {fields}")
            name = m.group(1)
            pos = m.end()
            sub: Selection | None = None
            if pos < len(fields) and fields[pos] == "(":
                pos += 1
                sub = parse_list(")")
            elif pos < len(fields) and fields[pos] == "/":
                pos += 1
                sub = parse_list_path()
            sel[name] = None if sub is None or name == "*" else _merge(sel.get(name), sub)
            while pos < len(fields) and fields[pos] == " ":
                pos += 1
            if pos >= len(fields):
                if end is not None:
                    raise DriveError(400, "invalidParameter", f"Invalid field selection {fields}")
                return sel
            if fields[pos] == ",":
                pos += 1
                continue
            if end is not None and fields[pos] == end:
                pos += 1
                return sel
            raise DriveError(400, "invalidParameter", f"Invalid field selection {fields}")

    def parse_list_path() -> Selection:
        nonlocal pos
        m = re.compile(r"([A-Za-z*][A-Za-z0-9_]*)").match(fields, pos)
        if not m:
            raise DriveError(400, "invalidParameter", f"Invalid field selection {fields}")
        pos = m.end()
        if pos < len(fields) and fields[pos] == "/":
            pos += 1
            return {m.group(1): parse_list_path()}
        return {m.group(1): None}

    return parse_list(None)


def _merge(a: Selection | None, b: Selection) -> Selection:
    return {**(a or {}), **b}


def _check(sel: Selection | None, allowed: frozenset[str]) -> None:
    for name in sel or {}:
        if name != "*" and name not in allowed:
            raise DriveError(400, "invalidParameter", f"Invalid field selection {name}")


def _apply(obj: Mapping[str, Any], sel: Selection | None) -> dict[str, Any]:
    if sel is None or "*" in sel:
        return dict(obj)
    out: dict[str, Any] = {}
    for name, sub in sel.items():
        if name in obj:
            value = obj[name]
            out[name] = (
                _apply(value, sub) if sub is not None and isinstance(value, Mapping) else value
            )
    return out


# --- the view one connection sees --------------------------------------------------------------


class DriveView:
    """The seeded tree plus what the emulator has written into this account's Drive."""

    def __init__(
        self, tree: DriveTree, added: Iterable[DriveFile], account: str, name: str
    ) -> None:
        self.tree = tree
        self.account = account
        self.display_name = name
        self.files: dict[str, DriveFile] = {f.id: f for f in tree.files}
        self.files.update({f.id: f for f in added})

    def get(self, file_id: str) -> DriveFile:
        if file_id == "root":
            file_id = self.tree.root_id
        found = self.files.get(file_id)
        if found is None:
            if file_id == self.tree.root_id:
                return DriveFile(self.tree.root_id, "My Drive", FOLDER, None)
            raise DriveError(404, "notFound", f"File not found: {file_id}.")
        return found

    def get_resource(self, file_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        sel = parse_fields(str(params.get("fields", "kind,id,name,mimeType")))
        _check(sel, FILE_FIELDS)
        return _apply(self.get(file_id).resource(), sel)

    def list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        q = str(params.get("q") or "")
        predicates = parse_query(q, self.tree.root_id) if q.strip() else []
        page_size = _int_param(params, "pageSize", DEFAULT_PAGE_SIZE)
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise DriveError(
                400,
                "invalid",
                f"Invalid value '{page_size}'. "
                f"Values must be within the range: [1, {MAX_PAGE_SIZE}]",
            )
        fields = params.get("fields")
        # Without `fields`, Drive answers only these (notably no `size`).
        sel: Selection | None = (
            parse_fields(str(fields))
            if fields is not None
            else parse_fields("kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)")
        )
        _check(sel, LIST_FIELDS)
        files_sel: Selection | None = None if sel is None else sel.get("files")
        _check(files_sel, FILE_FIELDS)

        fingerprint = hashlib.sha256(q.encode()).hexdigest()[:12]
        after: tuple[int, str, str] | None = None
        token = params.get("pageToken")
        if token:
            after = _decode_token(str(token), fingerprint)
        matching = sorted(
            (f for f in self.files.values() if all(p(f) for p in predicates)),
            key=DriveFile.sort_key,
        )
        if after is not None:
            # Keyset paging: a page starts right after the last key served, so files added
            # meanwhile never make a later page repeat or skip one already listed.
            matching = [f for f in matching if f.sort_key() > after]
        page = matching[:page_size]
        body: dict[str, Any] = {
            "kind": "drive#fileList",
            "incompleteSearch": False,
            "files": [f.resource() for f in page],
        }
        if len(matching) > page_size:
            body["nextPageToken"] = _encode_token(page[-1].sort_key(), fingerprint)
        out = _apply(body, sel)
        if "files" in out:
            out["files"] = [_apply(f, files_sel) for f in body["files"]]
        return out

    def about(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if not params.get("fields"):
            raise DriveError(400, "required", "The 'fields' parameter is required for this method.")
        sel = parse_fields(str(params["fields"]))
        _check(sel, ABOUT_FIELDS)
        used = sum(f.size or 0 for f in self.files.values())
        body = {
            "kind": "drive#about",
            "user": {
                "kind": "drive#user",
                "displayName": self.display_name,
                "emailAddress": self.account,
                "me": True,
                "permissionId": drive_id("perm", self.account)[1:21],
            },
            "storageQuota": {
                "limit": str(15 * 1024**3),
                "usage": str(used),
                "usageInDrive": str(used),
                "usageInDriveTrash": str(
                    sum(f.size or 0 for f in self.files.values() if f.trashed)
                ),
            },
            "maxUploadSize": str(5 * 1024**4),
        }
        return _apply(body, sel)

    def export(self, file_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        f = self.get(file_id)
        target = params.get("mimeType")
        if not target:
            raise DriveError(400, "required", "Required parameter: mimeType")
        formats = EXPORT_FORMATS.get(f.mime_type)
        if formats is None:
            raise DriveError(403, "fileNotExportable", "Export only supports Docs Editors files.")
        if target not in formats:
            raise DriveError(
                400, "badRequest", f"The requested conversion is not supported: {target}"
            )
        content = f"{f.name}\n\nExported by the Aionvision emulator as {target}.\n".encode()
        # Drive answers raw bytes; the proxy's contract is a JSON object, so they travel base64.
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
    if isinstance(raw, bool):
        raise DriveError(400, "invalid", f"Invalid value '{raw}' for {name}")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise DriveError(400, "invalid", f"Invalid value '{raw}' for {name}") from None


def _encode_token(key: tuple[int, str, str], fingerprint: str) -> str:
    raw = json.dumps({"q": fingerprint, "k": list(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str) -> tuple[int, str, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if raw["q"] != fingerprint:
            raise ValueError("token of another query")
        k = raw["k"]
        return (int(k[0]), str(k[1]), str(k[2]))
    except (ValueError, KeyError, TypeError, IndexError):
        raise DriveError(400, "invalid", "Invalid Value: pageToken") from None


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
