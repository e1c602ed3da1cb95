"""The same hostile values sent straight to the emulator over HTTP: both sides of the contract
refuse them (the client before sending, the emulator with the status below), and nothing the
emulator answers afterwards is a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import client_for, connect

DEEP = 5000


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with run_emulator(profile="document", job_pace=400.0, job_start_delay=0.05) as running:
        yield running


@pytest.fixture
def api(emu: RunningEmulator) -> Iterator[httpx.Client]:
    emu.admin.reset()
    with client_for(emu) as c:
        yield c
    assert emu.admin.stats()["spec_violations"] == []


def _import(**over: Any) -> dict[str, Any]:
    return {"connection_id": "c1", "files": [{"id": "f1", "name": "a.jpg"}], **over}


# (id, method, path, request kwargs, expected status). An encoded "/" is decoded into the path
# by the server, which then has no such route: 404, never a job lookup. (A 100 kB id cannot even
# be sent: httpx refuses the URL, which is why the client checks the length first.)
HTTP: list[tuple[str, str, str, dict[str, Any], int]] = [
    ("provider-dotdot", "GET", "/cloud-storage/connections", {"params": {"provider": "../x"}}, 422),
    ("provider-unknown", "GET", "/cloud-storage/connections", {"params": {"provider": "x"}}, 422),
    ("job-8kB", "GET", "/cloud-storage/jobs/" + "j" * 8_000, {}, 422),
    ("job-pct2F", "GET", "/cloud-storage/jobs/a%2Fb", {}, 404),
    ("job-nul", "GET", "/cloud-storage/jobs/a%00b", {}, 422),
    ("job-crlf", "GET", "/cloud-storage/jobs/a%0D%0Ab", {}, 422),
    ("job-dotdot", "GET", "/cloud-storage/jobs/..%2F..", {}, 404),
    ("disconnect-space", "DELETE", "/cloud-storage/connections/a%20b", {}, 422),
    (
        "collection-10MB",
        "POST",
        "/cloud-storage/import",
        {"json": _import(collection_id="c" * 10_000_000)},
        413,  # over the emulator's body limit
    ),
    (
        "file-id-slash",
        "POST",
        "/cloud-storage/import",
        {"json": _import(files=[{"id": "a/b", "name": "n"}])},
        422,
    ),
    ("tag-101", "POST", "/cloud-storage/import", {"json": _import(tags=["t" * 101])}, 422),
    (
        "state-513",
        "POST",
        "/cloud-storage/auth/google_drive/callback",
        {"json": {"code": "c", "state": "s" * 513, "redirect_uri": "https://a.test/cb"}},
        422,
    ),
    (
        "deep-json-import",
        "POST",
        "/cloud-storage/import",
        {"content": b"[" * DEEP + b"]" * DEEP},
        400,
    ),
    (
        "deep-json-params",
        "POST",
        "/cloud-storage/picker-proxy",
        {"content": b'{"params":' + b'{"a":' * DEEP + b"1" + b"}" * (DEEP + 1)},
        400,
    ),
    ("invalid-json", "POST", "/cloud-storage/import", {"content": b"{"}, 400),
    ("no-key", "GET", "/cloud-storage/connections", {"headers": {"Authorization": ""}}, 401),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"), [h[1:] for h in HTTP], ids=[h[0] for h in HTTP]
)
def test_emulator_refuses_hostile_requests(
    api: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    r = api.request(method, path, headers=headers, timeout=60, **kwargs)
    assert r.status_code == status, r.text[:300]
    assert len(r.content) < 10_000  # the error never echoes a huge value back
    # Still healthy afterwards.
    assert api.get("/cloud-storage/connections").status_code == 200


@pytest.mark.parametrize("seconds", ["nan", "inf", "-inf", 1e308, -1], ids=repr)
def test_emulator_clock_advance_refuses_non_finite(
    emu: RunningEmulator, api: httpx.Client, seconds: object
) -> None:
    r = httpx.post(f"{emu.root_url}/_emulator/clock/advance", json={"seconds": seconds})
    assert r.status_code == 400
    # A later state-changing call still answers (it answered 500 before the fix).
    assert connect(api)["connection"]["id"]


def test_emulator_stats_show_no_key(emu: RunningEmulator, api: httpx.Client) -> None:
    api.get("/cloud-storage/connections")
    text = httpx.get(f"{emu.root_url}/_emulator/stats").text
    assert emu.api_key not in text
    assert "aion_" not in text
