"""Waiting for jobs: ``wait_for_job`` against the document's fixed 2 s loop.

Two parts. On the emulator, in real time: jobs time-scaled by the emulator's pace (files a
second), each project wait beside a 2 s loop on a twin job started at the same moment; "late" is
the time from the job's ``completed_at`` to the call returning, "polls" the GET requests sent.
Beside each row, the same job on the fake clock of ``tests/unit/job_sim.py`` (the model the unit
tests use), which then covers what a real wait could not: jobs from 1 s to 10 minutes at 0.2 to
50 files a second, and jobs that speed up, slow down or stall.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
from _emu import Emu, in_thread
from _util import ROOT, CountingTransport, median, table, verdict

from aionvision_cloud import Client
from aionvision_cloud_emulator import testing

sys.path.insert(0, str(ROOT / "tests" / "unit"))
from job_sim import Outcome, Segments, SimJob, project_wait, seed_wait

PACE = 16.5  # files a second of the fast-paced rows: 1,000 files (one import) in about 60 s
SLOW_FILES = 24  # "a couple of dozen files, each taking seconds" (real imports describe images)
START_DELAY = 0.2  # seconds a job stays pending
SEED_TERMINAL = ("completed", "partial", "failed")
LATENCY = 0.005  # seconds each answer takes on the fake clock (loopback, as measured here)


@attrs.frozen
class Row:
    name: str
    files: int
    pace: float
    runs: int
    target: tuple[float, int] | None = None  # (late s, polls) at most
    #: the pace's changes, (seconds after processing starts, files a second), for both parts
    changes: tuple[tuple[float, float], ...] = ()

    @property
    def segments(self) -> Segments:
        return [(0.0, self.pace), *self.changes]


TEN = round(9.8 * PACE)
STEADY_ROWS = [
    Row("~1 s job", round(0.8 * PACE), PACE, 5, (0.3, 3)),
    Row("~10 s job", TEN, PACE, 3, (1.0, 5)),
    Row("~60 s job", round(59.8 * PACE), PACE, 2, (2.0, 8)),
]
SLOW_ROWS = [
    Row("~60 s job, files take 2.5 s", SLOW_FILES, 0.4, 2, (1.0, 8)),
    Row("~10 s job, files take 0.4 s", SLOW_FILES, 2.4, 3, (0.6, 5)),
]
HALF = TEN / 2 / PACE
CHANGE_ROWS = [
    Row("~10 s job, pace / 2.5 half way", TEN, PACE, 2, None, ((HALF, PACE / 2.5),)),
    Row("~10 s job, pace x 2.5 half way", TEN, PACE, 2, None, ((HALF, PACE * 2.5),)),
    Row("~10 s job, stalls 8 s at 3 s", TEN, PACE, 2, None, ((3.0, 0.0), (11.0, PACE))),
]

Result = tuple[float, int]  # seconds late, polls


# -- on the emulator ------------------------------------------------------------------------------


def _client(emu: Emu) -> tuple[Client, CountingTransport]:
    counter = CountingTransport()
    return Client(emu.api_key, base_url=emu.base_url, transport=counter), counter


def project_on_emulator(emu: Emu, job_id: str) -> Result:
    client, counter = _client(emu)
    with client:
        job = client.cloud_storage.wait_for_job(job_id, timeout=600)
        returned = time.time()
    assert job.completed_at is not None
    return returned - job.completed_at.timestamp(), counter.count("GET", job_id)


def seed_on_emulator(emu: Emu, job_id: str) -> Result:
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


WAITERS: dict[str, Callable[[Emu, str], Result]] = {
    "project": project_on_emulator,
    "seed": seed_on_emulator,
}


def _start(emu: Emu, files: list[dict[str, Any]], n: int) -> str:
    body = {"connection_id": emu.connection_id, "files": [files[i % len(files)] for i in range(n)]}
    answer = emu.raw.post("/cloud-storage/import", json=body)
    answer.raise_for_status()
    return str(answer.json()["job_id"])


def _drive_files(emu: Emu) -> list[dict[str, Any]]:
    sid = testing.session_for(emu.raw, emu.connection_id)
    q = f"'{emu.big_folder_id}' in parents"
    page = testing.proxy(emu.raw, sid, "files", q=q, pageSize=1000, fields="files(id, name)").json()
    return [{"id": f["id"], "name": f["name"]} for f in page["files"]]


def _race(emu: Emu, rows: list[Row]) -> dict[str, dict[str, list[Result]]]:
    """Start every (row, waiter, run) job at once, apply the rows' pace changes (one row at a
    time has them), and wait for all of them."""
    files = _drive_files(emu)
    results: dict[str, dict[str, list[Result]]] = {r.name: {w: [] for w in WAITERS} for r in rows}
    lock = threading.Lock()
    threads = []

    def follow(row: str, waiter: str, job_id: str) -> None:
        got = WAITERS[waiter](emu, job_id)
        with lock:
            results[row][waiter].append(got)

    began = time.monotonic()
    for row in rows:
        for run in range(row.runs):
            order = list(WAITERS) if run % 2 == 0 else list(reversed(WAITERS))
            for waiter in order:
                job_id = _start(emu, files, row.files)
                t = threading.Thread(target=follow, args=(row.name, waiter, job_id))
                t.start()
                threads.append(t)
    for at, pace in (c for row in rows for c in row.changes):
        time.sleep(max(0.0, began + START_DELAY + at - time.monotonic()))
        emu.admin.configure(job_pace=max(pace, 0.001))  # the knob must stay positive
    for t in threads:
        t.join()
    return results


@contextmanager
def _emulator(pace: float) -> Iterator[Emu]:
    with in_thread(job_pace=pace, job_start_delay=START_DELAY, batch_limit=1000) as emu:
        yield emu


def _on_emulator() -> dict[str, dict[str, list[Result]]]:
    """The steady rows first, alone; then the rows of other paces (the pace is an emulator-wide
    knob: each its own emulator) beside the pace changes, which have no target."""
    results: dict[str, dict[str, list[Result]]] = {}
    lock = threading.Lock()

    def run(pace: float, batches: list[list[Row]]) -> None:
        with _emulator(pace) as emu:
            for rows in batches:
                got = _race(emu, rows)
                emu.admin.configure(job_pace=pace)
                with lock:
                    results.update(got)

    run(PACE, [STEADY_ROWS])
    plans = [(PACE, [[r] for r in CHANGE_ROWS])] + [(r.pace, [[r]]) for r in SLOW_ROWS]
    threads = [threading.Thread(target=run, args=plan) for plan in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# -- on the fake clock ----------------------------------------------------------------------------


def model(files: int, segments: Segments) -> tuple[Outcome, Outcome]:
    job = SimJob(files, segments, pending=START_DELAY, latency=LATENCY)
    timeout = 4 * job.finished_at + 60
    return project_wait(job, polling_timeout=timeout), seed_wait(job)


def _cell(o: Outcome) -> str:
    return f"{o.late:.2f} s, {o.polls}"


GRID_LENGTHS = (1, 3, 10, 30, 60, 120, 300, 600)
GRID_PACES = (0.2, 0.5, 1.0, 2.4, 5.0, 16.5, 50.0)


def _grid() -> tuple[str, dict[str, float]]:
    rows = []
    worst = {"late": 0.0, "more polls than the loop": 0.0}
    for length in GRID_LENGTHS:
        cells = [f"{length} s"]
        for pace in GRID_PACES:
            files = round(length * pace)
            if files < 1:
                cells.append("-")
                continue
            ours, loop = model(files, [(0.0, pace)])
            cells.append(f"{ours.late:.2f} s, {ours.polls} ({loop.late:.2f} s, {loop.polls})")
            if length >= 10:
                worst["late"] = max(worst["late"], ours.late)
                worst["more polls than the loop"] = max(
                    worst["more polls than the loop"], ours.polls - loop.polls
                )
        rows.append(cells)
    head = ["job", *(f"{p:g} files/s" for p in GRID_PACES)]
    return table(head, rows), worst


#: (job, files, pace) for the pace-change table on the fake clock
CHANGE_JOBS = [("10 s", TEN, PACE), ("60 s, slow files", SLOW_FILES, 0.4), ("10 min", 9900, PACE)]


def _changes() -> str:
    rows = []
    for label, files, pace in CHANGE_JOBS:
        length = files / pace
        variants: list[tuple[str, Segments]] = [
            ("steady", [(0.0, pace)]),
            *(
                (f"x 2.5 at {share:.0%}", [(0.0, pace), (length * share, pace * 2.5)])
                for share in (0.25, 0.5, 0.75)
            ),
            ("/ 2.5 at 50%", [(0.0, pace), (length * 0.5, pace / 2.5)]),
            ("stalls 8 s at 30%", [(0.0, pace), (length * 0.3, 0.0), (length * 0.3 + 8, pace)]),
            (
                "stalls 60 s at 30%",
                [(0.0, pace), (length * 0.3, 0.0), (length * 0.3 + 60, pace)],
            ),
        ]
        for name, segments in variants:
            ours, loop = model(files, segments)
            rows.append([f"{label}, {files} files, {name}", _cell(ours), _cell(loop)])
    return table(["job", "project: late, polls", "2 s loop: late, polls"], rows)


# -- the report -----------------------------------------------------------------------------------


def run() -> str:
    measured = _on_emulator()
    rows = []
    for row in (*STEADY_ROWS, *SLOW_ROWS, *CHANGE_ROWS):
        got = measured[row.name]
        late = {w: median([r[0] for r in got[w]]) for w in WAITERS}
        polls = {w: median([float(r[1]) for r in got[w]]) for w in WAITERS}
        ours, _ = model(row.files, row.segments)
        if row.target is None:
            aim = "-"
        else:
            ok = late["project"] <= row.target[0] and polls["project"] <= row.target[1]
            aim = f"<= {row.target[0]} s, <= {row.target[1]} ({verdict(0 if ok else 1, 0)})"
        rows.append(
            [
                row.name,
                f"{row.files} files at {row.pace:g}/s",
                f"{late['project']:.2f} s, {polls['project']:.0f}",
                f"{late['seed']:.2f} s, {polls['seed']:.0f}",
                _cell(ours),
                aim,
                str(len(got["project"])),
            ]
        )
    grid, worst = _grid()
    return (
        "## 3. Waiting for jobs\n\n"
        "On the emulator in-process, real time: jobs pending "
        f"{START_DELAY} s, then processed at the pace shown (the first three rows together, "
        "then the others, each pace on its own emulator); "
        "`wait_for_job()` with default settings against the document's loop (`get_job`, stop on "
        "completed/partial/failed, `sleep(2)`), each on its own twin job started at the same "
        "moment. Late = return time minus the job's `completed_at`; medians over the runs. The "
        "model column is the same job on the fake clock of `tests/unit/job_sim.py` (answers "
        f"take {LATENCY * 1000:.0f} ms).\n\n"
        + table(
            [
                "job",
                "shape",
                "project: late, polls",
                "2 s loop: late, polls",
                "model: late, polls",
                "target",
                "runs",
            ],
            rows,
        )
        + "\n\nSteady jobs from 1 s to 10 minutes on the fake clock: project late, polls "
        "(2 s loop late, polls). The default `polling_max_interval` of 15 s sets the polls of "
        "long jobs (one every 15 s at least).\n\n"
        + grid
        + f"\n\nFrom 10 s up, the project is at most {worst['late']:.2f} s late and sends at "
        f"most {worst['more polls than the loop']:+.0f} polls against the loop.\n\n"
        "Jobs whose pace changes, on the fake clock (x 2.5: 2.5 times faster from that point of "
        "the steady job's length on; a stall: no file for that long):\n\n" + _changes() + "\n"
    )


if __name__ == "__main__":
    print(run())
