"""Per-call overhead: the overlay and the generated functions against raw httpx.

All three talk to the same canned instant server (bench/canned.py, its own process) over their
own kept-alive connection; bodies are real emulator answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import figures
import httpx
from _emu import in_thread
from _util import ROOT, alternate, median, ratio_of_rounds, table, us, verdict

from aionvision_cloud import Client
from aionvision_cloud_api.api.cloud_storage import get_job as gen_get_job
from aionvision_cloud_emulator import testing

JOB_ID = "job_0123456789ab"
FIELDS = "nextPageToken, files(id, name, mimeType, size, parents, modifiedTime)"
TARGET = 1.10


def fixtures() -> dict[str, Any]:
    """Real answers from the emulator: a running job, 100 connections, a 1,000-file page."""
    with in_thread(job_start_delay=0, job_pace=1, sync_import_limit=0) as emu:
        sid = emu.raw.get(f"/cloud-storage/connections/{emu.connection_id}/picker-token").json()
        page = testing.proxy(
            emu.raw,
            sid["session"]["session_id"],
            "files",
            q=f"'{emu.big_folder_id}' in parents and trashed = false",
            pageSize=1000,
            fields=FIELDS,
        ).json()
        first = page["files"][0]
        started = emu.raw.post(
            "/cloud-storage/import",
            json={"connection_id": emu.connection_id, "files": [first] * 50},
        ).json()
        time.sleep(1.2)
        job = emu.raw.get(f"/cloud-storage/jobs/{started['job_id']}").json()
        conns = emu.raw.get("/cloud-storage/connections").json()
    one = conns["connections"][0]
    conns["connections"] = [{**one, "id": f"{one['id'][:-4]}{i:04d}"} for i in range(100)]
    page.pop("nextPageToken", None)
    assert len(page["files"]) == 1000, len(page["files"])
    return {"job": job, "connections": conns, "session": sid, "page": page}


@contextmanager
def canned_server() -> Iterator[tuple[str, dict[str, Any]]]:
    """The canned server in its own process: (base URL, the bodies it answers)."""
    bodies = fixtures()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bodies.json"
        path.write_text(json.dumps(bodies))
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "bench" / "canned.py"), str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            yield f"http://127.0.0.1:{port}/api/v2", bodies
        finally:
            server.terminate()
            server.wait(timeout=10)


def run() -> str:
    with canned_server() as (base_url, bodies):
        return _measure(base_url, bodies)


def profile(calls: int = 3000) -> str:
    """pyinstrument's view of ``calls`` overlay get_job calls (``bench/run.py --profile``)."""
    from pyinstrument import Profiler

    key = "aion_bench_" + "x" * 24
    with canned_server() as (base_url, _), Client(key, base_url=base_url) as client:
        for _ in range(200):
            client.cloud_storage.get_job(JOB_ID)
        profiler = Profiler(interval=0.0001)
        with profiler:
            for _ in range(calls):
                client.cloud_storage.get_job(JOB_ID)
    text: str = profiler.output_text(unicode=False, show_all=False)
    return text


def _measure(base_url: str, bodies: dict[str, Any]) -> str:
    key = "aion_bench_" + "x" * 24
    client = Client(key, base_url=base_url)
    cs = client.cloud_storage
    raw = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    conn_id = bodies["connections"]["connections"][0]["id"]
    sid = bodies["session"]["session"]["session_id"]
    page_params = {"q": "'x' in parents and trashed = false", "pageSize": 1000, "fields": FIELDS}

    def raw_drive_page() -> object:
        raw.get(f"/cloud-storage/connections/{conn_id}/picker-token").json()
        return raw.post(
            "/cloud-storage/picker-proxy",
            json={"session_id": sid, "endpoint": "files", "params": page_params},
        ).json()

    rows: list[list[str]] = []
    try:
        job = alternate(
            {
                "overlay": lambda: cs.get_job(JOB_ID),
                "generated": lambda: gen_get_job.sync(job_id=JOB_ID, client=client.api),
                "raw": lambda: raw.get(f"/cloud-storage/jobs/{JOB_ID}").json(),
            },
            rounds=41,
            calls=100,
        )
        conns = alternate(
            {
                "overlay": lambda: cs.list_connections(),
                "raw": lambda: raw.get("/cloud-storage/connections").json(),
            },
            rounds=21,
            calls=20,
        )
        files = alternate(
            {
                "overlay": lambda: sum(1 for _ in cs.iter_drive_files(conn_id, page_size=1000)),
                "raw": raw_drive_page,
            },
            rounds=15,
            calls=4,
            warmup=3,
        )
    finally:
        client.close()
        raw.close()

    drawn: list[tuple[str, float, float]] = []

    def row(what: str, runs: dict[str, list[float]], name: str, target: float | None) -> None:
        ratio = ratio_of_rounds(runs[name], runs["raw"])
        drawn.append((what.replace("`", ""), median(runs[name]), median(runs["raw"])))
        rows.append(
            [
                what,
                us(median(runs[name])),
                us(median(runs["raw"])),
                f"{ratio:.2f}x",
                f"<= {target:.2f}x ({verdict(ratio, target)})" if target else "-",
            ]
        )

    row("`cloud_storage.get_job()`", job, "overlay", TARGET)
    row("generated `get_job.sync(client=client.api)`", job, "generated", TARGET)
    row("`cloud_storage.list_connections()`, 100 connections", conns, "overlay", None)
    row("`iter_drive_files()`, one 1,000-file page (+ picker session)", files, "overlay", None)
    figures.record("overhead", drawn)
    return (
        "## 1. Per-call overhead against raw httpx\n\n"
        "Canned instant server in its own process (bench/canned.py), loopback, kept-alive "
        "connections; raw = `httpx.Client.get(...).json()` on the same bodies. Medians of "
        "41 / 21 / 15 alternating rounds; the ratio is the median of per-round ratios.\n\n"
        + table(["call", "project", "raw httpx", "ratio", "target"], rows)
        + "\n"
    )


if __name__ == "__main__":
    print(run())
