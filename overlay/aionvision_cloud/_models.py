"""The overlay's results of single API calls: the generated models, subclassed.

Each class here is an attrs subclass of the generated model of its answer, built by the generated
``from_dict`` (a classmethod, so it builds the subclass), so every field the contract has (and
every field ``make regen`` adds) is an attribute, typed as generated, with nothing written twice.
The answer was checked against ``openapi.yaml`` before it got here (``_http.ContractCheck``).

What stays the overlay's own: ``Job.status`` is a ``JobStatus`` mapped from the service's open
string (``raw_status`` keeps that string, and ``to_dict`` sends it back), the progress helpers, a
``repr`` without ``UNSET`` noise, unknown keys or secrets, and the official SDK's conveniences
(``ConnectionList`` is a sequence, ``CompleteAuthResult.id``). Optional fields hold ``UNSET`` when
the service left them out (falsy, not ``None``); ``to_dict()`` round-trips unknown keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar, overload

import attrs

from aionvision_cloud_api.models.complete_auth_response import CompleteAuthResponse
from aionvision_cloud_api.models.connection import Connection
from aionvision_cloud_api.models.disconnect_response import DisconnectResponse
from aionvision_cloud_api.models.export_response import ExportResponse
from aionvision_cloud_api.models.import_response import ImportResponse
from aionvision_cloud_api.models.initiate_auth_response import InitiateAuthResponse
from aionvision_cloud_api.models.job import Job as _Job
from aionvision_cloud_api.models.list_connections_response import ListConnectionsResponse
from aionvision_cloud_api.models.picker_session import PickerSession as _PickerSession
from aionvision_cloud_api.types import UNSET, Unset

from ._results import count
from .status import JobStatus

__all__ = [
    "AuthStart",
    "CompleteAuthResult",
    "Connection",
    "ConnectionList",
    "DisconnectResult",
    "ExportBatch",
    "ImportBatch",
    "Job",
    "PickerSession",
    "adopt",
]


class _Shown:
    """A ``repr`` of the fields the service sent: no ``UNSET``, no unknown keys (they could be
    anything, a secret too), secrets (``_hidden``) as ``[redacted]``."""

    __slots__ = ()
    _hidden: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        shown = [
            f"{f.name}={'[redacted]' if f.name in self._hidden else repr(value)}"
            for f in attrs.fields(type(self))  # type: ignore[arg-type]
            if f.name != "additional_properties"
            and not isinstance(value := getattr(self, f.name), Unset)
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__


M = TypeVar("M")
# Per generated class, worked out once: its init arguments (alias, attribute), its timestamps.
_INIT: dict[type, tuple[tuple[str, str], ...]] = {}
_TIMESTAMPS: dict[type, tuple[str, ...]] = {}


def adopt(cls: type[M], model: Any, **extra: Any) -> M:
    """``model``, an answer the generated parser built, as ``cls``, the overlay's subclass of
    its class, with ``extra`` (what the overlay knows beside the answer); unknown keys kept.
    Copied by the public attrs fields: no second parse of the answer."""
    base = type(model)
    init = _INIT.get(base)
    if init is None:
        init = _INIT[base] = tuple((f.alias, f.name) for f in attrs.fields(base) if f.init)
    adopted = cls(**{alias: getattr(model, name) for alias, name in init}, **extra)
    adopted.additional_properties = model.additional_properties  # type: ignore[attr-defined]
    return adopted


def _utc(model: object) -> None:
    """A naive timestamp from this API means UTC (API-NOTES.md): made aware once read."""
    cls = type(model)
    names = _TIMESTAMPS.get(cls)
    if names is None:
        fields = attrs.fields(cls)  # type: ignore[arg-type]
        names = _TIMESTAMPS[cls] = tuple(f.name for f in fields if "datetime" in str(f.type))
    for name in names:
        value = getattr(model, name)
        if isinstance(value, datetime) and value.tzinfo is None:
            setattr(model, name, value.replace(tzinfo=UTC))


def _with_raw_status(data: dict[str, Any], key: str, raw: object) -> dict[str, Any]:
    """A generated ``to_dict`` with the status as the service sent it, not as mapped."""
    if isinstance(raw, Unset):
        data.pop(key, None)
    else:
        data[key] = raw
    return data


@attrs.define(repr=False)
class Job(_Shown, _Job):
    """An import or export job.

    ``status`` is mapped to [`JobStatus`][aionvision_cloud.JobStatus]; ``raw_status`` is what the
    service sent.
    """

    # The answer's ``status`` lands here (alias), and ``status`` is its mapping.
    raw_status: str = attrs.field(alias="status", kw_only=True)
    status: JobStatus = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.status = JobStatus.parse(self.raw_status)
        _utc(self)

    def to_dict(self) -> dict[str, Any]:
        return _with_raw_status(super().to_dict(), "status", self.raw_status)

    @property
    def image_ids(self) -> tuple[str, ...]:
        """The images a job reports having made, when it does (no field of the contract: read
        from what the service sent beside it, ``()`` otherwise)."""
        ids = self.additional_properties.get("image_ids")
        return tuple(i for i in ids if isinstance(i, str) and i) if isinstance(ids, list) else ()

    @property
    def is_terminal(self) -> bool:
        """True once the job will not change any more (completed, partial, failed, cancelled)."""
        return self.status.is_terminal

    @property
    def is_success(self) -> bool:
        """True for completed or partial."""
        return self.status.is_success

    @property
    def progress(self) -> float:
        """Fraction of files processed (completed or failed), 0.0 to 1.0."""
        total = count(self.total_files)
        if total <= 0:
            return 1.0 if self.is_terminal else 0.0
        done = count(self.completed_files) + count(self.failed_files)
        return min(1.0, max(0.0, done / total))


@attrs.define(repr=False)
class ConnectionList(_Shown, ListConnectionsResponse):
    """What ``list_connections`` returns: the answer (``connections``, ``total_count``, the
    official SDK's names), which also reads as a sequence of its connections: ``[0]``, ``len``,
    iteration, ``==`` with a list. A string index reads an unknown answer key, as on every
    generated model."""

    def __len__(self) -> int:
        return len(self.connections)

    def __iter__(self) -> Iterator[Connection]:
        return iter(self.connections)

    @overload
    def __getitem__(self, key: int) -> Connection: ...
    @overload
    def __getitem__(self, key: slice) -> list[Connection]: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: int | slice | str) -> Any:
        if isinstance(key, str):
            return self.additional_properties[key]
        return self.connections[key]

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self.additional_properties
        return item in self.connections

    def __reversed__(self) -> Iterator[Connection]:
        return reversed(self.connections)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return self.connections == other
        return super().__eq__(other)

    __hash__ = None


@attrs.define(repr=False)
class CompleteAuthResult(_Shown, CompleteAuthResponse):
    """What ``complete_auth`` returns: the answer (``connection``, ``is_new``: the official SDK's
    names). ``result.id`` is the connection's id, and the connection's other fields read on the
    result too (``result.provider_email``), as they did when the result was the connection."""

    @property
    def id(self) -> str:
        """The connection's id."""
        return self.connection.id

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the answer has not: a connection field, or nothing.
        if name.startswith("_") or name == "connection":
            raise AttributeError(name)
        connection = self.connection
        if name in attrs.fields_dict(type(connection)):
            return getattr(connection, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@attrs.define(repr=False)
class DisconnectResult(_Shown, DisconnectResponse):
    """What ``disconnect`` returns; ``success`` is True for any 2xx answer without a body."""


@attrs.define(repr=False)
class AuthStart(_Shown, InitiateAuthResponse):
    """Step 1 of OAuth: send the user to ``authorization_url``; check ``state`` on the way back.
    ``redirect_uri`` is the one sent, which step 2 must send again."""

    redirect_uri: str = ""


@attrs.define(repr=False)
class PickerSession(_Shown, _PickerSession):
    """A short-lived Google Picker session for ``connection_id``. ``access_token`` and
    ``developer_key`` are secrets and stay out of ``repr``/``str``."""

    _hidden: ClassVar[frozenset[str]] = frozenset({"access_token", "developer_key"})
    connection_id: str | None = None

    def __attrs_post_init__(self) -> None:
        _utc(self)

    def is_expired(self, now: datetime, *, margin: float = 30.0) -> bool:
        """True when ``expires_at`` is within ``margin`` seconds of ``now`` (or past).

        Args:
            now: The current time, timezone-aware.
            margin: Seconds before ``expires_at`` that already count as expired (default 30).

        Returns:
            Whether the session is expired; False when it has no ``expires_at``.
        """
        expires = self.expires_at
        if not isinstance(expires, datetime):
            return False
        return (expires - now).total_seconds() <= margin


@attrs.define(repr=False)
class ImportBatch(_Shown, ImportResponse):
    """The service's answer to one import request, and what was sent. With a job, ``image_ids``
    (when the service sends them) are the ids the job is creating: final only once the job has
    completed. ``status`` is mapped as on ``Job`` (None when the answer has none)."""

    raw_status: str | Unset | None = attrs.field(alias="status", default=UNSET, kw_only=True)
    status: JobStatus | None = attrs.field(init=False)
    #: How many files this request carried.
    files_sent: int = attrs.field(default=0, kw_only=True)
    #: The Drive file ids of this batch, in the order sent.
    file_ids: tuple[str, ...] = attrs.field(default=(), kw_only=True)
    #: Their Drive names, in the same order (the service's failure reasons name files by these).
    file_names: tuple[str, ...] = attrs.field(default=(), kw_only=True)
    #: True when the batch was accepted in an earlier run and read back from the journal.
    from_journal: bool = attrs.field(default=False, kw_only=True)
    #: How many files the request carried when an earlier, larger call sent it and this call
    #: (a journal re-run for some of those files) holds only ``files_sent`` of them; None when
    #: every file of the batch is this call's. The answer's ids and its job's counts then cover
    #: the other files too (see ``ImportResult.unattributed_files``).
    batch_files: int | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        raw = self.raw_status
        self.status = JobStatus.parse(raw) if isinstance(raw, str) else None

    def to_dict(self) -> dict[str, Any]:
        return _with_raw_status(super().to_dict(), "status", self.raw_status)

    @property
    def image_ids_final(self) -> bool:
        """A synchronous batch's ids name images that exist; a job's may still fail."""
        return not self.job_id

    @property
    def is_shared(self) -> bool:
        """True when the batch also carried files of an earlier, larger call (``batch_files``)."""
        return self.batch_files is not None and self.batch_files > self.files_sent


@attrs.define(repr=False)
class ExportBatch(_Shown, ExportResponse):
    """The service's answer to one export request (always a job), and what was sent."""

    #: How many images this request carried.
    images_sent: int = attrs.field(default=0, kw_only=True)
    #: The image ids this request sent, in order (``image_ids`` on an import are ids the service
    #: made; these are the caller's).
    sent_image_ids: tuple[str, ...] = attrs.field(default=(), kw_only=True)
    #: True when the batch was accepted in an earlier run and read back from the journal.
    from_journal: bool = attrs.field(default=False, kw_only=True)
    #: As ``ImportBatch.batch_files``: the images the request carried when an earlier, larger
    #: call sent it, when this call holds only ``images_sent`` of them; None otherwise.
    batch_images: int | None = attrs.field(default=None, kw_only=True)

    @property
    def status(self) -> JobStatus | None:
        """``job_status`` mapped to ``JobStatus`` (None when the answer has none)."""
        raw = self.job_status
        return JobStatus.parse(raw) if isinstance(raw, str) else None

    @property
    def is_shared(self) -> bool:
        """True when the batch also carried images of an earlier, larger call."""
        return self.batch_images is not None and self.batch_images > self.images_sent
