"""Client-side checks, one function per check, each run before any request is sent.

They raise ``InvalidInputError`` (a ``ValueError``); checks of ``Client``, ``RetryPolicy`` and
``DeadlineClock`` arguments pass ``error=ConfigurationError``, its subclass, so the same mistake
always gives the same message and is always caught by ``except InvalidInputError``."""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import attrs

    from aionvision_cloud_api.models.import_file import ImportFile
    from aionvision_cloud_api.models.provider import Provider

    from ._results import CloudFile

from ._text import acceptable_name
from .errors import InvalidInputError

__all__ = [
    "MAX_SECONDS",
    "check_batch_size",
    "check_bool",
    "check_count",
    "check_id",
    "check_ids",
    "check_params",
    "check_positive",
    "check_provider",
    "check_redirect_uri",
    "check_seconds",
    "check_string",
    "request_body",
    "to_import_files",
]


Error = type[InvalidInputError]

# No timeout, wait or backoff needs more than a week; larger values (1e308, inf) overflow in the
# socket layer or the clock arithmetic, far from where they were given.
MAX_SECONDS = 604_800.0


class Limit(NamedTuple):
    """What openapi.yaml allows for one string the client sends (minLength, maxLength, pattern);
    ``pattern`` is the spec's ECMA regex text, which Python's ``re`` reads the same way."""

    min_length: int
    max_length: int
    pattern: re.Pattern[str] | None
    allowed: str  # the pattern in words, for the message


# Where in openapi.yaml each argument's limits are (a schema's property, ``[]`` for an array's
# items, or an operation's parameter); the limits themselves are read from there, via the
# generated ``contract.LIMITS``.
_WHERE = {
    "job_id": "get_job.job_id",
    "connection_id": "disconnect.connection_id",
    "collection_id": "ImportRequest.collection_id",
    "image_id": "ExportRequest.image_ids[]",
    "session_id": "PickerProxyRequest.session_id",
    "file_id": "ImportFile.id",
    "folder_id": "ExportRequest.folder_id",
    "file_name": "ImportFile.name",
    "folder_name": "ExportRequest.folder_name",
    "tag": "ImportRequest.tags[]",
    "mime_type": "ImportFile.mime_type",
    "code": "CompleteAuthRequest.code",
    "state": "CompleteAuthRequest.state",
    "redirect_uri": "InitiateAuthRequest.redirect_uri",
    "endpoint": "PickerProxyRequest.endpoint",
}
# The contract's patterns in words, for messages; another pattern is quoted as it is.
_WORDS = {
    "^[A-Za-z0-9_-]+$": "letters, digits, '-' and '_'",
    "^[\\u0021-\\u007E]+$": "printable ASCII without spaces",
    "^[^\\u0000-\\u001F\\u007F]+$": "no control characters",
    "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$": "type/subtype",
}


@functools.cache
def _limit(field: str) -> Limit:
    from aionvision_cloud_api.contract import LIMITS

    found = LIMITS[_WHERE[field]]
    pattern = found.get("pattern")
    return Limit(
        found.get("minLength", 0),
        found.get("maxLength", sys.maxsize),
        re.compile(pattern) if pattern else None,
        _WORDS.get(pattern or "", f"the pattern {pattern}"),
    )


@functools.cache
def _maximum(where: str, key: str) -> int:
    from aionvision_cloud_api.contract import LIMITS

    value: int = LIMITS[where][key]
    return value


def check_positive(name: str, value: object, *, error: Error = InvalidInputError) -> float:
    """A number of seconds (or any amount) that must be greater than zero."""
    # bool is an int, but True seconds is always a mistake.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise error(f"{name} must be a positive number, got {value!r}")
    return _bounded(name, value, error)


def _bounded(name: str, value: float, error: Error) -> float:
    if not math.isfinite(value) or value > MAX_SECONDS:
        raise error(f"{name} must be at most {MAX_SECONDS:g} seconds, got {value!r}")
    return float(value)


