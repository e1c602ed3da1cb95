"""``client.cloud_storage``: the document's endpoints and the conveniences around them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import _inputs as inputs
from ._bulk import BulkOutcome, send_in_batches
from ._journal import ON_UNCERTAIN, BatchRecord, Journal, JournalOperation, OnUncertain
from ._models import (
    AuthStart,
    CloudFile,
    CompleteAuthResult,
    Connection,
    ConnectionList,
    DisconnectResult,
    ExportBatch,
    ExportResult,
    ImportBatch,
    ImportResult,
    Job,
    PickerSession,
    Progress,
    opt_bool,
    opt_int,
    opt_str,
    required_id,
    unwrap,
)
from ._picker import DriveLister, build_query, check_endpoint, unwrap_proxy_response
from ._polling import FAILURE_STATUSES, JobWaiter, overall_progress
from ._settings import Settings
from .errors import (
    AionvisionError,
    APIResponseValidationError,
    InvalidInputError,
    JobFailedError,
    JobTimeoutError,
)
from .status import JobStatus

__all__ = ["CloudStorage"]

DEFAULT_CONNECT_TIMEOUT = 300.0

# The generated request models (their package imports every model), the OAuth loopback server and
# the browser are imported where they are used, so `import aionvision_cloud` stays cheap.
if TYPE_CHECKING:
    from aionvision_cloud_api.models.provider import Provider

    ProviderLike = str | Provider

JournalPath = str | os.PathLike[str]


@contextlib.contextmanager
def _journal(
    path: JournalPath | None,
    on_uncertain: str,
    kind: str,
    connection_id: str,
    options: Mapping[str, Any],
) -> Iterator[JournalOperation | None]:
    """The journal's record of this operation, open for the call (None without a journal)."""
    if on_uncertain not in ON_UNCERTAIN:
        raise InvalidInputError(f"on_uncertain must be one of {', '.join(ON_UNCERTAIN)}")
    if path is None:
        yield None
        return
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidInputError("journal must be a file path (str or os.PathLike)")
    with Journal(path) as journal:
        yield journal.operation(kind, connection_id, options)


def _import_batch(record: BatchRecord) -> ImportBatch:
    return ImportBatch(
        files_sent=len(record.items),
        is_async=record.job_id is not None,
        image_ids=record.image_ids,
        job_id=record.job_id,
        file_ids=record.items,
        from_journal=True,
    )


def _export_batch(record: BatchRecord) -> ExportBatch:
    return ExportBatch(
        job_id=record.job_id or "",
        images_sent=len(record.items),
        image_ids=record.items,
        from_journal=True,
    )


def _import_result(outcome: BulkOutcome[ImportBatch], jobs: Sequence[Job] = ()) -> ImportResult:
    return ImportResult(
        batches=outcome.batches,
        jobs=tuple(jobs),
        failed=outcome.failed,
        not_sent=outcome.not_sent,
        uncertain=outcome.uncertain,
        skipped_files=outcome.skipped,
    )


def _export_result(outcome: BulkOutcome[ExportBatch], jobs: Sequence[Job] = ()) -> ExportResult:
    return ExportResult(
        batches=outcome.batches,
        jobs=tuple(jobs),
        failed=outcome.failed,
        not_sent=outcome.not_sent,
        uncertain=outcome.uncertain,
        skipped_files=outcome.skipped,
    )


