"""Waiting for jobs: ``wait_for_job`` against the document's fixed 2 s loop, on the emulator.

The job pace is time-scaled (PACE files a second) so a "~60 s job" takes about a minute. Each
project wait runs beside a seed-loop wait on a twin job started at the same moment; "late" is the
time from the job's ``completed_at`` to the call returning, "polls" the GET requests sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from _emu import Emu, in_thread
from _util import CountingTransport, median, table, verdict

from aionvision_cloud import Client
from aionvision_cloud_emulator import testing

# Files a second: the contract allows 1,000 files an import, so a ~60 s job sets the pace.
PACE = 16.5
START_DELAY = 0.2  # seconds a job stays pending
SEED_TERMINAL = ("completed", "partial", "failed")

#: name: (files, repetitions, late target s, polls target)
SIZES: dict[str, tuple[int, int, float, int]] = {
    "~1 s job": (round(0.8 * PACE), 5, 0.3, 3),
    "~10 s job": (round(9.8 * PACE), 3, 1.0, 5),
    "~60 s job": (round(59.8 * PACE), 2, 2.0, 8),
}
TEN = SIZES["~10 s job"][0]

Result = tuple[float, int]  # seconds late, polls


def _client(emu: Emu) -> tuple[Client, CountingTransport]:
    counter = CountingTransport()
    return Client(emu.api_key, base_url=emu.base_url, transport=counter), counter


def project_wait(emu: Emu, job_id: str) -> Result:
    client, counter = _client(emu)
    with client:
        job = client.cloud_storage.wait_for_job(job_id, timeout=600)
        returned = time.time()
    assert job.completed_at is not None
    return returned - job.completed_at.timestamp(), counter.count("GET", job_id)


def seed_wait(emu: Emu, job_id: str) -> Result:
    """The document's loop: get the job, stop on completed/partial/failed, else sleep 2 s."""
    client, counter = _client(emu)
    with client:
        while True:
            job = client.cloud_storage.get_job(job_id)
            if job.status in SEED_TERMINAL:
                break
            time.sleep(2)
        returned = time.time()
    assert job.completed_at is not None
    return returned - job.completed_at.timestamp(), counter.count("GET", job_id)


WAITERS: dict[str, Callable[[Emu, str], Result]] = {"project": project_wait, "seed": seed_wait}


def _start(emu: Emu, files: list[dict[str, Any]], n: int) -> str:
    body = {"connection_id": emu.connection_id, "files": [files[i % len(files)] for i in range(n)]}
    answer = emu.raw.post("/cloud-storage/import", json=body)
    answer.raise_for_status()
    return str(answer.json()["job_id"])


def _race(
    emu: Emu,
    files: list[dict[str, Any]],
    plan: dict[str, tuple[int, int]],
    during: Callable[[], None] | None = None,
) -> dict[str, dict[str, list[Result]]]:
    """Start every (scenario, waiter, repetition) job at once and wait for all of them."""
    results: dict[str, dict[str, list[Result]]] = {s: {w: [] for w in WAITERS} for s in plan}
    lock = threading.Lock()
    threads = []

    def follow(scenario: str, waiter: str, job_id: str) -> None:
        got = WAITERS[waiter](emu, job_id)
        with lock:
            results[scenario][waiter].append(got)

    for scenario, (n, reps) in plan.items():
        for rep in range(reps):
            order = list(WAITERS) if rep % 2 == 0 else list(reversed(WAITERS))
            for waiter in order:
                job_id = _start(emu, files, n)
                t = threading.Thread(target=follow, args=(scenario, waiter, job_id))
                t.start()
                threads.append(t)
    if during is not None:
        during()
    for t in threads:
        t.join()
    return results


def _drive_files(emu: Emu) -> list[dict[str, Any]]:
    sid = testing.session_for(emu.raw, emu.connection_id)
    q = f"'{emu.big_folder_id}' in parents"
    page = testing.proxy(emu.raw, sid, "files", q=q, pageSize=1000, fields="files(id, name)").json()
    return [{"id": f["id"], "name": f["name"]} for f in page["files"]]


def run() -> str:
    rows: list[list[str]] = []

    def add(scenario: str, got: dict[str, list[Result]], target: tuple[float, int] | None) -> None:
        late = {w: median([r[0] for r in got[w]]) for w in WAITERS}
        polls = {w: median([float(r[1]) for r in got[w]]) for w in WAITERS}
        if target is None:
            aim = "fails safe"
        else:
            ok = late["project"] <= target[0] and polls["project"] <= target[1]
            aim = f"<= {target[0]} s, <= {target[1]} polls ({verdict(0 if ok else 1, 0)})"
        rows.append(
            [
                scenario,
                f"{late['project']:.2f} s, {polls['project']:.0f} polls",
                f"{late['seed']:.2f} s, {polls['seed']:.0f} polls",
                f"{late['project'] / late['seed']:.2f}x late, "
                f"{polls['project'] / polls['seed']:.2f}x polls",
                aim,
                str(len(got["project"])),
            ]
        )

    with in_thread(job_pace=PACE, job_start_delay=START_DELAY, batch_limit=1000) as emu:
        files = _drive_files(emu)
        plan = {name: (n, reps) for name, (n, reps, _, _) in SIZES.items()}
        steady = _race(emu, files, plan)
        for name, (_, _, late, polls) in SIZES.items():
            add(name, steady[name], (late, polls))

        def slow_down() -> None:
            time.sleep(START_DELAY + TEN / 2 / PACE)
            emu.admin.configure(job_pace=PACE / 2.5)

        changed = _race(emu, files, {"~10 s job, pace / 2.5 half way": (TEN, 2)}, slow_down)
        emu.admin.configure(job_pace=PACE)
        add("~10 s job, pace / 2.5 half way", changed["~10 s job, pace / 2.5 half way"], None)

        def speed_up() -> None:
            time.sleep(START_DELAY + TEN / 2 / PACE)
            emu.admin.configure(job_pace=PACE * 2.5)

        changed = _race(emu, files, {"~10 s job, pace x 2.5 half way": (TEN, 2)}, speed_up)
        emu.admin.configure(job_pace=PACE)
        add("~10 s job, pace x 2.5 half way", changed["~10 s job, pace x 2.5 half way"], None)

        def stall() -> None:
            time.sleep(START_DELAY + 3)
            emu.admin.configure(job_pace=0.001)
            time.sleep(8)
            emu.admin.configure(job_pace=PACE)

        stalled = _race(emu, files, {"~10 s job, stalls 8 s at 3 s": (TEN, 2)}, stall)
        add("~10 s job, stalls 8 s at 3 s", stalled["~10 s job, stalls 8 s at 3 s"], None)

    return (
        "## 3. Waiting for jobs\n\n"
        f"Emulator in-process, jobs time-scaled to {PACE:.0f} files/s after {START_DELAY} s "
        "pending; `wait_for_job()` with default settings against the document's loop "
        "(`get_job`, stop on completed/partial/failed, `sleep(2)`), each on its own twin job "
        "started at the same moment. Late = return time minus the job's `completed_at`; "
        "medians over the runs.\n\n"
        + table(
            ["job", "project: late, polls", "2 s loop: late, polls", "ratio", "target", "runs"],
            rows,
        )
        + "\n"
    )


if __name__ == "__main__":
    print(run())
