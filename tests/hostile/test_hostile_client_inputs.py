"""The caller's own mistakes: each refused with its exact error type, and nothing sent.

One table; every row is a call a new user might make, the error it must raise, and the proof
(a counting ``MockTransport``) that no request left the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hostile_kit import API_KEY, BASE_URL, Counting, FakeClock, json_response, make_client

from aionvision_cloud import (
    Client,
    CloudStorage,
    ConfigurationError,
    InvalidInputError,
    OAuthError,
    OAuthStateMismatchError,
    PickerSession,
)

HOSTILE_IDS = {
    "slash": "a/b",
    "dotdot": "..",
    "pct2F": "a%2Fb",
    "nul": "a\x00b",
    "crlf": "a\r\nb",
    "100kB": "j" * 100_000,
    "space": "a b",
    "unicode": "j\u00f6b",
    "query": "a?x=1",
    "trailing-newline": "job_1\n",
}

Call = Callable[[CloudStorage], object]
CASES: list[tuple[str, Call, type[Exception]]] = []

for label, bad in HOSTILE_IDS.items():
    CASES += [
        (f"get_job-{label}", lambda cs, v=bad: cs.get_job(v), InvalidInputError),
        (f"disconnect-{label}", lambda cs, v=bad: cs.disconnect(v), InvalidInputError),
    ]
for label in ("slash", "dotdot", "nul", "crlf", "100kB"):
    bad = HOSTILE_IDS[label]
    CASES += [
        (f"wait_for_job-{label}", lambda cs, v=bad: cs.wait_for_job(v), InvalidInputError),
        (f"picker_token-{label}", lambda cs, v=bad: cs.get_picker_session(v), InvalidInputError),
        (
            f"import_connection-{label}",
            lambda cs, v=bad: cs.import_files(v, [{"id": "f1", "name": "a.jpg"}]),
            InvalidInputError,
        ),
        (f"export_image-{label}", lambda cs, v=bad: cs.export_files("c1", [v]), InvalidInputError),
    ]

ENDPOINTS = [
    "../about",
    "files/../about",
    "https://evil.test/files",
    "//evil.test/files",
    "files/a/b",
    "files?q=x",
    "files\n",
    "FILES",
    "drive/v3/files",
    "files/a%2Fb",
    "",
    "changes",
]
CASES += [
    (f"picker_endpoint-{e!r}", lambda cs, e=e: cs.picker_proxy("sess_1", e), InvalidInputError)
    for e in ENDPOINTS
]

STATE = "state_abc123"
REDIRECT = "https://app.example.test/callback"
REDIRECTS: list[tuple[str, str, type[Exception]]] = [
    ("wrong-state", f"{REDIRECT}?code=c1&state=other", OAuthStateMismatchError),
    ("missing-state", f"{REDIRECT}?code=c1", OAuthStateMismatchError),
    ("error", f"{REDIRECT}?error=access_denied&state={STATE}", OAuthError),
    ("error-no-state", f"{REDIRECT}?error=access_denied", OAuthStateMismatchError),
    ("two-codes", f"{REDIRECT}?code=c1&code=c2&state={STATE}", OAuthError),
    ("two-states", f"{REDIRECT}?code=c1&state={STATE}&state={STATE}", OAuthStateMismatchError),
    ("no-code", f"{REDIRECT}?state={STATE}", OAuthError),
    ("empty-code", f"{REDIRECT}?code=&state={STATE}", OAuthError),
    ("empty-url", "", OAuthError),
]
CASES += [
    (
        f"redirect-{label}",
        lambda cs, u=url: cs.complete_auth_from_redirect("google_drive", u, STATE),
        exc,
    )
    for label, url, exc in REDIRECTS
]
CASES += [
    (
        "redirect-another-host",
        lambda cs: cs.complete_auth_from_redirect(
            "google_drive",
            f"https://evil.test/callback?code=c1&state={STATE}",
            STATE,
            redirect_uri=REDIRECT,
        ),
        OAuthError,
    ),
    (
        "redirect-another-path",
        lambda cs: cs.complete_auth_from_redirect(
            "google_drive",
            f"https://app.example.test/other?code=c1&state={STATE}",
            STATE,
            redirect_uri=REDIRECT,
        ),
        OAuthError,
    ),
]

# String limits of openapi.yaml, enforced before sending.
FILE = {"id": "f1", "name": "a.jpg"}
CASES += [
    ("active_only-no", lambda cs: cs.list_connections(active_only="no"), InvalidInputError),  # type: ignore[arg-type]
    ("active_only-1", lambda cs: cs.list_connections(active_only=1), InvalidInputError),  # type: ignore[arg-type]
    ("provider-dotdot", lambda cs: cs.list_connections("../x"), InvalidInputError),
    ("provider-upper", lambda cs: cs.start_auth("GOOGLE_DRIVE", REDIRECT), InvalidInputError),
    (
        "collection_id-10MB",
        lambda cs: cs.import_files("c1", [FILE], collection_id="c" * 10_000_000),
        InvalidInputError,
    ),
    (
        "file_id-slash",
        lambda cs: cs.import_files("c1", [{"id": "a/b", "name": "x"}]),
        InvalidInputError,
    ),
    (
        "file_name-1025",
        lambda cs: cs.import_files("c1", [{"id": "f", "name": "n" * 1025}]),
        InvalidInputError,
    ),
    (
        "mime-crlf",
        lambda cs: cs.import_files("c1", [{**FILE, "mime_type": "image/jpeg\r\nX: y"}]),
        InvalidInputError,
    ),
    (
        "size-6TiB",
        lambda cs: cs.import_files("c1", [{**FILE, "size_bytes": 6 << 40}]),
        InvalidInputError,
    ),
    ("tag-101", lambda cs: cs.import_files("c1", [FILE], tags=["t" * 101]), InvalidInputError),
    (
        "tags-101-items",
        lambda cs: cs.import_files("c1", [FILE], tags=["t"] * 101),
        InvalidInputError,
    ),
    ("tag-newline", lambda cs: cs.import_files("c1", [FILE], tags=["a\nb"]), InvalidInputError),
    (
        "batch_size-1001",
        lambda cs: cs.import_files("c1", [FILE], batch_size=1001),
        InvalidInputError,
    ),
    (
        "folder_name-crlf",
        lambda cs: cs.export_files("c1", ["i1"], folder_name="a\r\nb"),
        InvalidInputError,
    ),
    (
        "folder_id-dotdot",
        lambda cs: cs.export_files("c1", ["i1"], folder_id=".."),
        InvalidInputError,
    ),
    (
        "code-crlf",
        lambda cs: cs.complete_auth("google_drive", "c\r\n", STATE, REDIRECT),
        InvalidInputError,
    ),
    (
        "code-space",
        lambda cs: cs.complete_auth("google_drive", "c 1", STATE, REDIRECT),
        InvalidInputError,
    ),
    (
        "state-513",
        lambda cs: cs.complete_auth("google_drive", "c1", "s" * 513, REDIRECT),
        InvalidInputError,
    ),
    (
        "redirect_uri-crlf",
        lambda cs: cs.start_auth("google_drive", "https://app.test/cb\r\nX: y"),
        InvalidInputError,
    ),
    (
        "redirect_uri-3kB",
        lambda cs: cs.start_auth("google_drive", "https://a.test/" + "p" * 3000),
        InvalidInputError,
    ),
    (
        "redirect_uri-port",
        lambda cs: cs.start_auth("google_drive", "https://a.test:99999/cb"),
        InvalidInputError,
    ),
    (
        "redirect_uri-ftp",
        lambda cs: cs.start_auth("google_drive", "ftp://a.test/cb"),
        InvalidInputError,
    ),
    (
        "session_id-dotdot",
        lambda cs: cs.picker_proxy(
            PickerSession(session_id="../x", access_token="t", app_id="a", developer_key="k"),
            "about",
        ),
        InvalidInputError,
    ),
    (
        "wait-timeout-inf",
        lambda cs: cs.wait_for_job("job_1", timeout=float("inf")),
        InvalidInputError,
    ),
    (
        "wait-timeout-nan",
        lambda cs: cs.wait_for_job("job_1", timeout=float("nan")),
        InvalidInputError,
    ),
    (
        "wait-poll-negative",
        lambda cs: cs.wait_for_job("job_1", poll_interval=-1),
        InvalidInputError,
    ),
]


@pytest.mark.parametrize(("call", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_caller_mistake_is_refused_before_sending(
    client: Client, counting: Counting, call: Call, expected: type[Exception]
) -> None:
    with pytest.raises(expected) as info:
        call(client.cloud_storage)
    assert type(info.value) is expected  # the exact type, not a parent
    assert counting.requests == []
    # A clear message that does not repeat 100 kB (or a secret) back.
    assert len(str(info.value)) < 300


CONFIG: list[tuple[str, dict[str, Any]]] = [
    ("timeout-inf", {"timeout": float("inf")}),
    ("timeout-nan", {"timeout": float("nan")}),
    ("timeout-negative", {"timeout": -1.0}),
    ("timeout-zero", {"timeout": 0}),
    ("timeout-huge", {"timeout": 1e308}),
    ("timeout-string", {"timeout": "30"}),
    ("timeout-bool", {"timeout": True}),
    ("polling_timeout-inf", {"polling_timeout": float("inf")}),
    ("polling_interval-nan", {"polling_interval": float("nan")}),
    ("base_url-crlf-end", {"base_url": BASE_URL + "\r\n"}),
    ("base_url-crlf-inside", {"base_url": "https://api.example.test/a\r\nb"}),
    ("base_url-space", {"base_url": "https://api.example.test/a b"}),
    ("base_url-nul", {"base_url": "https://api.example.test\x00/"}),
    ("base_url-port", {"base_url": "https://api.example.test:99999/"}),
    ("base_url-ipv6", {"base_url": "https://[::1/"}),
    ("base_url-ftp", {"base_url": "ftp://api.example.test/"}),
    ("base_url-credentials", {"base_url": "https://u:p@api.example.test/"}),
    ("base_url-http-remote", {"base_url": "http://api.example.test/"}),
    ("batch_size-1001", {"batch_size": 1001}),
    ("api_key-crlf", {"api_key": API_KEY + "\r\nX: y"}),
]


@pytest.mark.parametrize("kwargs", [c[1] for c in CONFIG], ids=[c[0] for c in CONFIG])
def test_bad_configuration_is_a_configuration_error(
    counting: Counting, clock: FakeClock, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError):
        make_client(counting, clock, **kwargs)
    assert counting.requests == []


ENV: list[tuple[str, dict[str, str]]] = [
    ("timeout-inf", {"AIONVISION_TIMEOUT": "inf"}),
    ("timeout-nan", {"AIONVISION_TIMEOUT": "nan"}),
    ("timeout-negative", {"AIONVISION_TIMEOUT": "-5"}),
    ("timeout-huge", {"AIONVISION_TIMEOUT": "1e400"}),
    ("timeout-word", {"AIONVISION_TIMEOUT": "thirty"}),
    ("polling_timeout-inf", {"AIONVISION_POLLING_TIMEOUT": "Infinity"}),
    ("max_retries-negative", {"AIONVISION_MAX_RETRIES": "-1"}),
    ("base_url-crlf", {"AIONVISION_BASE_URL": "https://api.example.test/x\r\ny"}),
]


@pytest.mark.parametrize("env", [c[1] for c in ENV], ids=[c[0] for c in ENV])
def test_bad_environment_is_a_configuration_error(env: dict[str, str]) -> None:
    counting = Counting()
    with pytest.raises(ConfigurationError):
        Client.from_env(
            {"AIONVISION_API_KEY": API_KEY, "AIONVISION_BASE_URL": BASE_URL, **env},
            transport=counting.transport(),
        )
    assert counting.requests == []


def test_a_finite_timeout_still_works(counting: Counting, clock: FakeClock) -> None:
    # The fix refuses only what cannot work: an hour is fine.
    counting.handler = lambda _: json_response(200, {"connections": []})
    with make_client(counting, clock, timeout=3600.0) as c:
        c.cloud_storage.list_connections()
    assert len(counting.requests) == 1
