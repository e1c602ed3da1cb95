"""pytest fixtures: ``pytest_plugins = ["aionvision_cloud_emulator.pytest_plugin"]``.

`aionvision_emulator` yields a running emulator (``.base_url``, ``.api_key``, ``.admin``).
One instance serves the whole session and is reset before each test; a test marked
``@pytest.mark.aionvision_emulator(job_pace=500, ...)`` gets its own instance with those knobs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import RunningEmulator, run_emulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "aionvision_emulator(**knobs): run the emulator with these knobs for this test"
    )


@pytest.fixture(scope="session")
def aionvision_emulator_session() -> Iterator[RunningEmulator]:
    with run_emulator() as emu:
        yield emu


@pytest.fixture
def aionvision_emulator(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    marker = request.node.get_closest_marker("aionvision_emulator")
    if marker is not None:
        with run_emulator(**marker.kwargs) as emu:
            yield emu
        return
    shared: RunningEmulator = request.getfixturevalue("aionvision_emulator_session")
    shared.admin.reset()
    yield shared
