"""The pytest plugin users enable through `pytest_plugins`."""

from __future__ import annotations

import httpx
import pytest

from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import client_for, connect

#: A user's fresh project has none of this suite's other pytest plugins: leaving them out of the
#: subprocesses is closer to it, and saves their start-up (hypothesis, schemathesis: ~2 s each).
FRESH = (
    *("-p", "no:schemathesis", "-p", "no:hypothesispytest"),
    *("-p", "no:recording", "-p", "no:xdist"),
)

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
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", *FRESH)
    result.assert_outcomes(passed=1)


@pytest.mark.aionvision_emulator(profile="service")
def test_marker_profile_gives_a_shared_service_instance_first(
    aionvision_emulator: RunningEmulator,
) -> None:
    assert aionvision_emulator.profile == "service"
    with client_for(aionvision_emulator) as api:
        conn = connect(api)["connection"]["id"]
        sid = api.get(f"/cloud-storage/connections/{conn}/picker-token").json()["session"]
        r = api.post(
            "/cloud-storage/picker-proxy",
            json={
                "session_id": sid["session_id"],
                "endpoint": "about",
                "params": {"fields": "user"},
            },
        )
        assert set(r.json()) == {"data"}


@pytest.mark.aionvision_emulator(profile="service")
def test_marker_profile_gives_a_shared_service_instance_second(
    aionvision_emulator: RunningEmulator,
) -> None:
    # The same instance as the test before, reset in between.
    with client_for(aionvision_emulator) as api:
        assert api.get("/cloud-storage/connections").json()["total_count"] == 0


@pytest.mark.aionvision_emulator(profile="service", session_only=True, big_folder_size=1)
def test_marker_profile_with_knobs_gets_its_own_instance(
    aionvision_emulator: RunningEmulator,
) -> None:
    assert aionvision_emulator.admin.configure()["session_only"] is True


def test_an_unknown_profile_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(
        test_user="""
        import pytest

        pytest_plugins = ["aionvision_cloud_emulator.pytest_plugin"]

        @pytest.mark.aionvision_emulator(profile="service")
        def test_service(aionvision_emulator):
            assert aionvision_emulator.profile == "service"

        @pytest.mark.aionvision_emulator(profile="sandbox")
        def test_sandbox(aionvision_emulator):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", *FRESH)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*profile must be one of*"])


# -- from a fresh project's point of view: the installed package, no pytest_plugins line -------

FRESH_PROJECT_TEST = """
import httpx
import pytest

from aionvision_cloud import FolderNotFoundError


@pytest.mark.aionvision_emulator(profile="service", job_pace=500, job_start_delay=0.01)
def test_my_import(aionvision_client, aionvision_connection_id):
    cs = aionvision_client.cloud_storage
    files = list(cs.iter_drive_files(aionvision_connection_id, folder="Photos/Family"))
    result = cs.import_and_wait(aionvision_connection_id, files, tags=["mine"])
    assert result.status == "completed"
    assert len(result.image_ids) == len(files) == 25


def test_service_by_default(aionvision_emulator, aionvision_client, aionvision_connection_id):
    # What users meet, unmarked: the import's image ids come with its job, as the service's do.
    assert aionvision_emulator.profile == "service"
    aionvision_emulator.admin.configure(job_pace=500, job_start_delay=0.01)
    cs = aionvision_client.cloud_storage
    files = list(cs.iter_drive_files(aionvision_connection_id, folder="Photos/Family"))
    result = cs.import_and_wait(aionvision_connection_id, files)
    assert len(result.image_ids) == len(files) == 25


@pytest.mark.aionvision_emulator(profile="document")
def test_the_document_profile_when_marked(aionvision_emulator, aionvision_connection_id):
    assert aionvision_emulator.profile == "document"
    assert aionvision_connection_id


def test_connect_with_a_callable_that_visits_and_blocks(aionvision_client):
    cs = aionvision_client.cloud_storage
    conn = cs.connect(open_browser=lambda url: httpx.get(url, follow_redirects=True), timeout=10)
    assert [c.id for c in cs.list_connections()] == [conn.id]


@pytest.mark.aionvision_emulator(consent="page")
def test_a_consent_page_to_click(aionvision_client, aionvision_connection_id):
    with pytest.raises(FolderNotFoundError, match="did you mean 'Photos'"):
        aionvision_client.cloud_storage.resolve_folder(aionvision_connection_id, "Fotos")
"""


def test_a_fresh_project_gets_the_plugin_from_its_entry_point(pytester: pytest.Pytester) -> None:
    # No pytest_plugins line and plugin autoload on, as in a user's project: the marker must be
    # known under --strict-markers and the fixtures must be there.
    pytester.makepyfile(test_mine=FRESH_PROJECT_TEST)
    result = pytester.runpytest_subprocess(
        "-q", "--strict-markers", "-p", "no:cacheprovider", *FRESH
    )
    result.assert_outcomes(passed=5)
    assert "PytestUnknownMarkWarning" not in result.stdout.str()


def test_a_pytest_plugins_line_as_well_is_harmless(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_old="""
        import pytest

        pytest_plugins = ["aionvision_cloud_emulator.pytest_plugin"]

        @pytest.mark.aionvision_emulator(profile="service")
        def test_service(aionvision_emulator):
            assert aionvision_emulator.profile == "service"
        """
    )
    result = pytester.runpytest_subprocess(
        "-q", "--strict-markers", "-p", "no:cacheprovider", *FRESH
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    "module",
    [
        # pytest imports the plugin in every project that has the package, with or without the
        # `emulator` extra: importing it must not need the server's dependencies.
        "aionvision_cloud_emulator.pytest_plugin",
        # A browser stand-in (a $BROWSER script) imports it to follow one consent URL.
        "aionvision_cloud_emulator.testing",
    ],
)
def test_loads_without_the_server_dependencies(module: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('uvicorn', 'starlette', 'openapi_core'): sys.modules[name] = None\n"
        f"import {module}\n"
        "print('loaded')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded"
