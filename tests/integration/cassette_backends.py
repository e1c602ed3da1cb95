"""Where the workflows' HTTP goes: the cassettes (replay), or a server while recording.

* :class:`ReplayBackend` (``make test``): no server; a virtual clock, so polling and
  ``Retry-After`` waits cost nothing.
* :class:`EmulatorBackend` (``make record``): the emulator in this process on 127.0.0.1, seeded,
  on virtual time. Its clock, its job runner and its rate limiter move only when the client's
  clock sleeps, so a recording is the same on every machine and takes no real waiting.
* :class:`ServiceBackend` (``make record`` with ``AIONVISION_BASE_URL`` and
  ``AIONVISION_API_KEY`` set): the real service; a person signs in on the consent page.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import httpx
from cassette_kit import EPOCH, VirtualClock
from vcr.request import Request as VcrRequest

from aionvision_cloud import Clock
from aionvision_cloud._clock import SystemClock
from aionvision_cloud_emulator import faults as emulator_faults
from aionvision_cloud_emulator import jobs as emulator_jobs
from aionvision_cloud_emulator.config import EmulatorConfig
from aionvision_cloud_emulator.core import Emulator
from aionvision_cloud_emulator.server import bind, uvicorn_server

#: The loopback port the recorded redirect URI names (nothing listens there while recording
#: against the emulator); replay uses another one, to prove matching ignores it.
RECORDED_REDIRECT_PORT = 53682
REPLAY_REDIRECT_PORT = 61999


def browser_consent(authorization_url: str) -> str:
    """What the user's browser does on the emulator's consent page: one GET, answered by a
    redirect to the loopback URI, which is not followed (nothing needs to listen there)."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        answer = browser.get(authorization_url)
    if answer.status_code not in (302, 303, 307):
        raise AssertionError(
            f"the consent page answered {answer.status_code}, not a redirect to the loopback URI; "
            "if it now waits for a click, approve it here (tests/integration/cassette_backends.py)"
        )
    return answer.headers["location"]


class Backend:
    name = "replay"
    records = False
    base_url = "http://127.0.0.1:8765/api/v2"
    api_key = "aion_replay_" + "0" * 24
    emulator_netloc: str | None = None
    redirect_port = REPLAY_REDIRECT_PORT

    def new_clock(self) -> Clock:
        return VirtualClock()

    def before_test(self) -> None:
        """Start each workflow from a fresh server state."""

    def consent(self, authorization_url: str, cassette: Any) -> str:
        return browser_consent(authorization_url)

    def configure(self, **knobs: Any) -> None:
        """Change the emulator's knobs (rate limit, ...); the cassette already holds the effect."""

    def fail_next(self, *kinds: str) -> None:
        """Make the next requests fail with these injected faults ("503", ...)."""

    def cancel_job(self, job_id: str) -> None:
        """Cancel a job on the server side (the emulator's admin action)."""


class ReplayBackend(Backend):
    pass


class _EmulatorClock:
    """The emulator's wall time, stopped: it moves only when the recording client sleeps."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return EPOCH.timestamp() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def reset(self) -> None:
        self.offset = 0.0


class _ScriptedFaults:
    """The emulator's fault injector, with a queue of faults to serve first."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.queue: list[str] = []

    def roll(self, ratio: float, kinds: Any) -> Any:
        if self.queue:
            return self.queue.pop(0)
        return self.inner.roll(ratio, kinds)

    def reset(self) -> None:
        self.queue.clear()
        self.inner.reset()


