from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportResponse")


@_attrs_define
class ImportResponse:
    """
    Attributes:
        is_async (bool):
        image_ids (list[str] | None | Unset): Set when the import finished synchronously. An import that became a job
            may also carry the ids its images will get; those are final only once the job has completed.
        job_id (None | str | Unset): Set when the import became a background job.
        status (None | str | Unset): The job's status when the import became a job.
        total_files (int | Unset):
        message (str | Unset):
    """

    is_async: bool
    image_ids: list[str] | None | Unset = UNSET
    job_id: None | str | Unset = UNSET
    status: None | str | Unset = UNSET
    total_files: int | Unset = UNSET
    message: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        is_async = self.is_async

        image_ids: list[str] | None | Unset
        if isinstance(self.image_ids, Unset):
            image_ids = UNSET
        elif isinstance(self.image_ids, list):
            image_ids = self.image_ids

        else:
            image_ids = self.image_ids

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        else:
            job_id = self.job_id

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        total_files = self.total_files

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "is_async": is_async,
            }
        )
        if image_ids is not UNSET:
            field_dict["image_ids"] = image_ids
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if status is not UNSET:
            field_dict["status"] = status
        if total_files is not UNSET:
            field_dict["total_files"] = total_files
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        is_async = d.pop("is_async")

        def _parse_image_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                image_ids_type_0 = cast(list[str], data)

                return image_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        image_ids = _parse_image_ids(d.pop("image_ids", UNSET))

        def _parse_job_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_id = _parse_job_id(d.pop("job_id", UNSET))

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        total_files = d.pop("total_files", UNSET)

        message = d.pop("message", UNSET)

        import_response = cls(
            is_async=is_async,
            image_ids=image_ids,
            job_id=job_id,
            status=status,
            total_files=total_files,
            message=message,
        )

        import_response.additional_properties = d
        return import_response

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
