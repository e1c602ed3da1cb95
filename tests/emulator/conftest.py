"""Shared fixtures: one fast emulator per session, reset before each test, plus OAuth helpers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from aionvision_cloud_emulator.pytest_plugin import (  # noqa: F401 - fixtures re-exported
    aionvision_emulator,
    aionvision_emulator_session,
    pytest_configure,
)
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import client_for

BIG = 2500
FAST = {"job_pace": 400.0, "job_start_delay": 0.05, "big_folder_size": BIG}


@pytest.fixture(scope="session")
def fast_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="document", **FAST) as emu:
        yield emu


@pytest.fixture
def emu(fast_emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """The shared fast emulator, reset and with default knobs for this test."""
    fast_emulator.admin.reset()  # state and knobs back to how the session started
    yield fast_emulator
    # Every response any test provoked conformed to openapi.yaml.
    assert fast_emulator.admin.stats()["spec_violations"] == []


@pytest.fixture
def api(emu: RunningEmulator) -> Iterator[httpx.Client]:
    with client_for(emu) as c:
        yield c
