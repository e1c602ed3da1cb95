from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.drive_response import DriveResponse
from ...models.error_response import ErrorResponse
from ...models.http_validation_error import HTTPValidationError
from ...models.picker_proxy_envelope import PickerProxyEnvelope
from ...models.picker_proxy_request import PickerProxyRequest
from ...types import Response


def _get_kwargs(
    *,
    body: PickerProxyRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/cloud-storage/picker-proxy",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DriveResponse | PickerProxyEnvelope | ErrorResponse | HTTPValidationError | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> DriveResponse | PickerProxyEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_picker_proxy_response_type_0 = (
                    PickerProxyEnvelope.from_dict(data)
                )

                return componentsschemas_picker_proxy_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_picker_proxy_response_type_1 = DriveResponse.from_dict(
                data
            )

            return componentsschemas_picker_proxy_response_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 422:

        def _parse_response_422(data: object) -> ErrorResponse | HTTPValidationError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_422_type_0 = ErrorResponse.from_dict(data)

                return response_422_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_422_type_1 = HTTPValidationError.from_dict(data)

            return response_422_type_1

        response_422 = _parse_response_422(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = ErrorResponse.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = ErrorResponse.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    DriveResponse | PickerProxyEnvelope | ErrorResponse | HTTPValidationError
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PickerProxyRequest,
) -> Response[
    DriveResponse | PickerProxyEnvelope | ErrorResponse | HTTPValidationError
]:
    """Proxy Google Drive API calls

     Proxy Google Drive API calls server-side using a picker session. Allowed endpoint patterns: `files`,
    `files/{id}`, `files/{id}/export`, `about`. `files`, `files/{id}` and `about` answer Drive v3's JSON
    as Drive sent it (Google Docs and Sheets have no `size`). `files/{id}/export` answers JSON too,
    unlike Drive's raw bytes: an object with `kind: drive#export`, `id`, `name`, `mimeType`, `size`,
    `encoding: base64` and `data`.

    Args:
        body (PickerProxyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DriveResponse | PickerProxyEnvelope | ErrorResponse | ErrorResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PickerProxyRequest,
) -> DriveResponse | PickerProxyEnvelope | ErrorResponse | HTTPValidationError | None:
    """Proxy Google Drive API calls

     Proxy Google Drive API calls server-side using a picker session. Allowed endpoint patterns: `files`,
    `files/{id}`, `files/{id}/export`, `about`. `files`, `files/{id}` and `about` answer Drive v3's JSON
    as Drive sent it (Google Docs and Sheets have no `size`). `files/{id}/export` answers JSON too,
    unlike Drive's raw bytes: an object with `kind: drive#export`, `id`, `name`, `mimeType`, `size`,
    `encoding: base64` and `data`.

    Args:
        body (PickerProxyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DriveResponse | PickerProxyEnvelope | ErrorResponse | ErrorResponse | HTTPValidationError
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PickerProxyRequest,
) -> Response[
    DriveResponse | PickerProxyEnvelope | ErrorResponse | HTTPValidationError
]:
    """Proxy Google Drive API calls

     Proxy Google Drive API calls server-side using a picker session. Allowed endpoint patterns: `files`,
    `files/{id}`, `files/{id}/export`, `about`. `files`, `files/{id}` and `about` answer Drive v3's JSON
    as Drive sent it (Google Docs and Sheets have no `size`). `files/{id}/export` answers JSON too,
    unlike Drive's raw bytes: an object with `kind: drive#export`, `id`, `name`, `mimeType`, `size`,
    `encoding: base64` and `data`.

    Args:
        body (PickerProxyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DriveResponse | PickerProxyEnvelope | ErrorResponse | ErrorResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PickerProxyRequest,
) -> DriveResponse | PickerProxyEnvelope | ErrorResponse | HTTPValidationError | None:
    """Proxy Google Drive API calls

     Proxy Google Drive API calls server-side using a picker session. Allowed endpoint patterns: `files`,
    `files/{id}`, `files/{id}/export`, `about`. `files`, `files/{id}` and `about` answer Drive v3's JSON
    as Drive sent it (Google Docs and Sheets have no `size`). `files/{id}/export` answers JSON too,
    unlike Drive's raw bytes: an object with `kind: drive#export`, `id`, `name`, `mimeType`, `size`,
    `encoding: base64` and `data`.

    Args:
        body (PickerProxyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DriveResponse | PickerProxyEnvelope | ErrorResponse | ErrorResponse | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
