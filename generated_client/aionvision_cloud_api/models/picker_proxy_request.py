from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.picker_proxy_request_params import PickerProxyRequestParams


T = TypeVar("T", bound="PickerProxyRequest")


@_attrs_define
class PickerProxyRequest:
    """
    Attributes:
        session_id (str):
        endpoint (str): One of `files`, `files/{id}`, `files/{id}/export`, `about` (ids: letters, digits, `-`, `_`);
            anything else is answered 400 `ENDPOINT_NOT_ALLOWED`.
        params (PickerProxyRequestParams | Unset): Query parameters forwarded to the Drive v3 API. The proxy answers
            Drive's JSON as is for `files` and `files/{id}`; for `files/{id}/export` it answers a JSON object (`kind:
            drive#export`, `mimeType`, `size`, `encoding: base64`, `data`) carrying the bytes Drive exports, since this
            operation always answers JSON.
    """

    session_id: str
    endpoint: str
    params: PickerProxyRequestParams | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        endpoint = self.endpoint

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "endpoint": endpoint,
            }
        )
        if params is not UNSET:
            field_dict["params"] = params

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.picker_proxy_request_params import PickerProxyRequestParams

        d = dict(src_dict)
        session_id = d.pop("session_id")

        endpoint = d.pop("endpoint")

        _params = d.pop("params", UNSET)
        params: PickerProxyRequestParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = PickerProxyRequestParams.from_dict(_params)

        picker_proxy_request = cls(
            session_id=session_id,
            endpoint=endpoint,
            params=params,
        )

        picker_proxy_request.additional_properties = d
        return picker_proxy_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
