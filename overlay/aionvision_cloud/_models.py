"""The overlay's results of single API calls: the generated models, subclassed.

Each class here derives from the generated model of its answer, so every field the contract has
(and every field ``make regen`` adds) is an attribute, typed as generated, with nothing written
twice. The generated parsers build the base classes; ``_wire.check`` re-classes each answer, nested
models included, to the subclass registered with ``@adopts`` (those add no state), and the
others, which carry what the overlay knows beside the answer (the files sent, the connection a
picker session is for), are rebuilt from the parsed answer with ``_wire.rebuild``.

What stays the overlay's own: ``Job.status`` is a ``JobStatus`` mapped from the service's open
string (``raw_status`` keeps it, ``to_dict`` gives it back), the progress helpers, ``repr``
without secrets or unset fields, and the official SDK's conveniences (``ConnectionList`` is a
sequence, ``CompleteAuthResult.id``). Optional fields hold ``UNSET`` when the service left them
out (falsy, not ``None``); ``to_dict()`` round-trips unknown keys (``additional_properties``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, overload

import attrs

from aionvision_cloud_api.models.complete_auth_response import (
    CompleteAuthResponse as _CompleteAuthResponse,
)
from aionvision_cloud_api.models.connection import Connection as _Connection
from aionvision_cloud_api.models.disconnect_response import (
    DisconnectResponse as _DisconnectResponse,
)
from aionvision_cloud_api.models.export_response import ExportResponse as _ExportResponse
from aionvision_cloud_api.models.import_response import ImportResponse as _ImportResponse
from aionvision_cloud_api.models.initiate_auth_response import (
    InitiateAuthResponse as _InitiateAuthResponse,
)
from aionvision_cloud_api.models.job import Job as _Job
from aionvision_cloud_api.models.list_connections_response import (
    ListConnectionsResponse as _ListConnectionsResponse,
)
from aionvision_cloud_api.models.picker_session import PickerSession as _PickerSession

from ._results import count, id_tuple
from ._wire import Unset, WireModel, adopts
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
]

# The generated slots under the overlay's mapped ``status`` properties.
_JOB_STATUS = _Job.__dict__["status"]
_IMPORT_STATUS = _ImportResponse.__dict__["status"]


def _status_or_none(raw: object) -> JobStatus | None:
    return JobStatus.parse(raw) if isinstance(raw, str) else None


@adopts
class Job(WireModel, _Job):
    """An import or export job. ``status`` is mapped to ``JobStatus``; ``raw_status`` is what
    the service sent."""

    __slots__ = ()
    _mapped: ClassVar[tuple[str, ...]] = ("status",)

    @property
    def status(self) -> JobStatus:
        """The status mapped to ``JobStatus`` (``UNKNOWN`` for a value this client does not
        know, or null), so ``job.status is JobStatus.COMPLETED`` holds."""
        return JobStatus.parse(_JOB_STATUS.__get__(self))

    @status.setter
    def status(self, value: str | None) -> None:
        _JOB_STATUS.__set__(self, value)

    @property
    def type(self) -> str | None:
        """``import`` or ``export``: the generated ``type_`` under the API's own name, which
        this client's results have always used (None when the service left it out)."""
        return self.type_ if isinstance(self.type_, str) else None

    @property
    def raw_status(self) -> str | None:
        """The status as the service sent it."""
        raw = _JOB_STATUS.__get__(self)
        return str(raw) if isinstance(raw, str) else None

    @property
    def image_ids(self) -> tuple[str, ...]:
        """The images a job reports having made, when it does (no field of the contract: read
        from what the service sent beside it, ``()`` otherwise)."""
        return id_tuple(self.additional_properties.get("image_ids"))

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


@adopts
class Connection(WireModel, _Connection):
    """A connected cloud storage account."""

    __slots__ = ()


