from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_file import ImportFile


T = TypeVar("T", bound="ImportRequest")


@_attrs_define
class ImportRequest:
    """
    Attributes:
        connection_id (str): Connected account UUID.
        files (list[ImportFile]): Files to import (each needs at least `id` and `name`).
        auto_describe (bool | Unset): Run AI description on import. Default: True.
        tags (list[str] | Unset): Tags to apply to imported files.
        collection_id (str | Unset): Target collection.
    """

    connection_id: str
    files: list[ImportFile]
    auto_describe: bool | Unset = True
    tags: list[str] | Unset = UNSET
    collection_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        connection_id = self.connection_id

        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

        auto_describe = self.auto_describe

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        collection_id = self.collection_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "connection_id": connection_id,
                "files": files,
            }
        )
        if auto_describe is not UNSET:
            field_dict["auto_describe"] = auto_describe
        if tags is not UNSET:
            field_dict["tags"] = tags
        if collection_id is not UNSET:
            field_dict["collection_id"] = collection_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.import_file import ImportFile

        d = dict(src_dict)
        connection_id = d.pop("connection_id")

        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = ImportFile.from_dict(files_item_data)

            files.append(files_item)

        auto_describe = d.pop("auto_describe", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))

        collection_id = d.pop("collection_id", UNSET)

        import_request = cls(
            connection_id=connection_id,
            files=files,
            auto_describe=auto_describe,
            tags=tags,
            collection_id=collection_id,
        )

        import_request.additional_properties = d
        return import_request

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
