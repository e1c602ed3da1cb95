"""The command line against the emulator's ``service`` profile (the service as it runs today):
the whole flow, a session-only service with and without ``--session-token``, and a revoked
Google grant, each ending in one clear line when it fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_testkit import FAST, Result

from aionvision_cloud_emulator.server import RunningEmulator, run_emulator


@pytest.fixture(scope="module")
def cli_emulator() -> Iterator[RunningEmulator]:
    # Overrides conftest's document-profile emulator for this module.
    with run_emulator(profile="service", **FAST) as emu:
        yield emu


def test_the_whole_flow_against_the_service_profile(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    listed = cli("connections", "--json").json()
    assert [c["id"] for c in listed["connections"]] == [conn_id]

    browsed = cli("browse", conn_id, "--folder", "Photos/Family", "--json")
    assert browsed.code == 0, browsed.err
    assert len(browsed.json()["files"]) == 25  # the proxy's data envelope, read

    imported = cli("import", conn_id, "--folder", "Photos/Family", "--wait", "--json")
    assert imported.code == 0, imported.err
    body = imported.json()
    assert body["status"] == "completed"
    assert body["completed_files"] == 25
    assert all(job["job_id"].startswith("job_") for job in body["jobs"])
    # Every import is a job whose answer carries placeholder ids at once.
    placeholders = [i for batch in body["batches"] for i in batch["image_ids"]]
    assert len(placeholders) == 25

    exported = cli("export", conn_id, *placeholders[:3], "--wait", "--json")
    assert exported.code == 0, exported.err
    (job,) = exported.json()["jobs"]
    assert job["status"] == "completed"
    assert len(job["cloud_file_ids"]) == 3  # filled once the export ended

    shown = cli("job", job["job_id"], "--json").json()
    assert shown["jobs"][0]["cloud_file_ids"] == job["cloud_file_ids"]
    assert cli("disconnect", conn_id, "--yes").code == 0
    assert cli("connections", "--json").json()["connections"] == []


@pytest.fixture
def session_only(emu: RunningEmulator) -> Iterator[str]:
    """The four session operations refuse API keys; a signed-in session for the default key."""
    emu.admin.configure(session_only=True)
    yield emu.admin.new_session()
    emu.admin.configure(session_only=False)


def test_a_session_only_service_works_with_a_session(
    cli: Callable[..., Result],
    conn_id: str,
    session_only: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    by_option = cli("--session-token", session_only, "browse", conn_id, "--folder", "Photos")
    assert by_option.code == 0, by_option.err
    assert by_option.out.split("\t")[1] == "Family"
    monkeypatch.setenv("AIONVISION_SESSION_TOKEN", session_only)
    by_env = cli("import", conn_id, "--folder", "Photos/Family", "--wait", "--json", "-v")
    assert by_env.code == 0, by_env.err
    assert session_only not in by_env.out + by_env.err


def test_a_session_only_service_without_one_fails_in_one_clear_line(
    cli: Callable[..., Result], conn_id: str, session_only: str
) -> None:
    result = cli("browse", conn_id)
    assert result.code != 0
    line = result.error_line
    assert "401 SESSION_REQUIRED" in line
    assert "signed-in web session" in line
    assert "--session-token" in line
    assert "AIONVISION_API_KEY" not in line  # the key is fine; the session is what is missing


def test_a_malformed_session_token_is_refused_before_sending(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    before = emu.admin.stats()["requests_total"]
    result = cli("--session-token", "a;b=c", "browse", conn_id)
    assert result.code == 2
    assert "malformed session token" in result.error_line
    assert "a;b=c" not in result.err
    assert emu.admin.stats()["requests_total"] == before


def test_a_revoked_google_grant_says_to_connect_again(
    cli: Callable[..., Result], conn_id: str, emu: RunningEmulator
) -> None:
    emu.admin.revoke_grant(conn_id)
    result = cli("browse", conn_id)
    assert result.code != 0
    line = result.error_line
    assert "401 REAUTH_REQUIRED" in line
    assert "run 'aionvision-cloud connect' to connect the account again" in line


def _forty_images(cli: Callable[..., Result], conn_id: str) -> list[str]:
    browsed = cli("browse", conn_id, "--folder", "Camera Uploads", "--json").json()
    files = [f["id"] for f in browsed["files"] if not f["is_folder"]][:40]
    body = cli("import", conn_id, *[a for f in files for a in ("--file", f)], "--wait", "--json")
    images = [i for batch in body.json()["batches"] for i in batch["image_ids"]]
    assert len(images) == 40
    return images


def _folders_named(cli: Callable[..., Result], conn_id: str, name: str) -> list[str]:
    listed = cli("browse", conn_id, "--folder", "root", "--json").json()["files"]
    return [f["id"] for f in listed if f["is_folder"] and f["name"] == name]


def _files_in(cli: Callable[..., Result], conn_id: str, folder_id: str) -> int:
    return len(cli("browse", conn_id, "--folder", folder_id, "--json").json()["files"])


def test_an_export_in_batches_makes_one_folder_and_names_it(
    cli: Callable[..., Result], conn_id: str
) -> None:
    images = _forty_images(cli, conn_id)
    args = ("--folder-name", "Trip export", "--batch-size", "10", "--wait")
    exported = cli("export", conn_id, *images, *args, "--json")
    assert exported.code == 0, exported.err
    body = exported.json()
    assert len(body["jobs"]) == 4
    assert _folders_named(cli, conn_id, "Trip export") == [body["folder_id"]]
    assert _files_in(cli, conn_id, body["folder_id"]) == 40

    said = cli("export", conn_id, *images, "--folder-name", "Said", "--batch-size", "10", "--wait")
    assert said.code == 0, said.err
    (folder,) = _folders_named(cli, conn_id, "Said")
    assert f"Exported 40 images to folder {folder} (new folder 'Said' in My Drive)." in said.out


def test_an_export_rerun_with_its_journal_goes_on_into_the_same_folder(
    cli: Callable[..., Result], conn_id: str, tmp_path: Path
) -> None:
    images = _forty_images(cli, conn_id)
    args = ("--folder-name", "Resumed", "--batch-size", "10", "--wait", "--json")
    journal = ("--journal", str(tmp_path / "export.journal"))
    first = cli("export", conn_id, *images[:20], *args, *journal)
    assert first.code == 0, first.err
    again = cli("export", conn_id, *images, *args, *journal)
    assert again.code == 0, again.err
    assert again.json()["folder_id"] == first.json()["folder_id"]
    assert _folders_named(cli, conn_id, "Resumed") == [first.json()["folder_id"]]
    assert _files_in(cli, conn_id, first.json()["folder_id"]) == 40