class CloudStorage:
    """Connect Google Drive, browse it through the picker proxy, import, export, follow jobs."""

    def __init__(self, settings: Settings) -> None:
        """Built by ``Client``: use ``client.cloud_storage`` rather than building one."""
        self._settings = settings
        self._rq = settings.requester
        self._clock = settings.clock
        self._waiter = JobWaiter(
            self.get_job,
            settings.clock,
            poll_interval=settings.poll_interval,
            max_interval=settings.max_interval,
            timeout=settings.wait_timeout,
        )

    @property
    def batch_size(self) -> int:
        """Files (or images) per request when a call does not say; ``Client(batch_size=...)``."""
        return self._settings.batch_size

    def __repr__(self) -> str:
        return f"CloudStorage(batch_size={self.batch_size})"

    # -- OAuth -----------------------------------------------------------------------------------

    def default_redirect_uri(self, provider: ProviderLike = "google_drive") -> str:
        """The service's own OAuth callback page for ``provider`` (``GET
        /cloud-storage/auth/{provider}/callback``), used when no ``redirect_uri`` is given."""
        prov = inputs.check_provider(provider)
        return f"{self._settings.base_url}/cloud-storage/auth/{prov.value}/callback"

    def start_auth(self, provider: ProviderLike, redirect_uri: str | None = None) -> AuthStart:
        """OAuth step 1: ``POST /cloud-storage/auth/{provider}`` with ``redirect_uri`` (default:
        :meth:`default_redirect_uri`).

        Returns an ``AuthStart``: send the user to ``authorization_url``; the browser comes back
        to ``redirect_uri`` with a code and ``state``. Raises ``InvalidInputError`` for an
        unknown provider or a redirect URI that is not an http(s) URL (before sending), and the
        ``APIStatusError`` subclass for an error answer.
        """
        prov = inputs.check_provider(provider)
        uri = inputs.check_redirect_uri(
            self.default_redirect_uri(prov) if redirect_uri is None else redirect_uri
        )
        from aionvision_cloud_api.models.initiate_auth_request import InitiateAuthRequest

        body = InitiateAuthRequest(provider=prov, redirect_uri=uri)
        data = unwrap(self._rq.call("initiate_auth", prov, body=body), "auth")
        return AuthStart(
            authorization_url=required_id(data, "authorization_url", "initiate auth"),
            state=required_id(data, "state", "initiate auth"),
            provider=opt_str(data.get("provider")) or prov.value,
            redirect_uri=uri,
            raw=data,
        )

    # The official SDK's name for step 1.
    initiate_auth = start_auth

    def complete_auth(
        self, provider: ProviderLike, code: str, state: str, redirect_uri: str | None = None
    ) -> CompleteAuthResult:
        """OAuth step 2: ``POST /cloud-storage/auth/{provider}/callback`` exchanges ``code`` for
        a connection. ``redirect_uri`` must be the one step 1 used (default: the same default).

        Returns a ``CompleteAuthResult``: the ``Connection`` itself, with ``is_new`` and
        ``.connection``. Raises ``InvalidInputError`` for a blank code or state (before sending),
        ``ValidationError`` when the service rejects the code, state or redirect URI.
        """
        prov = inputs.check_provider(provider)
        inputs.check_id(code, "code")
        inputs.check_id(state, "state")
        uri = inputs.check_redirect_uri(
            self.default_redirect_uri(prov) if redirect_uri is None else redirect_uri
        )
        from aionvision_cloud_api.models.complete_auth_request import CompleteAuthRequest

        body = CompleteAuthRequest(code=code, state=state, redirect_uri=uri)
        data = self._rq.call("complete_auth", prov, body=body)
        if not isinstance(data, Mapping):
            raise APIResponseValidationError("complete auth response is not a JSON object")
        return CompleteAuthResult.from_json(unwrap(data, "connection"), is_new=data.get("is_new"))

    def complete_auth_from_redirect(
        self,
        provider: ProviderLike,
        redirect_url: str,
        expected_state: str,
        *,
        redirect_uri: str | None = None,
    ) -> CompleteAuthResult:
        """OAuth step 2 from the full URL the browser came back to.

        Checks the URL first: ``OAuthError`` for a provider error (``access_denied``) or a
        missing code, ``OAuthStateMismatchError`` when its ``state`` is not ``expected_state``.
        ``redirect_uri`` defaults to the URL without its query. Then as :meth:`complete_auth`.
        """
        prov = inputs.check_provider(provider)
        from ._oauth import code_from_redirect, redirect_uri_of

        code = code_from_redirect(redirect_url, expected_state, redirect_uri)
        uri = redirect_uri if redirect_uri is not None else redirect_uri_of(redirect_url)
        return self.complete_auth(prov, code, expected_state, uri)

    def connect(
        self,
        provider: ProviderLike = "google_drive",
        *,
        open_browser: bool | Callable[[str], object] = True,
        timeout: float = DEFAULT_CONNECT_TIMEOUT,
        port: int = 0,
    ) -> CompleteAuthResult:
        """The whole OAuth flow through a browser and a one-shot server on 127.0.0.1.

        ``open_browser``: True opens the system browser, False prints the URL, a callable gets
        the URL. ``port`` 0 picks a free one. Returns the new connection. Raises
        ``OAuthTimeoutError`` when nobody comes back within ``timeout`` seconds, and whatever
        :meth:`complete_auth_from_redirect` raises.
        """
        prov = inputs.check_provider(provider)
        inputs.check_positive("timeout", timeout)
        from ._oauth import LoopbackServer, announce

        with LoopbackServer(port) as server:
            start = self.start_auth(prov, server.redirect_uri)
            announce(start.authorization_url, open_browser)
            redirect_url = server.wait_for_redirect(timeout)
        return self.complete_auth_from_redirect(
            prov, redirect_url, start.state, redirect_uri=start.redirect_uri
        )

    # -- connections -----------------------------------------------------------------------------

    def list_connections(
        self, provider: ProviderLike | None = None, *, active_only: bool = True
    ) -> ConnectionList:
        """``GET /cloud-storage/connections``, optionally for one ``provider`` and including
        inactive connections (``active_only=False``).

        Returns a ``ConnectionList``: a list of ``Connection`` (``[0]``, ``len``, iteration)
        that also has ``connections`` and ``total_count``. Raises ``InvalidInputError`` for an
        unknown provider, ``APIResponseValidationError`` when the answer has no list.
        """
        from aionvision_cloud_api.types import UNSET

        prov = inputs.check_provider(provider) if provider is not None else UNSET
        inputs.check_bool(active_only, "active_only")
        data = self._rq.call("list_connections", provider=prov, active_only=active_only)
        items = data.get("connections") if isinstance(data, Mapping) else data
        if items is None:
            items = []
        if not isinstance(items, list):
            raise APIResponseValidationError("list connections response lacks 'connections'")
        total = opt_int(data.get("total_count")) if isinstance(data, Mapping) else None
        return ConnectionList(
            (Connection.from_json(c) for c in items if isinstance(c, Mapping)), total_count=total
        )

    def disconnect(self, connection_id: str) -> DisconnectResult:
        """``DELETE /cloud-storage/connections/{connection_id}``: revoke and remove a connection.

        Returns a ``DisconnectResult`` (``success``, ``message``). Raises ``InvalidInputError``
        for a blank id, ``NotFoundError`` when there is no such connection.
        """
        cid = inputs.check_id(connection_id, "connection_id")
        data = self._rq.call("disconnect", cid)
        data = data if isinstance(data, Mapping) else {}
        success = opt_bool(data.get("success"))
        # A 2xx without a body still means the connection is gone.
        return DisconnectResult(
            success=True if success is None else success, message=opt_str(data.get("message"))
        )

    # -- picker ----------------------------------------------------------------------------------

    def get_picker_session(self, connection_id: str) -> PickerSession:
        """``GET /cloud-storage/connections/{connection_id}/picker-token``: a short-lived Google
        Picker session (``session_id``, ``expires_at``; its tokens stay out of ``repr``).

        Raises ``InvalidInputError`` for a blank id, ``NotFoundError`` for an unknown
        connection.
        """
        cid = inputs.check_id(connection_id, "connection_id")
        data = self._rq.call("get_picker_token", cid)
        return PickerSession.from_json(unwrap(data, "session"), cid)

    def picker_proxy(
        self,
        session: PickerSession | str,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``POST /cloud-storage/picker-proxy``: call a Drive API ``endpoint`` (``files``,
        ``files/{id}``, ``files/{id}/export``, ``about``) with ``params`` through the session.

        Returns the Drive JSON as Drive sent it, whether the service wrapped it in ``data`` (as it
        does today) or not (as the API document shows). Raises ``InvalidInputError`` for an
        endpoint outside that list or bad params (before sending), ``AuthenticationError`` once
        the session has expired, ``APIResponseValidationError`` for an answer that is neither
        (no object; for ``files``, no file list).
        """
        check_endpoint(endpoint)
        session_id = session.session_id if isinstance(session, PickerSession) else session
        session_id = inputs.check_id(session_id, "session_id")
        if params is not None and not isinstance(params, Mapping):
            raise InvalidInputError("params must be a mapping")
        from aionvision_cloud_api.models.picker_proxy_request import PickerProxyRequest
        from aionvision_cloud_api.models.picker_proxy_request_params import (
            PickerProxyRequestParams,
        )

        body = PickerProxyRequest(session_id=session_id, endpoint=endpoint)
        if params is not None:
            if not all(isinstance(k, str) for k in params):
                raise InvalidInputError("params keys must be strings")
            body.params = PickerProxyRequestParams.from_dict(dict(params))
        answer = self._rq.call("picker_proxy", body=body)
        # Only a listing that asks for its file list must have one (``fields`` may leave it out).
        listing = endpoint == "files" and "files" in str((params or {}).get("fields", "files"))
        return unwrap_proxy_response(answer, listing=listing)

    def iter_drive_files(
        self,
        connection_id: str,
        *,
        folder_id: str | None = None,
        query: str | None = None,
        mime_prefix: str | None = None,
        page_size: int = 100,
        include_folders: bool = False,
    ) -> Iterator[CloudFile]:
        """Drive files (``CloudFile``), lazily, one page in memory at a time, through the picker
        proxy; a new picker session is fetched when the current one expires.

        ``folder_id``, ``mime_prefix`` and ``query`` (Drive query syntax) narrow the listing;
        trashed files never appear, folders only with ``include_folders``. Raises
        ``InvalidInputError`` for bad arguments before the first request.
        """
        cid = inputs.check_id(connection_id, "connection_id")
        if (
            isinstance(page_size, bool)
            or not isinstance(page_size, int)
            or not 1 <= page_size <= 1000
        ):
            raise InvalidInputError("page_size must be an int from 1 to 1000")
        q = build_query(folder_id, query, mime_prefix)
        lister = DriveLister(
            new_session=lambda: self.get_picker_session(cid),
            proxy=self.picker_proxy,
            now=self._clock.now,
        )
        return lister.iter_files(q, page_size, include_folders)

    # -- import / export -------------------------------------------------------------------------

    def import_files(
        self,
        connection_id: str,
        files: Iterable[CloudFile | Mapping[str, Any]],
        *,
        auto_describe: bool | None = None,
        tags: Sequence[str] | None = None,
        collection_id: str | None = None,
        batch_size: int | None = None,
        journal: JournalPath | None = None,
        on_uncertain: OnUncertain = "raise",
    ) -> ImportResult:
        """``POST /cloud-storage/import`` for ``files`` (``CloudFile`` objects or dicts with
        ``id`` and ``name``), one request per batch of ``batch_size`` files.

        Returns an ``ImportResult`` with every batch's answer: image ids for batches the
        service did at once, job ids for the rest (wait with ``wait_for_job`` or use
        ``import_and_wait``). Raises ``InvalidInputError`` for bad input before sending. Any
        later error carries ``exc.partial``, an ``ImportResult`` with the batches accepted so
        far, the ``failed`` batch and why, and the files ``not_sent``.

        ``journal`` names a file recording each batch before it is sent and once accepted:
        calling again with the same journal (and arguments) skips what was accepted and sends
        the rest. A batch an earlier run sent without an answer is uncertain: ``on_uncertain``
        is ``"raise"`` (``UncertainBatchError``, nothing sent), ``"resend"`` (it may be imported
        twice) or ``"skip"`` (its files are reported in ``skipped_files``, not imported).
        """
        cid, to_send, size, options = self._check_import(
            connection_id, files, auto_describe, tags, collection_id, batch_size
        )
        with _journal(journal, on_uncertain, "import", cid, options) as op:
            return _import_result(self._send_imports(cid, to_send, size, options, op, on_uncertain))

    def _check_import(
        self,
        connection_id: str,
        files: Iterable[CloudFile | Mapping[str, Any]],
        auto_describe: bool | None,
        tags: Sequence[str] | None,
        collection_id: str | None,
        batch_size: int | None,
    ) -> tuple[str, list[Any], int, dict[str, Any]]:
        cid = inputs.check_id(connection_id, "connection_id")
        to_send = inputs.to_import_files(files)
        size = self.batch_size if batch_size is None else inputs.check_batch_size(batch_size)
        tag_list = inputs.check_ids(tags, "tags") if tags is not None else None
        coll = (
            inputs.check_id(collection_id, "collection_id") if collection_id is not None else None
        )
        if auto_describe is not None and not isinstance(auto_describe, bool):
            raise InvalidInputError("auto_describe must be a bool")
        options = {"auto_describe": auto_describe, "tags": tag_list, "collection_id": coll}
        return cid, to_send, size, options

    def _send_imports(
        self,
        cid: str,
        to_send: Sequence[Any],
        size: int,
        options: Mapping[str, Any],
        op: JournalOperation | None,
        on_uncertain: OnUncertain,
    ) -> BulkOutcome[ImportBatch]:
        from aionvision_cloud_api.models.import_request import ImportRequest
        from aionvision_cloud_api.types import UNSET

        def send(chunk: Sequence[Any]) -> ImportBatch:
            body = ImportRequest(connection_id=cid, files=list(chunk))
            auto_describe = options["auto_describe"]
            body.auto_describe = UNSET if auto_describe is None else auto_describe
            if options["tags"] is not None:
                body.tags = options["tags"]
            if options["collection_id"] is not None:
                body.collection_id = options["collection_id"]
            data = self._rq.call("import_files", body=body)
            if not isinstance(data, Mapping):
                raise APIResponseValidationError("import response is not a JSON object")
            return ImportBatch.from_json(data, len(chunk), [f.id for f in chunk])

        return send_in_batches(
            to_send,
            key=lambda f: str(f.id),
            size=size,
            send=send,
            accepted_ids=lambda b: (b.job_id, b.image_ids),
            from_journal=_import_batch,
            journal=op,
            on_uncertain=on_uncertain,
            partial=_import_result,
        )

    def export_files(
        self,
        connection_id: str,
        image_ids: Iterable[str],
        *,
        folder_id: str | None = None,
        folder_name: str | None = None,
        batch_size: int | None = None,
        journal: JournalPath | None = None,
        on_uncertain: OnUncertain = "raise",
    ) -> ExportResult:
        """``POST /cloud-storage/export`` for ``image_ids`` into the Drive folder ``folder_id``
        (or a new one named ``folder_name``), one request and one job per batch of
        ``batch_size`` images.

        Returns an ``ExportResult`` with the job ids. Raises ``InvalidInputError`` for bad input
        before sending; later errors carry ``exc.partial``, and ``journal``/``on_uncertain``
        work as in :meth:`import_files`, with image ids for file ids.
        """
        cid, ids, size, options = self._check_export(
            connection_id, image_ids, folder_id, folder_name, batch_size
        )
        with _journal(journal, on_uncertain, "export", cid, options) as op:
            return _export_result(self._send_exports(cid, ids, size, options, op, on_uncertain))

    def _check_export(
        self,
        connection_id: str,
        image_ids: Iterable[str],
        folder_id: str | None,
        folder_name: str | None,
        batch_size: int | None,
    ) -> tuple[str, list[str], int, dict[str, Any]]:
        cid = inputs.check_id(connection_id, "connection_id")
        ids = inputs.check_ids(image_ids, "image_ids")
        size = self.batch_size if batch_size is None else inputs.check_batch_size(batch_size)
        if folder_id is not None:
            inputs.check_id(folder_id, "folder_id")
        if folder_name is not None:
            inputs.check_id(folder_name, "folder_name")
        return cid, ids, size, {"folder_id": folder_id, "folder_name": folder_name}

    def _send_exports(
        self,
        cid: str,
        ids: Sequence[str],
        size: int,
        options: Mapping[str, Any],
        op: JournalOperation | None,
        on_uncertain: OnUncertain,
    ) -> BulkOutcome[ExportBatch]:
        from aionvision_cloud_api.models.export_request import ExportRequest

        def send(chunk: Sequence[str]) -> ExportBatch:
            body = ExportRequest(connection_id=cid, image_ids=list(chunk))
            if options["folder_id"] is not None:
                body.folder_id = options["folder_id"]
            if options["folder_name"] is not None:
                body.folder_name = options["folder_name"]
            data = self._rq.call("export_files", body=body)
            if not isinstance(data, Mapping):
                raise APIResponseValidationError("export response is not a JSON object")
            return ExportBatch.from_json(data, len(chunk), chunk)

        return send_in_batches(
            ids,
            key=str,
            size=size,
            send=send,
            accepted_ids=lambda b: (b.job_id, ()),
            from_journal=_export_batch,
            journal=op,
            on_uncertain=on_uncertain,
            partial=_export_result,
        )

    # The official SDK's names for starting an import or export without waiting.
    start_import = import_files
    start_export = export_files

    # -- jobs ------------------------------------------------------------------------------------

    def get_job(self, job_id: str) -> Job:
        """``GET /cloud-storage/jobs/{job_id}``: the job's current state, once.

        Returns a ``Job`` (``status`` mapped to ``JobStatus``, file counts, ``image_ids``).
        Raises ``InvalidInputError`` for a blank id, ``NotFoundError`` for an unknown job.
        """
        jid = inputs.check_id(job_id, "job_id")
        return Job.from_json(unwrap(self._rq.call("get_job", jid), "job"))

    def wait_for_job(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        max_interval: float | None = None,
        on_progress: Callable[[Job], object] | None = None,
        raise_on_failure: bool = True,
    ) -> Job:
        """Poll until the job is terminal and return it.

        Raises ``JobFailedError`` for ``failed``/``cancelled`` unless ``raise_on_failure`` is
        False, and ``JobTimeoutError`` (carrying the last job seen) after ``timeout`` seconds.
        """
        jid = inputs.check_id(job_id, "job_id")
        return self._waiter.wait(
            jid,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            on_progress=on_progress,
            raise_on_failure=raise_on_failure,
        )

    def _wait_all(
        self,
        batches: Sequence[ImportBatch] | Sequence[ExportBatch],
        *,
        total_files: int,
        sync_done: tuple[int, int],
        timeout: float | None,
        poll_interval: float | None,
        on_progress: Callable[[Progress], object] | None,
        op: JournalOperation | None,
        partial: Callable[[tuple[Job, ...]], object],
    ) -> tuple[Job, ...]:
        """Wait for every job; jobs the journal saw end are not polled again. Any error carries
        ``partial(jobs)`` with every job in its last known state; a timeout also lists them."""
        initial = {b.job_id: b.status for b in batches if b.job_id}
        job_ids = list(initial)
        budget = self._settings.wait_timeout if timeout is None else timeout
        deadline = self._clock.monotonic() + budget
        known = op.finished_jobs() if op is not None else {}
        finished: list[Job] = []

        def report(job: Job | None) -> None:
            if on_progress is not None:
                on_progress(overall_progress(total_files, finished, job, len(job_ids), sync_done))

        def last_states(current: Job | None) -> tuple[Job, ...]:
            done = {j.job_id: j for j in finished}
            if current is not None:
                done[current.job_id] = current
            return tuple(
                done.get(jid) or Job(job_id=jid, status=initial[jid] or JobStatus.PENDING)
                for jid in job_ids
            )

        if not job_ids:
            report(None)
        for jid in job_ids:
            if jid in known:
                finished.append(Job.from_json(known[jid]))
                continue
            try:
                job = self._waiter.wait(
                    jid,
                    timeout=budget,
                    poll_interval=poll_interval,
                    on_progress=report if on_progress is not None else None,
                    raise_on_failure=False,
                    deadline=deadline,
                )
            except JobTimeoutError as exc:
                jobs = last_states(exc.job)
                timed_out = JobTimeoutError(
                    jid, budget, exc.job, jobs=jobs, last_error=exc.last_error
                )
                timed_out.partial = partial(jobs)
                raise timed_out from exc
            except AionvisionError as exc:
                exc.partial = partial(last_states(None))
                raise
            if op is not None:
                op.job_seen(jid, job.raw, job.is_terminal)
            finished.append(job)
        return tuple(finished)

    def import_and_wait(
        self,
        connection_id: str,
        files: Iterable[CloudFile | Mapping[str, Any]],
        *,
        auto_describe: bool | None = None,
        tags: Sequence[str] | None = None,
        collection_id: str | None = None,
        batch_size: int | None = None,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_progress: Callable[[Progress], object] | None = None,
        raise_on_failure: bool = True,
        journal: JournalPath | None = None,
        on_uncertain: OnUncertain = "raise",
    ) -> ImportResult:
        """:meth:`import_files`, then wait for every job it started (within one ``timeout``).

        Returns the ``ImportResult`` with the terminal ``jobs``; ``completed_files`` and
        ``failed_files`` count all files, however the service ran them. ``on_progress`` gets a
        ``Progress`` over all files. Raises ``JobFailedError`` (carrying the result) when a job
        failed or was cancelled, unless ``raise_on_failure`` is False, and ``JobTimeoutError``
        (listing every job in ``jobs``); every error carries ``exc.partial``. With a
        ``journal`` a re-run also re-follows the jobs still running (see :meth:`import_files`).
        """
        _check_wait_args(timeout, poll_interval)
        cid, to_send, size, options = self._check_import(
            connection_id, files, auto_describe, tags, collection_id, batch_size
        )
        with _journal(journal, on_uncertain, "import", cid, options) as op:
            outcome = self._send_imports(cid, to_send, size, options, op, on_uncertain)
            sent = _import_result(outcome)
            jobs = self._wait_all(
                outcome.batches,
                total_files=sent.total_files,
                sync_done=sent.sync_counts,
                timeout=timeout,
                poll_interval=poll_interval,
                on_progress=on_progress,
                op=op,
                partial=lambda seen: _import_result(outcome, seen),
            )
        result = _import_result(outcome, jobs)
        _raise_first_failure(jobs, result, raise_on_failure)
        return result

    def export_and_wait(
        self,
        connection_id: str,
        image_ids: Iterable[str],
        *,
        folder_id: str | None = None,
        folder_name: str | None = None,
        batch_size: int | None = None,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_progress: Callable[[Progress], object] | None = None,
        raise_on_failure: bool = True,
        journal: JournalPath | None = None,
        on_uncertain: OnUncertain = "raise",
    ) -> ExportResult:
        """:meth:`export_files`, then wait for every job it started (within one ``timeout``).

        Returns the ``ExportResult`` with the terminal ``jobs`` and summed ``completed_files`` /
        ``failed_files``; ``on_progress`` gets a ``Progress`` over all images. Raises as
        :meth:`import_and_wait` does; ``journal`` as there.
        """
        _check_wait_args(timeout, poll_interval)
        cid, ids, size, options = self._check_export(
            connection_id, image_ids, folder_id, folder_name, batch_size
        )
        with _journal(journal, on_uncertain, "export", cid, options) as op:
            outcome = self._send_exports(cid, ids, size, options, op, on_uncertain)
            jobs = self._wait_all(
                outcome.batches,
                total_files=sum(b.images_sent for b in outcome.batches),
                sync_done=(0, 0),
                timeout=timeout,
                poll_interval=poll_interval,
                on_progress=on_progress,
                op=op,
                partial=lambda seen: _export_result(outcome, seen),
            )
        result = _export_result(outcome, jobs)
        _raise_first_failure(jobs, result, raise_on_failure)
        return result


def _check_wait_args(timeout: float | None, poll_interval: float | None) -> None:
    # Before the import or export is sent, not after: a bad wait must not leave jobs behind.
    if timeout is not None:
        inputs.check_positive("timeout", timeout)
    if poll_interval is not None:
        inputs.check_positive("poll_interval", poll_interval)


def _raise_first_failure(jobs: Sequence[Job], result: object, raise_on_failure: bool) -> None:
    if not raise_on_failure:
        return
    for job in jobs:
        if job.status in FAILURE_STATUSES:
            exc = JobFailedError(job, result=result)
            exc.partial = result
            raise exc
