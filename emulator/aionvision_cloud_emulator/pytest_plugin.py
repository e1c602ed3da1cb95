"""pytest fixtures: ``pytest_plugins = ["aionvision_cloud_emulator.pytest_plugin"]``.

`aionvision_emulator` yields a running emulator (``.base_url``, ``.api_key``, ``.admin``).
One instance serves the whole session and is reset before each test; it has the ``document``
profile, as ``run_emulator`` does. A test marked ``@pytest.mark.aionvision_emulator(profile=
"service")`` gets a shared instance of that profile, reset likewise; a marker with other knobs
(``@pytest.mark.aionvision_emulator(job_pace=500, profile="service", ...)``) gets its own
instance with those knobs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from .config import PROFILES, Profile
from .server import RunningEmulator, run_emulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "aionvision_emulator(profile='document', **knobs): run the emulator with this profile "
        "(service or document) and these knobs for this test",
    )


@pytest.fixture(scope="session")
def aionvision_emulator_session() -> Iterator[RunningEmulator]:
    with run_emulator() as emu:
        yield emu


class _SharedByProfile:
    """One lazily started instance per profile other than the default, for the session.

    Kept in the config's stash rather than a fixture, so a conftest that imports only
    `aionvision_emulator` (not the whole plugin) gets it too."""

    def __init__(self, config: pytest.Config) -> None:
        self._stack = ExitStack()
        self._running: dict[str, RunningEmulator] = {}
        config.add_cleanup(self._stack.close)

    def get(self, profile: Profile) -> RunningEmulator:
        if profile not in self._running:
            self._running[profile] = self._stack.enter_context(run_emulator(profile=profile))
        return self._running[profile]


_SHARED = pytest.StashKey[_SharedByProfile]()


def _shared(config: pytest.Config) -> _SharedByProfile:
    if _SHARED not in config.stash:
        config.stash[_SHARED] = _SharedByProfile(config)
    return config.stash[_SHARED]


@pytest.fixture
def aionvision_emulator(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    marker = request.node.get_closest_marker("aionvision_emulator")
    knobs = dict(marker.kwargs) if marker is not None else {}
    profile = knobs.get("profile", "document")
    if profile not in PROFILES:
        raise pytest.UsageError(f"aionvision_emulator: profile must be one of {PROFILES}")
    if set(knobs) - {"profile"}:
        with run_emulator(**knobs) as emu:
            yield emu
        return
    shared: RunningEmulator
    if profile == "document":
        shared = request.getfixturevalue("aionvision_emulator_session")
    else:
        shared = _shared(request.config).get(profile)
    shared.admin.reset()
    yield shared
