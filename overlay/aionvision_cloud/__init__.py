"""Aionvision Cloud Storage: the hand-written client users import.

It wraps the generated ``aionvision_cloud_api`` package; see ``openapi.yaml`` for the contract.

    from aionvision_cloud import Client

    with Client.from_env() as client:
        job = client.cloud_storage.wait_for_job("job_550e8400")
"""

__version__ = "0.1.0"

from ._client import DEFAULT_BASE_URL, Client
from ._clock import Clock, DeadlineClock, SystemClock, WaitBudgetExceededError
from ._models import (
    AuthStart,
    CloudFile,
    Connection,
    DisconnectResult,
    ExportBatch,
    ExportResult,
    ImportBatch,
    ImportResult,
    Job,
    PickerSession,
    Progress,
)
from ._retry import RetryPolicy, RetryTransport
from .cloud_storage import CloudStorage
from .errors import (
    AionvisionError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    OAuthError,
    OAuthStateMismatchError,
    RateLimitError,
    ValidationError,
)
from .status import JobStatus

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AionvisionError",
    "AuthStart",
    "AuthenticationError",
    "Client",
    "Clock",
    "CloudFile",
    "CloudStorage",
    "Connection",
    "DeadlineClock",
    "DisconnectResult",
    "ExportBatch",
    "ExportResult",
    "ImportBatch",
    "ImportResult",
    "Job",
    "JobFailedError",
    "JobStatus",
    "JobTimeoutError",
    "NotFoundError",
    "OAuthError",
    "OAuthStateMismatchError",
    "PickerSession",
    "Progress",
    "RateLimitError",
    "RetryPolicy",
    "RetryTransport",
    "SystemClock",
    "ValidationError",
    "WaitBudgetExceededError",
    "__version__",
]
