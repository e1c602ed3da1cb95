from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connection import Connection


T = TypeVar("T", bound="CompleteAuthResponse")


@_attrs_define
class CompleteAuthResponse:
    """
    Attributes:
        connection (Connection):
        is_new (bool | Unset): False when the same account was already connected and is reused.
    """

    connection: Connection
    is_new: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        connection = self.connection.to_dict()

        is_new = self.is_new

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "connection": connection,
            }
        )
        if is_new is not UNSET:
            field_dict["is_new"] = is_new

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connection import Connection

        d = dict(src_dict)
        connection = Connection.from_dict(d.pop("connection"))

        is_new = d.pop("is_new", UNSET)

        complete_auth_response = cls(
            connection=connection,
            is_new=is_new,
        )

        complete_auth_response.additional_properties = d
        return complete_auth_response

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
