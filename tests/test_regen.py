"""The maintainer's drill, as tests: change the API in ``openapi.yaml``, ``make regen``, and the
overlay's users have the change with no overlay edit; break ``openapi.yaml``, and ``make regen``
leaves the committed client as it was.

Each test runs the repository's own Makefile in a scratch copy (the pinned generator of this
checkout's .venv, linked in), so the committed ``generated_client/`` is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)
PKG = "aionvision_cloud_api"

pytestmark = pytest.mark.timeout(300)


def scratch_repo(tmp_path: Path, spec: str) -> Path:
    """What ``make regen`` reads, copied (pyproject.toml keeping its time, so the venv's stamp
    stays newer and nothing is reinstalled), with ``spec`` as openapi.yaml."""
    if not (VENV / ".installed-stamp").exists():
        pytest.skip("needs the .venv that make install builds")
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Makefile", "generator-config.yml", "pyproject.toml"):
        shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "generator-hooks", repo / "generator-hooks")
    shutil.copytree(ROOT / "generated_client", repo / "generated_client")
    (repo / ".venv").symlink_to(VENV)
    (repo / "openapi.yaml").write_text(spec)
    return repo


def make_regen(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "regen"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=240,
    )


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def changed_spec() -> str:
    """openapi.yaml with a nullable integer on Job and an optional string on ImportRequest."""
    spec: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    schemas = spec["components"]["schemas"]
    schemas["Job"]["properties"]["retry_count"] = {"type": ["integer", "null"]}
    schemas["ImportRequest"]["properties"]["priority"] = {"type": "string", "maxLength": 16}
    # Names the generator must change: camelCase (last_error_code) and a Python keyword (class_).
    schemas["Job"]["properties"]["lastErrorCode"] = {"type": ["string", "null"]}
    schemas["Job"]["properties"]["class"] = {"type": "string"}
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)


def renamed_parameter_spec() -> str:
    """openapi.yaml with get_job's path parameter renamed (job_id -> id)."""
    spec: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    item = spec["paths"].pop("/cloud-storage/jobs/{job_id}")
    item["get"]["parameters"][0]["name"] = "id"
    spec["paths"]["/cloud-storage/jobs/{id}"] = item
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)


