"""The signed-in session credential: sent as the ``session`` cookie to the four operations the
contract reserves for it and nowhere else; a secret everywhere; refusals that say what to do."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from overlay_testkit import API_KEY, BASE_URL, FakeAPI, error_body, json_response

from aionvision_cloud import (
    APIResponseValidationError,
    AuthenticationError,
    Client,
    ConfigurationError,
    InsufficientScopeError,
    PermissionDeniedError,
    ReauthRequiredError,
)
from aionvision_cloud._session import wants_session

SESSION = "sess_0123456789abcdefSECRET"
SPEC = yaml.safe_load((Path(__file__).parents[2] / "openapi.yaml").read_text())


def operations() -> list[tuple[str, str, bool]]:
    """(method, a concrete path, whether openapi.yaml lets a session cookie in) per operation."""
    out = []
    for template, item in SPEC["paths"].items():
        for method, op in item.items():
            schemes = {name for req in op.get("security", SPEC["security"]) for name in req}
            out.append(
                (method.upper(), re.sub(r"\{[^}]+\}", "x1", template), "sessionCookie" in schemes)
            )
    return out


def test_the_session_operations_are_the_contracts_four() -> None:
    ops = operations()
    assert sum(session for *_, session in ops) == 4
    for method, path, session in ops:
        request = httpx.Request(method, f"https://h.test/api/v2{path}")
        assert wants_session(request) is session, (method, path)


def send_every_operation(client: Client, api: FakeAPI) -> dict[tuple[str, str], httpx.Request]:
    for method, path, _ in operations():
        api.on(method, path, json_response(200, {}))
        # Only the request matters here: the answer, unlike its schema, is refused after.
        with contextlib.suppress(APIResponseValidationError):
            client.api.get_httpx_client().request(method, path)
    return {(r.method, r.url.path.removeprefix("/api/v2")): r for r in api.requests}


def test_the_cookie_goes_to_those_four_only(
    make_client: Callable[..., Client], api: FakeAPI
) -> None:
    sent = send_every_operation(make_client(session_token=SESSION), api)
    for method, path, session in operations():
        request = sent[(method, path)]
        assert request.headers.get("cookie") == (f"session={SESSION}" if session else None)
        assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_without_a_session_no_cookie_is_sent(
    make_client: Callable[..., Client], api: FakeAPI
) -> None:
    sent = send_every_operation(make_client(), api)
    assert all("cookie" not in r.headers for r in sent.values())


def test_the_session_comes_from_the_environment(
    make_client: Callable[..., Client], api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIONVISION_SESSION_TOKEN", SESSION)
    sent = send_every_operation(make_client(), api)
    assert sent[("POST", "/cloud-storage/picker-proxy")].headers["cookie"] == f"session={SESSION}"


def test_from_env_reads_the_session_from_the_mapping_it_is_given(
    monkeypatch: pytest.MonkeyPatch, api: FakeAPI
) -> None:
    monkeypatch.setenv("AIONVISION_SESSION_TOKEN", "sess_from_os_environ")
    env = {"AIONVISION_API_KEY": API_KEY, "AIONVISION_BASE_URL": BASE_URL}
    transport = httpx.MockTransport(api)
    api.on("POST", "/cloud-storage/picker-proxy", json_response(200, {}))
    for given, cookie in ((env, None), ({**env, "AIONVISION_SESSION_TOKEN": SESSION}, SESSION)):
        api.requests.clear()
        with Client.from_env(env=given, transport=transport) as client:
            client.api.get_httpx_client().post("/cloud-storage/picker-proxy")
        expected = f"session={cookie}" if cookie else None
        assert api.requests[0].headers.get("cookie") == expected


@pytest.mark.parametrize(
    "token", ["sess word", "a;b=c", 'quote"d', "back\\slash", "café", "x" * 4097, 12]
)
def test_a_malformed_session_is_refused_unechoed(token: Any) -> None:
    with pytest.raises(ConfigurationError, match="malformed session token") as info:
        Client(api_key=API_KEY, session_token=token, base_url=BASE_URL)
    if isinstance(token, str):
        assert token not in str(info.value)


def test_the_session_is_in_no_repr_log_or_error(
    make_client: Callable[..., Client], api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(session_token=SESSION)
    echo = error_body("SESSION_EXPIRED", f"session {SESSION} has expired")
    api.on("POST", "/cloud-storage/picker-proxy", json_response(401, echo))
    with (
        caplog.at_level(logging.DEBUG, logger="aionvision_cloud"),
        pytest.raises(AuthenticationError) as info,
    ):
        client.cloud_storage.picker_proxy("picker_1", "about")
    seen = [repr(client), repr(client.api), str(info.value), repr(info.value), caplog.text]
    seen += [str(v) for v in info.value.headers.values()]
    assert all(SESSION not in text for text in seen)
    assert "[redacted]" in str(info.value)


SESSION_REFUSED = error_body("SESSION_REQUIRED", "This endpoint requires session authentication")


def test_a_refusal_at_a_session_operation_says_how_to_pass_one(
    client: Client, api: FakeAPI
) -> None:
    api.on("POST", "/cloud-storage/picker-proxy", json_response(401, SESSION_REFUSED))
    with pytest.raises(AuthenticationError) as info:
        client.cloud_storage.picker_proxy("picker_1", "about")
    text = str(info.value)
    assert "signed-in web session" in text
    assert "session_token=" in text
    assert "AIONVISION_SESSION_TOKEN" in text
    assert "--session-token" in text


def test_no_session_hint_where_a_session_was_given_or_is_not_wanted(
    make_client: Callable[..., Client], api: FakeAPI
) -> None:
    api.on("POST", "/cloud-storage/picker-proxy", json_response(401, SESSION_REFUSED))
    api.on("GET", "/cloud-storage/connections", json_response(401, SESSION_REFUSED))
    with pytest.raises(AuthenticationError) as with_session:
        make_client(session_token=SESSION).cloud_storage.picker_proxy("picker_1", "about")
    with pytest.raises(AuthenticationError) as elsewhere:
        make_client().cloud_storage.list_connections()
    assert "signed-in web session" not in str(with_session.value)
    assert "signed-in web session" not in str(elsewhere.value)


def test_googles_own_403_through_the_proxy_gets_no_session_hint(
    client: Client, api: FakeAPI
) -> None:
    google = error_body("GOOGLE_FORBIDDEN", "Google refused the request: insufficient permissions")
    api.on("POST", "/cloud-storage/picker-proxy", json_response(403, google))
    with pytest.raises(PermissionDeniedError) as info:
        client.cloud_storage.picker_proxy("picker_1", "about")
    assert "session" not in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        {**error_body("TOKEN_EXPIRED", "Google authorization expired"), "requires_reauth": True},
        error_body("REAUTH_REQUIRED", "Reconnect Google Drive"),
        error_body("TOKEN_EXPIRED", "Google authorization expired", requires_reauth=True),
    ],
)
def test_requires_reauth_raises_its_own_error(
    client: Client, api: FakeAPI, body: dict[str, Any]
) -> None:
    api.on("GET", "/cloud-storage/connections/conn_1/picker-token", json_response(401, body))
    with pytest.raises(ReauthRequiredError) as info:
        client.cloud_storage.get_picker_session("conn_1")
    assert isinstance(info.value, AuthenticationError)
    assert "connect the account again" in str(info.value)
    assert len(api.requests) == 1  # a retry would not help, and none was made


def test_a_plain_401_is_no_reauth(client: Client, api: FakeAPI) -> None:
    body = {**error_body("INVALID_API_KEY", "Invalid API key"), "requires_reauth": False}
    api.on("GET", "/cloud-storage/connections/conn_1/picker-token", json_response(401, body))
    with pytest.raises(AuthenticationError) as info:
        client.cloud_storage.get_picker_session("conn_1")
    assert not isinstance(info.value, ReauthRequiredError)


@pytest.mark.parametrize(
    ("body", "scope"),
    [
        (
            error_body(
                "INSUFFICIENT_SCOPE",
                "This API key lacks the 'cloud_storage:write' scope",
                required_scope="cloud_storage:write",
            ),
            "cloud_storage:write",
        ),
        (error_body("FORBIDDEN", "Forbidden", required_scope="read"), "read"),
        (error_body("FORBIDDEN", "Missing 'cloud_storage:delete' scope"), "cloud_storage:delete"),
        (
            error_body("FORBIDDEN", "Forbidden", required_scopes=["write", "admin"]),
            "write or admin",
        ),
    ],
)
def test_a_403_naming_a_missing_scope_says_which(
    client: Client, api: FakeAPI, body: dict[str, Any], scope: str
) -> None:
    api.on("GET", "/cloud-storage/connections", json_response(403, body))
    with pytest.raises(InsufficientScopeError) as info:
        client.cloud_storage.list_connections()
    assert info.value.required_scope == scope
    assert scope in str(info.value)
    assert isinstance(info.value, PermissionDeniedError)


def test_a_403_naming_no_scope_stays_a_plain_permission_error(client: Client, api: FakeAPI) -> None:
    api.on("GET", "/cloud-storage/connections", json_response(403, error_body("FORBIDDEN", "No")))
    with pytest.raises(PermissionDeniedError) as info:
        client.cloud_storage.list_connections()
    assert not isinstance(info.value, InsufficientScopeError)
