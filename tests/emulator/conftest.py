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
    with run_emulator(**FAST) as emu:
        yield emu


@pytest.fixture
def emu(fast_emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """The shared fast emulator, reset and with default knobs for this test."""
    fast_emulator.admin.reset()
    fast_emulator.admin.configure(
        rate_limit=None,
        fault_ratio=0.0,
        latency=0.0,
        oauth_deny=False,
        job_pace=400.0,
        batch_limit=100,
        sync_import_limit=5,
        picker_session_ttl=3600.0,
        validation_error_style="envelope",
    )
    yield fast_emulator
    # Every response any test provoked conformed to openapi.yaml.
    assert fast_emulator.admin.stats()["spec_violations"] == []


@pytest.fixture
def api(emu: RunningEmulator) -> Iterator[httpx.Client]:
    with client_for(emu) as c:
        yield c
