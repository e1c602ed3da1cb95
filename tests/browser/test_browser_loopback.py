"""`connect()` as a person sees it: Chromium opens the consent page, clicks, lands on the loopback.

`connect()` blocks while it waits for the browser, so it runs in a worker thread; its
`open_browser` hook hands the consent URL to the test, which drives Chromium like a person.
"""

from __future__ import annotations

import contextlib
import queue
import socket
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from aionvision_cloud import (
    Client,
    Connection,
    OAuthError,
    OAuthTimeoutError,
)
from aionvision_cloud_emulator.server import RunningEmulator

WAIT = 20  # seconds a step may take on a loaded 2-core machine before the test fails


@contextmanager
def connecting(
    emu: RunningEmulator, timeout: float = 60
) -> Iterator[tuple[str, Future[Connection]]]:
    """Start `connect()` in a thread; yield the consent URL it opened and its future."""
    urls: queue.Queue[str] = queue.Queue()
    with (
        Client(emu.api_key, base_url=emu.base_url, allow_insecure_http=True) as client,
        ThreadPoolExecutor(1) as pool,
    ):
        future = pool.submit(client.cloud_storage.connect, open_browser=urls.put, timeout=timeout)
        try:
            yield urls.get(timeout=WAIT), future
        finally:
            # Whatever happened, let connect() finish (it frees its port on the way out).
            with contextlib.suppress(Exception):  # the test itself asserts on the outcome
                future.result(timeout=timeout + WAIT)


def _open_consent(browser: Any, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable((By.ID, "allow")))


def test_allow_returns_the_new_connection(browser: Any, emu: RunningEmulator) -> None:
    with connecting(emu) as (url, future):
        _open_consent(browser, url)
        consent = browser.shots.take("consent")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "Aionvision Cloud Storage wants access to your Google Account" in body
        assert browser.find_element(By.ID, "account").text == "emulated.user@gmail.com"
        scopes = browser.find_element(By.ID, "scopes").text
        assert "See and download all your Google Drive files" in scopes
        assert "only the specific Google Drive files you use with this app" in scopes
        browser.find_element(By.ID, "allow").click()
        browser.wait_for_text("You can close this window")
        finished = browser.shots.take("loopback-finished")
        redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        assert browser.current_url.startswith(redirect_uri + "?")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Authorization received"
        connection = future.result(timeout=WAIT)
    assert connection.provider_email == "emulated.user@gmail.com"
    assert connection.is_new is True
    assert [c.id for c in emu_connections(emu)] == [connection.id]
    browser.shots.publish(consent, "oauth-consent.png")
    browser.shots.publish(finished, "oauth-loopback-done.png")


def emu_connections(emu: RunningEmulator) -> list[Connection]:
    with Client(emu.api_key, base_url=emu.base_url, allow_insecure_http=True) as client:
        return list(client.cloud_storage.list_connections())


def test_cancel_raises_oauth_error(browser: Any, emu: RunningEmulator) -> None:
    with connecting(emu) as (url, future):
        _open_consent(browser, url)
        browser.find_element(By.ID, "cancel").click()
        browser.wait_for_text("Authorization failed")
        browser.shots.take("loopback-cancelled")
        with pytest.raises(OAuthError) as caught:
            future.result(timeout=WAIT)
    assert caught.value.error == "access_denied"
    assert "access_denied" in str(caught.value)
    assert emu_connections(emu) == []


def test_a_forged_redirect_with_another_state_is_ignored(
    browser: Any, emu: RunningEmulator
) -> None:
    # A link planted by an attacker brings the browser to the loopback with its own code/state:
    # refused with a page that says so, and the user's own sign-in still goes through after it.
    with connecting(emu) as (url, future):
        redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        browser.get(redirect_uri + "?code=4%2F0Aforged&state=not-the-one-we-issued")
        browser.wait_for_text("it was ignored")
        browser.shots.take("loopback-forged")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not this sign-in"
        assert not future.done()
        _open_consent(browser, url)
        browser.find_element(By.ID, "allow").click()
        browser.wait_for_text("You can close this window")
        connection = future.result(timeout=WAIT)
    assert [c.id for c in emu_connections(emu)] == [connection.id]


def _port_is_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_a_browser_that_never_comes_back_times_out(browser: Any, emu: RunningEmulator) -> None:
    with connecting(emu, timeout=1) as (url, future):
        _open_consent(browser, url)
        browser.shots.take("consent-left-open")
        with pytest.raises(OAuthTimeoutError):
            future.result(timeout=WAIT)
        # The loopback port is free again: a late click finds nobody listening.
        port = urlsplit(parse_qs(urlsplit(url).query)["redirect_uri"][0]).port
        assert port is not None
        assert _port_is_closed(port)
    assert emu_connections(emu) == []
