"""The one place retries happen: an httpx transport wrapping the real one.

Because it sits under the pooled ``httpx.Client``, the overlay's calls and the generated functions
a user calls on ``client.api`` get exactly the same rules:

* GET, HEAD, OPTIONS, DELETE (idempotent), and the POSTs that only read (the picker proxy, a
  Drive listing sent as a POST): retried on connection errors, timeouts, 429, 500, 502, 503,
  504 (a read's 500 is retried, as openai-python and Google's clients do).
* POST (import, export, complete_auth, ...): retried only when the server certainly did not act:
  the connection failed before the request was sent (connect error, connect or pool timeout), or
  the answer was 429 or 503. Never after a read timeout or a dropped connection: a retried import
  must not create a second job.
* Exponential backoff with full jitter (``uniform(0, min(cap, base * 2**n))``), replaced by the
  server's ``Retry-After`` (seconds or an HTTP date) when it sends one; bounded in attempts and in
  total waiting. A ``Retry-After`` longer than the remaining budget or than a caller's deadline
  (``wait_deadline``, which ``wait_for_job`` sets) is not waited for here, nor, on a job status
  read (a poll), one longer than ``max_poll_retry_after`` (20 s): the response goes back to the
  caller, who gets a ``RateLimitError`` carrying ``retry_after``. A poll's caller is a loop that
  knows its own deadline (``wait_for_job``, the CLI's ``--wait``); an import or a listing page
  has no other way on, so it keeps waiting within the budget.

* A connection refused by a loopback host (``localhost``, ``127.0.0.1``, ``::1``) is not retried:
  nothing listens there, and no balancer in between will pick another server (curl's ``--retry``
  does not retry a refused connection at all unless asked); elsewhere it is retried as before.

Each socket wait (connecting, each read, each write) is bounded by httpx's timeouts, and the
body by the request's timeout (the largest of its parts) as a whole: it is checked as it arrives,
on the client's clock, so a body trickling in cannot hold a call past it. The status line and
headers are bounded only per read (httpx offers no public way to bound them as a whole). Within
a caller's wait every socket wait is also cut to what is left of it. An answer longer than
``max_response_bytes`` is refused (``ResponseTooLargeError``) once that many bytes were read or
decoded (at once when its ``Content-Length`` says so; a compressed body as httpx's own decoders
inflate it, whatever encoding it negotiated), never read whole into memory; an error answer's
body is cut there instead, so its status keeps its typed error and retry rule.

The loop is tenacity's (the engine under stamina): its ``sleep`` hook routes every wait through
the client's injectable clock, so tests and cassette replays never sleep and ``DeadlineClock``
bounds all waiting. stamina itself is not used because it offers no such hook (it sleeps with
``time.sleep``) and its jitter is added to the backoff rather than full. The delay is computed
here, from a seedable ``random.Random``, so the jitter is reproducible in tests.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import ipaddress
import logging
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import attrs
import httpx

from ._clock import Clock, SystemClock
from ._defaults import DEFAULT_MAX_RESPONSE_BYTES
from ._inputs import check_count, check_positive, check_seconds
from ._operations import operation_of
from .errors import ConfigurationError, ResponseTooLargeError, parse_retry_after, request_id_of

if TYPE_CHECKING:
    import tenacity

__all__ = ["RetryPolicy", "RetryTransport", "wait_deadline"]

logger = logging.getLogger("aionvision_cloud")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
IDEMPOTENT_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# For a POST only these prove the request was not acted on.
UNSAFE_RETRY_STATUSES = frozenset({429, 503})
# Errors raised before a byte of the request reached the server.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# Errors after which an idempotent request may be repeated.
TRANSIENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


@attrs.frozen
class RetryPolicy:
    """How often and how long to retry. ``max_retries=0`` turns retries off."""

    max_retries: int = 3
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    # Total seconds one request may take, attempts and waits included, before retries stop.
    max_total_wait: float = 60.0
    # The longest Retry-After a job status read (a poll) sleeps (max_backoff if longer); a
    # longer one goes back to the polling loop.
    max_poll_retry_after: float = 20.0

    def __attrs_post_init__(self) -> None:
        check_count("max_retries", self.max_retries, error=ConfigurationError)
        check_positive("initial_backoff", self.initial_backoff, error=ConfigurationError)
        check_positive("max_backoff", self.max_backoff, error=ConfigurationError)
        check_seconds("max_total_wait", self.max_total_wait, error=ConfigurationError)
        check_seconds("max_poll_retry_after", self.max_poll_retry_after, error=ConfigurationError)

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Full-jitter delay before a retry.

        Args:
            retry_number: Which retry, 1-based.
            rng: The source of the jitter.

        Returns:
            Seconds to wait, from 0 to the capped exponential backoff.
        """
        cap = min(self.max_backoff, self.initial_backoff * 2 ** (retry_number - 1))
        return rng.uniform(0, cap)


