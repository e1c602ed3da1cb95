"""Fixtures for the overlay's unit tests."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from overlay_testkit import API_KEY, BASE_URL, FakeAPI, FakeClock

from aionvision_cloud import Client, RetryPolicy


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api() -> FakeAPI:
    return FakeAPI()


@pytest.fixture
def make_client(api: FakeAPI, clock: FakeClock) -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(**kwargs: Any) -> Client:
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("base_url", BASE_URL)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("transport", httpx.MockTransport(api))
        if "retry_policy" not in kwargs and "max_retries" not in kwargs:
            kwargs["retry_policy"] = RetryPolicy(max_retries=3)
        client = Client(**kwargs)
        # Deterministic jitter.
        client._transport._rng = random.Random(1234)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


@pytest.fixture(autouse=True)
def _no_config_file(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Client.from_env() reads the CLI's config file: never the developer's own in these tests.
    missing = tmp_path_factory.mktemp("no-config") / "config.toml"
    monkeypatch.setenv("AIONVISION_CONFIG", str(missing))
