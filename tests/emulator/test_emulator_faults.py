"""Rate limits, injected faults, latency: all knobs, all seeded."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from aionvision_cloud_emulator.faults import FaultInjector
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import assert_error, client_for


def test_rate_limit_answers_429_with_retry_after(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(rate_limit=10)
    statuses = [api.get("/cloud-storage/connections").status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    r = api.get("/cloud-storage/connections")
    body = assert_error(r, 429, "RATE_LIMIT_ERROR")
    retry = int(r.headers["retry-after"])
    assert 1 <= retry <= 6
    assert body["error"]["details"]["retry_after"] == retry
    # Per key: another key is not limited by the first one's traffic.
    with client_for(emu, emu.admin.new_key()) as other:
        assert other.get("/cloud-storage/connections").status_code == 200
    assert emu.admin.stats()["rate_limited"] == 3


def test_rate_limit_refills(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(rate_limit=60)  # one a second, bursts of 60
    codes = []
    while 429 not in codes and len(codes) < 300:  # a slow machine refills a token or two
        codes.append(api.get("/cloud-storage/connections").status_code)
    assert codes[-1] == 429
    assert len(codes) >= 61
    time.sleep(1.05)
    assert api.get("/cloud-storage/connections").status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("500", 500, "INTERNAL_ERROR"),
        ("502", 502, "UPSTREAM_ERROR"),
        ("503", 503, "SERVICE_UNAVAILABLE"),
    ],
)
def test_injected_http_faults(
    emu: RunningEmulator, api: httpx.Client, kind: str, status: int, code: str
) -> None:
    emu.admin.configure(fault_ratio=1.0, fault_kinds=[kind])
    body = assert_error(api.get("/cloud-storage/connections"), status, code)
    assert body["error"]["details"] == {"injected": True}
    assert (r_retry := api.get("/cloud-storage/connections")).status_code == status
    assert ("retry-after" in r_retry.headers) == (status == 503)
    # The admin API is never faulty.
    assert emu.admin.stats()["faults_injected"] == {kind: 2}


def test_injected_dropped_connection(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["drop"])
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/cloud-storage/connections")
    emu.admin.configure(fault_ratio=0.0)
    assert api.get("/cloud-storage/connections").status_code == 200


def test_faults_are_seeded_and_partial() -> None:
    knobs = {"fault_ratio": 0.5, "fault_kinds": ("503",), "big_folder_size": 1}
    with run_emulator(profile="document", seed=7, **knobs) as emu, client_for(emu) as api:
        first = [api.get("/cloud-storage/connections").status_code for _ in range(40)]
        emu.admin.reset()  # restarts the fault sequence from the seed
        again = [api.get("/cloud-storage/connections").status_code for _ in range(40)]
    assert set(first) == {200, 503}
    assert again == first
    seven, eight = FaultInjector(7), FaultInjector(8)
    rolls = [(seven.roll(0.5, ["503"]), eight.roll(0.5, ["503"])) for _ in range(40)]
    assert any(a != b for a, b in rolls)


def test_reset_restores_startup_knobs(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(fault_ratio=1.0, fault_kinds=["503"], job_pace=1.0)
    assert api.get("/cloud-storage/connections").status_code == 503
    emu.admin.reset()
    assert api.get("/cloud-storage/connections").status_code == 200
    assert emu.admin.configure()["job_pace"] == 400.0


def test_latency(emu: RunningEmulator, api: httpx.Client) -> None:
    emu.admin.configure(latency=0.2)
    started = time.monotonic()
    assert api.get("/cloud-storage/connections").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_admin_rejects_bad_knobs(emu: RunningEmulator) -> None:
    admin = emu.root_url + "/_emulator/config"
    assert httpx.patch(admin, json={"fault_ratio": 2}).status_code == 400
    assert httpx.patch(admin, json={"fault_kinds": ["404"]}).status_code == 400
    assert httpx.patch(admin, json={"db_path": "elsewhere.sqlite"}).status_code == 400
    assert (
        httpx.patch(
            admin, content=b"nope", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert httpx.get(admin).json()["fault_ratio"] == 0.0
    assert parsedate_to_datetime(httpx.get(admin).headers["date"]) is not None