def _method_is_idempotent(request: httpx.Request) -> bool:
    method = request.method.upper()
    if method in IDEMPOTENT_METHODS:
        return True
    op = operation_of(method, request.url.path)
    return op is not None and op.read_only  # x-read-only in openapi.yaml


def _refused_by_loopback(request: httpx.Request, exc: httpx.TransportError) -> bool:
    if not isinstance(exc, httpx.ConnectError):
        return False
    host = request.url.host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    cause: BaseException | None = exc
    while loopback and cause is not None:
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _retry_on_status(request: httpx.Request, status: int) -> bool:
    allowed = IDEMPOTENT_RETRY_STATUSES if _method_is_idempotent(request) else UNSAFE_RETRY_STATUSES
    return status in allowed


def _retry_on_error(request: httpx.Request, exc: httpx.TransportError) -> bool:
    if _refused_by_loopback(request, exc):
        return False
    if isinstance(exc, NOT_SENT_ERRORS):
        return True
    return _method_is_idempotent(request) and isinstance(exc, TRANSIENT_ERRORS)


# What an attempt within a caller's wait may take however little is left of it: the wait polls
# one last time at its deadline, and a service that is not trickling answers in milliseconds.
LAST_POLL_GRACE = 1.0
# A caller's deadline (a ``clock.monotonic()`` value) that no retry wait may pass: a job wait
# sets it around each poll, so a long Retry-After ends the poll, not the wait's deadline.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "aionvision_cloud_deadline", default=None
)


@contextlib.contextmanager
def wait_deadline(at: float) -> Iterator[None]:
    """Within the block, retries stop rather than wait past ``at`` (monotonic seconds)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _whole_request_timeout(request: httpx.Request) -> float | None:
    """The longest part of the request's timeout: what one attempt may take in all."""
    parts = request.extensions.get("timeout") or {}
    values = [v for v in parts.values() if isinstance(v, (int, float))]
    return max(values) if values else None


# A compressed body goes to httpx's decoders this many bytes at a time: they take no output
# limit, and one byte of brotli can inflate to about 650 kB (of zstd 32 kB, of gzip 1 kB).
_DECODE_PIECE = 16


