"""An emulator a laptop can leave running: bounded bodies, timeouts, a clean SIGTERM, and an
admin API that a web page (DNS rebinding, a cross-origin form) cannot drive."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aionvision_cloud_emulator.server import RunningEmulator, run_emulator

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def tight() -> Iterator[RunningEmulator]:
    """Small limits, so the tests see them act within a second."""
    with run_emulator(
        profile="document", body_limit=LIMIT, read_timeout=0.5, keep_alive_timeout=1
    ) as emu:
        yield emu


def _connect(emu: RunningEmulator) -> socket.socket:
    host, port = emu.root_url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=5)


def _read_until_closed(sock: socket.socket, within: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes; and how long that took."""
    start = time.monotonic()
    sock.settimeout(within)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pytest.fail(f"connection still open after {within} s; got {data[:200]!r}")
    except ConnectionResetError:
        pass
    return data, time.monotonic() - start


def _head(emu: RunningEmulator, path: str, extra: str) -> bytes:
    netloc = emu.root_url.removeprefix("http://")
    return (
        f"POST {path} HTTP/1.1\r\nHost: {netloc}\r\nAuthorization: Bearer {emu.api_key}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


# Large bodies -----------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_from_its_content_length(tight: RunningEmulator) -> None:
    with _connect(tight) as sock:
        # Headers only: the answer must come without the body ever being sent.
        sock.sendall(
            _head(tight, "/api/v2/cloud-storage/import", f"Content-Length: {LIMIT + 1}\r\n")
        )
        data, _ = _read_until_closed(sock, within=3)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), data[:200]
    assert json.loads(body)["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(tight: RunningEmulator) -> None:
    with _connect(tight) as sock:
        sock.sendall(_head(tight, "/api/v2/cloud-storage/import", "Transfer-Encoding: chunked\r\n"))
        chunk = b"x" * 16384
        for _ in range(LIMIT // len(chunk) + 1):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        # Never finished (no 0-chunk): only counting while streaming can answer.
        data, _ = _read_until_closed(sock, within=3)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert b"PAYLOAD_TOO_LARGE" in data


def test_the_default_limit_takes_a_full_import_and_says_413_beyond(emu: RunningEmulator) -> None:
    limit = emu.emulator.config.body_limit
    assert limit == 4 * 1024 * 1024
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    files = [{"id": "f" * 256, "name": "n" * 1024, "mimeType": "m" * 255} for _ in range(1000)]
    full = {"connection_id": "nope", "files": files}
    assert len(json.dumps(full)) < limit
    r = httpx.post(emu.base_url + "/cloud-storage/import", json=full, headers=headers, timeout=30)
    assert r.status_code != 413, r.text
    r = httpx.post(
        emu.base_url + "/cloud-storage/import", content=b" " * (limit + 1), headers=headers
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_big_body_does_not_stall_other_clients(emu: RunningEmulator) -> None:
    # 40,000 files (2.6 MB, under the limit): openapi-core takes seconds to validate them.
    files = [{"id": f"f{i}", "name": f"n{i}.jpg", "mimeType": "image/jpeg"} for i in range(40000)]
    raw = json.dumps({"connection_id": "c1", "files": files}).encode()
    assert len(raw) < emu.emulator.config.body_limit
    done: list[int] = []

    def slow_chunks() -> Iterator[bytes]:
        step = len(raw) // 10
        for i in range(0, len(raw), step):
            time.sleep(0.05)  # a slow upload first, then the validation
            yield raw[i : i + step]

    def big() -> None:
        r = httpx.post(
            emu.base_url + "/cloud-storage/import",
            content=slow_chunks(),
            headers={"Authorization": f"Bearer {emu.api_key}", "Content-Type": "application/json"},
            timeout=120,
        )
        done.append(r.status_code)

    thread = threading.Thread(target=big)
    started = time.monotonic()
    thread.start()
    worst = 0.0
    with httpx.Client(timeout=60) as other:
        while thread.is_alive() and time.monotonic() - started < 60:
            t = time.monotonic()
            assert other.get(emu.root_url + "/_emulator/health").status_code == 200
            worst = max(worst, time.monotonic() - t)
            time.sleep(0.05)
    thread.join()
    took = time.monotonic() - started
    assert done == [422]  # more files than one import takes
    assert took > 1.0, "the big body was too quick to tell anything"
    # Validated on the event loop, another client waits about as long as the validation (most
    # of `took`); off it, a fraction. The bound grows with `took` so a loaded machine, which
    # slows both, does not fail it.
    assert worst < max(0.5, 0.3 * took), f"another client waited {worst:.2f} s of {took:.2f} s"


# Timeouts ---------------------------------------------------------------------------------


def test_half_sent_headers_are_cut_off(tight: RunningEmulator) -> None:
    with _connect(tight) as sock:
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127")
        _, took = _read_until_closed(sock, within=3)
    assert took < 2


def test_a_connection_that_never_speaks_is_cut_off(tight: RunningEmulator) -> None:
    with _connect(tight) as sock:
        _, took = _read_until_closed(sock, within=3)
    assert took < 2


def test_a_half_sent_body_gets_408_and_the_connection_closes(tight: RunningEmulator) -> None:
    with _connect(tight) as sock:
        sock.sendall(_head(tight, "/api/v2/cloud-storage/import", "Content-Length: 100\r\n"))
        sock.sendall(b'{"connection_id": ')
        data, took = _read_until_closed(sock, within=3)
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert b"REQUEST_TIMEOUT" in data
    assert took < 2


def test_an_idle_keep_alive_connection_is_closed(tight: RunningEmulator) -> None:
    netloc = tight.root_url.removeprefix("http://")
    with _connect(tight) as sock:
        sock.sendall(f"GET /_emulator/health HTTP/1.1\r\nHost: {netloc}\r\n\r\n".encode())
        data, took = _read_until_closed(sock, within=4)
    assert data.startswith(b"HTTP/1.1 200")
    assert 0.5 < took < 3


def test_a_slow_but_steady_client_is_served(tight: RunningEmulator) -> None:
    netloc = tight.root_url.removeprefix("http://")
    with _connect(tight) as sock:
        for part in (b"GET /_emulator/health HTTP/1.1\r\n", f"Host: {netloc}\r\n\r\n".encode()):
            sock.sendall(part)
            time.sleep(0.2)
        data, _ = _read_until_closed(sock, within=4)
    assert data.startswith(b"HTTP/1.1 200")


# SIGTERM ----------------------------------------------------------------------------------


def test_sigterm_stops_cleanly_and_leaves_only_the_db(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aionvision_cloud_emulator", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        root = lines[0].split(" on ", 1)[1].split(" ", 1)[0]
        key = lines[2].strip().removeprefix("export AIONVISION_API_KEY=")
        r = httpx.post(root + "/_emulator/keys", json={"api_key": key + "x"})
        assert r.status_code == 201, r.text
        assert {p.name for p in tmp_path.iterdir()} >= {"emu.db", "emu.db-wal"}
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "emulator stopped" in out
    # SQLite's -wal and -shm go with a clean close; the state stays in the file.
    assert [p.name for p in tmp_path.iterdir()] == ["emu.db"]


# The admin API ----------------------------------------------------------------------------


def test_the_admin_api_refuses_a_foreign_host_and_cross_origin_writes(emu: RunningEmulator) -> None:
    admin = emu.root_url + "/_emulator"
    before = emu.emulator.now()
    keys = emu.admin.stats()["keys"]
    # DNS rebinding: the page's own name arrives in Host.
    evil = {"Host": f"evil.example:{emu.root_url.rsplit(':', 1)[1]}"}
    assert httpx.get(admin + "/stats", headers=evil).status_code == 421
    r = httpx.post(admin + "/clock/advance", json={"seconds": 3600}, headers=evil)
    assert r.status_code == 421
    assert r.json()["error"]["code"] == "MISDIRECTED_REQUEST"
    # A loopback name on another port is not this emulator either.
    assert httpx.get(admin + "/stats", headers={"Host": "127.0.0.1:1"}).status_code == 421
    # A browser's simple cross-origin POST: text/plain, no preflight.
    plain = {"Content-Type": "text/plain", "Origin": "http://evil.example"}
    r = httpx.post(admin + "/clock/advance", content=b'{"seconds": 3600}', headers=plain)
    assert r.status_code == 403
    assert httpx.post(admin + "/reset", headers=plain).status_code == 403
    # Without an Origin (curl, scripts), still JSON only, a bodiless POST too.
    r = httpx.post(admin + "/keys", content=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert httpx.post(admin + "/reset").status_code == 415
    # A JSON write from another origin is refused as well.
    r = httpx.post(admin + "/keys", json={}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    # Nothing changed.
    assert emu.emulator.now() == pytest.approx(before, abs=60)
    assert emu.admin.stats()["keys"] == keys


def test_the_admin_api_serves_its_own_origin_and_loopback_names(emu: RunningEmulator) -> None:
    port = emu.root_url.rsplit(":", 1)[1]
    admin = emu.root_url + "/_emulator"
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"LOCALHOST:{port}"):
        assert httpx.get(admin + "/health", headers={"Host": host}).status_code == 200
    own = {"Origin": emu.root_url}
    assert httpx.post(admin + "/keys", json={}, headers=own).status_code == 201
    assert (
        httpx.post(admin + "/reset", headers={"Content-Type": "application/json"}).status_code
        == 200
    )
    # The Python client sends the JSON type on bodiless POSTs too.
    emu.admin.reset()
    with pytest.raises(httpx.HTTPStatusError) as e:
        emu.admin.cancel_job("job_nope")
    assert e.value.response.status_code == 404
