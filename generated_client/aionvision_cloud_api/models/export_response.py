from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportResponse")


@_attrs_define
class ExportResponse:
    """
    Attributes:
        job_id (str):
        job_status (str | Unset): See Job.status.
        is_async (bool | Unset):
        message (str | Unset):
    """

    job_id: str
    job_status: str | Unset = UNSET
    is_async: bool | Unset = UNSET
    message: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        job_status = self.job_status

        is_async = self.is_async

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "job_id": job_id,
            }
        )
        if job_status is not UNSET:
            field_dict["job_status"] = job_status
        if is_async is not UNSET:
            field_dict["is_async"] = is_async
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        job_id = d.pop("job_id")

        job_status = d.pop("job_status", UNSET)

        is_async = d.pop("is_async", UNSET)

        message = d.pop("message", UNSET)

        export_response = cls(
            job_id=job_id,
            job_status=job_status,
            is_async=is_async,
            message=message,
        )

        export_response.additional_properties = d
        return export_response

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
