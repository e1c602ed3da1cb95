"""The pytest plugin users enable through `pytest_plugins`."""

from __future__ import annotations

import httpx
import pytest

from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import client_for, connect

pytest_plugins = ["pytester"]


def test_shared_fixture_is_reset_between_tests_first(aionvision_emulator: RunningEmulator) -> None:
    with client_for(aionvision_emulator) as api:
        connect(api)
        assert api.get("/cloud-storage/connections").json()["total_count"] == 1


def test_shared_fixture_is_reset_between_tests_second(aionvision_emulator: RunningEmulator) -> None:
    with client_for(aionvision_emulator) as api:
        assert api.get("/cloud-storage/connections").json()["total_count"] == 0


@pytest.mark.aionvision_emulator(rate_limit=2, big_folder_size=1)
def test_marker_gives_own_instance_with_knobs(aionvision_emulator: RunningEmulator) -> None:
    headers = {"Authorization": f"Bearer {aionvision_emulator.api_key}"}
    codes = [
        httpx.get(
            aionvision_emulator.base_url + "/cloud-storage/connections", headers=headers
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_users_enable_the_plugin_with_pytest_plugins(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the plugin under test: other installed plugins just slow the child's start-up.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(
        test_user="""
        import httpx

        pytest_plugins = ["aionvision_cloud_emulator.pytest_plugin"]

        def test_offline(aionvision_emulator):
            r = httpx.get(
                aionvision_emulator.base_url + "/cloud-storage/connections",
                headers={"Authorization": "Bearer " + aionvision_emulator.api_key},
            )
            assert r.json() == {"connections": [], "total_count": 0}
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
