"""The one place retries happen: an httpx transport wrapping the real one.

Because it sits under the pooled ``httpx.Client``, the overlay's calls and the generated functions
a user calls on ``client.api`` get exactly the same rules:

* GET, HEAD, OPTIONS, DELETE (idempotent): retried on connection errors, timeouts, 429, 502, 503,
  504.
* POST (import, export, complete_auth, ...): retried only when the server certainly did not act:
  the connection failed before the request was sent (connect error, connect or pool timeout), or
  the answer was 429 or 503. Never after a read timeout or a dropped connection: a retried import
  must not create a second job.
* Exponential backoff with full jitter (``uniform(0, min(cap, base * 2**n))``), replaced by the
  server's ``Retry-After`` (seconds or an HTTP date) when it sends one; bounded in attempts and in
  total waiting. A ``Retry-After`` longer than the remaining budget is not waited for here: the
  response goes back to the caller, who gets a ``RateLimitError`` carrying ``retry_after``.

The loop is tenacity's (the engine under stamina): its ``sleep`` hook routes every wait through
the client's injectable clock, so tests and cassette replays never sleep and ``DeadlineClock``
bounds all waiting. stamina itself is not used because it offers no such hook (it sleeps with
``time.sleep``) and its jitter is added to the backoff rather than full. The delay is computed
here, from a seedable ``random.Random``, so the jitter is reproducible in tests.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, cast

import attrs
import httpx

from ._clock import Clock, SystemClock
from ._inputs import check_count, check_positive, check_seconds
from .errors import ConfigurationError, parse_retry_after, request_id_of

if TYPE_CHECKING:
    import tenacity

__all__ = ["RetryPolicy", "RetryTransport"]

logger = logging.getLogger("aionvision_cloud")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
IDEMPOTENT_RETRY_STATUSES = frozenset({429, 502, 503, 504})
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

    def __attrs_post_init__(self) -> None:
        check_count("max_retries", self.max_retries, error=ConfigurationError)
        check_positive("initial_backoff", self.initial_backoff, error=ConfigurationError)
        check_positive("max_backoff", self.max_backoff, error=ConfigurationError)
        check_seconds("max_total_wait", self.max_total_wait, error=ConfigurationError)

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Full-jitter delay before retry number ``retry_number`` (1-based)."""
        cap = min(self.max_backoff, self.initial_backoff * 2 ** (retry_number - 1))
        return rng.uniform(0, cap)


def _method_is_idempotent(request: httpx.Request) -> bool:
    return request.method.upper() in IDEMPOTENT_METHODS


def _retry_on_status(request: httpx.Request, status: int) -> bool:
    allowed = IDEMPOTENT_RETRY_STATUSES if _method_is_idempotent(request) else UNSAFE_RETRY_STATUSES
    return status in allowed


def _retry_on_error(request: httpx.Request, exc: httpx.TransportError) -> bool:
    if isinstance(exc, NOT_SENT_ERRORS):
        return True
    return _method_is_idempotent(request) and isinstance(exc, TRANSIENT_ERRORS)


class _StopOverBudget:
    """Stop rather than wait past the total budget; a long Retry-After then reaches the caller as
    a RateLimitError carrying retry_after. (tenacity's ``stop_any`` takes any such callable.)"""

    def __init__(self, clock: Clock, started: float, budget: float) -> None:
        self.clock, self.started, self.budget = clock, started, budget

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        elapsed = self.clock.monotonic() - self.started
        return elapsed + (retry_state.upcoming_sleep or 0.0) > self.budget


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport with the retry rules above and logs one DEBUG line per request sent."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
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
                    _StopOverBudget(self.clock, first_started, self.policy.max_total_wait),
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
        error inside the retry loop rather than after it (API bodies are small JSON)."""
        response = self.inner.handle_request(request)
        if response.is_stream_consumed:
            # Already in memory (a mock built with content=...): nothing left to fail.
            return response
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)  # a sync transport's answer
        try:
            raw = b"".join(stream)
        finally:
            stream.close()
        # The same response over the bytes read: httpx still decodes any Content-Encoding once,
        # and no second Response (headers copied, body read twice) is built.
        response.stream = httpx.ByteStream(raw)
        return response

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