@adopts
class ConnectionList(WireModel, _ListConnectionsResponse):
    """What ``list_connections`` returns: the answer (``connections``, ``total_count``, the
    official SDK's names), which also reads as a sequence of its connections: ``[0]``, ``len``,
    iteration, ``==`` with a list. A string index reads an unknown answer key, as on every
    generated model."""

    __slots__ = ()

    @property
    def _items(self) -> list[Connection]:
        # The overlay's Connection once read (``_wire.check`` re-classes them).
        return self.connections  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Connection]:
        return iter(self._items)

    @overload
    def __getitem__(self, key: int) -> Connection: ...
    @overload
    def __getitem__(self, key: slice) -> list[Connection]: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: int | slice | str) -> Any:
        if isinstance(key, str):
            return self.additional_properties[key]
        return self._items[key]

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self.additional_properties
        return item in self._items

    def __reversed__(self) -> Iterator[Connection]:
        return reversed(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return self._items == other
        return super().__eq__(other)

    __hash__ = None


@adopts
class CompleteAuthResult(WireModel, _CompleteAuthResponse):
    """What ``complete_auth`` returns: the answer (``connection``, ``is_new``: the official SDK's
    names). ``result.id`` is the connection's id, and the connection's other fields read on the
    result too (``result.provider_email``), as they did when the result was the connection."""

    __slots__ = ()
    if TYPE_CHECKING:
        # What it is once read (``_wire.check`` re-classes nested models too).
        connection: Connection

    @property
    def id(self) -> str:
        """The connection's id."""
        return self.connection.id

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the answer has not: a connection field, or nothing.
        if name.startswith("_") or name == "connection":
            raise AttributeError(name)
        try:
            connection = object.__getattribute__(self, "connection")
        except AttributeError:
            raise AttributeError(name) from None
        if name in attrs.fields_dict(type(connection)):
            return getattr(connection, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@adopts
class DisconnectResult(WireModel, _DisconnectResponse):
    """What ``disconnect`` returns; ``success`` is True for any 2xx answer without a body."""

    __slots__ = ()


@attrs.define(repr=False)
class AuthStart(WireModel, _InitiateAuthResponse):
    """Step 1 of OAuth: send the user to ``authorization_url``; check ``state`` on the way back.
    ``redirect_uri`` is the one sent, which step 2 must send again."""

    redirect_uri: str = ""


@attrs.define(repr=False)
class PickerSession(WireModel, _PickerSession):
    """A short-lived Google Picker session for ``connection_id``. ``access_token`` and
    ``developer_key`` are secrets and stay out of ``repr``/``str``."""

    _hidden: ClassVar[frozenset[str]] = frozenset({"access_token", "developer_key"})
    connection_id: str | None = None

    def is_expired(self, now: datetime, *, margin: float = 30.0) -> bool:
        """True when ``expires_at`` is within ``margin`` seconds of ``now`` (or past)."""
        expires = self.expires_at
        if not isinstance(expires, datetime):
            return False
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return (expires - now).total_seconds() <= margin


@attrs.define(repr=False)
class _ImportAnswer(WireModel, _ImportResponse):
    #: How many files this request carried.
    files_sent: int = 0
    #: The Drive file ids of this batch, in the order sent.
    file_ids: tuple[str, ...] = ()
    #: True when the batch was accepted in an earlier run and read back from the journal.
    from_journal: bool = False
    #: How many files the request carried when an earlier, larger call sent it and this call
    #: (a journal re-run for some of those files) holds only ``files_sent`` of them; None when
    #: every file of the batch is this call's. The answer's ids and its job's counts then cover
    #: the other files too (see ``ImportResult.unattributed_files``).
    batch_files: int | None = None


class ImportBatch(_ImportAnswer):
    """The service's answer to one import request, and what was sent. With a job, ``image_ids``
    (when the service sends them) are the ids the job is creating: final only once the job has
    completed. ``status`` is mapped as on ``Job`` (None when the answer has none)."""

    # A plain subclass: attrs drops a class attribute named like a field, the property included.
    __slots__ = ()
    _mapped: ClassVar[tuple[str, ...]] = ("status",)

    @property
    def status(self) -> JobStatus | None:
        return _status_or_none(_IMPORT_STATUS.__get__(self))

    @status.setter
    def status(self, value: str | Unset | None) -> None:
        _IMPORT_STATUS.__set__(self, value)

    @property
    def image_ids_final(self) -> bool:
        """A synchronous batch's ids name images that exist; a job's may still fail."""
        return not self.job_id

    @property
    def is_shared(self) -> bool:
        """True when the batch also carried files of an earlier, larger call (``batch_files``)."""
        return self.batch_files is not None and self.batch_files > self.files_sent


@attrs.define(repr=False)
class ExportBatch(WireModel, _ExportResponse):
    """The service's answer to one export request (always a job), and what was sent."""

    #: How many images this request carried.
    images_sent: int = 0
    #: The image ids of this batch, in the order sent.
    image_ids: tuple[str, ...] = ()
    #: True when the batch was accepted in an earlier run and read back from the journal.
    from_journal: bool = False
    #: As ``ImportBatch.batch_files``: the images the request carried when an earlier, larger
    #: call sent it, when this call holds only ``images_sent`` of them; None otherwise.
    batch_images: int | None = None

    @property
    def status(self) -> JobStatus | None:
        """``job_status`` mapped to ``JobStatus`` (None when the answer has none)."""
        return _status_or_none(self.job_status)

    @property
    def is_shared(self) -> bool:
        """True when the batch also carried images of an earlier, larger call."""
        return self.batch_images is not None and self.batch_images > self.images_sent
