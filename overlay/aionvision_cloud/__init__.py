"""Aionvision Cloud Storage: the hand-written client users import.

It wraps the generated ``aionvision_cloud_api`` package; see ``openapi.yaml`` for the contract.
This module is the public surface: every name in ``__all__`` is meant for users, every exception
included. Modules starting with ``_`` hold internals (the retry transport, clock implementations,
the OAuth loopback server, the picker paging) that tests reach directly.

    from aionvision_cloud import Client

    with Client.from_env() as client:
        job = client.cloud_storage.wait_for_job("job_550e8400")
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

# Every public name is loaded on first use (PEP 562): `import aionvision_cloud` runs only this
# file, and `from aionvision_cloud import Client` loads what the client needs, not the result
# classes' attrs or the generated models. Type checkers and IDEs read the real imports below.
if TYPE_CHECKING:
    from . import cli as cli
    from . import cloud_storage as cloud_storage
    from . import errors as errors
    from . import status as status
    from ._client import DEFAULT_BASE_URL, DEFAULT_HTTP_TIMEOUT, DEFAULT_MAX_RETRIES, Client
    from ._clock import Clock
    from ._defaults import (
        DEFAULT_BATCH_SIZE,
        DEFAULT_MAX_INTERVAL,
        DEFAULT_POLL_INTERVAL,
        DEFAULT_WAIT_TIMEOUT,
    )
    from ._models import (
        AuthStart,
        CompleteAuthResult,
        Connection,
        ConnectionList,
        DisconnectResult,
        ExportBatch,
        ImportBatch,
        Job,
        PickerSession,
    )
    from ._paths import DriveFolder
    from ._results import (
        BatchFailure,
        CloudFile,
        ExportResult,
        FileResult,
        ImportResult,
        JournalState,
        Progress,
        UncertainBatch,
    )
    from ._retry import RetryPolicy
    from .cloud_storage import CloudStorage
    from .errors import (
        AionvisionError,
        AmbiguousFolderError,
        APIConnectionError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        ConfigurationError,
        ConflictError,
        DriveFolderError,
        ExportFolderError,
        FieldError,
        FolderNotFoundError,
        InsufficientScopeError,
        InvalidInputError,
        JobFailedError,
        JobTimeoutError,
        JournalConflictError,
        JournalError,
        NotAFolderError,
        NotFoundError,
        OAuthError,
        OAuthStateMismatchError,
        OAuthTimeoutError,
        PermissionDeniedError,
        RateLimitError,
        ReauthRequiredError,
        ResponseTooLargeError,
        ServerError,
        UncertainBatchError,
        ValidationError,
        WaitBudgetExceededError,
    )
    from .status import JobStatus

#: Where each public name lives: the module imported the first time the name is looked up.
_HOMES: dict[str, tuple[str, ...]] = {
    "._client": ("DEFAULT_BASE_URL", "DEFAULT_HTTP_TIMEOUT", "DEFAULT_MAX_RETRIES", "Client"),
    "._clock": ("Clock",),
    # The results of single calls subclass the generated models, whose package loads every
    # model (tens of ms).
    "._models": (
        "AuthStart",
        "CompleteAuthResult",
        "Connection",
        "ConnectionList",
        "DisconnectResult",
        "ExportBatch",
        "ImportBatch",
        "Job",
        "PickerSession",
    ),
    "._results": (
        "BatchFailure",
        "CloudFile",
        "ExportResult",
        "FileResult",
        "ImportResult",
        "JournalState",
        "Progress",
        "UncertainBatch",
    ),
    "._paths": ("DriveFolder",),
    "._retry": ("RetryPolicy",),
    "._defaults": (
        "DEFAULT_BATCH_SIZE",
        "DEFAULT_MAX_INTERVAL",
        "DEFAULT_POLL_INTERVAL",
        "DEFAULT_WAIT_TIMEOUT",
    ),
    ".cloud_storage": ("CloudStorage",),
    ".errors": (
        "AionvisionError",
        "AmbiguousFolderError",
        "APIConnectionError",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "ConfigurationError",
        "ConflictError",
        "DriveFolderError",
        "ExportFolderError",
        "FieldError",
        "FolderNotFoundError",
        "InsufficientScopeError",
        "InvalidInputError",
        "JobFailedError",
        "JobTimeoutError",
        "JournalConflictError",
        "JournalError",
        "NotAFolderError",
        "NotFoundError",
        "OAuthError",
        "OAuthStateMismatchError",
        "OAuthTimeoutError",
        "PermissionDeniedError",
        "RateLimitError",
        "ReauthRequiredError",
        "ResponseTooLargeError",
        "ServerError",
        "UncertainBatchError",
        "ValidationError",
        "WaitBudgetExceededError",
    ),
    ".status": ("JobStatus",),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}
#: The public submodules, so `aionvision_cloud.errors.NotFoundError` works after a bare import.
_SUBMODULES = frozenset({"cli", "cloud_storage", "errors", "status"})


def _load(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module, __name__)
    except AttributeError as exc:
        # Raised from inside a broken module, an AttributeError would read as "no such name"
        # (`from aionvision_cloud import X` turns it into "cannot import name"): say what broke.
        raise ImportError(f"{__name__}{module} failed to import: {exc!r}") from exc


if not TYPE_CHECKING:  # for type checkers every name is the real import above

    def __getattr__(name: str) -> Any:
        if name in _SUBMODULES:
            return _load(f".{name}")
        home = _HOME.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_load(home), name)
        globals()[name] = value  # later lookups are plain module attributes
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME) | _SUBMODULES)


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_HTTP_TIMEOUT",
    "DEFAULT_MAX_INTERVAL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_TIMEOUT",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AionvisionError",
    "AmbiguousFolderError",
    "AuthStart",
    "AuthenticationError",
    "BatchFailure",
    "Client",
    "Clock",
    "CloudFile",
    "CloudStorage",
    "CompleteAuthResult",
    "ConfigurationError",
    "ConflictError",
    "Connection",
    "ConnectionList",
    "DisconnectResult",
    "DriveFolder",
    "DriveFolderError",
    "ExportBatch",
    "ExportFolderError",
    "ExportResult",
    "FieldError",
    "FileResult",
    "FolderNotFoundError",
    "ImportBatch",
    "ImportResult",
    "InsufficientScopeError",
    "InvalidInputError",
    "Job",
    "JobFailedError",
    "JobStatus",
    "JobTimeoutError",
    "JournalConflictError",
    "JournalError",
    "JournalState",
    "NotAFolderError",
    "NotFoundError",
    "OAuthError",
    "OAuthStateMismatchError",
    "OAuthTimeoutError",
    "PermissionDeniedError",
    "PickerSession",
    "Progress",
    "RateLimitError",
    "ReauthRequiredError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "UncertainBatch",
    "UncertainBatchError",
    "ValidationError",
    "WaitBudgetExceededError",
    "__version__",
]