class _StopOverBudget:
    """Stop rather than wait past the total budget; a long Retry-After then reaches the caller as
    a RateLimitError carrying retry_after. (tenacity's ``stop_any`` takes any such callable.)"""

    def __init__(
        self, clock: Clock, started: float, policy: RetryPolicy, request: httpx.Request
    ) -> None:
        self.clock, self.started, self.budget = clock, started, policy.max_total_wait
        # Polls only; the policy's own backoff is never cut short by it.
        op = operation_of(request.method, request.url.path)
        poll = op is not None and op.name == "get_job"
        self.longest = max(policy.max_poll_retry_after, policy.max_backoff) if poll else None

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        now = self.clock.monotonic()
        upcoming = retry_state.upcoming_sleep or 0.0
        if self.longest is not None and upcoming > self.longest:
            return True
        deadline = _DEADLINE.get()
        if deadline is not None and now + upcoming > deadline:
            return True
        return now - self.started + upcoming > self.budget


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport with the retry rules above and logs one DEBUG line per request sent."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.max_response_bytes = max_response_bytes
        self.policy = policy if policy is not None else RetryPolicy()
        self.clock = clock if clock is not None else SystemClock()
        # Jitter is not security-sensitive; a seeded Random makes tests deterministic.
        self._rng = rng if rng is not None else random.Random()  # noqa: S311

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # The fast path: one attempt and no retry machinery, which most requests need. The loop
        # is built only once a first attempt has failed in a way worth retrying.
        first_started = self.clock.monotonic()
        first: httpx.Response | httpx.TransportError
        try:
            first = self._attempt(request, 1)
        except httpx.TransportError as exc:
            if self.policy.max_retries == 0 or not _retry_on_error(request, exc):
                raise
            first = exc
        else:
            if self.policy.max_retries == 0 or not _retry_on_status(request, first.status_code):
                return first
        return self._retry(request, first_started, first)

    def _retry(
        self,
        request: httpx.Request,
        first_started: float,
        first: httpx.Response | httpx.TransportError,
    ) -> httpx.Response:
        """The retry loop, its first attempt's outcome already known."""
        import tenacity  # only here: requests that succeed at once never need it

        def should_retry(state: tenacity.RetryCallState) -> bool:
            outcome = state.outcome
            assert outcome is not None
            exc = outcome.exception()
            if exc is not None:
                return isinstance(exc, httpx.TransportError) and _retry_on_error(request, exc)
            response: httpx.Response = outcome.result()
            return _retry_on_status(request, response.status_code)

        def delay(state: tenacity.RetryCallState) -> float:
            outcome = state.outcome
            if outcome is not None and not outcome.failed:
                response: httpx.Response = outcome.result()
                retry_after = parse_retry_after(
                    response.headers.get("retry-after"), self.clock.now()
                )
                if retry_after is not None:
                    return retry_after
            return self.policy.backoff(state.attempt_number, self._rng)

        def give_up(state: tenacity.RetryCallState) -> httpx.Response:
            # The last answer goes back as it is (a response hook turns it into a typed error);
            # the last transport error is raised as it is (ErrorMappingTransport types it).
            assert state.outcome is not None
            response: httpx.Response = state.outcome.result()
            return response

        retrying = tenacity.Retrying(
            sleep=self.clock.sleep,
            stop=tenacity.stop_any(
                tenacity.stop_after_attempt(self.policy.max_retries + 1),
                # Duck-typed: stop_any only calls it, and tenacity stays out of the import.
                cast(
                    "tenacity.stop.stop_base",
                    _StopOverBudget(self.clock, first_started, self.policy, request),
                ),
            ),
            wait=delay,
            retry=should_retry,
            retry_error_callback=give_up,
        )
        tries = 0

        def once() -> httpx.Response:
            nonlocal tries
            tries += 1
            if tries == 1:  # replay the attempt already made
                if isinstance(first, httpx.TransportError):
                    raise first
                return first
            return self._attempt(request, tries)

        response: httpx.Response = retrying(once)
        return response

    def _attempt(self, request: httpx.Request, attempt: int) -> httpx.Response:
        """One try, logged with its attempt number, status or error, and request id."""
        if not logger.isEnabledFor(logging.DEBUG):
            return self._send_buffered(request)  # no log line: no timing, no header lookups
        started = self.clock.monotonic()
        try:
            response = self._send_buffered(request)
        except httpx.TransportError as exc:
            self._log(request, type(exc).__name__, started, attempt, None)
            raise
        self._log(request, response.status_code, started, attempt, request_id_of(response))
        return response

    def _send_buffered(self, request: httpx.Request) -> httpx.Response:
        """Send and read the whole body here, so a connection dropped mid-body is a transport
        error inside the retry loop rather than after it (API bodies are small JSON); the
        attempt's deadline and the size cap are checked as the body arrives. Within a caller's
        wait (``wait_deadline``) each socket wait and the body end by that deadline too: a silent
        poll cannot hold ``wait_for_job(timeout=3)`` for the HTTP timeout."""
        limit = _whole_request_timeout(request)
        deadline = _DEADLINE.get()
        if deadline is not None:
            left = max(LAST_POLL_GRACE, deadline - self.clock.monotonic())
            if limit is None or left < limit:
                # httpx's per-request timeout (its "timeout" extension), cut for this attempt
                # only: the request is the caller's, and stays as it was built.
                saved = request.extensions
                parts = saved.get("timeout") or {}
                capped = {k: left for k in ("connect", "read", "write", "pool")}
                capped.update({k: v for k, v in parts.items() if v is not None and v < left})
                request.extensions = {**saved, "timeout": capped}
                try:
                    return self._send_and_read(request, left, left_of_wait=True)
                finally:
                    request.extensions = saved
        return self._send_and_read(request, limit, left_of_wait=False)

    def _send_and_read(
        self, request: httpx.Request, limit: float | None, left_of_wait: bool
    ) -> httpx.Response:
        started = self.clock.monotonic()
        response = self.inner.handle_request(request)
        cap = self.max_response_bytes
        # An error answer's body only makes a message: past the cap it is cut, and the status
        # keeps its meaning (a 503 is still retried, a 500 still a ServerError).
        cut = not response.is_success
        if response.is_stream_consumed:
            # Already in memory (a mock built with content=...): nothing left to fail.
            if len(response.content) > cap and not cut:
                raise self._too_large(request, response)
            return response
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)  # a sync transport's answer
        try:
            declared = int(response.headers.get("content-length", "0"))
        except ValueError:
            declared = 0

        def arriving() -> Iterator[bytes]:
            """The body as it arrives, within the cap and the attempt's deadline."""
            size = 0
            for chunk in stream:
                if size + len(chunk) > cap:
                    if not cut:
                        raise self._too_large(request, response)
                    yield chunk[: cap - size]
                    return
                size += len(chunk)
                if limit is not None and self.clock.monotonic() - started > limit:
                    what = f"{limit:.3g}s left before the wait's deadline"
                    what = what if left_of_wait else f"{limit:g}s timeout"
                    raise httpx.ReadTimeout(
                        f"the answer took longer than the {what} to arrive", request=request
                    )
                yield chunk

        try:
            if declared > cap and not cut:
                raise self._too_large(request, response)
            encoding = response.headers.get("content-encoding", "").strip().lower()
            if encoding in ("", "identity"):
                body = b"".join(arriving())
            else:
                body = self._decoded(request, response, arriving(), cut)
                del response.headers["content-encoding"]
                response.headers["content-length"] = str(len(body))
        finally:
            stream.close()
        # The same response over the bytes read; no second Response (headers copied, body read
        # twice) is built.
        response.stream = httpx.ByteStream(body)
        return response

    def _decoded(
        self, request: httpx.Request, response: httpx.Response, raw: Iterator[bytes], cut: bool
    ) -> bytes:
        """``raw`` through httpx's own decoders (whatever encodings it negotiated: gzip,
        deflate, br and zstd when installed), stopped at the cap: a small compressed body can
        hold gigabytes."""
        cap = self.max_response_bytes
        pieces = (c[i : i + _DECODE_PIECE] for c in raw for i in range(0, len(c), _DECODE_PIECE))
        decoding = httpx.Response(
            response.status_code, headers=response.headers, content=pieces, request=request
        )
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in decoding.iter_bytes():
                if size + len(chunk) > cap:
                    if not cut:
                        raise self._too_large(request, response)
                    chunks.append(chunk[: cap - size])
                    break
                size += len(chunk)
                chunks.append(chunk)
        except httpx.DecodingError:
            if not cut:
                raise
            # An error answer cut mid-stream: what decoded makes its message.
        return b"".join(chunks)

    def _too_large(self, request: httpx.Request, response: httpx.Response) -> Exception:
        return ResponseTooLargeError(
            f"{request.method} {request.url.path} answered {response.status_code} with more than "
            f"{self.max_response_bytes} bytes, the client's cap (Client(max_response_bytes=...))",
            limit=self.max_response_bytes,
            status_code=response.status_code,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # An httpx.AsyncClient built from client.api would land here: fail clearly, not with an
        # AttributeError deep inside httpx.
        raise NotImplementedError(
            "aionvision_cloud's client.api is synchronous: call the generated sync functions "
            "(sync, sync_detailed), not the asyncio ones"
        )

    def _log(
        self,
        request: httpx.Request,
        status: int | str,
        started: float,
        attempt: int,
        request_id: str | None,
    ) -> None:
        # The path only: no query string, no headers, no body, so no secret can reach a log.
        logger.debug(
            "%s %s -> %s in %.3fs (attempt %d, request_id=%s)",
            request.method,
            request.url.path,
            status,
            self.clock.monotonic() - started,
            attempt,
            request_id or "-",
        )

    def close(self) -> None:
        self.inner.close()

    def __repr__(self) -> str:
        return f"RetryTransport(policy={self.policy!r})"
