"""Cold start: ``import aionvision_cloud`` against ``import httpx``, and the CLI's ``--help``.

Each sample is a fresh interpreter from the same venv; the cases alternate.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _util import median, table, verdict

IMPORT_TARGET = 1.35
HELP_TARGET = 0.3
RUNS = 31


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - start


def _alternate(cases: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in cases}
    for cmd in cases.values():  # warm the page cache and .pyc files
        _wall(cmd)
    for _ in range(runs):
        for name, cmd in cases.items():
            out[name].append(_wall(cmd))
    return out


def _slowest_imports(module: str, top: int = 8) -> list[tuple[int, str]]:
    """``-X importtime``'s heaviest cumulative entries below ``module`` (microseconds)."""
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and len(m.group(3)) <= 5:  # the package and its direct imports
            rows.append((int(m.group(2)), m.group(4)))
    return sorted(rows, reverse=True)[:top]


def _cli() -> str | None:
    exe = Path(sys.executable).parent / "aionvision-cloud"
    if exe.exists():
        return str(exe)
    return shutil.which("aionvision-cloud", path=os.path.dirname(sys.executable))


def run() -> str:
    py = sys.executable
    cases = {
        "aionvision_cloud": [py, "-c", "import aionvision_cloud"],
        "httpx": [py, "-c", "import httpx"],
        "bare": [py, "-c", "pass"],
    }
    cli = _cli()
    if cli:
        cases["cli --help"] = [cli, "--help"]
    runs = _alternate(cases, RUNS)
    ratios = [a / b for a, b in zip(runs["aionvision_cloud"], runs["httpx"], strict=True)]
    ratio = median(ratios)
    rows = [
        [
            "`import aionvision_cloud`",
            f"{median(runs['aionvision_cloud']) * 1000:.0f} ms",
            f"{median(runs['httpx']) * 1000:.0f} ms",
            f"{ratio:.2f}x",
            f"<= {IMPORT_TARGET:.2f}x ({verdict(ratio, IMPORT_TARGET)})",
        ]
    ]
    if cli:
        help_s = median(runs["cli --help"])
        rows.append(
            [
                "`aionvision-cloud --help`",
                f"{help_s * 1000:.0f} ms",
                f"{median(runs['httpx']) * 1000:.0f} ms (import httpx)",
                f"{help_s / median(runs['httpx']):.2f}x",
                f"<= {HELP_TARGET * 1000:.0f} ms ({verdict(help_s, HELP_TARGET)})",
            ]
        )
    else:
        rows.append(["`aionvision-cloud --help`", "no CLI installed yet", "-", "-", "-"])
    heavy = ", ".join(
        f"{name} {us / 1000:.0f} ms" for us, name in _slowest_imports("aionvision_cloud")
    )
    return (
        "## 2. Cold start\n\n"
        f"Fresh interpreters of the same venv, {RUNS} alternating runs each, medians; the ratio "
        "is the median of per-run ratios. An empty interpreter (`python -c pass`) takes "
        f"{median(runs['bare']) * 1000:.0f} ms.\n\n"
        + table(["what", "project", "baseline", "ratio", "target"], rows)
        + f"\n\nHeaviest imports under `aionvision_cloud` (`-X importtime`, cumulative): {heavy}.\n"
    )


if __name__ == "__main__":
    print(run())
