from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.provider import Provider

T = TypeVar("T", bound="InitiateAuthRequest")


@_attrs_define
class InitiateAuthRequest:
    """
    Attributes:
        provider (Provider): A supported cloud storage provider.
        redirect_uri (str): Where Google sends the browser back to after authorization. The service's own page, `GET
            /cloud-storage/auth/{provider}/callback` under the API base URL, is the default for clients without a callback
            of their own: they send its absolute URL (the SDKs do when the caller gives no redirect URI). The service
            answers 400 `INVALID_REDIRECT_URI` to anything but an absolute http(s) URL.
    """

    provider: Provider
    redirect_uri: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider = self.provider.value

        redirect_uri = self.redirect_uri

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider": provider,
                "redirect_uri": redirect_uri,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        provider = Provider(d.pop("provider"))

        redirect_uri = d.pop("redirect_uri")

        initiate_auth_request = cls(
            provider=provider,
            redirect_uri=redirect_uri,
        )

        initiate_auth_request.additional_properties = d
        return initiate_auth_request

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
