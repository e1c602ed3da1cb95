"""The popup flow: a web app opens the authorization URL in a popup, and the callback page hands
the result back with `postMessage` to the one origin that started the flow.

Two tiny web apps on two origins (two loopback ports) stand in for the app and a stranger. Each
records every message it receives, unfiltered, so the test sees what a careless app would.
"""

from __future__ import annotations

import http.server
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from aionvision_cloud_emulator.server import RunningEmulator

WAIT = 20
CALLBACK = "/cloud-storage/auth/google_drive/callback"
#: Long enough for a stray message to arrive after the popup closed; messages are queued tasks.
SETTLE = 1.0

APP_PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>Web app</title></head>
<body><h1>Web app</h1><button id="connect">Connect Google Drive</button>
<script>
window.received = [];
window.addEventListener("message", function (e) {
  window.received.push({origin: e.origin, data: e.data, fromPopup: e.source === window.popup});
});
document.getElementById("connect").addEventListener("click", function () {
  // No `noopener`: the callback page needs window.opener to hand the result back.
  window.popup = window.open(document.body.dataset.authUrl, "aionvision_oauth",
                             "popup,width=520,height=640");
});
</script></body></html>
"""


class _AppHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(APP_PAGE)))
        self.end_headers()
        self.wfile.write(APP_PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def web_app() -> Iterator[Any]:
    """Serve the app page on a fresh loopback origin; factory, call it once per origin."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start() -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AppHandler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _initiate(emu: RunningEmulator, app_origin: str) -> dict[str, str]:
    """What the app's backend does: initiate with the callback, from the app's origin."""
    r = httpx.post(
        emu.base_url + "/cloud-storage/auth/google_drive",
        json={"provider": "google_drive", "redirect_uri": emu.base_url + CALLBACK},
        headers={"Authorization": f"Bearer {emu.api_key}", "Origin": app_origin},
    )
    assert r.status_code == 200, r.text
    body: dict[str, str] = r.json()
    return body


def _open_popup(browser: Any, page: str, auth_url: str) -> tuple[str, str]:
    """Load the app page, click Connect, switch to the popup; returns (app handle, popup)."""
    browser.get(page)
    app = browser.current_window_handle
    browser.execute_script("document.body.dataset.authUrl = arguments[0];", auth_url)
    browser.find_element(By.ID, "connect").click()  # a real click: no popup blocker trouble
    WebDriverWait(browser, WAIT).until(ec.number_of_windows_to_be(2))
    popup = next(h for h in browser.window_handles if h != app)
    browser.switch_to.window(popup)
    WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable((By.ID, "allow")))
    return app, popup


def _allow_and_wait_for_close(browser: Any, app: str) -> None:
    browser.find_element(By.ID, "allow").click()
    WebDriverWait(browser, WAIT).until(ec.number_of_windows_to_be(1))
    browser.switch_to.window(app)
    time.sleep(SETTLE)


