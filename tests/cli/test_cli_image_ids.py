"""import --json: the image ids to export, in both profiles, or a plain word where none are."""

from __future__ import annotations

import pytest

from aionvision_cloud.cli import main
from aionvision_cloud_emulator.server import RunningEmulator

FAST = {"job_pace": 400.0, "job_start_delay": 0.05}


def run(
    emu: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[int, str]:
    monkeypatch.setenv("AIONVISION_API_KEY", emu.api_key)
    monkeypatch.setenv("AIONVISION_BASE_URL", emu.base_url)
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.mark.aionvision_emulator(profile="service", **FAST)
@pytest.mark.parametrize("wait", [False, True])
def test_service_profile_top_level_ids_are_the_batches_ids(
    aionvision_emulator: RunningEmulator,
    aionvision_connection_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    wait: bool,
) -> None:
    import json

    args = ["import", aionvision_connection_id, "--folder", "Photos/Family", "--json"]
    args += ["--batch-size", "10"] + (["--wait"] if wait else [])
    code, out = run(aionvision_emulator, monkeypatch, capsys, *args)
    assert code == 0
    body = json.loads(out)
    in_batches = [i for b in body["batches"] for i in b["image_ids"]]
    assert len(in_batches) == 25
    if wait:
        # One placeholder per file: tied to the files by position, safe once the jobs are done.
        assert body["image_ids"] == in_batches
        assert [f["image_id"] for f in body["files"]] == in_batches
        assert {f["outcome"] for f in body["files"]} == {"done"}
    else:
        # The jobs still run: no file's outcome is known, no id is safe yet.
        assert body["image_ids"] == []
        assert {f["outcome"] for f in body["files"]} == {"unknown"}

    # Those ids are what export takes.
    code, out = run(
        aionvision_emulator,
        monkeypatch,
        capsys,
        "export",
        aionvision_connection_id,
        *in_batches[:3],
        "--folder-name",
        "Back",
        "--wait",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["completed_files"] == 3


@pytest.mark.aionvision_emulator(profile="document", **FAST)
def test_document_profile_names_the_jobs_without_ids(
    aionvision_emulator: RunningEmulator,
    aionvision_connection_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    code, out = run(
        aionvision_emulator,
        monkeypatch,
        capsys,
        *("import", aionvision_connection_id, "--folder", "Photos/Family", "--wait", "--json"),
    )
    assert code == 0
    body = json.loads(out)
    assert body["image_ids"] == []
    assert len(body["files"]) == 25
    assert {(f["outcome"], f["image_id"]) for f in body["files"]} == {("done", None)}
    assert {f["job_id"] for f in body["files"]} == set(body["job_ids"])

    code, out = run(
        aionvision_emulator,
        monkeypatch,
        capsys,
        *("import", aionvision_connection_id, "--folder", "Photos/Family", "--wait"),
    )
    assert code == 0
    assert "No image ids for 25 files: the service ran them as job_" in out
