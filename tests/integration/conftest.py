"""Cassette-replayed workflows: vcrpy through pytest-recording, cassettes in tests/cassettes/.

``make test`` replays (record mode ``none``): no server, no socket, a virtual clock.
``make record`` (``--record-mode=rewrite``) re-records against the emulator started here, or
against the service named by ``AIONVISION_BASE_URL`` and ``AIONVISION_API_KEY``.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cassette_backends import Backend, choose_backend, recording, service_env
from cassette_kit import (
    CASSETTE_DIR,
    MATCH_ON,
    MATCHERS,
    Scrubber,
    cassette_error,
    rerecord_hint,
    serializer,
)

from aionvision_cloud import Client, Clock


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "emulator_only(reason): needs the emulator's knobs; not recordable elsewhere"
    )


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_serializer("yaml", serializer)
    for name, matcher in MATCHERS.items():
        vcr.register_matcher(name, matcher)


def _recording(config: pytest.Config) -> bool:
    return recording(config.getoption("--record-mode"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Skipped before any fixture runs: "rewrite" would delete the cassette first.
    if not (_recording(config) and service_env()):
        return
    for item in items:
        marker = item.get_closest_marker("emulator_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "needs the emulator"
            item.add_marker(
                pytest.mark.skip(
                    reason=f"emulator-only, not recorded against the service: {reason}"
                )
            )


@pytest.fixture(scope="session")
def backend(pytestconfig: pytest.Config) -> Iterator[Backend]:
    with choose_backend(pytestconfig.getoption("--record-mode")) as chosen:
        yield chosen


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTE_DIR)


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    return request.node.name.removeprefix("test_")


@pytest.fixture
def vcr_config(backend: Backend) -> dict[str, Any]:
    scrubber = Scrubber(backend.emulator_netloc)
    return {
        "serializer": "yaml",
        "match_on": MATCH_ON,
        "before_record_request": scrubber.request,
        "before_record_response": scrubber.response,
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
    }


@pytest.fixture(autouse=True)
def no_sockets(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """In replay nothing may open a connection or listen, loopback included."""
    if backend.records:
        return

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(
            "a replayed test tried to open a socket: tests/integration/ replays cassettes only; "
            "tests that start a server (the emulator) belong in tests/emulator/"
        )

    for name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def clock(backend: Backend) -> Clock:
    return backend.new_clock()


@pytest.fixture
def client(backend: Backend, clock: Clock, vcr: Any) -> Iterator[Client]:
    backend.before_test()
    with Client(api_key=backend.api_key, base_url=backend.base_url, clock=clock, timeout=30) as c:
        yield c


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.excinfo is not None and report.failed:
        error = cassette_error(call.excinfo.value)
        if error is not None:
            report.sections.append(("cassette", rerecord_hint(error, item.nodeid)))
    return report
