"""Pure pieces without a server: Drive query and field parsing, the tree, config checks."""

from __future__ import annotations

import pytest

from aionvision_cloud_emulator.config import EmulatorConfig, default_api_key
from aionvision_cloud_emulator.drive import (
    FOLDER,
    DriveError,
    DriveFile,
    DriveView,
    build_tree,
    drive_id,
    parse_fields,
)
from aionvision_cloud_emulator.drive_query import QueryContext, parse_query
from aionvision_cloud_emulator.faults import RateLimiter
from aionvision_cloud_emulator.jobs import normalize

ROOT = "0Aroot"


def _f(name: str, mime: str = "image/jpeg", parent: str = ROOT, trashed: bool = False) -> DriveFile:
    return DriveFile(drive_id(name), name, mime, parent, 10, trashed=trashed)


def _match(q: str, f: DriveFile) -> bool:
    return parse_query(q, QueryContext(ROOT, "me@example.com"))(f)


def test_query_terms() -> None:
    photo = _f("it's a photo.jpg")
    assert _match("'root' in parents", photo)
    assert _match(f"'{ROOT}' in parents and trashed = false", photo)
    assert not _match("'other' in parents", photo)
    assert _match("mimeType contains 'image/' AND trashed != true", photo)
    assert _match("mimeType = 'image/jpeg'", photo)
    assert not _match("mimeType != 'image/jpeg'", photo)
    assert _match(r"name = 'it\'s a photo.jpg'", photo)
    assert _match("name contains 'PHOTO'", photo)
    assert not _match("trashed = true", photo)
    assert _match("trashed = true", _f("x", trashed=True))


@pytest.mark.parametrize(
    "q",
    [
        "starred = 1",
        "'a' in children",
        "name = 'a' or or name = 'b'",
        "mimeType contains 5",
        "trashed = maybe",
        "name = 'open",
        "(name = 'a'",
        "name",
    ],
)
def test_query_drive_refuses_is_400(q: str) -> None:
    with pytest.raises(DriveError) as info:
        parse_query(q, QueryContext(ROOT, "me@example.com"))
    assert info.value.status == 400
    assert info.value.location == "q"


def test_queries_drive_accepts() -> None:
    photo = _f("Summer photo.jpg")
    assert _match("starred = false and 'me@example.com' in owners", photo)
    assert _match("(name = 'a' or name contains 'sum') and not trashed = true", photo)
    assert not _match("'someone@else.example' in writers", photo)
    assert _match("createdTime < '2000-01-01T00:00:00.123456789+01:00'", photo)


def test_field_selections() -> None:
    assert parse_fields("*") is None
    assert parse_fields("") is None
    assert parse_fields("nextPageToken, files(id, name, mimeType, size)") == {
        "nextPageToken": None,
        "files": {"id": None, "name": None, "mimeType": None, "size": None},
    }
    assert parse_fields("files/id,files/name") == {"files": {"id": None, "name": None}}
    assert parse_fields("user(emailAddress),kind") == {"user": {"emailAddress": None}, "kind": None}
    for bad in ("files(id", "files)", "a,,b", "files(id))"):
        with pytest.raises(DriveError):
            parse_fields(bad)


def test_tree_is_deterministic_and_realistic() -> None:
    a = build_tree(3, "a@example.com", 50)
    assert build_tree(3, "a@example.com", 50) is a  # cached
    b = build_tree.__wrapped__(3, "a@example.com", 50)
    assert a == b
    assert build_tree(4, "a@example.com", 50).files != a.files
    big = [f for f in a.files if f.parent == a.big_folder_id]
    assert len(big) == 50
    mimes = {f.mime_type for f in a.files}
    assert {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "application/pdf",
        FOLDER,
    } <= mimes
    assert "application/vnd.google-apps.document" in mimes
    jpegs = [f.size for f in a.files if f.mime_type == "image/jpeg" and f.size]
    assert min(jpegs) >= 1_200_000
    assert max(jpegs) <= 8_500_000
    ids = [f.id for f in a.files]
    assert len(ids) == len(set(ids))
    assert all(len(i) == 33 for i in ids)


def test_view_resolves_root_alias() -> None:
    tree = build_tree(0, "x@example.com", 1)
    view = DriveView(tree, [], "x@example.com", "X")
    assert view.get("root").id == tree.root_id
    assert view.get_resource("root", {"fields": "id,mimeType"}) == {
        "id": tree.root_id,
        "mimeType": FOLDER,
    }


def test_status_normalization() -> None:
    assert normalize("processing") == "in_progress"
    assert normalize("completed_with_errors") == "partial"
    assert normalize("cancelled") == "cancelled"


def test_config_checks() -> None:
    with pytest.raises(ValueError, match="api_keys"):
        EmulatorConfig(api_keys=("not-a-key",))
    with pytest.raises(ValueError, match="fault_kinds"):
        EmulatorConfig(fault_kinds=("418",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate_limit"):
        EmulatorConfig(rate_limit=0)
    assert EmulatorConfig(seed=1).default_key == default_api_key(1) != default_api_key(2)


def test_rate_limiter_buckets_per_key() -> None:
    limiter = RateLimiter()
    assert [limiter.check("a", 2) for _ in range(3)][:2] == [None, None]
    assert limiter.check("a", 2) == 30
    assert limiter.check("b", 2) is None
    assert limiter.check("a", None) is None
