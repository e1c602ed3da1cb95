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

from ._client import DEFAULT_BASE_URL, DEFAULT_HTTP_TIMEOUT, DEFAULT_MAX_RETRIES, Client
from ._clock import Clock
from ._paths import DriveFolder
from ._results import (
    BatchFailure,
    CloudFile,
    ExportResult,
    ImportResult,
    Progress,
    UncertainBatch,
)
from ._retry import RetryPolicy
from ._settings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
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
    FieldError,
    FolderNotFoundError,
    InsufficientScopeError,
    InvalidInputError,
    JobFailedError,
    JobTimeoutError,
    JournalError,
    NotAFolderError,
    NotFoundError,
    OAuthError,
    OAuthStateMismatchError,
    OAuthTimeoutError,
    PermissionDeniedError,
    RateLimitError,
    ReauthRequiredError,
    ServerError,
    UncertainBatchError,
    ValidationError,
    WaitBudgetExceededError,
)
from .status import JobStatus

# The results of single calls subclass the generated models, whose package loads every model
# (tens of ms): they load on first use, so `import aionvision_cloud` stays cheap (PEP 562).
_MODELS = (
    "AuthStart",
    "CompleteAuthResult",
    "Connection",
    "ConnectionList",
    "DisconnectResult",
    "DriveFolder",
    "DriveFolderError",
    "ExportBatch",
    "ImportBatch",
    "Job",
    "PickerSession",
)
if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from . import _models

        value = getattr(_models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODELS))


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
    "ExportResult",
    "FieldError",
    "FolderNotFoundError",
    "ImportBatch",
    "ImportResult",
    "InsufficientScopeError",
    "InvalidInputError",
    "Job",
    "JobFailedError",
    "JobStatus",
    "JobTimeoutError",
    "JournalError",
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
    "RetryPolicy",
    "ServerError",
    "UncertainBatch",
    "UncertainBatchError",
    "ValidationError",
    "WaitBudgetExceededError",
    "__version__",
]