class EmulatorBackend(Backend):
    name = "emulator"
    records = True
    redirect_port = RECORDED_REDIRECT_PORT
    #: Job runner step while virtual time passes, in seconds.
    STEP = 0.1

    def __init__(self, emu: Emulator, runner: Any, root_url: str) -> None:
        self.emu = emu
        self.runner = runner
        self.base_url = root_url + emu.validator.base_path
        self.api_key = emu.config.default_key
        self.emulator_netloc = root_url.removeprefix("http://")
        self.clock: _EmulatorClock = emu.clock  # type: ignore[assignment]
        self.faults: _ScriptedFaults = emu.faults  # type: ignore[assignment]

    @classmethod
    @contextmanager
    def start(cls, profile: str = "document") -> Iterator[EmulatorBackend]:
        emu = Emulator(EmulatorConfig(seed=0, profile=profile))
        emu.clock = _EmulatorClock()  # type: ignore[assignment]
        emu.faults = _ScriptedFaults(emu.faults)  # type: ignore[assignment]
        # The rate limiter reads time.monotonic(): give it the emulator's stopped clock.
        real_time = emulator_faults.time
        emulator_faults.time = types.SimpleNamespace(monotonic=emu.clock.now)  # type: ignore[assignment]
        server = uvicorn_server(emu)
        runner = server.config.app.state.runner
        # No background ticking in real time: the runner moves with the client's clock instead.
        runner.start = lambda: None
        sock = bind("127.0.0.1", 0)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        host, port = sock.getsockname()[:2]
        try:
            yield cls(emu, runner, f"http://{host}:{port}")
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            emu.close()
            emulator_faults.time = real_time

    def new_clock(self) -> Clock:
        return VirtualClock(on_sleep=self._pass_time)

    def _pass_time(self, seconds: float) -> None:
        steps = max(1, math.ceil(seconds / self.STEP))
        for _ in range(steps):
            self.clock.advance(seconds / steps)
            self.runner.tick(seconds / steps)

    def before_test(self) -> None:
        self.emu.reset()

    def configure(self, **knobs: Any) -> None:
        self.emu.config = attrs.evolve(self.emu.config, **knobs)

    def fail_next(self, *kinds: str) -> None:
        self.faults.queue.extend(kinds)

    def cancel_job(self, job_id: str) -> None:
        emulator_jobs.cancel(self.emu, job_id)


class ServiceBackend(Backend):
    """The real service. A person opens the consent page; faults cannot be forced there."""

    name = "service"
    records = True
    redirect_port = RECORDED_REDIRECT_PORT

    def __init__(self, base_url: str, api_key: str, ask: Callable[[str], str]) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._ask = ask

    def new_clock(self) -> Clock:
        return SystemClock()

    def consent(self, authorization_url: str, cassette: Any) -> str:
        print(
            "\n--- by hand: sign in and allow access ---------------------------------------\n"
            f"Open this URL in a browser, sign in to Google and click Allow:\n\n    "
            f"{authorization_url}\n\n"
            f"The browser then fails to load http://127.0.0.1:{self.redirect_port}/callback?...;"
            " that is expected.\nCopy the whole URL from its address bar and paste it here.",
            file=sys.stderr,
        )
        redirect_url = self._ask("redirect URL: ").strip()
        # Store what the browser did as one interaction, so replay runs the same consent step
        # as an emulator recording (and the scrubber filters the code and state in it).
        request = VcrRequest("GET", authorization_url, b"", {})
        response = {
            "status": {"code": 302, "message": "Found"},
            "headers": {"location": [redirect_url]},
            "body": {"string": b""},
        }
        cassette.append(request, response)
        return redirect_url


def service_env() -> tuple[str, str] | None:
    """The real service to record against, from ``AIONVISION_BASE_URL`` and ``_API_KEY``."""
    base_url = os.environ.get("AIONVISION_BASE_URL")
    api_key = os.environ.get("AIONVISION_API_KEY")
    return (base_url, api_key) if base_url and api_key else None


def recording(record_mode: str | None) -> bool:
    return (record_mode or "none") != "none"


@contextmanager
def choose_backend(record_mode: str | None, profile: str = "document") -> Iterator[Backend]:
    """Replay; or record against the real service, or an emulator with ``profile``."""
    if not recording(record_mode):
        yield ReplayBackend()
        return
    service = service_env()
    if service is not None:
        # `make record` runs with -s here, so the person sees the prompt and can answer it.
        yield ServiceBackend(service[0], service[1], input)
        return
    with EmulatorBackend.start(profile) as emulator:
        yield emulator
