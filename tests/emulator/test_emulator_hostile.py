"""Hostile input the emulator once mishandled (issue 12, part 1); each failed before its fix."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from aionvision_cloud_emulator.config import key_fingerprint
from aionvision_cloud_emulator.server import RunningEmulator
from aionvision_cloud_emulator.testing import assert_error, connect

#: The admin API takes writes only as JSON; these tests send broken JSON under that type.
JSON = {"Content-Type": "application/json"}

DEEP = 5000


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/cloud-storage/import", _nested(DEEP)),
        ("/cloud-storage/import", b'{"connection_id": "c", "files": ' + _nested(DEEP) + b"}"),
        (
            "/cloud-storage/picker-proxy",
            b'{"session_id": "s", "endpoint": "about", "params": '
            + b'{"a":' * DEEP
            + b"1"
            + b"}" * DEEP
            + b"}",
        ),
        ("/cloud-storage/auth/google_drive", b'{"x": "' + b"\\" * 3 + b'"' + _nested(DEEP) + b"}"),
    ],
    ids=["array", "inside-object", "params", "escaped-quote-then-deep"],
)
def test_deeply_nested_json_is_a_clear_400(api: httpx.Client, path: str, body: bytes) -> None:
    r = api.post(path, content=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "BAD_REQUEST")
    assert "deep" in r.json()["error"]["message"]


def test_moderately_nested_params_still_pass(api: httpx.Client) -> None:
    conn = connect(api)["connection"]
    sid = api.get(f"/cloud-storage/connections/{conn['id']}/picker-token").json()["session"][
        "session_id"
    ]
    params: dict[str, Any] = {"fields": "kind"}
    r = api.post(
        "/cloud-storage/picker-proxy",
        json={"session_id": sid, "endpoint": "about", "params": params, "x": [[["ok"]]]},
    )
    assert r.status_code == 200, r.text


def test_deeply_nested_json_to_the_admin_api_is_a_clear_400(emu: RunningEmulator) -> None:
    r = httpx.post(f"{emu.root_url}/_emulator/keys", content=_nested(DEEP), headers=JSON)
    assert r.status_code == 400
    assert "deep" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "seconds",
    ["nan", "NaN", "inf", "-inf", "Infinity", 1e308, -1, -0.5, "5", "", None, True, [1], {"s": 1}],
    ids=repr,
)
def test_clock_advance_refuses_what_is_not_a_sane_number(
    emu: RunningEmulator, api: httpx.Client, seconds: object
) -> None:
    before = emu.emulator.now()
    r = httpx.post(f"{emu.root_url}/_emulator/clock/advance", json={"seconds": seconds})
    assert r.status_code == 400, r.text
    assert "seconds" in r.json()["error"]["message"]
    assert emu.emulator.now() == pytest.approx(before, abs=60)
    # State is intact: a state-changing call still works.
    assert connect(api)["connection"]["id"]


def test_clock_advance_refuses_nan_spelled_as_a_json_literal(
    emu: RunningEmulator, api: httpx.Client
) -> None:
    # Python's json reads the non-standard NaN/Infinity literals; the emulator must not.
    for raw in (b'{"seconds": NaN}', b'{"seconds": Infinity}', b'{"seconds": 1e999}'):
        r = httpx.post(f"{emu.root_url}/_emulator/clock/advance", content=raw, headers=JSON)
        assert r.status_code == 400, (raw, r.text)
    assert connect(api)["connection"]["id"]


def test_clock_advance_caps_the_total_offset(emu: RunningEmulator) -> None:
    year = 365 * 86400
    ok = httpx.post(f"{emu.root_url}/_emulator/clock/advance", json={"seconds": 9 * year})
    assert ok.status_code == 200
    r = httpx.post(f"{emu.root_url}/_emulator/clock/advance", json={"seconds": 9 * year})
    assert r.status_code == 400
    assert emu.emulator.now() == pytest.approx(ok.json()["now"], abs=60)


def test_stats_show_no_api_key(emu: RunningEmulator, api: httpx.Client) -> None:
    connect(api)
    extra = emu.admin.new_key()
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {extra}"}) as other:
        other.get("/cloud-storage/connections")
    r = httpx.get(f"{emu.root_url}/_emulator/stats")
    assert emu.api_key not in r.text
    assert extra not in r.text
    assert "aion_" not in r.text
    stats = r.json()
    assert stats["requests_by_key"][key_fingerprint(emu.api_key)] >= 1
    assert stats["requests_by_key"][key_fingerprint(extra)] == 1
    assert len(key_fingerprint(extra)) < 20
    assert key_fingerprint(extra) != key_fingerprint(emu.api_key)


def test_a_10_mb_collection_id_is_refused_not_stored(
    emu: RunningEmulator, api: httpx.Client
) -> None:
    conn = connect(api)["connection"]
    body = {
        "connection_id": conn["id"],
        "files": [{"id": "1abc", "name": "a.jpg"}],
        "collection_id": "c" * 10_000_000,
    }
    # Over the body limit (4 MiB): refused before it is read whole, let alone validated.
    r = api.post("/cloud-storage/import", json=body, timeout=60)
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    # Under it, the schema names the field without echoing the value back.
    body["collection_id"] = "c" * 1_000_000
    r = api.post("/cloud-storage/import", json=body, timeout=60)
    err = assert_error(r, 422, "VALIDATION_ERROR")
    assert err["error"]["details"]["field"] == "collection_id"
    assert len(r.content) < 10_000
    assert emu.admin.stats()["jobs_created_by_key"] == {}


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/cloud-storage/connections", {"params": {"provider": "../x"}}),
        ("GET", "/cloud-storage/connections", {"params": {"provider": "dropbox"}}),
        ("GET", "/cloud-storage/jobs/" + "j" * 129, {}),
        ("GET", "/cloud-storage/jobs/j..k", {}),
        ("GET", "/cloud-storage/connections/a%00b/picker-token", {}),
        ("DELETE", "/cloud-storage/connections/a%20b", {}),
        (
            "POST",
            "/cloud-storage/auth/google_drive",
            {"json": {"provider": "google_drive", "redirect_uri": "https://x.example/\r\ncb"}},
        ),
        (
            "POST",
            "/cloud-storage/auth/google_drive/callback",
            {"json": {"code": "c\r\nd", "state": "s", "redirect_uri": "https://a.example/cb"}},
        ),
        (
            "POST",
            "/cloud-storage/export",
            {"json": {"connection_id": "c", "image_ids": ["img_1"], "folder_name": "x\ny"}},
        ),
        (
            "POST",
            "/cloud-storage/import",
            {"json": {"connection_id": "c", "files": [{"id": "a/b", "name": "n"}]}},
        ),
        (
            "POST",
            "/cloud-storage/import",
            {
                "json": {
                    "connection_id": "c",
                    "files": [{"id": "a", "name": "n"}],
                    "tags": ["t" * 101],
                }
            },
        ),
        (
            "POST",
            "/cloud-storage/picker-proxy",
            {"json": {"session_id": "s", "endpoint": "files/" + "a" * 600}},
        ),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_the_spec_bounds_are_enforced(
    api: httpx.Client, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    assert_error(api.request(method, path, **kwargs), 422, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "raw", [b'{"latency": 1e999}', b'{"latency": NaN}', b'{"job_pace": -Infinity}']
)
def test_config_knobs_refuse_non_finite_numbers(emu: RunningEmulator, raw: bytes) -> None:
    r = httpx.patch(f"{emu.root_url}/_emulator/config", content=raw, headers=JSON)
    assert r.status_code == 400, r.text
    assert emu.emulator.config.latency == 0


def test_validation_errors_do_not_echo_secret_fields(api: httpx.Client) -> None:
    secret = "4/0Asecret\r\nvalue"
    r = api.post(
        "/cloud-storage/auth/google_drive/callback",
        json={"code": secret, "state": "st ate-secret", "redirect_uri": "https://a.example/cb"},
    )
    assert_error(r, 422, "VALIDATION_ERROR")
    assert "secret" not in r.text
    assert "code" in r.json()["error"]["details"]["field"]


def test_stats_redaction_covers_any_counter() -> None:
    from aionvision_cloud_emulator.admin import redact_keys

    key = "aion_" + "k" * 24
    out = redact_keys({key: 1, "nested": [{"msg": f"key {key} failed", key: (key,)}], "n": 2})
    assert key not in repr(out)
    fp = key_fingerprint(key)
    assert out == {fp: 1, "nested": [{"msg": f"key {fp} failed", fp: [fp]}], "n": 2}