# Runs against the regenerated package (first on sys.path), with the overlay as committed.
USER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import httpx
    import attrs
    import aionvision_cloud, aionvision_cloud_api
    from aionvision_cloud import Client, Job
    from aionvision_cloud.cli.output import job_json

    sent = []

    def handler(request):
        if request.url.path.endswith("/import"):
            sent.append(json.loads(request.content))
            return httpx.Response(200, json={"is_async": True, "job_id": "job_1"})
        retries = 3 if request.url.path.endswith("job_1") else None
        job = {"job_id": "job_1", "status": "in_progress", "retry_count": retries}
        if retries:
            job.update({"lastErrorCode": "E42", "class": "photo"})
        if request.url.path.endswith("job_3"):
            job["lastErrorCode"] = 5  # not what the new field's schema allows
        return httpx.Response(200, json={"job": job})

    client = Client("aion_" + "k" * 24, base_url="https://api.example.test/api/v2",
                    transport=httpx.MockTransport(handler))
    cs = client.cloud_storage
    job = cs.get_job("job_1")
    none = cs.get_job("job_2")
    cs.import_files("conn_1", [{"id": "f1", "name": "a.jpg"}], priority="high")
    try:
        cs.import_files("conn_1", [{"id": "f1", "name": "a.jpg"}], priorty="high")
    except aionvision_cloud.InvalidInputError as exc:
        refused = str(exc)
    try:
        cs.get_job("job_3")
    except aionvision_cloud.APIResponseValidationError as exc:
        wrong_type = str(exc)
    print(json.dumps({
        "generated": aionvision_cloud_api.__file__,
        "overlay": aionvision_cloud.__file__,
        "fields": [f.name for f in attrs.fields(Job)],
        "retry_count": job.retry_count,
        "null_retry_count": none.retry_count,
        "job_json": job.to_dict(),
        "cli_json": job_json(job),
        "cli_json_unset": job_json(none),
        "renamed": [job.last_error_code, job.class_],
        "wrong_type": wrong_type,
        "sent": sent,
        "refused": refused,
    }))
    """
)

TYPED_USE = textwrap.dedent(
    """
    from aionvision_cloud import Client


    def retries(client: Client) -> int:
        job = client.cloud_storage.get_job("job_1")
        count: int | None = job.retry_count if isinstance(job.retry_count, int) else None
        client.cloud_storage.import_files("c", [{"id": "f", "name": "n"}], priority="high")
        return count or 0
    """
)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = scratch_repo(tmp_path_factory.mktemp("drill"), changed_spec())
    done = make_regen(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (repo / ".regen-new").exists()
    return repo


def test_a_new_response_field_and_request_field_reach_the_overlay(regenerated: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(regenerated / "generated_client")}
    script = regenerated / "user_script.py"
    script.write_text(USER_SCRIPT)
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    # The regenerated client, under the overlay exactly as committed.
    assert seen["generated"].startswith(str(regenerated))
    assert seen["overlay"].startswith(str(ROOT / "overlay"))
    # The new Job field is an attribute of the overlay's Job, read (and null) as sent.
    assert "retry_count" in seen["fields"]
    assert (seen["retry_count"], seen["null_retry_count"]) == (3, None)
    assert seen["job_json"]["retry_count"] == 3
    # The new ImportRequest field is a keyword of import_files, sent in the body...
    assert seen["sent"] == [
        {"connection_id": "conn_1", "files": [{"id": "f1", "name": "a.jpg"}], "priority": "high"}
    ]
    # ...and a misspelt one is refused before sending, naming the fields there are.
    assert "'priorty'" in seen["refused"]
    assert "priority" in seen["refused"].split("are", 1)[1]
    # A camelCase field and one named like a keyword: attributes as the generator names them,
    # the wire's names in --json (present as null when left out), held to their schema.
    assert seen["renamed"] == ["E42", "photo"]
    assert (seen["cli_json"]["lastErrorCode"], seen["cli_json"]["class"]) == ("E42", "photo")
    assert (seen["cli_json_unset"]["lastErrorCode"], seen["cli_json_unset"]["class"]) == (
        None,
        None,
    )
    for shown in (seen["cli_json"], seen["cli_json_unset"]):
        assert not {"last_error_code", "class_", "type_"} & set(shown)
    assert "answer.job.lastErrorCode must be" in seen["wrong_type"]


# Kept between runs (ignored by git): the standard library's, httpx's and the overlay's entries stay
# valid, so each run checks only the scratch tree's modules anew (this test: 4.7 s, then 1.2 s).
MYPY_CACHE = ROOT / ".mypy_cache" / "regen-drill"


def test_mypy_sees_the_new_fields(regenerated: Path) -> None:
    check = regenerated / "typed_use.py"
    check.write_text(TYPED_USE)
    config = regenerated / "mypy.ini"
    paths = os.pathsep.join([str(regenerated / "generated_client"), str(ROOT / "overlay")])
    config.write_text(
        f"[mypy]\nstrict = True\nmypy_path = {paths}\ncache_dir = {MYPY_CACHE}\n"
        "[mypy-aionvision_cloud_api.*]\nfollow_imports = silent\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), str(check)],
        capture_output=True,
        text=True,
        cwd=regenerated,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # The same use fails against the committed client, which has no such field: the check bites.
    config.write_text(
        config.read_text().replace(
            str(regenerated / "generated_client"), str(ROOT / "generated_client")
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), str(check)],
        capture_output=True,
        text=True,
        cwd=regenerated,
        timeout=240,
    )
    assert run.returncode == 1
    assert '"Job" has no attribute "retry_count"' in run.stdout


def test_a_broken_spec_leaves_the_committed_client_as_it_was(tmp_path: Path) -> None:
    spec = (ROOT / "openapi.yaml").read_text()
    # One bad line: an unclosed flow sequence.
    broken = spec.replace('type: [string, "null"]', 'type: [string, "null"', 1)
    assert broken != spec
    repo = scratch_repo(tmp_path, broken)
    before = tree_digest(repo / "generated_client")
    done = make_regen(repo)
    assert done.returncode != 0
    assert "generated_client/ left as it was" in done.stdout + done.stderr
    assert tree_digest(repo / "generated_client") == before
    assert len(before) > 40  # the whole client is still there, not an empty folder
    assert not (repo / ".regen-new").exists()


def test_a_renamed_path_parameter_fails_mypy_on_the_overlay(tmp_path: Path) -> None:
    repo = scratch_repo(tmp_path, renamed_parameter_spec())
    done = make_regen(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    config = repo / "mypy.ini"
    paths = os.pathsep.join([str(repo / "generated_client"), str(ROOT / "overlay")])
    config.write_text(
        f"[mypy]\nstrict = True\nmypy_path = {paths}\ncache_dir = {MYPY_CACHE}\n"
        "[mypy-aionvision_cloud_api.*]\nfollow_imports = silent\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "-p", "aionvision_cloud"],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=240,
    )
    # The overlay's call names the old parameter: mypy says so, at the overlay's line.
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(
        r"aionvision_cloud/cloud_storage\.py:\d+: error: Unexpected keyword argument \"job_id\"",
        run.stdout,
    ), run.stdout
