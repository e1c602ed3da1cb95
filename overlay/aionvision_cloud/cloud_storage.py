"""``client.cloud_storage``: the document's endpoints and the conveniences around them.

Every request goes through a generated operation's public ``sync_detailed`` (``Requester.call``)
and every answer comes back as the generated model or the overlay's subclass of it (``_models``).
Each method takes, as keywords, any optional field of its request body (or query) that it does
not name itself, checked against the generated model before anything is sent: a field
``make regen`` adds is accepted with no edit here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from . import _inputs as inputs
from ._bulk import BulkOutcome, send_in_batches
from ._export_folder import ExportFolder
from ._http import Unreadable, core_id
from ._inputs import request_body
from ._journal import JournalOperation, OnUncertain
from ._models import (
    AuthStart,
    CompleteAuthResult,
    ConnectionList,
    DisconnectResult,
    ExportBatch,
    ImportBatch,
    Job,
    PickerSession,
    adopt,
)
from ._picker import DriveLister, build_query, check_endpoint, unwrap_proxy_response
from ._polling import FAILURE_STATUSES, JobWaiter
from ._results import CloudFile, ExportResult, ImportResult, Progress, count, id_tuple
from ._settings import Settings
from ._transfers import (
    JournalPath,
    Plan,
    bulk_call,
    export_batch,
    export_result,
    import_batch,
    import_result,
    job_id,
    wait_all,
)
from .errors import (
    APIResponseValidationError,
    InvalidInputError,
    JobFailedError,
)

__all__ = ["CloudStorage"]

DEFAULT_CONNECT_TIMEOUT = 300.0

if TYPE_CHECKING:
    from aionvision_cloud_api.models.complete_auth_response import CompleteAuthResponse
    from aionvision_cloud_api.models.export_response import ExportResponse
    from aionvision_cloud_api.models.import_file import ImportFile
    from aionvision_cloud_api.models.import_response import ImportResponse
    from aionvision_cloud_api.models.initiate_auth_response import InitiateAuthResponse
    from aionvision_cloud_api.models.job_response import JobResponse
    from aionvision_cloud_api.models.list_connections_response import ListConnectionsResponse
    from aionvision_cloud_api.models.picker_token_response import PickerTokenResponse
    from aionvision_cloud_api.models.provider import Provider

    from ._paths import DriveFolder

    ProviderLike = str | Provider


class CloudStorage:
    """Connect Google Drive, browse it through the picker proxy, import, export, follow jobs."""

    def __init__(self, settings: Settings) -> None:
        """Built by ``Client``: use ``client.cloud_storage`` rather than building one."""
        self._settings = settings
        self._rq = settings.requester
        self._api = settings.requester.api
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
        """The service's own OAuth callback page for ``provider``.

        That is ``GET /cloud-storage/auth/{provider}/callback``, used when no ``redirect_uri``
        is given.

        Args:
            provider: The cloud provider (``"google_drive"``, the default, or a ``Provider``).

        Returns:
            The callback page's URL on this client's ``base_url``.

        Raises:
            InvalidInputError: For an unknown provider.
        """
        prov = inputs.check_provider(provider)
        return f"{self._settings.base_url}/cloud-storage/auth/{prov.value}/callback"

    def start_auth(
        self, provider: ProviderLike, redirect_uri: str | None = None, **fields: Any
    ) -> AuthStart:
        """OAuth step 1: ``POST /cloud-storage/auth/{provider}``.

        Send the user to the answer's ``authorization_url``; the browser comes back to
        ``redirect_uri`` with a code and ``state``.

        Args:
            provider: The cloud provider (``"google_drive"`` or a ``Provider``).
            redirect_uri: Where the browser comes back to; default:
                [`default_redirect_uri`][aionvision_cloud.CloudStorage.default_redirect_uri].
            **fields: Any other ``InitiateAuthRequest`` field.

        Returns:
            The ``InitiateAuthResponse``, with the ``redirect_uri`` sent.

        Raises:
            InvalidInputError: For an unknown provider, a redirect URI that is not an http(s) URL
                or an unknown field (before sending).
            APIStatusError: The subclass for an error answer.
        """
        prov = inputs.check_provider(provider)
        uri = inputs.check_redirect_uri(
            self.default_redirect_uri(prov) if redirect_uri is None else redirect_uri
        )

        from aionvision_cloud_api.api.cloud_storage import initiate_auth
        from aionvision_cloud_api.models.initiate_auth_request import InitiateAuthRequest

        values = {"provider": prov, "redirect_uri": uri}
        body = request_body(InitiateAuthRequest, "start_auth", values, fields)

        def read(answer: InitiateAuthResponse) -> AuthStart:
            start = adopt(AuthStart, answer, redirect_uri=uri)
            core_id(start.authorization_url, "authorization_url")
            core_id(start.state, "state")
            return start

        sent = initiate_auth.sync_detailed(provider=prov, client=self._api, body=body)
        return self._rq.read(sent, "initiate_auth", read)

    def initiate_auth(self, *args: Any, **kwargs: Any) -> AuthStart:
        """Alias of [`start_auth`][aionvision_cloud.CloudStorage.start_auth], under the
        official SDK's name."""
        return self.start_auth(*args, **kwargs)

    def complete_auth(
        self,
        provider: ProviderLike,
        code: str,
        state: str,
        redirect_uri: str | None = None,
        **fields: Any,
    ) -> CompleteAuthResult:
        """OAuth step 2: exchange ``code`` for a connection.

        ``POST /cloud-storage/auth/{provider}/callback``.

        Args:
            provider: The cloud provider, as in step 1.
            code: The code the browser came back with.
            state: The ``state`` the browser came back with.
            redirect_uri: Must be the one step 1 used (default: the same default).
            **fields: Any other ``CompleteAuthRequest`` field.

        Returns:
            The answer: ``connection`` and ``is_new``, with ``result.id`` the connection's.

        Raises:
            InvalidInputError: For a blank code or state or an unknown field (before sending).
            ValidationError: When the service rejects the code, state or redirect URI.
        """
        prov = inputs.check_provider(provider)
        inputs.check_id(code, "code")
        inputs.check_id(state, "state")
        uri = inputs.check_redirect_uri(
            self.default_redirect_uri(prov) if redirect_uri is None else redirect_uri
        )

        from aionvision_cloud_api.api.cloud_storage import complete_auth
        from aionvision_cloud_api.models.complete_auth_request import CompleteAuthRequest

        values = {"code": code, "state": state, "redirect_uri": uri}
        body = request_body(CompleteAuthRequest, "complete_auth", values, fields)

        def read(answer: CompleteAuthResponse) -> CompleteAuthResult:
            result = adopt(CompleteAuthResult, answer)
            core_id(result.connection.id, "connection.id")
            return result

        sent = complete_auth.sync_detailed(provider=prov, client=self._api, body=body)
        return self._rq.read(sent, "complete_auth", read)

    def complete_auth_from_redirect(
        self,
        provider: ProviderLike,
        redirect_url: str,
        expected_state: str,
        *,
        redirect_uri: str | None = None,
    ) -> CompleteAuthResult:
        """OAuth step 2 from the full URL the browser came back to.

        The URL is checked first, then the code is exchanged as
        [`complete_auth`][aionvision_cloud.CloudStorage.complete_auth] does.

        Args:
            provider: The cloud provider, as in step 1.
            redirect_url: The full URL the browser came back to, query included.
            expected_state: The ``state`` step 1 returned.
            redirect_uri: Default: the URL without its query.

        Returns:
            The new connection, as [`complete_auth`][aionvision_cloud.CloudStorage.complete_auth]
            returns it.

        Raises:
            OAuthError: For a provider error (``access_denied``) or a missing code.
            OAuthStateMismatchError: When the URL's ``state`` is not ``expected_state``.
            AionvisionError: Whatever [`complete_auth`][aionvision_cloud.CloudStorage.complete_auth]
                raises.
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

        The server answers from a thread of its own, so a callable ``open_browser`` may visit the
        URL and block until the page has loaded.

        Args:
            provider: The cloud provider (default ``"google_drive"``).
            open_browser: True opens the system browser, False prints the URL, a callable gets the
                URL (``lambda url: httpx.get(url, follow_redirects=True)`` in a test against the
                emulator).
            timeout: Seconds to wait for the browser to come back, counted from when it is opened
                (default 300).
            port: The local server's port; 0 picks a free one.

        Returns:
            The new connection.

        Raises:
            OAuthTimeoutError: When nobody comes back within ``timeout`` seconds.
            AionvisionError: Whatever
                [`complete_auth_from_redirect`][aionvision_cloud.CloudStorage.complete_auth_from_redirect]
                raises.
        """
        prov = inputs.check_provider(provider)
        inputs.check_positive("timeout", timeout)
        from ._oauth import LoopbackServer, announce

        with LoopbackServer(port) as server:
            start = self.start_auth(prov, server.redirect_uri)
            server.expected_state = start.state
            # The timeout counts from here, the browser's (or the callable's) time included; the
            # server answers from its own thread meanwhile.
            deadline = time.monotonic() + timeout
            announce(start.authorization_url, open_browser)
            redirect_url = server.wait_for_redirect(timeout, deadline=deadline)
        return self.complete_auth_from_redirect(
            prov, redirect_url, start.state, redirect_uri=start.redirect_uri
        )

    # -- connections -----------------------------------------------------------------------------

    def list_connections(
        self, provider: ProviderLike | None = None, *, active_only: bool = True, **params: Any
    ) -> ConnectionList:
        """``GET /cloud-storage/connections``: the account's connections.

        Args:
            provider: Only this provider's connections (default: all).
            active_only: False includes inactive connections.
            **params: Any other query parameter of the generated ``list_connections``.

        Returns:
            The answer (``connections``, ``total_count``), which also reads as a sequence of
            [`Connection`][aionvision_cloud.Connection] (``[0]``, ``len``, iteration).

        Raises:
            InvalidInputError: For an unknown provider or parameter.
            APIResponseValidationError: When the answer has no list.
        """

        from aionvision_cloud_api.api.cloud_storage import list_connections
        from aionvision_cloud_api.types import UNSET

        prov = inputs.check_provider(provider) if provider is not None else UNSET
        inputs.check_bool(active_only, "active_only")
        inputs.check_params(list_connections.sync_detailed, "list_connections", params)

        def read(answer: ListConnectionsResponse) -> ConnectionList:
            listed = adopt(ConnectionList, answer)
            # Each id is a string (the contract); an empty one is the only thing left to refuse.
            for i, conn in enumerate(listed):
                core_id(conn.id, f"connections[{i}].id")
            return listed

        sent = list_connections.sync_detailed(
            client=self._api, provider=prov, active_only=active_only, **params
        )
        return self._rq.read(sent, "list_connections", read)

    def disconnect(self, connection_id: str) -> DisconnectResult:
        """``DELETE /cloud-storage/connections/{connection_id}``: revoke and remove a connection.

        Args:
            connection_id: The connection to remove.

        Returns:
            The answer (``success``, ``message``).

        Raises:
            InvalidInputError: For a blank id.
            NotFoundError: When there is no such connection.
        """
        cid = inputs.check_id(connection_id, "connection_id")

        from aionvision_cloud_api.api.cloud_storage import disconnect

        try:
            sent = disconnect.sync_detailed(connection_id=cid, client=self._api)
            return self._rq.read(sent, "disconnect", lambda a: adopt(DisconnectResult, a))
        except APIResponseValidationError as exc:
            # A 2xx without a body (a 204, say) still means the connection is gone.
            if exc.response is not None and not exc.response.content:
                return DisconnectResult(success=True)
            raise

    def _accounts(self) -> dict[str, str | None]:
        """Connection id to its account (``provider:email``; None when the service names none),
        inactive connections included: a journal asks when an export's connection changed."""
        return {
            conn.id: f"{conn.provider}:{conn.provider_email}"
            if isinstance(conn.provider_email, str) and conn.provider_email
            else None
            for conn in self.list_connections(active_only=False)
        }

    # -- picker ----------------------------------------------------------------------------------

    def get_picker_session(self, connection_id: str) -> PickerSession:
        """A short-lived Google Picker session for a connection.

        ``GET /cloud-storage/connections/{connection_id}/picker-token``. The session has
        ``session_id`` and ``expires_at``; its tokens stay out of ``repr``.

        Args:
            connection_id: The connection whose Drive the session browses.

        Returns:
            The session, with its ``connection_id``.

        Raises:
            InvalidInputError: For a blank id.
            NotFoundError: For an unknown connection.
        """
        cid = inputs.check_id(connection_id, "connection_id")

        from aionvision_cloud_api.api.cloud_storage import get_picker_token

        def read(answer: PickerTokenResponse) -> PickerSession:
            session = adopt(PickerSession, answer.session, connection_id=cid)
            core_id(session.session_id, "session.session_id")
            return session

        sent = get_picker_token.sync_detailed(connection_id=cid, client=self._api)
        return self._rq.read(sent, "get_picker_token", read)

    def picker_proxy(
        self,
        session: PickerSession | str,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """``POST /cloud-storage/picker-proxy``: call a Drive API endpoint through the session.

        Args:
            session: A [`PickerSession`][aionvision_cloud.PickerSession] or its ``session_id``.
            endpoint: ``files``, ``files/{id}``, ``files/{id}/export`` or ``about``.
            params: The Drive API's query parameters.
            **fields: Any other ``PickerProxyRequest`` field.

        Returns:
            The Drive JSON as Drive sent it, whether the service wrapped it in ``data`` (as it does
            today) or not (as the API document shows).

        Raises:
            InvalidInputError: For an endpoint outside that list, bad params or an unknown field
                (before sending).
            AuthenticationError: Once the session has expired.
            APIResponseValidationError: For an answer that is neither (no object; for ``files``, no
                file list).
        """
        check_endpoint(endpoint)
        session_id = session if isinstance(session, str) else session.session_id
        session_id = inputs.check_id(session_id, "session_id")
        if params is not None and not isinstance(params, Mapping):
            raise InvalidInputError("params must be a mapping")

        from aionvision_cloud_api.api.cloud_storage import picker_proxy
        from aionvision_cloud_api.models.picker_proxy_request import PickerProxyRequest
        from aionvision_cloud_api.models.picker_proxy_request_params import (
            PickerProxyRequestParams,
        )

        values: dict[str, object] = {"session_id": session_id, "endpoint": endpoint}
        if params is not None:
            if not all(isinstance(k, str) for k in params):
                raise InvalidInputError("params keys must be strings")
            values["params"] = PickerProxyRequestParams.from_dict(dict(params))
        body = request_body(PickerProxyRequest, "picker_proxy", values, fields)
        # Only a listing that asks for its file list must have one (``fields`` may leave it out).
        listing = endpoint == "files" and "files" in str((params or {}).get("fields", "files"))
        sent = picker_proxy.sync_detailed(client=self._api, body=body)
        # The envelope or Drive's own JSON: read both ways.
        return self._rq.read(
            sent,
            "picker_proxy",
            # The envelope or Drive's own JSON, as parsed: back to JSON, then read both ways.
            lambda answer: unwrap_proxy_response(answer.to_dict(), listing=listing),
        )

    def resolve_folder(self, connection_id: str, folder: str) -> DriveFolder:
        """A Drive folder from ``root``, a folder id, or a path like ``My Drive/Photos/2024``.

        ``My Drive/`` may be left out, as the command line's ``--folder`` takes it. Each name
        matches exactly first, then case-insensitively when only one folder does.

        Args:
            connection_id: The connection whose Drive is looked in.
            folder: ``root``, a folder id or a path.

        Returns:
            The folder (``id``, ``path``).

        Raises:
            FolderNotFoundError: With the near names in ``suggestions``.
            NotAFolderError: For a file.
            AmbiguousFolderError: When several folders match. All three are
                [`DriveFolderError`][aionvision_cloud.errors.DriveFolderError].
        """
        cid = inputs.check_id(connection_id, "connection_id")
        from ._paths import FolderResolver

        return FolderResolver(self, cid).resolve(folder)

    def iter_drive_files(
        self,
        connection_id: str,
        *,
        folder: str | None = None,
        folder_id: str | None = None,
        query: str | None = None,
        mime_prefix: str | None = None,
        page_size: int = 100,
        include_folders: bool = False,
    ) -> Iterator[CloudFile]:
        """Drive files, lazily, one page in memory at a time, through the picker proxy.

        A new picker session is fetched when the current one expires. Trashed files never
        appear, folders only with ``include_folders``.

        Args:
            connection_id: The connection whose Drive is listed.
            folder: A path like ``My Drive/Photos/2024``, ``root`` or a folder id, resolved as
                [`resolve_folder`][aionvision_cloud.CloudStorage.resolve_folder] does.
            folder_id: A folder id only (not with ``folder``).
            query: Drive query syntax, narrowing the listing.
            mime_prefix: Only files whose MIME type starts with this.
            page_size: Files per page, 1 to 1000 (default 100).
            include_folders: True lists folders too.

        Yields:
            Each file, as a [`CloudFile`][aionvision_cloud.CloudFile].

        Raises:
            InvalidInputError: For bad arguments, before the first request.
            DriveFolderError: When ``folder`` names no single folder.
        """
        cid = inputs.check_id(connection_id, "connection_id")
        if folder is not None and folder_id is not None:
            raise InvalidInputError("give folder (a path or id) or folder_id, not both")
        if isinstance(folder_id, str) and "/" in folder_id:
            raise InvalidInputError(
                f"folder_id must be a Drive id; for a path such as {folder_id!r} pass folder="
            )
        if (
            isinstance(page_size, bool)
            or not isinstance(page_size, int)
            or not 1 <= page_size <= 1000
        ):
            raise InvalidInputError("page_size must be an int from 1 to 1000")
        # Checked before the folder is looked up: bad arguments cost no request.
        build_query(folder_id, query, mime_prefix)
        if folder is not None:
            folder_id = self.resolve_folder(cid, folder).id
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
        **fields: Any,
    ) -> ImportResult:
        """``POST /cloud-storage/import`` for ``files``, one request per batch of files.

        The result holds every batch's answer: image ids for batches the service did at once,
        job ids for the rest (wait with [`wait_for_job`][aionvision_cloud.CloudStorage.wait_for_job]
        or use [`import_and_wait`][aionvision_cloud.CloudStorage.import_and_wait]).

        A batch an earlier run sent without an answer (with a ``journal``) is uncertain;
        ``on_uncertain`` says what to do with it.

        Args:
            connection_id: The connection whose Drive the files are in.
            files: [`CloudFile`][aionvision_cloud.CloudFile] objects or dicts with ``id`` and
                ``name``.
            auto_describe: The ``ImportRequest`` field, sent with every batch.
            tags: The ``ImportRequest`` field, sent with every batch.
            collection_id: The ``ImportRequest`` field, sent with every batch.
            batch_size: Files per request (default: the client's ``batch_size``).
            journal: A file recording each batch before it is sent and once accepted: calling
                again with the same journal (and arguments) skips what was accepted and sends the
                rest.
            on_uncertain: ``"raise"``
                ([`UncertainBatchError`][aionvision_cloud.errors.UncertainBatchError], nothing
                sent), ``"resend"`` (it may be imported twice) or ``"skip"`` (its files are
                reported in ``skipped_files``, not imported).
            **fields: Any other optional ``ImportRequest`` field, sent with every batch.

        Returns:
            Every batch's answer.

        Raises:
            InvalidInputError: For bad input or an unknown field, before sending.
            AionvisionError: Any later error carries ``exc.partial``, an
                [`ImportResult`][aionvision_cloud.ImportResult] with the batches accepted so far,
                the ``failed`` batch and why, and the files ``not_sent``; so does any other
                exception that leaves the call, ``KeyboardInterrupt`` included (the batch in
                flight then ``failed``, uncertain), raised on as it was.
        """
        plan = self._check_import(
            connection_id, files, auto_describe, tags, collection_id, batch_size, fields
        )
        with bulk_call(self._settings, "import", plan, journal, on_uncertain, self._accounts) as (
            kept,
            op,
        ):
            kept.outcome = self._send_imports(plan, op, on_uncertain)
            return import_result(kept.outcome)

    def _check_import(
        self,
        connection_id: str,
        files: Iterable[CloudFile | Mapping[str, Any]],
        auto_describe: bool | None,
        tags: Sequence[str] | None,
        collection_id: str | None,
        batch_size: int | None,
        fields: Mapping[str, Any],
    ) -> Plan[ImportFile]:
        cid = inputs.check_id(connection_id, "connection_id")
        to_send = inputs.to_import_files(files)
        size = self.batch_size if batch_size is None else inputs.check_batch_size(batch_size)
        tag_list = inputs.check_ids(tags, "tags") if tags is not None else None
        coll = (
            inputs.check_id(collection_id, "collection_id") if collection_id is not None else None
        )
        if auto_describe is not None and not isinstance(auto_describe, bool):
            raise InvalidInputError("auto_describe must be a bool")
        named = {"auto_describe": auto_describe, "tags": tag_list, "collection_id": coll}
        plan = Plan(cid, to_send, size, named, dict(fields))
        plan.import_body(plan.items[: plan.size])  # an unknown or bad field: refused before sending
        return plan

    def _send_imports(
        self, plan: Plan[ImportFile], op: JournalOperation | None, on_uncertain: OnUncertain
    ) -> BulkOutcome[ImportBatch]:

        from aionvision_cloud_api.api.cloud_storage import import_files

        def send(chunk: Sequence[ImportFile]) -> ImportBatch:
            def read(answer: ImportResponse) -> ImportBatch:
                file_ids = tuple(f.id for f in chunk)
                names = tuple(f.name for f in chunk)
                batch = adopt(
                    ImportBatch,
                    answer,
                    files_sent=len(chunk),
                    file_ids=file_ids,
                    file_names=names,
                )
                if batch.is_async and job_id(batch) is None:
                    raise Unreadable("an asynchronous import's answer has no job_id")
                return batch

            sent = import_files.sync_detailed(client=self._api, body=plan.import_body(chunk))
            return self._rq.read(sent, "import_files", read)

        names = {str(f.id): str(f.name) for f in plan.items}
        return send_in_batches(
            plan.items,
            key=lambda f: str(f.id),
            size=plan.size,
            send=send,
            accepted_ids=lambda b: (job_id(b), id_tuple(b.image_ids)),
            from_journal=lambda record: import_batch(record, names),
            journal=op,
            on_uncertain=on_uncertain,
            partial=import_result,
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
        **fields: Any,
    ) -> ExportResult:
        """``POST /cloud-storage/export`` for ``image_ids``, one request and one job per batch.

        With ``folder_name``, every batch goes into one new folder: the first batch carries the
        name, the others the folder's id. The service names that folder only through the files
        the first batch's job made, once it has ended, so an export of more than one batch waits
        for that first job (within the client's ``polling_timeout``) before sending the second;
        the other jobs are not waited for. With a ``journal``, the folder is recorded, and a
        re-run goes on into it.

        Args:
            connection_id: The connection whose Drive the images go to.
            image_ids: The images to export.
            folder_id: The Drive folder to export into.
            folder_name: A new folder to create and export into, instead of ``folder_id``
                (with both, the new folder is made inside ``folder_id``).
            batch_size: Images per request (default: the client's ``batch_size``).
            journal: As in [`import_files`][aionvision_cloud.CloudStorage.import_files], with image
                ids for file ids.
            on_uncertain: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            **fields: Any other optional ``ExportRequest`` field.

        Returns:
            The batches' answers, with the job ids, and ``folder_id``: the folder given, or the
            new one once known (None for a one-batch export into a new folder: its job has not
            ended yet).

        Raises:
            InvalidInputError: For bad input or an unknown field, before sending.
            ExportFolderError: With ``folder_name`` and more than one batch, when the folder the
                first batch made cannot be learned (the job names no Drive file, as the API
                document's service does not, or all its images failed): the other batches are
                not sent rather than each making a folder; ``exc.partial`` holds the first.
            AionvisionError: Any later error carries ``exc.partial``, as in
                [`import_files`][aionvision_cloud.CloudStorage.import_files].
        """
        plan = self._check_export(
            connection_id, image_ids, folder_id, folder_name, batch_size, fields
        )
        with bulk_call(self._settings, "export", plan, journal, on_uncertain, self._accounts) as (
            kept,
            op,
        ):
            folder = ExportFolder(self, plan.cid, folder_id, folder_name, op, None)
            kept.outcome = self._send_exports(plan, op, on_uncertain, folder)
            return export_result(kept.outcome, folder_id=folder.folder_id)

    def _check_export(
        self,
        connection_id: str,
        image_ids: Iterable[str],
        folder_id: str | None,
        folder_name: str | None,
        batch_size: int | None,
        fields: Mapping[str, Any],
    ) -> Plan[str]:
        cid = inputs.check_id(connection_id, "connection_id")
        ids = inputs.check_ids(image_ids, "image_ids")
        size = self.batch_size if batch_size is None else inputs.check_batch_size(batch_size)
        if folder_id is not None:
            inputs.check_id(folder_id, "folder_id")
        if folder_name is not None:
            inputs.check_id(folder_name, "folder_name")
        named = {"folder_id": folder_id, "folder_name": folder_name}
        plan = Plan(cid, ids, size, named, dict(fields))
        plan.export_body(plan.items[: plan.size])  # an unknown or bad field: refused before sending
        return plan

    def _send_exports(
        self,
        plan: Plan[str],
        op: JournalOperation | None,
        on_uncertain: OnUncertain,
        folder: ExportFolder,
    ) -> BulkOutcome[ExportBatch]:

        from aionvision_cloud_api.api.cloud_storage import export_files

        def send(chunk: Sequence[str]) -> ExportBatch:
            def read(answer: ExportResponse) -> ExportBatch:
                sent_ids = tuple(chunk)
                batch = adopt(ExportBatch, answer, images_sent=len(chunk), sent_image_ids=sent_ids)
                core_id(batch.job_id, "job_id")
                return batch

            # Once the new folder is known, by its id: the name would make another folder.
            where = attrs.evolve(plan, named={**plan.named, **folder.fields()})
            sent = export_files.sync_detailed(client=self._api, body=where.export_body(chunk))
            return self._rq.read(sent, "export_files", read)

        return send_in_batches(
            plan.items,
            key=str,
            size=plan.size,
            send=send,
            accepted_ids=lambda b: (b.job_id, ()),
            from_journal=export_batch,
            journal=op,
            on_uncertain=on_uncertain,
            partial=lambda outcome: export_result(outcome, folder_id=folder.folder_id),
            before_batch=folder.before_batch,
        )

    def start_import(self, *args: Any, **kwargs: Any) -> ImportResult:
        """Alias of [`import_files`][aionvision_cloud.CloudStorage.import_files], under the
        official SDK's name."""
        return self.import_files(*args, **kwargs)

    def start_export(self, *args: Any, **kwargs: Any) -> ExportResult:
        """Alias of [`export_files`][aionvision_cloud.CloudStorage.export_files], under the
        official SDK's name."""
        return self.export_files(*args, **kwargs)

    # -- jobs ------------------------------------------------------------------------------------

    def get_job(self, job_id: str) -> Job:
        """``GET /cloud-storage/jobs/{job_id}``: the job's current state, once.

        Args:
            job_id: The job to read.

        Returns:
            The job: ``status`` mapped to [`JobStatus`][aionvision_cloud.JobStatus], file counts,
            ``image_ids``.

        Raises:
            InvalidInputError: For a blank id.
            NotFoundError: For an unknown job.
        """
        jid = inputs.check_id(job_id, "job_id")

        from aionvision_cloud_api.api.cloud_storage import get_job

        sent = get_job.sync_detailed(job_id=jid, client=self._api)  # by name: mypy sees a rename
        return self._rq.read(sent, "get_job", _read_job)

    def wait_for_job(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float | None = None,
        max_interval: float | None = None,
        on_progress: Callable[[Progress], object] | None = None,
        raise_on_failure: bool = True,
    ) -> Job:
        """Poll until the job is terminal and return it.

        Args:
            job_id: The job to wait for.
            timeout: Seconds to wait (default: the client's ``polling_timeout``).
            poll_interval: Seconds between polls at first (default: the client's
                ``polling_interval``).
            max_interval: The longest wait between polls (default: the client's
                ``polling_max_interval``).
            on_progress: Gets a [`Progress`][aionvision_cloud.Progress] after each poll that
                changed the counts (the same type
                [`import_and_wait`][aionvision_cloud.CloudStorage.import_and_wait] gives).
            raise_on_failure: False returns a failed or cancelled job instead of raising.

        Returns:
            The job, terminal.

        Raises:
            JobFailedError: For ``failed``/``cancelled`` unless ``raise_on_failure`` is False.
            JobTimeoutError: Carrying the last job seen, after ``timeout`` seconds.
        """
        jid = inputs.check_id(job_id, "job_id")
        return self._waiter.wait(
            jid,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            on_progress=None if on_progress is None else _reporting(on_progress),
            raise_on_failure=raise_on_failure,
        )

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
        **fields: Any,
    ) -> ImportResult:
        """[`import_files`][aionvision_cloud.CloudStorage.import_files], then wait for its jobs.

        Every job it started is waited for, all within one ``timeout``. With a ``journal`` a
        re-run also re-follows the jobs still running (see
        [`import_files`][aionvision_cloud.CloudStorage.import_files]).

        Args:
            connection_id: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            files: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            auto_describe: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            tags: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            collection_id: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            batch_size: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            timeout: Seconds to wait for all the jobs together (default: the client's
                ``polling_timeout``).
            poll_interval: Seconds between polls at first.
            on_progress: Gets a [`Progress`][aionvision_cloud.Progress] over all files.
            raise_on_failure: False returns the result when a job failed instead of raising.
            journal: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            on_uncertain: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].
            **fields: As in [`import_files`][aionvision_cloud.CloudStorage.import_files].

        Returns:
            The result with the terminal ``jobs``; ``completed_files`` and ``failed_files`` count
            all files, however the service ran them.

        Raises:
            JobFailedError: Carrying the result, when a job failed or was cancelled, unless
                ``raise_on_failure`` is False.
            JobTimeoutError: Listing every job in ``jobs``.
            AionvisionError: Every error carries ``exc.partial``.
        """
        _check_wait_args(timeout, poll_interval)
        plan = self._check_import(
            connection_id, files, auto_describe, tags, collection_id, batch_size, fields
        )
        with bulk_call(self._settings, "import", plan, journal, on_uncertain, self._accounts) as (
            kept,
            op,
        ):
            kept.outcome = outcome = self._send_imports(plan, op, on_uncertain)
            jobs = wait_all(
                self._settings,
                self._waiter,
                outcome.batches,
                total_files=sum(b.files_sent for b in outcome.batches),
                timeout=timeout,
                poll_interval=poll_interval,
                on_progress=on_progress,
                op=op,
                partial=lambda seen: import_result(outcome, seen),
            )
            kept.jobs = jobs
            result = import_result(outcome, jobs)
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
        **fields: Any,
    ) -> ExportResult:
        """[`export_files`][aionvision_cloud.CloudStorage.export_files], then wait for its jobs.

        Every job it started is waited for, all within one ``timeout``; ``journal`` works as in
        [`import_and_wait`][aionvision_cloud.CloudStorage.import_and_wait].

        Args:
            connection_id: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].
            image_ids: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].
            folder_id: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].
            folder_name: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].
            batch_size: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].
            timeout: Seconds to wait for all the jobs together.
            poll_interval: Seconds between polls at first.
            on_progress: Gets a [`Progress`][aionvision_cloud.Progress] over all images.
            raise_on_failure: As in
                [`import_and_wait`][aionvision_cloud.CloudStorage.import_and_wait].
            journal: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].
            on_uncertain: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].
            **fields: As in [`export_files`][aionvision_cloud.CloudStorage.export_files].

        Returns:
            The result with the terminal ``jobs``, summed ``completed_files`` /
            ``failed_files``, and ``folder_id``: the folder the images went to (a new folder's
            when its job names the files it made; None for My Drive).

        Raises:
            ExportFolderError: As
                [`export_files`][aionvision_cloud.CloudStorage.export_files] raises it.
            JobFailedError: As [`import_and_wait`][aionvision_cloud.CloudStorage.import_and_wait]
                raises it.
            JobTimeoutError: As [`import_and_wait`][aionvision_cloud.CloudStorage.import_and_wait]
                raises it.
        """
        _check_wait_args(timeout, poll_interval)
        plan = self._check_export(
            connection_id, image_ids, folder_id, folder_name, batch_size, fields
        )
        with bulk_call(self._settings, "export", plan, journal, on_uncertain, self._accounts) as (
            kept,
            op,
        ):
            folder = ExportFolder(self, plan.cid, folder_id, folder_name, op, timeout)
            kept.outcome = outcome = self._send_exports(plan, op, on_uncertain, folder)
            jobs = wait_all(
                self._settings,
                self._waiter,
                outcome.batches,
                total_files=sum(b.images_sent for b in outcome.batches),
                timeout=timeout,
                poll_interval=poll_interval,
                on_progress=on_progress,
                op=op,
                partial=lambda seen: export_result(outcome, seen, folder.folder_id),
            )
            kept.jobs = jobs
            folder.look_up(jobs)  # a one-batch export's new folder, for the result
            result = export_result(outcome, jobs, folder.folder_id)
        _raise_first_failure(jobs, result, raise_on_failure)
        return result


def _read_job(answer: JobResponse) -> Job:
    job = adopt(Job, answer.job)
    core_id(job.job_id, "job.job_id")
    return job


def _reporting(on_progress: Callable[[Progress], object]) -> Callable[[Job], None]:
    """A job's polls as ``Progress``, each different one once (a status change alone is not)."""
    last: list[Progress] = []

    def report(job: Job) -> None:
        progress = _progress(job)
        if not last or last[-1] != progress:
            last[:] = [progress]
            on_progress(progress)

    return report


def _progress(job: Job) -> Progress:
    done = 1 if job.is_terminal else 0
    return Progress(
        count(job.total_files), count(job.completed_files), count(job.failed_files), done, 1
    )


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
