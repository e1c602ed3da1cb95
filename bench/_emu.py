"""The emulator for benchmarks: in a thread (most benchmarks) or in its own process (memory)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import httpx

from aionvision_cloud_emulator import testing
from aionvision_cloud_emulator.config import default_api_key
from aionvision_cloud_emulator.server import run_emulator


@attrs.frozen
class Emu:
    base_url: str
    api_key: str
    connection_id: str
    big_folder_id: str
    #: Raw httpx client with the key, for setting things up without the overlay.
    raw: httpx.Client
    admin: Any = None


def _connect(base_url: str, api_key: str) -> tuple[httpx.Client, str, str]:
    raw = httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60
    )
    conn = testing.connect(raw)["connection"]["id"]
    sid = testing.session_for(raw, conn)
    big = testing.folder_id(raw, sid, "Camera Uploads")
    return raw, conn, big


@contextmanager
def in_thread(**knobs: Any) -> Iterator[Emu]:
    """The emulator in a background thread of this process, with one Drive connection."""
    # The document profile, as before run_emulator() defaulted to the service's: figures stay
    # comparable with earlier ones.
    with run_emulator(**{"profile": "document", **knobs}) as emu:
        raw, conn, big = _connect(emu.base_url, emu.api_key)
        try:
            yield Emu(emu.base_url, emu.api_key, conn, big, raw, emu.admin)
        finally:
            raw.close()


@contextmanager
def in_process(*args: str) -> Iterator[Emu]:
    """The emulator in its own process, so its memory and CPU stay out of the measurement."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The document profile, as in-thread runs get: figures stay comparable with earlier ones.
    cmd = [
        sys.executable,
        "-m",
        "aionvision_cloud_emulator",
        "--profile",
        "document",
        "--port",
        str(port),
        *args,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(root + "/_emulator/stats", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.2)
        base = root + "/api/v2"
        key = default_api_key(0)
        raw, conn, big = _connect(base, key)
        try:
            yield Emu(base, key, conn, big, raw)
        finally:
            raw.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
