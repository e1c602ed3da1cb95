"""Fixtures for the hostile-input suite (issue 12, part 1)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parents[1] / "unit"))

from hostile_kit import Counting, FakeClock, make_client

from aionvision_cloud import Client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def counting() -> Counting:
    return Counting()


@pytest.fixture
def client(counting: Counting, clock: FakeClock) -> Iterator[Client]:
    with make_client(counting, clock) as c:
        yield c
