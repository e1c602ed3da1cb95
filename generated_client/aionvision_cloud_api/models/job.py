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
        status (None | str): One of `pending`, `in_progress`, `completed`, `partial`, `failed`, `cancelled`. The service
            normalizes its backend's `processing` to `in_progress` and `completed_with_errors` to `partial`. Kept an open
            string: the live service sends values this list lacks.
        type_ (None | str | Unset): `import` or `export`.
        connection_id (None | str | Unset):
        provider (None | str | Unset):
        total_files (int | None | Unset):
        completed_files (int | None | Unset):
        failed_files (int | None | Unset):
        error (None | str | Unset):
        created_at (datetime.datetime | None | Unset):
        updated_at (datetime.datetime | None | Unset):
        completed_at (datetime.datetime | None | Unset):
        cloud_file_ids (list[str] | None | Unset): On an export job, the Drive file ids it created once it is done (the
            service fills them when the export ends); null or absent before.
    """

    job_id: str
    status: None | str
    type_: None | str | Unset = UNSET
    connection_id: None | str | Unset = UNSET
    provider: None | str | Unset = UNSET
    total_files: int | None | Unset = UNSET
    completed_files: int | None | Unset = UNSET
    failed_files: int | None | Unset = UNSET
    error: None | str | Unset = UNSET
    created_at: datetime.datetime | None | Unset = UNSET
    updated_at: datetime.datetime | None | Unset = UNSET
    completed_at: datetime.datetime | None | Unset = UNSET
    cloud_file_ids: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        status: None | str
        status = self.status

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        connection_id: None | str | Unset
        if isinstance(self.connection_id, Unset):
            connection_id = UNSET
        else:
            connection_id = self.connection_id

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        else:
            provider = self.provider

        total_files: int | None | Unset
        if isinstance(self.total_files, Unset):
            total_files = UNSET
        else:
            total_files = self.total_files

        completed_files: int | None | Unset
        if isinstance(self.completed_files, Unset):
            completed_files = UNSET
        else:
            completed_files = self.completed_files

        failed_files: int | None | Unset
        if isinstance(self.failed_files, Unset):
            failed_files = UNSET
        else:
            failed_files = self.failed_files

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        elif isinstance(self.created_at, datetime.datetime):
            created_at = self.created_at.isoformat()
        else:
            created_at = self.created_at

        updated_at: None | str | Unset
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        elif isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

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

        def _parse_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status = _parse_status(d.pop("status"))

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        def _parse_connection_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        connection_id = _parse_connection_id(d.pop("connection_id", UNSET))

        def _parse_provider(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        def _parse_total_files(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        total_files = _parse_total_files(d.pop("total_files", UNSET))

        def _parse_completed_files(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        completed_files = _parse_completed_files(d.pop("completed_files", UNSET))

        def _parse_failed_files(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        failed_files = _parse_failed_files(d.pop("failed_files", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_created_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                created_at_type_0 = datetime.datetime.fromisoformat(data)

                return created_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        def _parse_updated_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        updated_at = _parse_updated_at(d.pop("updated_at", UNSET))

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
