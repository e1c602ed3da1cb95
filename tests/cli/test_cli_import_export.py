"""import and export: files by id or a whole folder, batches, --wait, exit codes, --json."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from cli_testkit import JOB_KEYS, Result

from aionvision_cloud_emulator.server import RunningEmulator

IMPORT_KEYS = {
    "stopped_by",
    "connection_id",
    "status",
    "total_files",
    "completed_files",
    "failed_files",
    "image_ids",
    "files",
    "failed",
    "shared_image_ids",
    "job_ids",
    "jobs",
    "batches",
    "skipped_files",
    "waited",
    "timed_out",
}
EXPORT_KEYS = {
    "stopped_by",
    "destination",
    "folder_id",
    "connection_id",
    "status",
    "total_files",
    "completed_files",
    "failed_files",
    "files",
    "failed",
    "job_ids",
    "jobs",
    "message",
    "skipped_files",
    "waited",
    "timed_out",
}


def drive_files(cli: Callable[..., Result], conn_id: str, folder: str) -> dict[str, str]:
    body = cli("browse", conn_id, "--folder", folder, "--json").json()
    return {f["name"]: f["id"] for f in body["files"]}


def imported_ids(cli: Callable[..., Result], conn_id: str, count: int) -> list[str]:
    """Image ids from a small (synchronous) import."""
    family = list(drive_files(cli, conn_id, "Photos/Family").values())[:count]
    args = [a for fid in family for a in ("--file", fid)]
    body = cli("import", conn_id, *args, "--json").json()
    assert len(body["image_ids"]) == count
    return list(body["image_ids"])


# -- import ---------------------------------------------------------------------------------------


def test_import_files_by_id_finishes_synchronously(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    family = drive_files(cli, conn_id, "Photos/Family")
    first, second = sorted(family)[:2]
    proxied = emu.admin.stats()["requests_by_operation"].get("picker_proxy", 0)
    result = cli(
        "import",
        conn_id,
        "--file",
        family[first],
        "--file",
        f"{family[second]}:renamed.jpg",
        "--tag",
        "cli",
        "--tag",
        "family",
        "--collection",
        "coll_1",
        "--no-describe",
        "--json",
    )
    assert result.code == 0, result.err
    body = result.json()
    assert set(body) == IMPORT_KEYS
    assert body["status"] == "completed"
    assert (body["total_files"], body["completed_files"], body["failed_files"]) == (2, 2, 0)
    assert body["job_ids"] == []
    assert body["jobs"] == []
    assert [b["is_async"] for b in body["batches"]] == [False]
    assert len(body["image_ids"]) == 2
    # Only the id without a name was looked up in Drive.
    assert emu.admin.stats()["requests_by_operation"]["picker_proxy"] == proxied + 1
    # What the service received: the files, the tags, the collection.
    rows = [emu.emulator.store.image(emu.api_key, i) for i in body["image_ids"]]
    assert all(r is not None for r in rows)
    assert {r["source_file_id"] for r in rows if r} == {family[first], family[second]}
    assert all(json.loads(r["tags"]) == ["cli", "family"] for r in rows if r)
    assert all(r["collection_id"] == "coll_1" for r in rows if r)


def test_import_folder_with_wait_reports_partial_with_exit_3(
    cli: Callable[..., Result], conn_id: str
) -> None:
    # Mixed: 4 good images, a corrupt one, a PDF, a Google Doc (the service refuses those two).
    result = cli("import", conn_id, "--folder", "Mixed", "--wait")
    assert result.code == 3, result.err
    assert result.out.splitlines()[0] == (
        "Import partial: 5 of 7 files imported, 2 failed, in 1 job."
    )
    # Which files failed, and why: a row per file the job's error names, with its reason.
    reasons = (
        "2 of 7 files failed: corrupt_photo.jpg is corrupt or not a readable file;"
        " Shared doc is a Google Docs Editors file (export it first)"
    )
    ids = drive_files(cli, conn_id, "Mixed")
    for name, reason in [
        ("corrupt_photo.jpg", "corrupt_photo.jpg is corrupt or not a readable file"),
        ("Shared doc", "Shared doc is a Google Docs Editors file (export it first)"),
    ]:
        row = rf"^{re.escape(name)}\t{re.escape(ids[name])}\tjob_\w+\t{re.escape(reason)}$"
        assert re.search(row, result.out, re.M), result.out
    assert "Failed in" not in result.err  # every failure is named: no raw error besides
    # Piped, progress is plain lines; the last one is the end state.
    progress = [line for line in result.err.splitlines() if line.startswith("Importing:")]
    assert progress[-1] == "Importing: 7/7 files done, 2 failed"
    assert "\x1b[" not in result.err  # no terminal control codes in a log

    body = cli("import", conn_id, "--folder", "Mixed", "--wait", "--json").json()
    assert body["status"] == "partial"
    assert (body["completed_files"], body["failed_files"]) == (5, 2)
    assert body["waited"] is True
    assert body["timed_out"] is False
    assert [set(j) for j in body["jobs"]] == [JOB_KEYS]
    assert body["jobs"][0]["status"] == "partial"
    assert body["jobs"][0]["error"] == reasons
    assert [(f["name"], f["outcome"]) for f in body["failed"]] == [
        ("corrupt_photo.jpg", "failed"),
        ("Shared doc", "failed"),
    ]
    assert len(body["files"]) == 7
    assert {f["file_id"] for f in body["files"]} <= set(ids.values())
    assert sum(f["outcome"] == "done" for f in body["files"]) == 5


def test_import_recursive_images_only_in_batches_one_progress(
    cli: Callable[..., Result], conn_id: str
) -> None:
    # Photos: 40 + 25 + 15 images in three sub-folders (and trashed ones, which stay out).
    result = cli(
        "import",
        conn_id,
        "--folder",
        "Photos",
        "--recursive",
        "--images-only",
        "--batch-size",
        "30",
        "--wait",
        "--json",
    )
    assert result.code == 0, result.err
    body = result.json()
    assert body["status"] == "completed"
    assert body["total_files"] == 80
    assert [b["files_sent"] for b in body["batches"]] == [30, 30, 20]
    assert len(body["job_ids"]) == 3
    assert all(j["status"] == "completed" for j in body["jobs"])
    assert "Importing: 80/80 files done, 0 failed, 3/3 jobs finished" in result.err


def test_import_without_wait_says_how_to_follow(cli: Callable[..., Result], conn_id: str) -> None:
    result = cli("import", conn_id, "--folder", "Photos/Screenshots")
    assert result.code == 0, result.err
    assert result.out.startswith("Import pending: 15 files, in 1 job.")
    body_line = [line for line in result.err.splitlines() if line.startswith("Follow with: ")]
    assert len(body_line) == 1
    job_id = body_line[0].split()[-2]
    assert body_line[0] == f"Follow with: aionvision-cloud job {job_id} --wait"

    followed = cli("job", job_id, "--wait", "--json")
    assert followed.code == 0, followed.err
    assert followed.json()["jobs"][0]["completed_files"] == 15


def test_import_without_wait_json(cli: Callable[..., Result], conn_id: str) -> None:
    body = cli("import", conn_id, "--folder", "Photos/Screenshots", "--json").json()
    assert body["status"] == "pending"
    assert body["waited"] is False
    assert [(j["status"], j["type"], j["total_files"]) for j in body["jobs"]] == [
        ("pending", "import", 15)
    ]
    assert all(set(j) == JOB_KEYS for j in body["jobs"])


def test_import_wait_timeout_exits_5_and_names_the_jobs(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    emu.admin.configure(job_pace=1.0)
    result = cli(
        "import", conn_id, "--folder", "Photos/Vacation 2024", "--wait", "--timeout", "0.3"
    )
    assert result.code == 5
    last = result.err.strip().splitlines()[-1]
    assert last.startswith("Error: timed out after 0.3s; still running: job_")
    assert "Follow them with: aionvision-cloud job job_" in last

    body = cli(
        "import", conn_id, "--folder", "Photos/Family", "--wait", "--timeout", "0.3", "--json"
    ).json()
    assert body["timed_out"] is True
    assert body["status"] in ("pending", "in_progress")


def test_import_an_empty_folder(cli: Callable[..., Result], conn_id: str) -> None:
    result = cli("import", conn_id, "--folder", "Empty Folder", "--wait")
    assert result.code == 0
    assert result.out == "Nothing to import: no files in My Drive/Empty Folder.\n"
    body = cli("import", conn_id, "--folder", "Empty Folder", "--json").json()
    assert set(body) == IMPORT_KEYS
    assert body["total_files"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either --file (repeatable) or --folder"),
        (["--file", "a", "--folder", "b"], "give either --file (repeatable) or --folder"),
        (["--file", "a", "--recursive"], "--recursive and --images-only apply to --folder"),
        (["--folder", "Photos", "--timeout", "5"], "--timeout only applies with --wait"),
        (["--folder", "Photos", "--wait", "--timeout", "-1"], "--timeout must be a positive"),
        (["--file", ":x.jpg"], "--file ':x.jpg' has no id"),
        # Above what any plan takes in one request: refused here, not by the service.
        (["--folder", "Photos", "--batch-size", "150000"], "--batch-size 150000 is over 200"),
    ],
)
def test_import_bad_usage_exits_2_before_any_request(
    cli: Callable[..., Result],
    conn_id: str,
    emu: RunningEmulator,
    args: list[str],
    message: str,
) -> None:
    before = emu.admin.stats()["requests_total"]
    result = cli("import", conn_id, *args)
    assert result.code == 2
    assert message in result.error_line
    assert result.error_line.endswith("(see: aionvision-cloud import --help)")
    assert emu.admin.stats()["requests_total"] == before


def test_import_batch_size_out_of_range_is_usage(cli: Callable[..., Result], conn_id: str) -> None:
    result = cli("import", conn_id, "--folder", "Photos", "--batch-size", "0")
    assert result.code == 2
    assert "Invalid value for '--batch-size'" in result.err


def test_a_batch_over_the_plans_limit_names_the_size_to_use(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    emu.admin.configure(batch_limit=10)
    result = cli("import", conn_id, "--folder", "Camera Uploads", "--batch-size", "150")
    assert result.code == 1
    line = result.error_line
    assert line.startswith("Error: 422 BATCH_LIMIT_EXCEEDED: Too many files: 150 in one request")
    # The field the service named, without an empty issue after it ("[files: ]" before).
    assert " [files] (request_id=" in line
    assert line.endswith("; your plan takes at most 10 per request: pass --batch-size 10")
    assert "batch_size=" not in line  # the library's keyword, not the command's option


def test_import_unknown_file_and_folder_ids(cli: Callable[..., Result], conn_id: str) -> None:
    unknown = cli("import", conn_id, "--file", "1NoSuchFileAnywhere")
    assert unknown.code == 1
    assert unknown.error_line == "Error: no Drive file has the id '1NoSuchFileAnywhere'"

    photos = cli("browse", conn_id, "--json").json()["files"]
    folder_id = next(f["id"] for f in photos if f["name"] == "Photos")
    as_file = cli("import", conn_id, "--file", folder_id)
    assert as_file.code == 2
    assert as_file.error_line.startswith(f"Error: 'Photos' ({folder_id}) is a folder")


def test_import_into_an_unknown_connection(cli: Callable[..., Result]) -> None:
    result = cli("import", "no-such-connection", "--file", "1abc:a.jpg")
    assert result.code == 1
    assert result.error_line.startswith("Error: 404 NOT_FOUND: ")


# -- export ---------------------------------------------------------------------------------------


def test_export_into_a_new_folder_and_find_it(cli: Callable[..., Result], conn_id: str) -> None:
    image_ids = imported_ids(cli, conn_id, 3)
    result = cli("export", conn_id, *image_ids, "--folder-name", "From CLI", "--wait", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert set(body) == EXPORT_KEYS
    assert body["status"] == "completed"
    assert (body["total_files"], body["completed_files"], body["failed_files"]) == (3, 3, 0)
    assert "new folder 'From CLI'" in body["message"]
    assert [j["type"] for j in body["jobs"]] == ["export"]
    assert len(drive_files(cli, conn_id, "From CLI")) == 3


def test_export_human_output_and_folder_path(cli: Callable[..., Result], conn_id: str) -> None:
    image_ids = imported_ids(cli, conn_id, 2)
    result = cli("export", conn_id, *image_ids, "--folder-id", "My Drive/Documents", "--wait")
    assert result.code == 0, result.err
    assert (
        result.out.splitlines()[0]
        == "Export completed: 2 of 2 images exported, 0 failed, in 1 job."
    )
    assert "Exporting: 2/2 images done, 0 failed" in result.err
    assert len(drive_files(cli, conn_id, "Documents")) == 17 + 2


def test_export_of_unknown_images_fails_with_exit_4(
    cli: Callable[..., Result], conn_id: str
) -> None:
    result = cli("export", conn_id, "img_nope_1", "img_nope_2", "--wait")
    assert result.code == 4
    assert (
        result.out.splitlines()[0] == "Export failed: 0 of 2 images exported, 2 failed, in 1 job."
    )
    for image_id in ("img_nope_1", "img_nope_2"):
        row = rf"^{image_id}\t{image_id}\tjob_\w+\tImage {image_id} not found$"
        assert re.search(row, result.out, re.M), result.out
    assert "Failed in" not in result.err


def test_export_without_wait(cli: Callable[..., Result], conn_id: str) -> None:
    image_ids = imported_ids(cli, conn_id, 1)
    result = cli("export", conn_id, *image_ids)
    assert result.code == 0
    assert result.out.startswith("Export pending: 1 image, in 1 job.")
    assert "Follow with: aionvision-cloud job job_" in result.err


def test_export_to_an_unknown_folder_id(cli: Callable[..., Result], conn_id: str) -> None:
    result = cli("export", conn_id, "img_1", "--folder-id", "1NoSuchFolder")
    assert result.code == 1
    assert result.error_line.startswith("Error: 404 NOT_FOUND: Drive folder '1NoSuchFolder'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give CONNECTION_ID and at least one IMAGE_ID"),
        (["img_1", "--folder-name", " "], "--folder-name must not be empty"),
        (["img_1", "--timeout", "3"], "--timeout only applies with --wait"),
        (
            ["img_1", "--folder-id", "root", "--folder-name", "New"],
            "--folder-id and --folder-name are exclusive",
        ),
        (["img_1", "--batch-size", "201"], "--batch-size 201 is over 200"),
    ],
)
def test_export_bad_usage(
    cli: Callable[..., Result], conn_id: str, args: list[str], message: str
) -> None:
    result = cli("export", conn_id, *args)
    assert result.code == 2
    assert message in result.err


def test_a_new_folder_over_several_batches_is_refused_where_it_cannot_be_found(
    cli: Callable[..., Result], conn_id: str
) -> None:
    # The document's service names no file an export made: the folder cannot be learned.
    image_ids = imported_ids(cli, conn_id, 3)
    result = cli("export", conn_id, *image_ids, "--folder-name", "Split", "--batch-size", "2")
    assert result.code == 1
    assert "--folder-id" in result.err
    assert "--batch-size" in result.err
    assert len(drive_files(cli, conn_id, "Split")) == 2  # the first batch only, one folder
