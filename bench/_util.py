"""Shared by the benchmarks: alternating timers, medians, counting transports, the report."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def alternate(
    cases: dict[str, Callable[[], object]], *, rounds: int, calls: int, warmup: int = 20
) -> dict[str, list[float]]:
    """Per-call seconds of each case, measured in ``rounds`` alternating rounds of ``calls`` calls
    (the order rotates every round, so drift and noise hit every case alike)."""
    names = list(cases)
    for name in names:
        for _ in range(warmup):
            cases[name]()
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            fn = cases[name]
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            out[name].append((time.perf_counter() - start) / calls)
    return out


def ratio_of_rounds(a: list[float], b: list[float]) -> float:
    """Median of the per-round ratios a/b: robust to the machine getting slower mid-run."""
    return median([x / y for x, y in zip(a, b, strict=True)])


class CountingTransport(httpx.BaseTransport):
    """The real transport, counting every attempt (retries included) by method, path, status."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.sent: Counter[tuple[str, str]] = Counter()
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        with self._lock:
            self.sent[(request.method, request.url.path)] += 1
            self.statuses[response.status_code] += 1
        return response

    def count(self, method: str | None = None, contains: str = "") -> int:
        with self._lock:
            return sum(
                n
                for (m, path), n in self.sent.items()
                if (method is None or m == method) and contains in path
            )

    def close(self) -> None:
        self.inner.close()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu})"


def header(command: str) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "# Benchmark results\n\n"
        f"- machine: {machine()}\n"
        f"- Python: {platform.python_implementation()} {platform.python_version()}"
        f" ({sys.executable})\n"
        f"- date: {now}\n"
        f"- command: `{command}`\n"
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs"


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "**missed**"
