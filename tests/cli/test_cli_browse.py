"""browse: folders by path or id through the picker, a table with ids, --json, --limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_testkit import Result

FILE_KEYS = {"id", "name", "mime_type", "size_bytes", "modified_at", "is_folder"}


def names(result: Result) -> list[str]:
    """The second column of piped (tab-separated) table output; the first is the id."""
    return [line.split("\t")[1] for line in result.out.splitlines()]


def test_browse_root_lists_folders_then_files_with_ids(
    cli: Callable[..., Result], conn_id: str
) -> None:
    result = cli("browse", conn_id)
    assert result.code == 0, result.err
    assert names(result) == [
        "Camera Uploads",
        "Documents",
        "Empty Folder",
        "Mixed",
        "Photos",
        "Notes",
        "profile.jpg",
        "Resume.pdf",
    ]
    rows = [line.split("\t") for line in result.out.splitlines()]
    photos = next(row for row in rows if row[1] == "Photos")
    assert photos[2] == "folder"
    # The docs' promise (docs/cli.md): cut -f1 gives the ids, whole.
    assert all(row[0].startswith("1") and len(row[0]) > 20 for row in rows)
    assert "My Drive  (folder id root)" in result.err
    assert "8 entries." in result.err


@pytest.mark.parametrize("spec", ["My Drive/Photos", "Photos", "/Photos/", "My Drive/Photos/"])
def test_browse_by_path(cli: Callable[..., Result], conn_id: str, spec: str) -> None:
    result = cli("browse", conn_id, "--folder", spec)
    assert result.code == 0, result.err
    assert names(result) == ["Family", "Screenshots", "Vacation 2024"]
    assert "My Drive/Photos  (folder id 1" in result.err


def test_browse_json_shape_and_browse_by_id(cli: Callable[..., Result], conn_id: str) -> None:
    body = cli("browse", conn_id, "--folder", "Photos/Family", "--json").json()
    assert set(body) == {"connection_id", "folder", "files", "truncated"}
    assert body["connection_id"] == conn_id
    assert body["folder"]["path"] == "My Drive/Photos/Family"
    assert body["truncated"] is False
    assert len(body["files"]) == 25
    assert all(set(f) == FILE_KEYS for f in body["files"])
    assert all(not f["is_folder"] and f["mime_type"].startswith("image/") for f in body["files"])
    assert all(isinstance(f["size_bytes"], int) for f in body["files"])

    by_id = cli("browse", conn_id, "--folder", body["folder"]["id"], "--json").json()
    assert by_id["folder"] == {"id": body["folder"]["id"], "path": "Family"}
    assert by_id["files"] == body["files"]


def test_browse_images_only_and_limit(cli: Callable[..., Result], conn_id: str) -> None:
    images = cli("browse", conn_id, "--folder", "Mixed", "--images-only", "--json").json()
    assert sorted(f["name"] for f in images["files"]) == [
        "corrupt_photo.jpg",
        "sample_heic.HEIC",
        "sample_jpeg.jpg",
        "sample_png.png",
        "sample_webp.webp",
    ]
    limited = cli("browse", conn_id, "--folder", "Camera Uploads", "--limit", "7")
    assert limited.code == 0
    assert len(limited.out.splitlines()) == 7
    assert "Showing the first 7 entries; --limit N shows more." in limited.err
    assert cli("browse", conn_id, "--folder", "Camera Uploads", "--limit", "7", "--json").json()[
        "truncated"
    ]


def test_browse_an_empty_folder(cli: Callable[..., Result], conn_id: str) -> None:
    result = cli("browse", conn_id, "--folder", "Empty Folder")
    assert result.code == 0
    assert result.out == ""
    assert "No entries in this folder." in result.err


def test_browse_unknown_path_says_where_it_stopped(
    cli: Callable[..., Result], conn_id: str
) -> None:
    result = cli("browse", conn_id, "--folder", "My Drive/Photos/2019")
    assert result.code == 1
    assert result.error_line == (
        "Error: no folder '2019' in 'My Drive/Photos'; see what is there with: "
        f"aionvision-cloud browse {conn_id} --folder 'My Drive/Photos'"
    )


def test_browse_a_file_as_folder_exits_as_a_missing_folder_does(
    cli: Callable[..., Result], conn_id: str
) -> None:
    # Both are lookups the service answered (exit 1), not bad usage (2: nothing was sent).
    root = cli("browse", conn_id, "--json").json()
    profile = next(f for f in root["files"] if f["name"] == "profile.jpg")
    result = cli("browse", conn_id, "--folder", profile["id"])
    assert result.code == 1
    assert result.error_line == f"Error: 'profile.jpg' ({profile['id']}) is a file, not a folder"
    by_name = cli("browse", conn_id, "--folder", "profile.jpg")
    assert by_name.code == 1
    assert by_name.error_line == "Error: 'profile.jpg' in 'My Drive' is a file, not a folder"


def test_browse_paths_ignore_case_when_only_one_folder_matches(
    cli: Callable[..., Result], conn_id: str
) -> None:
    result = cli("browse", conn_id, "--folder", "photos/FAMILY", "--json")
    assert result.code == 0, result.err
    assert result.json()["folder"]["path"] == "My Drive/Photos/Family"


def test_browse_a_misspelt_folder_suggests_the_near_names(
    cli: Callable[..., Result], conn_id: str
) -> None:
    result = cli("browse", conn_id, "--folder", "Photos/Famly")
    assert result.code == 1
    assert result.error_line == (
        "Error: no folder 'Famly' in 'My Drive/Photos' (did you mean 'Family'?); see what is "
        f"there with: aionvision-cloud browse {conn_id} --folder 'My Drive/Photos'"
    )


def test_browse_unknown_connection(cli: Callable[..., Result]) -> None:
    result = cli("browse", "no-such-connection", "--folder", "Photos")
    assert result.code == 1
    assert result.error_line.startswith("Error: 404 NOT_FOUND: ")
    assert "request_id=" in result.error_line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "Invalid value for '--limit'"),
        (["--limit", "many"], "Invalid value for '--limit'"),
        (["--colour"], "No such option: --colour"),
    ],
)
def test_browse_bad_arguments(
    cli: Callable[..., Result], conn_id: str, args: list[str], message: str
) -> None:
    result = cli("browse", conn_id, *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
