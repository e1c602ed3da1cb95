"""Cold start: ``import aionvision_cloud`` against ``import httpx``, and the CLI's ``--help``.

The package root resolves its names on first lookup, so a bare ``import aionvision_cloud`` runs
only its ``__init__`` (it does not even import httpx); ``from aionvision_cloud import Client``,
what a script pays before it builds its first client, is measured beside it against the same
``import httpx``.

In two environments: the dev venv (``make install``: every extra, so ``import httpx`` also loads
rich and click for its own command line) and a plain venv built from the checkout without
extras (``pip install .``, kept in ``.bench-venv/`` and reinstalled when the sources change),
where only the project's own cost shows above httpx. Each sample is a fresh interpreter; the
cases alternate. Bytecode caches are on, as for any installed package (``PYTHONDONTWRITEBYTECODE``
is dropped for the samples: with it, the dev venv's editable sources would be compiled on every
start and httpx's not).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _util import ROOT, median, table, verdict

IMPORT_TARGET = 1.20
HELP_TARGET = 0.3
RUNS = 31
PROFILE_RUNS = 15
PLAIN = ROOT / ".bench-venv"
CLIENT_IMPORT = "from aionvision_cloud import Client"
# A ready client against a ready httpx client: the cold-start target (#26).
READY = 'from aionvision_cloud import Client; Client("aion_" + "x" * 24).close()'
HTTPX_READY = "import httpx; httpx.Client().close()"
#: What `pip install .` puts in the plain venv: its requirements, then the packages.
SOURCES = ("generated_client", "overlay", "emulator")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _sample(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run. CPU (user + system, from the child's rusage) leaves out
    the time spent waiting for a core, which on a shared machine is most of the noise."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, usage.ru_utime + usage.ru_stime


def _alternate(
    cases: dict[str, list[str]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for cmd in cases.values():  # warm the page cache and write the .pyc files
        _sample(cmd)
        _sample(cmd)
    for _ in range(runs):
        for name, cmd in cases.items():
            w, c = _sample(cmd)
            wall[name].append(w)
            cpu[name].append(c)
    return wall, cpu


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _plain_python() -> Path:
    """The plain venv's interpreter, built or refreshed as needed (needs the package index)."""
    python = PLAIN / "bin" / "python"
    stamp = PLAIN / ".stamp"
    needs = _digest([ROOT / "pyproject.toml"])
    code = _digest(
        [
            p
            for d in SOURCES
            for p in (ROOT / d).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
    )
    have = stamp.read_text().split() if stamp.exists() else []
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not python.exists() or have[:1] != [needs]:
        shutil.rmtree(PLAIN, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(PLAIN)], check=True)  # noqa: S603
        subprocess.run([*pip, str(ROOT)], check=True)  # noqa: S603
    elif have[1:] != [code]:
        subprocess.run([*pip, "--no-deps", "--force-reinstall", str(ROOT)], check=True)  # noqa: S603
    stamp.write_text(f"{needs} {code}\n")
    return python


def _importtime(python: str, statements: tuple[str, ...]) -> list[dict[str, tuple[int, int]]]:
    """``-X importtime`` of each statement, the runs alternating: per statement, module ->
    (self, cumulative) microseconds, medians of PROFILE_RUNS runs. The key ``TOTAL`` holds the
    cumulative time of the top-level imports an empty interpreter does not make (a name looked up
    on the package root imports its module through ``importlib``, which ``-X importtime`` does not
    list itself: its imports show at the top level)."""
    runs: list[list[dict[str, tuple[int, int]]]] = [[] for _ in statements]
    empty = subprocess.run(  # noqa: S603
        [python, "-X", "importtime", "-c", "pass"], capture_output=True, text=True, check=True
    )
    startup = set(re.findall(r"\| *(\S+)$", empty.stderr, flags=re.MULTILINE))
    for _ in range(PROFILE_RUNS):
        for i, statement in enumerate(statements):
            proc = subprocess.run(  # noqa: S603
                [python, "-X", "importtime", "-c", statement],
                capture_output=True,
                text=True,
                check=True,
                env=ENV,
            )
            run: dict[str, tuple[int, int]] = {}
            total = 0
            for line in proc.stderr.splitlines():
                m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
                if m:
                    run[m.group(4)] = (int(m.group(1)), int(m.group(2)))
                    if len(m.group(3)) == 1 and m.group(4) not in startup:
                        total += int(m.group(2))
            run["TOTAL"] = (total, total)
            runs[i].append(run)
    medians = []
    for module_runs in runs:
        names = set().union(*module_runs)
        medians.append(
            {
                n: (
                    int(statistics.median(r.get(n, (0, 0))[0] for r in module_runs)),
                    int(statistics.median(r.get(n, (0, 0))[1] for r in module_runs)),
                )
                for n in names
            }
        )
    return medians


def _own_cost(python: str) -> str:
    """The project's own share of ``from aionvision_cloud import Client``, above httpx imported
    alone, and where it goes."""
    times, alone = _importtime(python, (CLIENT_IMPORT, "import httpx"))
    total = times["TOTAL"][1]
    httpx = alone["httpx"][1]
    # Imported after httpx, so these subtrees hold only what httpx did not import already.
    attrs = times.get("attrs", (0, 0))[1]
    own = sorted(
        ((s, n) for n, (s, _) in times.items() if n.startswith("aionvision_cloud")), reverse=True
    )
    heaviest = ", ".join(
        f"{n.removeprefix('aionvision_cloud') or '(root)'} {s / 1000:.1f}" for s, n in own[:6]
    )
    return (
        f"`{CLIENT_IMPORT}` {total / 1000:.0f} ms against `import httpx` alone "
        f"{httpx / 1000:.0f} ms ({(total - httpx) / 1000:+.0f} ms; the medians of separate runs, "
        f"so within the noise they can come out either way); attrs "
        + (f"{attrs / 1000:.0f} ms" if attrs else "not loaded")
        + f". The project's modules by their own time (ms): {heaviest}; together "
        f"{sum(s for s, _ in own) / 1000:.1f} ms."
    )


