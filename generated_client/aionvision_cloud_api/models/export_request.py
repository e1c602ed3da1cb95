from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportRequest")


@_attrs_define
class ExportRequest:
    """
    Attributes:
        connection_id (str):
        image_ids (list[str]):
        folder_id (str | Unset): Drive folder to export into.
        folder_name (str | Unset): Name of a new Drive folder to export into.
    """

    connection_id: str
    image_ids: list[str]
    folder_id: str | Unset = UNSET
    folder_name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        connection_id = self.connection_id

        image_ids = self.image_ids

        folder_id = self.folder_id

        folder_name = self.folder_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "connection_id": connection_id,
                "image_ids": image_ids,
            }
        )
        if folder_id is not UNSET:
            field_dict["folder_id"] = folder_id
        if folder_name is not UNSET:
            field_dict["folder_name"] = folder_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        connection_id = d.pop("connection_id")

        image_ids = cast(list[str], d.pop("image_ids"))

        folder_id = d.pop("folder_id", UNSET)

        folder_name = d.pop("folder_name", UNSET)

        export_request = cls(
            connection_id=connection_id,
            image_ids=image_ids,
            folder_id=folder_id,
            folder_name=folder_name,
        )

        export_request.additional_properties = d
        return export_request

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
