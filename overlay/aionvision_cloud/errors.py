"""Every exception this package raises, and the one status-to-class table for API errors.

    AionvisionError                      root: status_code, code, message, request_id
    ├── InvalidInputError (ValueError)   a client-side check failed; nothing was sent
    │   └── ConfigurationError           a bad or contradictory ``Client(...)`` argument
    ├── APIConnectionError               the service could not be reached (after retries)
    │   └── APITimeoutError              the request timed out (after retries)
    ├── APIResponseValidationError       a 2xx answer lacked what the client needs
    ├── ResponseTooLargeError            an answer over ``Client(max_response_bytes=...)``
    ├── APIStatusError                   an error status; ``details``, ``field_errors``, ``headers``
    │   ├── ValidationError              400, 422
    │   ├── AuthenticationError          401
    │   │   └── ReauthRequiredError      401 ``requires_reauth``: connect the account again
    │   ├── PermissionDeniedError        403
    │   │   └── InsufficientScopeError   403 naming the scope the key lacks; ``required_scope``
    │   ├── NotFoundError                404
    │   ├── ConflictError                409
    │   ├── RateLimitError               429, ``retry_after``
    │   └── ServerError                  5xx
    ├── JobFailedError                   a job ended failed or cancelled; ``job``
    ├── JobTimeoutError (TimeoutError)   a job was not finished in time; ``job``, ``jobs``,
    │                                    ``retry_after`` when a 429 outlasted the deadline
    ├── JournalError                     the journal file cannot be used (or is in use)
    │   └── JournalConflictError         files recorded under other options: not sent again
    ├── UncertainBatchError              an earlier run's batch went unanswered: resend or skip?
    ├── ExportFolderError                an export's new folder could not be found: not scattered
    ├── WaitBudgetExceededError          a ``DeadlineClock`` ran out (also a TimeoutError)
    ├── DriveFolderError (LookupError)   a Drive folder path or id names no single folder; ``path``
    │   ├── FolderNotFoundError          no such folder; ``suggestions`` (the near names)
    │   ├── NotAFolderError              the path or id names a file
    │   └── AmbiguousFolderError         several folders match; ``candidates`` (their ids)
    └── OAuthError                       the OAuth flow failed; ``error``
        ├── OAuthStateMismatchError      the returned ``state`` differs (possible CSRF)
        └── OAuthTimeoutError            no browser came back in time (also a TimeoutError)

Errors from bulk calls carry ``partial``: the result so far (accepted batches, the failed batch
and why, the items not sent). Messages never hold a secret:
[`redact`][aionvision_cloud.errors.redact] removes the values it is told about (the API key,
the OAuth code and state the request carried) and anything shaped like a key or token from
anything the server echoes back or a transport error says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from ._models import Job

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AionvisionError",
    "AmbiguousFolderError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "DriveFolderError",
    "ExportFolderError",
    "FieldError",
    "FolderNotFoundError",
    "InsufficientScopeError",
    "InvalidInputError",
    "JobFailedError",
    "JobTimeoutError",
    "JournalConflictError",
    "JournalError",
    "NotAFolderError",
    "NotFoundError",
    "OAuthError",
    "OAuthStateMismatchError",
    "OAuthTimeoutError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReauthRequiredError",
    "ResponseTooLargeError",
    "ServerError",
    "UncertainBatchError",
    "ValidationError",
    "WaitBudgetExceededError",
]

REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-correlation-id")


# A dataclass, not attrs: `from aionvision_cloud import Client` loads this module, and attrs
# (about 12 ms) would come with it.
@dataclass(frozen=True, slots=True)
class FieldError:
    """One field-level problem, from either error shape the API sends."""

    field: str | None
    message: str
    type: str | None = None
    loc: tuple[str | int, ...] = ()


class AionvisionError(Exception):
    """Root of every error this package raises."""

    #: Set on errors from a bulk call (``import_files``, ``export_and_wait``, ...): the partial
    #: ``ImportResult``/``ExportResult``, i.e. what was accepted, what failed, what was not sent.
    partial: Any = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: The HTTP status, when there was an answer (the name httpx and openai-python use).
        self.status_code = status_code
        self.code = code
        self.request_id = request_id

    def __str__(self) -> str:
        parts = [self.message]
        if self.request_id:
            parts.append(f"(request_id={self.request_id})")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class InvalidInputError(AionvisionError, ValueError):
    """A client-side check failed; no request was sent."""


class ConfigurationError(InvalidInputError):
    """The client was configured wrongly (missing or malformed key, bad base URL, a bad or
    contradictory argument to ``Client``, ``RetryPolicy`` or ``DeadlineClock``)."""


class APIResponseValidationError(AionvisionError):
    """A successful response the client cannot read: not JSON, a missing required field, a
    value of the wrong type, no core id. ``operation`` names the call; ``response`` is the
    answer itself (``httpx.Response``), so what it did say stays readable (a job id, say)."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        response: httpx.Response | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.operation = operation
        self.response = response