def _quartiles(ordered: list[float]) -> str:
    q = statistics.quantiles(ordered, n=4)
    return f"{q[0]:.2f} to {q[2]:.2f}"


def _cli(python: Path) -> str | None:
    exe = python.parent / "aionvision-cloud"
    if exe.exists():
        return str(exe)
    return shutil.which("aionvision-cloud", path=str(python.parent))


def run() -> str:
    dev = Path(sys.executable)
    cases = {
        "dev aionvision_cloud": [str(dev), "-c", "import aionvision_cloud"],
        "dev Client": [str(dev), "-c", CLIENT_IMPORT],
        "dev httpx": [str(dev), "-c", "import httpx"],
        "dev ready": [str(dev), "-c", READY],
        "dev httpx-ready": [str(dev), "-c", HTTPX_READY],
        "bare": [str(dev), "-c", "pass"],
    }
    try:
        plain: Path | None = _plain_python()
    except (OSError, subprocess.CalledProcessError) as exc:
        plain, why = None, f"{type(exc).__name__}: {exc}"
    if plain is not None:
        cases["plain aionvision_cloud"] = [str(plain), "-c", "import aionvision_cloud"]
        cases["plain Client"] = [str(plain), "-c", CLIENT_IMPORT]
        cases["plain httpx"] = [str(plain), "-c", "import httpx"]
        cases["plain ready"] = [str(plain), "-c", READY]
        cases["plain httpx-ready"] = [str(plain), "-c", HTTPX_READY]
    cli = _cli(dev)
    if cli:
        cases["cli --help"] = [cli, "--help"]
    runs, cpu = _alternate(cases, RUNS)

    def ratio_row(
        label: str, env: str, what: str = "aionvision_cloud", against: str = "httpx"
    ) -> list[str]:
        ours, base = runs[f"{env} {what}"], runs[f"{env} {against}"]
        ratio = median([a / b for a, b in zip(ours, base, strict=True)])
        spread = sorted(a / b for a, b in zip(ours, base, strict=True))
        ours_cpu, base_cpu = cpu[f"{env} {what}"], cpu[f"{env} {against}"]
        cpu_ratio = median([a / b for a, b in zip(ours_cpu, base_cpu, strict=True)])
        return [
            label,
            f"{median(ours) * 1000:.0f} ms",
            f"{median(base) * 1000:.0f} ms",
            f"{ratio:.2f}x ({_quartiles(spread)})",
            f"{median(ours_cpu) * 1000:.0f} / {median(base_cpu) * 1000:.0f} ms, {cpu_ratio:.2f}x",
            f"<= {IMPORT_TARGET:.2f}x ({verdict(ratio, IMPORT_TARGET)})",
        ]

    rows = [ratio_row("`import aionvision_cloud`, dev venv (all extras)", "dev")]
    if plain is not None:
        rows.append(ratio_row("`import aionvision_cloud`, plain `pip install .`", "plain"))
    else:
        rows.append(["plain `pip install .`", f"not built ({why})", "-", "-", "-", "-"])
    rows.append(ratio_row(f"`{CLIENT_IMPORT}`, dev venv", "dev", "Client"))
    if plain is not None:
        rows.append(ratio_row(f"`{CLIENT_IMPORT}`, plain venv", "plain", "Client"))
    ready = "a ready `Client(...)` against a ready `httpx.Client()`"
    rows.append(ratio_row(f"{ready}, dev venv", "dev", "ready", "httpx-ready"))
    if plain is not None:
        rows.append(ratio_row(f"{ready}, plain venv", "plain", "ready", "httpx-ready"))
    if cli:
        help_s = median(runs["cli --help"])
        rows.append(
            [
                "`aionvision-cloud --help`, dev venv",
                f"{help_s * 1000:.0f} ms",
                f"{median(runs['dev httpx']) * 1000:.0f} ms (import httpx)",
                f"{help_s / median(runs['dev httpx']):.2f}x",
                f"{median(cpu['cli --help']) * 1000:.0f} ms",
                f"<= {HELP_TARGET * 1000:.0f} ms ({verdict(help_s, HELP_TARGET)})",
            ]
        )
    profiles = [f"- dev venv: {_own_cost(str(dev))}"]
    if plain is not None:
        profiles.append(f"- plain venv: {_own_cost(str(plain))}")
    profiles.insert(0, f"`-X importtime`, medians of {PROFILE_RUNS} runs:\n")
    return (
        "## 2. Cold start\n\n"
        f"Fresh interpreters, {RUNS} alternating runs each, medians; the ratio is the median of "
        "per-run ratios (the target applies to wall time; CPU time, user + system, is the same "
        "work without the waits for a busy core), in brackets the per-run ratios' quartiles; "
        "bytecode caches on. The plain venv is "
        "`python -m venv` + `pip install .` (no extras) from this checkout, in `.bench-venv/`. "
        "An empty interpreter "
        f"(`python -c pass`) takes {median(runs['bare']) * 1000:.0f} ms.\n\n"
        + table(
            ["what", "project", "import httpx", "ratio", "CPU: project / httpx", "target"], rows
        )
        + "\n\n"
        + "\n".join(profiles)
        + "\n"
    )


if __name__ == "__main__":
    print(run())
