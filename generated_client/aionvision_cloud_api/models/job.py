from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """
    Attributes:
        job_id (str):
        status (str): One of `pending`, `in_progress`, `completed`, `partial`, `failed`, `cancelled`. The service
            normalizes its backend's `processing` to `in_progress` and `completed_with_errors` to `partial`. Kept an open
            string: the live service sends values this list lacks.
        type_ (str | Unset): `import` or `export`.
        connection_id (str | Unset):
        provider (str | Unset):
        total_files (int | Unset):
        completed_files (int | Unset):
        failed_files (int | Unset):
        error (None | str | Unset):
        created_at (datetime.datetime | Unset):
        updated_at (datetime.datetime | Unset):
        completed_at (datetime.datetime | None | Unset):
        cloud_file_ids (list[str] | None | Unset): On an export job, the Drive file ids it created once it is done (the
            service fills them when the export ends); null or absent before.
    """

    job_id: str
    status: str
    type_: str | Unset = UNSET
    connection_id: str | Unset = UNSET
    provider: str | Unset = UNSET
    total_files: int | Unset = UNSET
    completed_files: int | Unset = UNSET
    failed_files: int | Unset = UNSET
    error: None | str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    completed_at: datetime.datetime | None | Unset = UNSET
    cloud_file_ids: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        status = self.status

        type_ = self.type_

        connection_id = self.connection_id

        provider = self.provider

        total_files = self.total_files

        completed_files = self.completed_files

        failed_files = self.failed_files

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

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
                "status": status,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if connection_id is not UNSET:
            field_dict["connection_id"] = connection_id
        if provider is not UNSET:
            field_dict["provider"] = provider
        if total_files is not UNSET:
            field_dict["total_files"] = total_files
        if completed_files is not UNSET:
            field_dict["completed_files"] = completed_files
        if failed_files is not UNSET:
            field_dict["failed_files"] = failed_files
        if error is not UNSET:
            field_dict["error"] = error
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if cloud_file_ids is not UNSET:
            field_dict["cloud_file_ids"] = cloud_file_ids

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        job_id = d.pop("job_id")

        status = d.pop("status")

        type_ = d.pop("type", UNSET)

        connection_id = d.pop("connection_id", UNSET)

        provider = d.pop("provider", UNSET)

        total_files = d.pop("total_files", UNSET)

        completed_files = d.pop("completed_files", UNSET)

        failed_files = d.pop("failed_files", UNSET)

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

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

        job = cls(
            job_id=job_id,
            status=status,
            type_=type_,
            connection_id=connection_id,
            provider=provider,
            total_files=total_files,
            completed_files=completed_files,
            failed_files=failed_files,
            error=error,
            created_at=created_at,
            updated_at=updated_at,
            completed_at=completed_at,
            cloud_file_ids=cloud_file_ids,
        )

        job.additional_properties = d
        return job

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
