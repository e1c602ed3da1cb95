"""Hostile or broken server answers: each becomes the exact typed error, never a crash, a
followed redirect, or a wait nobody asked for."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hostile_kit import Counting, FakeClock, job_body, json_response, make_client

from aionvision_cloud import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
)

HTML = b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>"
HUGE = 20 * 1024 * 1024


def raw(status: int, content: bytes, ctype: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=content, headers={"content-type": ctype, **headers})


ANSWERS: list[tuple[str, Callable[[], httpx.Response], type[Exception]]] = [
    (
        "200-invalid-json",
        lambda: raw(200, b'{"job": ', "application/json"),
        APIResponseValidationError,
    ),
    ("200-html", lambda: raw(200, HTML, "text/html"), APIResponseValidationError),
    (
        "200-nan-literal",
        lambda: raw(200, b'{"job": NaN', "application/json"),
        APIResponseValidationError,
    ),
    ("200-list", lambda: json_response(200, [1, 2]), APIResponseValidationError),
    ("200-string", lambda: json_response(200, "ok"), APIResponseValidationError),
    ("200-number", lambda: json_response(200, 5), APIResponseValidationError),
    ("200-empty-object", lambda: json_response(200, {}), APIResponseValidationError),
    ("200-job-not-object", lambda: json_response(200, {"job": 5}), APIResponseValidationError),
    (
        "200-job_id-list",
        lambda: json_response(200, {"job": {"job_id": [5]}}),
        APIResponseValidationError,
    ),
    ("200-empty-body", lambda: raw(200, b"", "application/json"), APIResponseValidationError),
    (
        # Over the client's 8 MiB cap: refused as too large, not parsed.
        "200-huge-garbage",
        lambda: raw(200, b"x" * HUGE, "application/json"),
        ResponseTooLargeError,
    ),
    ("500-html", lambda: raw(500, HTML, "text/html"), ServerError),
    ("502-html", lambda: raw(502, HTML, "text/html"), ServerError),
    ("500-huge-html", lambda: raw(500, b"<p>" * (HUGE // 3), "text/html"), ServerError),
    ("500-invalid-json", lambda: raw(500, b"{", "application/json"), ServerError),
    ("401-empty", lambda: raw(401, b"", "application/json"), AuthenticationError),
    ("404-html", lambda: raw(404, HTML, "text/html"), NotFoundError),
    ("418-undocumented", lambda: json_response(418, {"error": "teapot"}), APIStatusError),
    (
        "299-undocumented-success-shape",
        lambda: json_response(299, [None]),
        APIResponseValidationError,
    ),
    ("599-undocumented", lambda: raw(599, b"", "text/plain"), ServerError),
    (
        "302-redirect-elsewhere",
        lambda: raw(302, b"", "text/html", location="https://evil.test/steal"),
        APIStatusError,
    ),
    ("301-redirect", lambda: raw(301, b"", "text/html", location="/api/v2/x"), APIStatusError),
    (
        "307-redirect",
        lambda: raw(307, b"", "text/html", location="https://evil.test/steal"),
        APIStatusError,
    ),
    ("304-not-modified", lambda: raw(304, b"", "text/plain"), APIStatusError),
]


@pytest.mark.parametrize(
    ("answer", "expected"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS]
)
def test_broken_answer_is_a_typed_error(
    clock: FakeClock, answer: Callable[[], httpx.Response], expected: type[Exception]
) -> None:
    counting = Counting(lambda _: answer())
    with make_client(counting, clock) as c, pytest.raises(expected) as info:
        c.cloud_storage.get_job("job_1")
    assert type(info.value) is expected
    # A redirect is never followed (the bearer key must not go to another host), nothing retried.
    assert [r.url.host for r in counting.requests] == ["api.example.test"]
    # The message says what happened, without pasting 20 MB of body into a log line.
    assert len(str(info.value)) < 1000


def test_retry_after_in_the_past_retries_at_once(clock: FakeClock) -> None:
    answers = iter(
        [
            json_response(429, {}, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}),
            json_response(200, job_body()),
        ]
    )
    counting = Counting(lambda _: next(answers))
    with make_client(counting, clock, retries=2) as c:
        assert c.cloud_storage.get_job("job_1").job_id == "job_1"
    assert len(counting.requests) == 2
    assert all(s <= 8.0 for s in clock.sleeps)  # no negative or absurd wait


@pytest.mark.parametrize("value", ["99999999999", "1e308", "inf", "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_retry_after_absurdly_far_off_is_not_waited_for(clock: FakeClock, value: str) -> None:
    counting = Counting(lambda _: json_response(429, {}, {"retry-after": value}))
    with make_client(counting, clock, retries=3) as c, pytest.raises(RateLimitError) as info:
        c.cloud_storage.get_job("job_1")
    assert clock.t <= 60.0  # the policy's total budget, not the server's whim
    assert info.value.retry_after is not None
    assert info.value.retry_after > 60


@pytest.mark.parametrize("value", ["nan", "-5", "soon", ""])
def test_retry_after_garbage_falls_back_to_backoff(clock: FakeClock, value: str) -> None:
    answers = iter([json_response(429, {}, {"retry-after": value}), json_response(200, job_body())])
    counting = Counting(lambda _: next(answers))
    with make_client(counting, clock, retries=2) as c:
        assert c.cloud_storage.get_job("job_1").job_id == "job_1"
    assert len(counting.requests) == 2
    assert all(0 <= s <= 8.0 for s in clock.sleeps)
