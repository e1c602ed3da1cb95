"""Run the emulator with uvicorn: in a background thread (tests, scripts) or in the foreground."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import httpx
import uvicorn

from .app import create_app
from .config import EmulatorConfig, Profile
from .core import Emulator
from .faults import ConnectionDropped
from .guard import guarded_protocol


def check_loopback(host: str) -> str:
    """The emulator is a local tool: it never listens beyond the loopback interface."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"--host must be a loopback address (127.0.0.1, ::1, localhost), not {host!r}")


def bind(host: str, port: int) -> socket.socket:
    host = check_loopback(host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when proto says
    # TCP, and without it every keep-alive answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _DropFilter(logging.Filter):
    """Injected dropped connections are on purpose; keep their tracebacks out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def uvicorn_server(emu: Emulator, log_level: str = "warning") -> uvicorn.Server:
    error_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in error_log.filters):
        error_log.addFilter(_DropFilter())
    config = uvicorn.Config(
        create_app(emulator=emu),
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
        # h11 with a deadline on headers (guard.py); the body's deadline is BodyGuard's.
        http=guarded_protocol(emu.config.read_timeout),
        timeout_keep_alive=emu.config.keep_alive_timeout,
    )
    return uvicorn.Server(config)


class AdminClient:
    """The admin API (`/_emulator/`) over HTTP, so it is safe from any thread."""

    def __init__(self, root_url: str) -> None:
        self._http = httpx.Client(base_url=root_url.rstrip("/") + "/_emulator", timeout=10)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        # The admin API takes writes only as JSON (guard.py), bodiless POSTs included.
        response = self._http.request(
            method, path, json=body, headers={"Content-Type": "application/json"}
        )
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/stats")
        return result

    def reset(self) -> None:
        self._call("POST", "/reset")

    def new_key(self, api_key: str | None = None, scopes: Sequence[str] | None = None) -> str:
        """A key the emulator accepts; `scopes` (service profile) limits what it may do."""
        body: dict[str, Any] = {}
        if api_key:
            body["api_key"] = api_key
        if scopes is not None:
            body["scopes"] = list(scopes)
        return str(self._call("POST", "/keys", body)["api_key"])

    def new_session(self, api_key: str | None = None) -> str:
        """A signed-in session (service profile) for `api_key`'s data (default: the default
        key), to send as the `session` cookie. A secret, like a key."""
        body = {"api_key": api_key} if api_key else {}
        return str(self._call("POST", "/sessions", body)["session"])

    def revoke_grant(self, connection_id: str) -> None:
        """The user revoked the app's Google access (service profile): picker-token answers
        401 `requires_reauth` until the account is connected again."""
        self._call("POST", f"/connections/{connection_id}/revoke-grant")

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/jobs/{job_id}/cancel")["job"]
        return result

    def job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/jobs/{job_id}")
        return result

    def configure(self, **knobs: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PATCH", "/config", knobs)
        return result

    def advance_clock(self, seconds: float) -> None:
        self._call("POST", "/clock/advance", {"seconds": seconds})


@attrs.frozen
class RunningEmulator:
    root_url: str
    #: What a client uses as its base URL (ends in `/api/v2`).
    base_url: str
    api_key: str = attrs.field(repr=False)
    admin: AdminClient
    #: `service` or `document` (see `EmulatorConfig.profile`).
    profile: Profile
    #: In-process access to state and knobs (same thread-safe objects the server uses).
    emulator: Emulator


@contextmanager
def run_emulator(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    profile: Profile = "service",
    log_level: str = "warning",
    **knobs: Any,
) -> Iterator[RunningEmulator]:
    """Start the emulator on a free loopback port in a background thread; stop it on exit.

    Args:
        host: The address to listen on (default ``127.0.0.1``).
        port: The port; 0 (the default) picks a free one.
        profile: ``"service"`` by default, as on the command line and in the pytest plugin:
            what users meet. ``profile="document"`` gives the API document's behaviour instead
            (see "The service and the document" in the docs).
        log_level: uvicorn's log level (default ``"warning"``).
        **knobs: Other [`EmulatorConfig`][aionvision_cloud_emulator.config.EmulatorConfig]
            fields (``job_pace=200``, ``rate_limit=10``, ``db_path=...``,
            ``session_only=True``).

    Yields:
        The running emulator: its URLs, API key and admin client.

    Raises:
        RuntimeError: When the emulator did not start within 10 seconds.
    """
    emu = Emulator(EmulatorConfig(profile=profile, **knobs))
    sock = bind(host, port)
    server = uvicorn_server(emu, log_level)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="aionvision-emulator", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            emu.close()
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    bound_host, bound_port = sock.getsockname()[:2]
    netloc = f"[{bound_host}]:{bound_port}" if ":" in bound_host else f"{bound_host}:{bound_port}"
    root = f"http://{netloc}"
    admin = AdminClient(root)
    try:
        yield RunningEmulator(
            root_url=root,
            base_url=root + emu.validator.base_path,
            api_key=emu.config.default_key,
            admin=admin,
            profile=emu.config.profile,
            emulator=emu,
        )
    finally:
        admin.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        emu.close()
