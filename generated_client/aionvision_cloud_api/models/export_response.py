from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExportResponse")


@_attrs_define
class ExportResponse:
    """
    Attributes:
        job_id (str):
        job_status (None | str | Unset): See Job.status; null in the service's published schema too.
        is_async (bool | Unset):
        message (str | Unset):
        cloud_file_ids (list[str] | None | Unset): The Drive file ids the export created: null while the job runs (the
            service's reference); absent in the API document.
    """

    job_id: str
    job_status: None | str | Unset = UNSET
    is_async: bool | Unset = UNSET
    message: str | Unset = UNSET
    cloud_file_ids: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        job_status: None | str | Unset
        if isinstance(self.job_status, Unset):
            job_status = UNSET
        else:
            job_status = self.job_status

        is_async = self.is_async

        message = self.message

        cloud_file_ids: list[str] | None | Unset
        if isinstance(self.cloud_file_ids, Unset):
            cloud_file_ids = UNSET
        elif isinstance(self.cloud_file_ids, list):
            cloud_file_ids = self.cloud_file_ids

        else:
            cloud_file_ids = self.cloud_file_ids

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
        if cloud_file_ids is not UNSET:
            field_dict["cloud_file_ids"] = cloud_file_ids

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        job_id = d.pop("job_id")

        def _parse_job_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_status = _parse_job_status(d.pop("job_status", UNSET))

        is_async = d.pop("is_async", UNSET)

        message = d.pop("message", UNSET)

        def _parse_cloud_file_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                cloud_file_ids_type_0 = cast(list[str], data)

                return cloud_file_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        cloud_file_ids = _parse_cloud_file_ids(d.pop("cloud_file_ids", UNSET))

        export_response = cls(
            job_id=job_id,
            job_status=job_status,
            is_async=is_async,
            message=message,
            cloud_file_ids=cloud_file_ids,
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
