"""API keys: 401s in the error envelope, and data scoped per key (404, never 403)."""

from __future__ import annotations

import httpx
import pytest

from aionvision_cloud_emulator.config import key_fingerprint
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import assert_error, client_for, connect, session_for


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer aion_unknownbutwellformed_key_123"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Basic aion_emu_whatever_whatever_whatever"},
    ],
    ids=["missing", "unknown", "malformed", "wrong-scheme"],
)
def test_bad_or_missing_key_is_401_envelope(emu: RunningEmulator, headers: dict[str, str]) -> None:
    r = httpx.get(emu.base_url + "/cloud-storage/connections", headers=headers)
    assert_error(r, 401, "INVALID_API_KEY")
    assert r.headers["www-authenticate"] == "Bearer"
    # The key is a secret: an error never echoes it.
    assert "unknownbutwellformed" not in r.text


def test_every_keyed_operation_refuses_without_key(emu: RunningEmulator) -> None:
    calls = [
        (
            "POST",
            "/cloud-storage/auth/google_drive",
            {"provider": "google_drive", "redirect_uri": "x"},
        ),
        (
            "POST",
            "/cloud-storage/auth/google_drive/callback",
            {"code": "a", "state": "b", "redirect_uri": "c"},
        ),
        ("GET", "/cloud-storage/connections", None),
        ("DELETE", "/cloud-storage/connections/abc", None),
        ("GET", "/cloud-storage/connections/abc/picker-token", None),
        ("POST", "/cloud-storage/picker-proxy", {"session_id": "s", "endpoint": "about"}),
        (
            "POST",
            "/cloud-storage/import",
            {"connection_id": "c", "files": [{"id": "a", "name": "b"}]},
        ),
        ("POST", "/cloud-storage/export", {"connection_id": "c", "image_ids": ["i"]}),
        ("GET", "/cloud-storage/jobs/job_1", None),
    ]
    for method, path, body in calls:
        r = httpx.request(method, emu.base_url + path, json=body)
        assert_error(r, 401, "INVALID_API_KEY")


def test_admin_can_add_keys_and_each_key_sees_only_its_data(
    emu: RunningEmulator, api: httpx.Client
) -> None:
    mine = connect(api)["connection"]
    other_key = emu.admin.new_key()
    assert other_key.startswith("aion_")
    assert other_key != emu.api_key
    with client_for(emu, other_key) as other:
        assert other.get("/cloud-storage/connections").json() == {
            "connections": [],
            "total_count": 0,
        }
        cid = mine["id"]
        assert_error(other.get(f"/cloud-storage/connections/{cid}/picker-token"), 404, "NOT_FOUND")
        assert_error(other.delete(f"/cloud-storage/connections/{cid}"), 404, "NOT_FOUND")
        files = [{"id": f"f{i}", "name": f"{i}.jpg"} for i in range(8)]
        assert_error(
            other.post("/cloud-storage/import", json={"connection_id": cid, "files": files}), 404
        )
        assert_error(
            other.post("/cloud-storage/export", json={"connection_id": cid, "image_ids": ["x"]}),
            404,
        )
        sid = session_for(api, cid)
        # Another key's picker session is as good as unknown.
        r = other.post("/cloud-storage/picker-proxy", json={"session_id": sid, "endpoint": "about"})
        assert_error(r, 401, "INVALID_SESSION")

        # A job made by the first key is invisible to the second.
        job = api.post("/cloud-storage/import", json={"connection_id": cid, "files": files}).json()
        assert job["is_async"] is True
        assert api.get(f"/cloud-storage/jobs/{job['job_id']}").status_code == 200
        assert_error(other.get(f"/cloud-storage/jobs/{job['job_id']}"), 404, "NOT_FOUND")
    # The first key still sees its own connection.
    listed = api.get("/cloud-storage/connections").json()
    assert [c["id"] for c in listed["connections"]] == [cid]
    assert emu.admin.stats()["jobs_created_by_key"] == {key_fingerprint(emu.api_key): {"import": 1}}


def test_admin_rejects_malformed_key(emu: RunningEmulator) -> None:
    r = httpx.post(emu.root_url + "/_emulator/keys", json={"api_key": "short"})
    assert r.status_code == 400


def test_extra_keys_from_config_are_accepted() -> None:
    from aionvision_cloud_emulator.server import run_emulator

    extra = "aion_extra_key_for_tests_0123456789"
    with (
        run_emulator(profile="document", api_keys=(extra,), big_folder_size=10) as emu,
        client_for(emu, extra) as c,
    ):
        assert c.get("/cloud-storage/connections").status_code == 200
        assert emu.base_url.endswith("/api/v2")
        assert emu.base_url.startswith("http://127.0.0.1:")
