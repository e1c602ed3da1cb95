"""Release basics: the MIT licence in the repository, the wheel and the sdist; a changelog that
starts at the package's version; `make dist` builds both and `twine check` passes (CI runs it)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_licence_pyproject_names_is_in_the_repository() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_the_changelog_starts_at_the_packages_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = PYPROJECT["project"]["version"]
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings, "no version in CHANGELOG.md"
    assert headings[0].startswith(f"## {version}")
    assert headings[-1].startswith("## 0.1.0")


def test_ci_runs_make_dist() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "make dist" in ci
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "twine check --strict dist/*" in makefile


def test_the_wheel_and_sdist_carry_the_licence_and_pass_twine_check(tmp_path: Path) -> None:
    # What `make dist` runs, into a folder of the test's own.
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    with tarfile.open(sdist) as tf:
        members = [m.split("/", 1)[1] for m in tf.getnames() if "/" in m]
    assert "LICENSE" in members
    assert "CHANGELOG.md" in members
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