def check_seconds(name: str, value: object, *, error: Error = InvalidInputError) -> float:
    """A number of seconds that may be zero (a budget that can be turned off)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise error(f"{name} must be a number >= 0, got {value!r}")
    return _bounded(name, value, error)


def check_count(
    name: str, value: object, *, minimum: int = 0, error: Error = InvalidInputError
) -> int:
    """A whole number of at least ``minimum`` (retries, batch sizes)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise error(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def check_id(value: object, name: str, field: str | None = None) -> str:
    """A non-blank string: an opaque id (``job_550e8400``, ``img_001``, a UUID), an OAuth code
    or state, a folder name, a Drive query. When ``field`` (default: ``name``) is a key of
    key of ``_WHERE``, the contract's length and pattern too."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(f"{name} must not be empty or blank")
    key = name if field is None else field
    if key in _WHERE:
        check_string(value, name, key)
    return value


def check_string(value: str, name: str, field: str) -> str:
    """``value`` within the contract's limits of ``field``. The message never repeats the value:
    it may be a secret (an OAuth code or state) or 100 kB long."""
    limit = _limit(field)
    if len(value) > limit.max_length:
        raise InvalidInputError(
            f"{name} is too long: {len(value)} characters, at most {limit.max_length} allowed"
        )
    if len(value) < limit.min_length:
        raise InvalidInputError(f"{name} must not be empty")
    pattern = limit.pattern
    # fullmatch: the spec's "$" would also match before a trailing newline in Python.
    if pattern is not None and not pattern.fullmatch(value):
        raise InvalidInputError(f"{name} has characters the API does not accept ({limit.allowed})")
    return value


def check_ids(values: object, name: str) -> list[str]:
    # A lone string is iterable too; sending its characters as ids would be a silent mess.
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        # Tags are words, not ids: the message names what the list holds.
        what = "strings" if name == "tags" else "ids"
        raise InvalidInputError(f"{name} must be a list of {what}")
    item_field = {"tags": "tag", "image_ids": "image_id"}.get(name)
    ids = [check_id(v, f"{name}[{i}]", item_field) for i, v in enumerate(values)]
    if not ids:
        raise InvalidInputError(f"{name} must not be empty")
    # image_ids are split into batches of at most maxItems, so only tags are capped whole.
    if name == "tags" and len(ids) > (max_items := _maximum("ImportRequest.tags", "maxItems")):
        raise InvalidInputError(f"{name} has {len(ids)} items, at most {max_items} allowed")
    return ids


def check_bool(value: object, name: str) -> bool:
    """A real bool: ``"no"`` is truthy, so a string would silently mean the opposite."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False, got {type(value).__name__}")
    return value


def check_provider(provider: object) -> Provider:
    from aionvision_cloud_api.models.provider import Provider

    value = provider.value if isinstance(provider, Provider) else provider
    providers = tuple(p.value for p in Provider)
    if not isinstance(value, str) or value not in providers:
        raise InvalidInputError(f"unknown provider {provider!r}; supported: {', '.join(providers)}")
    return Provider(value)


