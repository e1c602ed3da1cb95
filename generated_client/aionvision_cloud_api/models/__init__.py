"""Contains all the data models used in inputs/outputs"""

from .complete_auth_request import CompleteAuthRequest
from .complete_auth_response import CompleteAuthResponse
from .connection import Connection
from .disconnect_response import DisconnectResponse
from .drive_response import DriveResponse
from .error_detail import ErrorDetail
from .error_detail_details_type_0 import ErrorDetailDetailsType0
from .error_response import ErrorResponse
from .export_request import ExportRequest
from .export_response import ExportResponse
from .http_validation_error import HTTPValidationError
from .import_file import ImportFile
from .import_request import ImportRequest
from .import_response import ImportResponse
from .initiate_auth_request import InitiateAuthRequest
from .initiate_auth_response import InitiateAuthResponse
from .job import Job
from .job_response import JobResponse
from .list_connections_response import ListConnectionsResponse
from .picker_proxy_envelope import PickerProxyEnvelope
from .picker_proxy_request import PickerProxyRequest
from .picker_proxy_request_params import PickerProxyRequestParams
from .picker_session import PickerSession
from .picker_token_response import PickerTokenResponse
from .provider import Provider
from .validation_error_item import ValidationErrorItem

__all__ = (
    "CompleteAuthRequest",
    "CompleteAuthResponse",
    "Connection",
    "DisconnectResponse",
    "DriveResponse",
    "ErrorDetail",
    "ErrorDetailDetailsType0",
    "ErrorResponse",
    "ExportRequest",
    "ExportResponse",
    "HTTPValidationError",
    "ImportFile",
    "ImportRequest",
    "ImportResponse",
    "InitiateAuthRequest",
    "InitiateAuthResponse",
    "Job",
    "JobResponse",
    "ListConnectionsResponse",
    "PickerProxyEnvelope",
    "PickerProxyRequest",
    "PickerProxyRequestParams",
    "PickerSession",
    "PickerTokenResponse",
    "Provider",
    "ValidationErrorItem",
)