class ResponseTooLargeError(AionvisionError):
    """An answer longer than the client's cap (``Client(max_response_bytes=...)``), refused after
    reading at most the cap and not kept: a status poll or a listing page is a few kB."""

    def __init__(self, message: str, *, limit: int, status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code, code="RESPONSE_TOO_LARGE")
        self.limit = limit


class APIConnectionError(AionvisionError):
    """The service could not be reached (after any retries)."""


class APITimeoutError(APIConnectionError):
    """The request timed out (after any retries)."""


class APIStatusError(AionvisionError):
    """The service answered with an error status; subclasses narrow it by status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        request_id: str | None = None,
        details: Mapping[str, Any] | None = None,
        field_errors: Iterable[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, code=code, request_id=request_id)
        self.status_code: int = status_code
        self.details: dict[str, Any] = dict(details or {})
        self.field_errors: tuple[FieldError, ...] = tuple(field_errors)
        self.headers: dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        head = f"{self.status_code}"
        if self.code:
            head += f" {self.code}"
        text = f"{head}: {self.message}"
        described = [d for d in map(_describe_field, self.field_errors) if d]
        if described:
            text += " [" + "; ".join(described) + "]"
        if self.request_id:
            text += f" (request_id={self.request_id})"
        return text


class ValidationError(APIStatusError):
    """400 or 422: the request was rejected; see ``field_errors``."""


class AuthenticationError(APIStatusError):
    """401: missing, invalid or expired API key (or an expired picker session)."""


class ReauthRequiredError(AuthenticationError):
    """401 with ``requires_reauth``: the connection's Google authorization expired or was
    revoked. Connect the account again; a retry will not help."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class InsufficientScopeError(PermissionDeniedError):
    """403 naming the scope the API key lacks (``required_scope``, e.g. ``cloud_storage:write``)."""

    def __init__(self, message: str, *, required_scope: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.required_scope = required_scope


class NotFoundError(APIStatusError):
    """404: no such resource for this key."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state."""


class RateLimitError(APIStatusError):
    """429: slow down; ``retry_after`` says for how long (seconds), when the service said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the service or its upstream (Google) failed."""


class JobFailedError(AionvisionError):
    """A job ended ``failed`` or ``cancelled``; ``job`` is its last state."""

    def __init__(self, job: Job, *, result: object = None) -> None:
        reason = f": {job.error}" if job.error else ""
        super().__init__(f"job {job.job_id} ended {job.status.value}{reason}", code=job.raw_status)
        self.job = job
        self.result = result


class JobTimeoutError(AionvisionError, TimeoutError):
    """The job was not finished within the timeout; ``job`` is the last state seen (or None).

    Waiting for several jobs, ``jobs`` holds every one of them in its last known state (those
    not polled yet as the import or export answered), and ``unfinished`` those still running.
    ``last_error`` is the error of the last poll when it failed (a 5xx, a dropped connection).
    """

    def __init__(
        self,
        job_id: str,
        timeout: float,
        job: Job | None,
        *,
        jobs: Iterable[Job] = (),
        last_error: Exception | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.job_id = job_id
        self.timeout = timeout
        self.job = job
        self.jobs: tuple[Job, ...] = tuple(jobs)
        self.last_error = last_error
        #: Seconds the service asked to wait (429 ``Retry-After``) past the deadline, if it did.
        self.retry_after = retry_after
        if len(self.jobs) > 1:
            running = self.unfinished
            names = ", ".join(f"{j.job_id} {j.status.value}" for j in running[:5])
            more = f" and {len(running) - 5} more" if len(running) > 5 else ""
            text = (
                f"{len(running)} of {len(self.jobs)} jobs not finished after {timeout:g}s: "
                f"{names}{more}"
            )
        else:
            seen = f", last status {job.status.value}" if job is not None else ""
            text = f"job {job_id} not finished after {timeout:g}s{seen}"
        if retry_after is not None:
            text += f"; the service asked to wait {retry_after:g}s more (Retry-After)"
        elif last_error is not None:
            text += f"; the last poll failed: {last_error}"
        super().__init__(text)

    @property
    def unfinished(self) -> tuple[Job, ...]:
        return tuple(j for j in self.jobs if not j.is_terminal)


class JournalError(AionvisionError):
    """The journal file cannot be opened, read or written (or another process holds it)."""


class JournalConflictError(JournalError):
    """The journal holds some of these files under other options (another tag set, folder or
    collection), or a connection to another account: sending them now would do them twice.
    Nothing was sent; the message names the difference. ``files`` counts the files concerned."""

    def __init__(self, message: str, *, files: int = 0) -> None:
        super().__init__(message, code="JOURNAL_CONFLICT")
        self.files = files


class UncertainBatchError(AionvisionError):
    """The journal holds batches an earlier run sent without getting an answer: the service may
    or may not have acted on them. Nothing was sent; ``batches`` are those journal records."""

    def __init__(self, batches: Iterable[Any]) -> None:
        self.batches = tuple(batches)
        files = sum(len(b.items) for b in self.batches)
        super().__init__(
            f"{len(self.batches)} batch(es) ({files} files) of an earlier run were sent without "
            "an answer, so the service may have acted on them: call again with "
            "on_uncertain='resend' (those files may arrive twice) or on_uncertain='skip' "
            "(they are reported as not done)",
            code="UNCERTAIN_BATCHES",
        )


class ExportFolderError(AionvisionError):
    """An export with ``folder_name`` in several batches could not learn the folder its first
    batch made, so the rest were not sent: sent with the name again, each batch would make a
    folder of its own. ``partial`` holds what was sent (its job) and the images not sent; the
    message says what to do (export into an existing folder with ``folder_id``, or in one
    batch)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="EXPORT_FOLDER_UNKNOWN")


class WaitBudgetExceededError(AionvisionError, TimeoutError):
    """A ``DeadlineClock`` was asked to sleep past its deadline."""


class DriveFolderError(AionvisionError, LookupError):
    """A folder path (``My Drive/Photos/2024``) or id did not name exactly one Drive folder.
    ``path`` is what was asked for; ``parent`` the folder the lookup stopped in (its path)."""

    def __init__(self, message: str, *, path: str, parent: str | None = None) -> None:
        super().__init__(message, code=type(self).__name__)
        self.path = path
        self.parent = parent


class FolderNotFoundError(DriveFolderError):
    """No folder by that name in ``parent`` (and, for a bare word, no folder with that id);
    ``suggestions`` are the near names there."""

    def __init__(
        self, message: str, *, path: str, parent: str | None = None, suggestions: Iterable[str] = ()
    ) -> None:
        super().__init__(message, path=path, parent=parent)
        self.suggestions = tuple(suggestions)


class NotAFolderError(DriveFolderError):
    """The path or id names a file, not a folder."""


class AmbiguousFolderError(DriveFolderError):
    """Several folders match one name; ``candidates`` are their ids."""

    def __init__(
        self, message: str, *, path: str, parent: str | None = None, candidates: Iterable[str] = ()
    ) -> None:
        super().__init__(message, path=path, parent=parent)
        self.candidates = tuple(candidates)


class OAuthError(AionvisionError):
    """The OAuth flow failed; ``error`` is the provider's code (e.g. ``access_denied``)."""

    def __init__(self, message: str, *, error: str | None = None) -> None:
        super().__init__(message, code=error)
        self.error = error


class OAuthStateMismatchError(OAuthError):
    """The ``state`` that came back differs from the one sent: a possible CSRF attempt."""


class OAuthTimeoutError(OAuthError, TimeoutError):
    """No browser came back to the loopback redirect in time."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def _describe_field(err: FieldError) -> str:
    # Either part may be empty (details naming a field and no issue): never "[files: ]".
    if err.field and err.message:
        return f"{err.field}: {err.message}"
    return err.field or err.message


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (integer seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def request_id_of(response: httpx.Response, body: object = None) -> str | None:
    if isinstance(body, Mapping) and isinstance(body.get("request_id"), str):
        return str(body["request_id"])
    for name in REQUEST_ID_HEADERS:
        if response.headers.get(name):
            return response.headers[name]
    return None


def _field_errors_from_detail(detail: object) -> list[FieldError]:
    out: list[FieldError] = []
    if not isinstance(detail, list):
        return out
    for item in detail:
        if not isinstance(item, Mapping):
            continue
        loc_raw = item.get("loc")
        loc = (
            tuple(x for x in loc_raw if isinstance(x, (str, int)))
            if isinstance(loc_raw, list)
            else ()
        )
        # "body"/"query"/"path" say where, not which field.
        parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
        field = ".".join(str(p) for p in parts) or None
        typ = item.get("type")
        out.append(
            FieldError(
                field=field,
                message=str(item.get("msg") or "invalid"),
                type=typ if isinstance(typ, str) else None,
                loc=loc,
            )
        )
    return out


def _field_errors_from_details(details: Mapping[str, Any]) -> list[FieldError]:
    field = details.get("field")
    issue = details.get("issue") or details.get("message") or details.get("msg")
    if isinstance(field, str) or isinstance(issue, str):
        return [
            FieldError(field=field if isinstance(field, str) else None, message=str(issue or ""))
        ]
    return _field_errors_from_detail(details.get("errors"))


# Secrets recognisable by their shape, redacted even when the client was not told the value: an
# Aionvision API key, a Google access token, a Google API key (a picker ``developer_key``).
SECRET_PATTERNS = re.compile(
    r"aion_[A-Za-z0-9_-]{20,}|ya29\.[A-Za-z0-9._-]+|AIza[A-Za-z0-9_-]{20,}"
)
# Request body fields whose values are secrets; a server echoing them back must not put them in
# an exception (an OAuth code or state in a 400's message, say).
SECRET_FIELDS = ("code", "state", "access_token", "developer_key", "refresh_token")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret, and anything shaped like one, made ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return SECRET_PATTERNS.sub("[redacted]", text)


def _redact_all(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {k: _redact_all(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_all(v, secrets) for v in value]
    return value


def _request_secrets(response: httpx.Response) -> tuple[str, ...]:
    """The secret values the request carried in its JSON body (``code``, ``state``, ...)."""
    try:
        body = json.loads(response.request.content or b"null")
    except (RuntimeError, ValueError):  # no request attached, or not JSON
        return ()
    if not isinstance(body, Mapping):
        return ()
    return tuple(v for k in SECRET_FIELDS if isinstance(v := body.get(k), str) and v)


_SCOPE_IN_TEXT = re.compile(r"'([A-Za-z_]+(?::[A-Za-z_]+)?)' scope|scope '([A-Za-z_:]+)'")


def _batch_size_hint(limit: int) -> str:
    """What a caller of this library does about ``BATCH_LIMIT_EXCEEDED``: a smaller batch."""
    return f" (the client splits a call into batches: pass batch_size={limit} or less)"


def _requires_reauth(body: object, code: str | None, details: Mapping[str, Any]) -> bool:
    # Top level as the reference shows it; in details or as a code, read too.
    flag = body.get("requires_reauth") if isinstance(body, Mapping) else None
    return flag is True or details.get("requires_reauth") is True or code == "REAUTH_REQUIRED"


def _required_scope(message: str, code: str | None, details: Mapping[str, Any]) -> str | None:
    for key in ("required_scope", "scope", "required_scopes", "missing_scopes"):
        value = details.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return " or ".join(value)
    found = _SCOPE_IN_TEXT.search(message)
    if found:
        return found.group(1) or found.group(2)
    return None


def from_response(
    response: httpx.Response, *, secrets: Iterable[str] = (), now: datetime | None = None
) -> APIStatusError:
    """Build the typed error for an error response, whatever its body looks like."""
    status = response.status_code
    secrets = tuple(secrets) + _request_secrets(response)
    try:
        body: object = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] = {}
    field_errors: list[FieldError] = []
    if isinstance(body, Mapping):
        envelope = body.get("error")
        if isinstance(envelope, Mapping):
            code = envelope.get("code") if isinstance(envelope.get("code"), str) else None
            msg = envelope.get("message")
            message = msg if isinstance(msg, str) else None
            if isinstance(envelope.get("details"), Mapping):
                details = dict(envelope["details"])
                field_errors = _field_errors_from_details(details)
        elif isinstance(envelope, str):
            message = envelope
        detail = body.get("detail")
        if isinstance(detail, list):
            field_errors = _field_errors_from_detail(detail)
            message = message or "Request validation failed"
            code = code or "VALIDATION_ERROR"
        elif isinstance(detail, str):
            message = message or detail
        if message is None and isinstance(body.get("message"), str):
            message = body["message"]
    if message is None:
        reason = response.reason_phrase or "error"
        if response.content and body is None:
            ctype = response.headers.get("content-type", "unknown type").split(";")[0]
            message = (
                f"HTTP {status} {reason} (non-JSON body, {ctype}, {len(response.content)} bytes)"
            )
        elif not response.content:
            message = f"HTTP {status} {reason} (empty body)"
        else:
            message = f"HTTP {status} {reason}"
    message = redact(message, secrets)
    field_errors = [replace(f, message=redact(f.message, secrets)) for f in field_errors]
    details = _redact_all(details, secrets)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "request_id": request_id_of(response, body),
        "details": details,
        "field_errors": field_errors,
        "headers": {
            k: redact(v, secrets) for k, v in response.headers.items() if k.lower() != "set-cookie"
        },
    }
    if status == 401 and _requires_reauth(body, code, details):
        return ReauthRequiredError(
            f"{message}: the connection's Google authorization has expired or was revoked; "
            "connect the account again (cloud_storage.connect(...) or 'aionvision-cloud "
            "connect'), a retry will not help",
            **kwargs,
        )
    if status == 403 and (scope := _required_scope(message, code, details)) is not None:
        if scope not in message:
            message += f" (the API key needs the '{scope}' scope)"
        return InsufficientScopeError(message, required_scope=scope, **kwargs)
    limit = details.get("max")
    if code == "BATCH_LIMIT_EXCEEDED" and isinstance(limit, int) and not isinstance(limit, bool):
        # The service says "split the request into batches"; this client batches already.
        message += _batch_size_hint(limit)
    if status == 429:
        return RateLimitError(
            message,
            retry_after=parse_retry_after(response.headers.get("retry-after"), now),
            **kwargs,
        )
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIStatusError
    return cls(message, **kwargs)