def check_redirect_uri(uri: object, name: str = "redirect_uri") -> str:
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidInputError(f"{name} must be a non-empty URL")
    check_string(uri, name, "redirect_uri")
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InvalidInputError(f"{name} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in uri):
        raise InvalidInputError(f"{name} must be an http(s) URL")
    return uri


def check_batch_size(value: object, *, error: Error = InvalidInputError) -> int:
    size = check_count("batch_size", value, minimum=1, error=error)
    if size > (most := _maximum("ImportRequest.files", "maxItems")):
        raise error(f"batch_size must be at most {most} (the API's limit per request)")
    return size


def _whole_number(value: object) -> int | None:
    """A size as a caller may hold it: an int, an integral float, or Drive's string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _import_file(item: object, index: int, cloud_file: type[CloudFile]) -> ImportFile:
    where = f"files[{index}]"
    if isinstance(item, cloud_file):
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
    check_string(file_id, f"{where}.id", "file_id")
    # Control characters in a Drive name (anyone who shares a file chooses it) are replaced,
    # not refused: one odd name must not stop the other files (_text.acceptable_name).
    name = check_string(acceptable_name(name), f"{where}.name", "file_name")
    # Dicts straight from Drive use camelCase and a string size.
    mime = data.get("mime_type", data.get("mimeType"))
    size_raw = data.get("size_bytes", data.get("size"))
    size = _whole_number(size_raw)
    if size_raw is not None and (size is None or size < 0):
        raise InvalidInputError(f"{where} has an invalid size")
    if mime is not None and not isinstance(mime, str):
        raise InvalidInputError(f"{where} has an invalid mime type")
    if mime:
        check_string(mime, f"{where}.mime_type", "mime_type")
    if size is not None and size > _maximum("ImportFile.size_bytes", "maximum"):
        raise InvalidInputError(f"{where} has a size above 5 TiB, the API's limit")
    from aionvision_cloud_api.models.import_file import ImportFile

    imported = ImportFile(id=file_id, name=name)
    if mime:
        imported.mime_type = mime
    if size is not None:
        imported.size_bytes = size
    return imported


def to_import_files(files: object) -> list[ImportFile]:
    from ._results import CloudFile  # its attrs classes load with the first call, not the client

    if isinstance(files, (str, bytes, Mapping, CloudFile)) or not isinstance(files, Iterable):
        raise InvalidInputError("files must be a list of CloudFile objects or dicts")
    out = [_import_file(item, i, CloudFile) for i, item in enumerate(files)]
    if not out:
        raise InvalidInputError("files must not be empty")
    return out


M = TypeVar("M", bound="attrs.AttrsInstance")


def request_body(
    cls: type[M], operation: str, values: Mapping[str, object], extra: Mapping[str, object]
) -> M:
    """The request model ``cls`` with ``values`` (None: not given) and ``extra``, any other
    optional field of ``cls`` a caller passed by keyword, held to ``openapi.yaml`` before
    anything is sent: an unknown name, a wrong type or a value over a limit raises
    ``InvalidInputError`` naming the field."""
    import attrs  # with the first request, not with `import aionvision_cloud`

    optional = [f.name for f in attrs.fields(cls) if f.init and f.default is not attrs.NOTHING]
    unknown = [k for k in extra if k not in optional or k in values]
    if unknown:
        raise InvalidInputError(
            f"{operation}() got {'unknown fields' if len(unknown) > 1 else 'an unknown field'} "
            f"{', '.join(map(repr, unknown))}; the optional fields of {cls.__name__} are "
            f"{', '.join(optional) or 'none'}"
        )
    from aionvision_cloud_api import contract
    from aionvision_cloud_api.types import UNSET

    given = {k: v for k, v in {**values, **extra}.items() if v is not None}
    model = cls(**{k: v for k, v in given.items() if k not in optional})
    for name in optional:
        # Strict in what is sent: a default the generator fills in (auto_describe=True) is not
        # sent unless asked for; the service applies its own.
        setattr(model, name, given.get(name, UNSET))
    try:
        contract.check_request(cls.__name__, model.to_dict())  # type: ignore[attr-defined]
    except contract.JsonSchemaValueException as exc:
        raise InvalidInputError(f"{operation}() {exc.message}") from None
    except AttributeError:  # a nested field given as something that is not its model
        raise InvalidInputError(f"{operation}() got a field of the wrong type") from None
    return model


def check_params(function: Callable[..., Any], operation: str, extra: Mapping[str, object]) -> None:
    """``extra`` must be query parameters of ``function`` (a generated ``sync_detailed``) that
    the overlay does not take by name."""
    if not extra:
        return
    import inspect

    valid = [
        name
        for name, p in inspect.signature(function).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
        and name not in ("client", "provider", "active_only")
    ]
    unknown = [k for k in extra if k not in valid]
    if unknown:
        what = "unknown parameters" if len(unknown) > 1 else "an unknown parameter"
        raise InvalidInputError(
            f"{operation}() got {what} "
            f"{', '.join(map(repr, unknown))}; its other parameters are "
            f"{', '.join(valid) or 'none'}"
        )