def test_opener_receives_exactly_the_documented_message(
    browser: Any, emu: RunningEmulator, web_app: Any
) -> None:
    origin = web_app()
    started = _initiate(emu, origin)
    app, _ = _open_popup(browser, origin + "/", started["authorization_url"])
    browser.shots.take("popup-consent")
    _allow_and_wait_for_close(browser, app)
    browser.shots.take("app-after-popup")
    received = browser.execute_script("return window.received;")
    assert len(received) == 1, received
    (message,) = received
    assert message["origin"] == emu.root_url
    assert message["fromPopup"] is True
    data = message["data"]
    assert set(data) == {"type", "provider", "state", "code"}
    assert data["type"] == "aionvision:oauth"
    assert data["provider"] == "google_drive"
    assert data["state"] == started["state"]
    assert re.fullmatch(r"4/0A[A-Za-z0-9_-]+", data["code"])
    # The message is what the app's backend completes the flow with.
    r = httpx.post(
        emu.base_url + CALLBACK,
        json={
            "code": data["code"],
            "state": data["state"],
            "redirect_uri": emu.base_url + CALLBACK,
        },
        headers={"Authorization": f"Bearer {emu.api_key}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["is_new"] is True
    # Nothing left behind in the app: no fragment, no web storage.
    assert browser.execute_script("return location.hash;") == ""
    assert browser.execute_script("return localStorage.length + sessionStorage.length;") == 0


def test_cancel_in_the_popup_posts_the_error(
    browser: Any, emu: RunningEmulator, web_app: Any
) -> None:
    origin = web_app()
    started = _initiate(emu, origin)
    app, _ = _open_popup(browser, origin + "/", started["authorization_url"])
    browser.find_element(By.ID, "cancel").click()
    WebDriverWait(browser, WAIT).until(ec.number_of_windows_to_be(1))
    browser.switch_to.window(app)
    time.sleep(SETTLE)
    received = browser.execute_script("return window.received;")
    assert [m["data"] for m in received] == [
        {
            "type": "aionvision:oauth",
            "provider": "google_drive",
            "state": started["state"],
            "error": "access_denied",
            "error_description": "",
        }
    ]


def test_a_page_on_another_origin_receives_nothing(
    browser: Any, emu: RunningEmulator, web_app: Any
) -> None:
    app_origin, stranger = web_app(), web_app()
    started = _initiate(emu, app_origin)
    # The stranger got hold of the authorization URL and opens it as its own popup.
    window, _ = _open_popup(browser, stranger + "/", started["authorization_url"])
    browser.shots.take("stranger-popup-consent")
    _allow_and_wait_for_close(browser, window)
    assert browser.execute_script("return window.received;") == []
    assert browser.execute_script("return location.hash;") == ""


def test_callback_without_an_opener_shows_a_page_and_keeps_nothing(
    browser: Any, emu: RunningEmulator, web_app: Any
) -> None:
    started = _initiate(emu, web_app())
    browser.get(started["authorization_url"])  # a tab of its own: no window.opener
    WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable((By.ID, "allow")))
    browser.find_element(By.ID, "allow").click()
    browser.wait_for_text("You can close this window")
    browser.shots.take("callback-no-opener")
    assert browser.current_url.startswith(emu.base_url + CALLBACK + "?")
    assert browser.execute_script("return location.hash;") == ""
    assert browser.execute_script("return localStorage.length + sessionStorage.length;") == 0
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query["code"][0] not in browser.find_element(By.TAG_NAME, "body").text
    # The callback page only shows; the code is still the app backend's to spend.
    r = httpx.post(
        emu.base_url + CALLBACK,
        json={
            "code": query["code"][0],
            "state": started["state"],
            "redirect_uri": emu.base_url + CALLBACK,
        },
        headers={"Authorization": f"Bearer {emu.api_key}"},
    )
    assert r.status_code == 200, r.text


def test_the_consent_page_refuses_to_be_framed(
    browser: Any, emu: RunningEmulator, web_app: Any
) -> None:
    # Clickjacking: another site frames the consent page under a decoy "Allow" button.
    started = _initiate(emu, web_app())
    browser.get(web_app() + "/")
    browser.execute_script(
        "var f = document.createElement('iframe'); f.id = 'frame'; f.src = arguments[0];"
        "document.body.appendChild(f);",
        started["authorization_url"],
    )
    frame = WebDriverWait(browser, WAIT).until(ec.presence_of_element_located((By.ID, "frame")))
    time.sleep(SETTLE)
    browser.shots.take("framed-consent")
    browser.switch_to.frame(frame)
    assert browser.find_elements(By.ID, "allow") == []
    browser.switch_to.default_content()
    # The consent page itself still works at the top level.
    browser.get(started["authorization_url"])
    WebDriverWait(browser, WAIT).until(ec.element_to_be_clickable((By.ID, "allow")))
