"""pytest fixtures for offline tests of code that uses ``aionvision_cloud``.

pytest loads this plugin by itself once the package is installed (a ``pytest11`` entry point),
so its marker is known, ``--strict-markers`` included; ``pytest_plugins =
["aionvision_cloud_emulator.pytest_plugin"]`` still works (and is needed only with
``PYTEST_DISABLE_PLUGIN_AUTOLOAD``). The fixtures need the ``emulator`` extra.

- ``aionvision_emulator``: a running emulator (``.base_url``, ``.api_key``, ``.admin``,
  ``.profile``). One instance serves the whole session and is reset before each test; it has
  the ``service`` profile (what users meet), as ``run_emulator`` and the command line do.
- ``aionvision_client``: a ``Client`` on that emulator (its key and base URL), closed after the
  test.
- ``aionvision_connection_id``: the id of a Google Drive account connected through the OAuth
  flow (the emulator's fake Google and its seeded Drive: ``Photos/Family`` and friends).

A test marked ``@pytest.mark.aionvision_emulator(profile="document")`` gets a shared instance of
the API document's behaviour, reset likewise; a marker with other knobs
(``@pytest.mark.aionvision_emulator(job_pace=500, ...)``, any ``EmulatorConfig`` field) gets
its own instance with those knobs::

    @pytest.mark.aionvision_emulator(profile="service", job_pace=500)
    def test_my_import(aionvision_client, aionvision_connection_id):
        cs = aionvision_client.cloud_storage
        files = list(cs.iter_drive_files(aionvision_connection_id, folder="Photos/Family"))
        result = cs.import_and_wait(aionvision_connection_id, files)
        assert result.status == "completed"
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest

from .config import PROFILES, Profile

if TYPE_CHECKING:
    from aionvision_cloud import Client

    from .server import RunningEmulator

#: What an unmarked test gets: the profile users meet, as on the command line.
DEFAULT_PROFILE: Profile = "service"

_NEEDS_EXTRA = (
    "the aionvision_emulator fixtures need the emulator extra: "
    "pip install 'aionvision-cloud-storage[emulator]'"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "aionvision_emulator(profile='service', **knobs): run the emulator with this profile "
        "(service, the default, or document) and these knobs for this test",
    )


def _run_emulator(**knobs: Any) -> Any:
    # Imported here, not at the top: pytest imports this module in every project that has the
    # package installed, with or without the emulator extra.
    try:
        from .server import run_emulator
    except ImportError as exc:
        raise pytest.UsageError(f"{_NEEDS_EXTRA} ({exc})") from exc
    return run_emulator(**knobs)


@pytest.fixture(scope="session")
def aionvision_emulator_session() -> Iterator[RunningEmulator]:
    """The session's emulator of the default profile, ``service``; tests use
    ``aionvision_emulator``, which resets it first."""
    with _run_emulator(profile=DEFAULT_PROFILE) as emu:
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
            self._running[profile] = self._stack.enter_context(_run_emulator(profile=profile))
        return self._running[profile]


_SHARED = pytest.StashKey[_SharedByProfile]()


def _shared(config: pytest.Config) -> _SharedByProfile:
    if _SHARED not in config.stash:
        config.stash[_SHARED] = _SharedByProfile(config)
    return config.stash[_SHARED]


@pytest.fixture
def aionvision_emulator(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    """A running emulator, reset for this test (``.base_url``, ``.api_key``, ``.admin``,
    ``.profile``): the ``service`` profile unless the test's
    ``@pytest.mark.aionvision_emulator(profile=..., **knobs)`` says otherwise; a marker with
    knobs besides the profile gets an instance of its own, stopped after the test."""
    marker = request.node.get_closest_marker("aionvision_emulator")
    knobs = dict(marker.kwargs) if marker is not None else {}
    profile = knobs.setdefault("profile", DEFAULT_PROFILE)
    if profile not in PROFILES:
        raise pytest.UsageError(f"aionvision_emulator: profile must be one of {PROFILES}")
    if set(knobs) - {"profile"}:
        with _run_emulator(**knobs) as emu:
            yield emu
        return
    shared: RunningEmulator
    if profile == DEFAULT_PROFILE:
        shared = request.getfixturevalue("aionvision_emulator_session")
    else:
        shared = _shared(request.config).get(profile)
    shared.admin.reset()
    yield shared


@pytest.fixture
def aionvision_client(aionvision_emulator: RunningEmulator) -> Iterator[Client]:
    """A ``Client`` on the test's emulator (``aionvision_emulator``)."""
    from aionvision_cloud import Client

    with Client(api_key=aionvision_emulator.api_key, base_url=aionvision_emulator.base_url) as c:
        yield c


@pytest.fixture
def aionvision_connection_id(aionvision_client: Client) -> str:
    """A Google Drive account connected through ``connect()``, as a user's code would: the
    "browser" visits the consent URL and follows it back to the loopback server."""
    from .testing import visit_consent

    cs = aionvision_client.cloud_storage
    return cs.connect("google_drive", open_browser=visit_consent, timeout=30).id
