"""The picker proxy: endpoint allowlist, Drive query building, lazy paging with session renewal."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._inputs import check_id
from ._results import FOLDER_MIME_TYPE, CloudFile
from .errors import APIResponseValidationError, AuthenticationError, InvalidInputError

if TYPE_CHECKING:
    from ._models import PickerSession

__all__ = ["DriveLister", "build_query", "check_endpoint", "unwrap_proxy_response"]

_ID = r"[A-Za-z0-9_-]+"
_ENDPOINT_RE = re.compile(rf"(?:files|files/{_ID}|files/{_ID}/export|about)")
_DRIVE_ID_RE = re.compile(_ID)
DEFAULT_FIELDS = "nextPageToken, files(id, name, mimeType, size, parents, modifiedTime)"


def check_endpoint(endpoint: object) -> str:
    """Return ``endpoint`` if the proxy allows it; ``ValueError`` otherwise, before any request."""
    if not isinstance(endpoint, str):
        raise InvalidInputError("endpoint must be a string")
    # fullmatch, not match + $: "$" also matches before a trailing newline.
    if not _ENDPOINT_RE.fullmatch(endpoint):
        raise InvalidInputError(
            "endpoint must be one of 'files', 'files/{id}', 'files/{id}/export', 'about' "
            "(ids: letters, digits, '-', '_')"
        )
    return endpoint


def check_drive_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not _DRIVE_ID_RE.fullmatch(value):
        raise InvalidInputError(f"{name} must be a Drive id (letters, digits, '-', '_')")
    return value


def _quote(value: str) -> str:
    # Drive query strings escape backslashes and single quotes with a backslash.
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_query(folder_id: str | None, query: str | None, mime_prefix: str | None) -> str:
    """The Drive ``q`` for the files in ``folder_id`` matching ``query`` and ``mime_prefix``;
    trashed files are always left out."""
    parts: list[str] = []
    if folder_id is not None:
        parts.append(f"{_quote(check_drive_id(folder_id, 'folder_id'))} in parents")
    if mime_prefix is not None:
        check_id(mime_prefix, "mime_prefix")
        parts.append(f"mimeType contains {_quote(mime_prefix.strip())}")
    if query is not None:
        check_id(query, "query")
        parts.append(f"({query.strip()})")
    parts.append("trashed = false")
    return " and ".join(parts)


# Top-level keys of the Drive v3 answers the proxy allows (file list, file, export, about). One of
# them beside ``data`` means the answer is Drive's own (a file's ``data`` is not an envelope).
_DRIVE_KEYS = frozenset(
    {"kind", "id", "files", "nextPageToken", "incompleteSearch", "name", "mimeType", "user"}
)


def unwrap_proxy_response(body: object, *, listing: bool = False) -> dict[str, Any]:
    """The Drive JSON in a picker proxy answer, read the two ways the service is described: wrapped
    in ``data`` (its published schema, as it runs today) or bare (the API document).

    An answer that is neither raises ``APIResponseValidationError``; so does a ``listing`` (a
    ``files`` call that asks for its file list) without one, which read as an empty listing would
    import nothing and report success.
    """
    if not isinstance(body, Mapping):
        raise APIResponseValidationError(
            f"picker proxy response is not a JSON object ({type(body).__name__})"
        )
    inner = body.get("data")
    if isinstance(inner, Mapping) and _DRIVE_KEYS.isdisjoint(body):
        drive = dict(inner)
    elif "data" in body and _DRIVE_KEYS.isdisjoint(body):
        raise APIResponseValidationError(
            f"picker proxy response's data is not a JSON object ({type(inner).__name__})"
        )
    else:
        drive = dict(body)
    if listing and not isinstance(drive.get("files"), list):
        raise APIResponseValidationError(
            "picker proxy response to 'files' holds no Drive file list, bare or in a data envelope"
            f" (keys: {', '.join(sorted(map(str, drive))) or 'none'})"
        )
    return drive


class DriveLister:
    """Lists Drive files page by page; holds one page at a time."""

    def __init__(
        self,
        new_session: Callable[[], PickerSession],
        proxy: Callable[[PickerSession, str, Mapping[str, Any]], dict[str, Any]],
        now: Callable[[], datetime],
    ) -> None:
        self._new_session = new_session
        self._proxy = proxy
        self._now = now
        self._session: PickerSession | None = None

    def _current_session(self) -> PickerSession:
        if self._session is None or self._session.is_expired(self._now()):
            self._session = self._new_session()
        return self._session

    def _page(self, params: Mapping[str, Any]) -> dict[str, Any]:
        session = self._current_session()
        try:
            return self._proxy(session, "files", params)
        except AuthenticationError:
            # The proxy answers 401 once the picker session has expired: renew once and retry.
            self._session = self._new_session()
            return self._proxy(self._session, "files", params)

    def iter_files(
        self, q: str, page_size: int, include_folders: bool, fields: str = DEFAULT_FIELDS
    ) -> Iterator[CloudFile]:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"q": q, "pageSize": page_size, "fields": fields}
            if token:
                params["pageToken"] = token
            page = self._page(params)
            files = page.get("files")
            if not isinstance(files, list):
                # Never an empty listing for an answer we could not read (see unwrap).
                raise APIResponseValidationError("Drive listing page holds no file list")
            from_drive = CloudFile.from_drive
            for item in files:
                # type() first: isinstance against the Mapping ABC costs more, a thousand a page.
                if (type(item) is not dict and not isinstance(item, Mapping)) or not item.get("id"):
                    continue
                cloud_file = from_drive(item)
                if not include_folders and cloud_file.mime_type == FOLDER_MIME_TYPE:
                    continue
                yield cloud_file
            next_token = page.get("nextPageToken")
            # Stop on a repeated token too: a stuck server must not loop us forever.
            if not isinstance(next_token, str) or not next_token or next_token == token:
                return
            token = next_token
