from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PickerSession")


@_attrs_define
class PickerSession:
    """
    Attributes:
        session_id (str): Opaque picker session id, used with the picker proxy.
        access_token (str | Unset): Google access token for the Picker UI. A secret.
        app_id (str | Unset):
        developer_key (str | Unset): Google API key for the Picker UI. A secret.
        expires_at (datetime.datetime | Unset):
    """

    session_id: str
    access_token: str | Unset = UNSET
    app_id: str | Unset = UNSET
    developer_key: str | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        access_token = self.access_token

        app_id = self.app_id

        developer_key = self.developer_key

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
            }
        )
        if access_token is not UNSET:
            field_dict["access_token"] = access_token
        if app_id is not UNSET:
            field_dict["app_id"] = app_id
        if developer_key is not UNSET:
            field_dict["developer_key"] = developer_key
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        session_id = d.pop("session_id")

        access_token = d.pop("access_token", UNSET)

        app_id = d.pop("app_id", UNSET)

        developer_key = d.pop("developer_key", UNSET)

        _expires_at = d.pop("expires_at", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        picker_session = cls(
            session_id=session_id,
            access_token=access_token,
            app_id=app_id,
            developer_key=developer_key,
            expires_at=expires_at,
        )

        picker_session.additional_properties = d
        return picker_session

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
