"""Scale: a 10,000-file import, 100,000 Drive files in flat memory, an import under a rate limit."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable

from _emu import Emu, in_process, in_thread
from _util import CountingTransport, table, verdict

from aionvision_cloud import Client, CloudFile

IMPORT_FILES = 10_000
BIG_FOLDER = 100_000
RATE_LIMITED_FILES = 5_000
JOB_PACE = 2000.0  # files a second per job: time-scaled
MEMORY_TARGET_MB = 20.0


def _client(emu: Emu) -> tuple[Client, CountingTransport]:
    counter = CountingTransport()
    return Client(emu.api_key, base_url=emu.base_url, transport=counter), counter


def _imports(emu: Emu) -> tuple[list[list[str]], list[list[str]]]:
    client, _ = _client(emu)
    with client:
        files = list(
            client.cloud_storage.iter_drive_files(
                emu.connection_id, folder_id=emu.big_folder_id, page_size=1000
            )
        )[:IMPORT_FILES]
    assert len(files) == IMPORT_FILES, len(files)

    def batched(client: Client) -> tuple[int, int]:
        result = client.cloud_storage.import_and_wait(emu.connection_id, files, batch_size=100)
        return len(result.job_ids), sum(len(j.image_ids) for j in result.jobs)

    def naive(client: Client) -> tuple[int, int]:
        for f in files:
            client.cloud_storage.import_files(emu.connection_id, [f])
        return 0, 0

    rows = []
    walls: dict[str, float] = {}
    runs: list[tuple[str, Callable[[Client], tuple[int, int]]]] = [
        ("batches of 100 (`import_and_wait`)", batched),
        ("one request per file (naive loop)", naive),
    ]
    for name, fn in runs:
        client, counter = _client(emu)
        with client:
            start = time.perf_counter()
            jobs, _ = fn(client)
            walls[name] = time.perf_counter() - start
        rows.append(
            [
                name,
                f"{walls[name]:.1f} s",
                str(counter.count()),
                str(jobs),
                f"{dict(sorted(counter.statuses.items()))}",
            ]
        )
    names = [n for n, _ in runs]
    rows[0].append(f"{walls[names[0]] / walls[names[1]]:.3f}x the naive wall time")
    rows[1].append("1x")

    # The same import at 60 requests a minute: 429s are absorbed by Retry-After, none surfaces.
    emu.admin.configure(rate_limit=60)
    client, counter = _client(emu)
    failure = "none"
    with client:
        start = time.perf_counter()
        try:
            result = client.cloud_storage.import_and_wait(
                emu.connection_id, files[:RATE_LIMITED_FILES], batch_size=100
            )
            jobs = len(result.job_ids)
        except Exception as exc:  # report, do not hide: the benchmark's point is that none occurs
            failure = f"{type(exc).__name__}: {exc}"
            jobs = -1
        wall = time.perf_counter() - start
    emu.admin.configure(rate_limit=None)
    limited = [
        [
            f"{RATE_LIMITED_FILES:,} files, batches of 100, emulator at 60 requests/minute",
            f"{wall:.1f} s",
            str(counter.count()),
            str(jobs),
            f"{dict(sorted(counter.statuses.items()))}",
            f"failed requests: {failure}",
        ]
    ]
    return rows, limited


def _memory(emu: Emu) -> list[list[str]]:
    client, _ = _client(emu)
    rows = []
    with client:
        cs = client.cloud_storage

        def lazily() -> int:
            return sum(
                1
                for _ in cs.iter_drive_files(
                    emu.connection_id, folder_id=emu.big_folder_id, page_size=1000
                )
            )

        def collected() -> int:
            kept: list[CloudFile] = list(
                cs.iter_drive_files(emu.connection_id, folder_id=emu.big_folder_id, page_size=1000)
            )
            return len(kept)

        lazily()  # warm up: connection, session, imports
        for name, fn in (
            ("`iter_drive_files()`, one file at a time", lazily),
            ("collecting every file into a list", collected),
        ):
            gc.collect()
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            start = time.perf_counter()
            count = fn()
            wall = time.perf_counter() - start
            peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20
            tracemalloc.stop()
            rows.append([name, f"{count:,}", f"{peak:.1f} MB", f"{wall:.1f} s (traced)"])
    rows[0].append(
        f"<= {MEMORY_TARGET_MB:.0f} MB ({verdict(float(rows[0][2].split()[0]), MEMORY_TARGET_MB)})"
    )
    rows[1].append("-")
    return rows


def run() -> str:
    with in_thread(big_folder_size=IMPORT_FILES, job_pace=JOB_PACE) as emu:
        imports, limited = _imports(emu)
    with in_process("--big-folder-size", str(BIG_FOLDER)) as emu:
        memory = _memory(emu)
    return (
        "## 4. Scale\n\n"
        f"Emulator in-process (jobs time-scaled to {JOB_PACE:.0f} files/s, batch limit 100). "
        "Requests = every HTTP attempt sent, retries included; statuses as answered.\n\n"
        + table(["10,000-file import", "wall", "requests", "jobs", "statuses", "ratio"], imports)
        + "\n\n"
        + table(["rate-limited import", "wall", "requests", "jobs", "statuses", "result"], limited)
        + f"\n\nA {BIG_FOLDER:,}-file Drive folder (emulator in its own process, so only the "
        "client's memory is traced), pages of 1,000; peak traced growth (tracemalloc):\n\n"
        + table(["listing", "files", "peak growth", "wall", "target"], memory)
        + "\n"
    )


if __name__ == "__main__":
    print(run())
