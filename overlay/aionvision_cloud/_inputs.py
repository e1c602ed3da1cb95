"""Client-side checks, one function per check, each run before any request is sent.

They raise ``InvalidInputError`` (a ``ValueError``); checks of ``Client``, ``RetryPolicy`` and
``DeadlineClock`` arguments pass ``error=ConfigurationError``, its subclass, so the same mistake
always gives the same message and is always caught by ``except InvalidInputError``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from aionvision_cloud_api.models.import_file import ImportFile
from aionvision_cloud_api.models.provider import Provider

from ._models import CloudFile, opt_int
from .errors import InvalidInputError

__all__ = [
    "check_batch_size",
    "check_count",
    "check_id",
    "check_ids",
    "check_positive",
    "check_provider",
    "check_redirect_uri",
    "check_seconds",
    "to_import_files",
]

PROVIDERS = tuple(p.value for p in Provider)

Error = type[InvalidInputError]


def check_positive(name: str, value: object, *, error: Error = InvalidInputError) -> float:
    """A number of seconds (or any amount) that must be greater than zero."""
    # bool is an int, but True seconds is always a mistake.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise error(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_seconds(name: str, value: object, *, error: Error = InvalidInputError) -> float:
    """A number of seconds that may be zero (a budget that can be turned off)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise error(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


def check_count(
    name: str, value: object, *, minimum: int = 0, error: Error = InvalidInputError
) -> int:
    """A whole number of at least ``minimum`` (retries, batch sizes)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise error(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def check_id(value: object, name: str) -> str:
    """A non-blank string: an opaque id (``job_550e8400``, ``img_001``, a UUID), an OAuth code
    or state, a folder name, a Drive query."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(f"{name} must not be empty or blank")
    return value


def check_ids(values: object, name: str) -> list[str]:
    # A lone string is iterable too; sending its characters as ids would be a silent mess.
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInputError(f"{name} must be a list of ids")
    ids = [check_id(v, f"{name}[{i}]") for i, v in enumerate(values)]
    if not ids:
        raise InvalidInputError(f"{name} must not be empty")
    return ids


def check_provider(provider: object) -> Provider:
    value = provider.value if isinstance(provider, Provider) else provider
    if not isinstance(value, str) or value not in PROVIDERS:
        raise InvalidInputError(f"unknown provider {provider!r}; supported: {', '.join(PROVIDERS)}")
    return Provider(value)


def check_redirect_uri(uri: object, name: str = "redirect_uri") -> str:
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidInputError(f"{name} must be a non-empty URL")
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"{name} must be an http(s) URL")
    return uri


def check_batch_size(value: object, *, error: Error = InvalidInputError) -> int:
    return check_count("batch_size", value, minimum=1, error=error)


def _import_file(item: object, index: int) -> ImportFile:
    where = f"files[{index}]"
    if isinstance(item, CloudFile):
        data: Mapping[str, Any] = {
            "id": item.id,
            "name": item.name,
            "mime_type": item.mime_type,
            "size_bytes": item.size_bytes,
        }
    elif isinstance(item, Mapping):
        data = item
    else:
        raise InvalidInputError(f"{where} must be a CloudFile or a dict with 'id' and 'name'")
    file_id = data.get("id")
    name = data.get("name")
    if not isinstance(file_id, str) or not file_id.strip():
        raise InvalidInputError(f"{where} needs a non-empty 'id'")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"{where} needs a non-empty 'name'")
    # Dicts straight from Drive use camelCase and a string size.
    mime = data.get("mime_type", data.get("mimeType"))
    size_raw = data.get("size_bytes", data.get("size"))
    size = opt_int(size_raw)
    if size_raw is not None and (size is None or size < 0):
        raise InvalidInputError(f"{where} has an invalid size")
    if mime is not None and not isinstance(mime, str):
        raise InvalidInputError(f"{where} has an invalid mime type")
    imported = ImportFile(id=file_id, name=name)
    if mime:
        imported.mime_type = mime
    if size is not None:
        imported.size_bytes = size
    return imported


def to_import_files(files: object) -> list[ImportFile]:
    if isinstance(files, (str, bytes, Mapping, CloudFile)) or not isinstance(files, Iterable):
        raise InvalidInputError("files must be a list of CloudFile objects or dicts")
    out = [_import_file(item, i) for i, item in enumerate(files)]
    if not out:
        raise InvalidInputError("files must not be empty")
    return out
