"""Secrets never reach repr(), str(), log lines or exception messages."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from overlay_testkit import API_KEY, FakeAPI, error_body, json_response

from aionvision_cloud import Client
from aionvision_cloud.errors import AionvisionError

ACCESS_TOKEN = "ya29.a0-SECRET-ACCESS-TOKEN"
DEVELOPER_KEY = "AIzaSy-SECRET-DEVELOPER-KEY"
CODE = "4/0-SECRET-AUTH-CODE"


def test_client_repr_and_str_hide_the_key(client: Client) -> None:
    for text in (
        repr(client),
        str(client),
        repr(client.api),
        str(client.api),
        repr(client.cloud_storage),
    ):
        assert API_KEY not in text
    # The generated client's own repr would print the token; ours does not.
    assert "[redacted]" in repr(client.api)
    assert API_KEY not in repr(client._transport)


def test_httpx_headers_mask_the_key(client: Client) -> None:
    assert API_KEY not in repr(client.api.get_httpx_client().headers)


def test_picker_secrets_hidden(client: Client, api: FakeAPI) -> None:
    api.on(
        "GET",
        "/cloud-storage/connections/c/picker-token",
        json_response(
            200,
            {
                "session": {
                    "session_id": "s1",
                    "access_token": ACCESS_TOKEN,
                    "developer_key": DEVELOPER_KEY,
                }
            },
        ),
    )
    session = client.cloud_storage.get_picker_session("c")
    for text in (repr(session), str(session)):
        assert ACCESS_TOKEN not in text
        assert DEVELOPER_KEY not in text


def test_nothing_secret_in_debug_logs(
    make_client: Callable[..., Client], api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()
    api.on(
        "GET",
        "/cloud-storage/connections/c/picker-token",
        json_response(
            200,
            {
                "session": {
                    "session_id": "s1",
                    "access_token": ACCESS_TOKEN,
                    "developer_key": DEVELOPER_KEY,
                }
            },
        ),
    )
    api.on(
        "POST",
        "/cloud-storage/auth/google_drive/callback",
        json_response(503, error_body("X", "later")),
        json_response(200, {"connection": {"id": "c", "provider": "google_drive"}}),
    )
    api.on("POST", "/cloud-storage/picker-proxy", json_response(200, {"files": []}))
    with caplog.at_level(logging.DEBUG):
        session = client.cloud_storage.get_picker_session("c")
        client.cloud_storage.picker_proxy(session, "files", {"q": "trashed = false"})
        client.cloud_storage.complete_auth(
            "google_drive", CODE, "state", "http://127.0.0.1:9/callback"
        )
    assert caplog.records, "expected DEBUG lines"
    for secret in (API_KEY, ACCESS_TOKEN, DEVELOPER_KEY, CODE):
        assert secret not in caplog.text


def test_error_messages_never_carry_the_key(client: Client, api: FakeAPI) -> None:
    api.on(
        "GET",
        "/cloud-storage/jobs/j",
        json_response(401, error_body("INVALID_API_KEY", f"Invalid API key: {API_KEY}")),
    )
    with pytest.raises(AionvisionError) as info:
        client.cloud_storage.get_job("j")
    assert API_KEY not in str(info.value)
    assert API_KEY not in repr(info.value)
    assert API_KEY not in info.value.message


def test_connection_error_messages_never_carry_the_key(
    make_client: Callable[..., Client], api: FakeAPI
) -> None:
    client = make_client(max_retries=0)
    api.on("GET", "/cloud-storage/jobs/j", httpx.ConnectError(f"boom {API_KEY}"))
    with pytest.raises(AionvisionError) as info:
        client.cloud_storage.get_job("j")
    assert API_KEY not in str(info.value)


def test_malformed_key_not_echoed() -> None:
    key = "aion_" + "x" * 10 + "!" * 15
    with pytest.raises(AionvisionError) as info:
        Client(api_key=key)
    assert key not in str(info.value)
    assert key not in repr(info.value)
