"""The polling schedule: poll just after a job should finish, fall back safely, on a fake clock.

Jobs are simulated from the fake clock: pending for a while, then files processed at a pace that
may change, counters updated in 20 ms ticks as the emulator does. "Late" is fake-clock seconds
from the job's finish to the wait returning, so nothing here depends on the machine's speed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import timedelta

import httpx
import pytest
from overlay_testkit import START, FakeAPI, FakeClock, error_body, job_body, json_response

from aionvision_cloud import Client
from aionvision_cloud.errors import JobTimeoutError

JOB = "/cloud-storage/jobs/job_1"
TICK = 0.02
PACE = 50.0

#: (seconds from job start, files a second from then on)
Segments = Sequence[tuple[float, float]]


class SimulatedJob:
    def __init__(self, clock: FakeClock, total: int, pending: float, segments: Segments) -> None:
        self.clock, self.total, self.pending, self.segments = clock, total, pending, segments
        self.finished_at = self._finish_time()

    def processed(self, t: float) -> int:
        done, at = 0.0, self.pending
        for i, (since, pace) in enumerate(self.segments):
            until = self.segments[i + 1][0] if i + 1 < len(self.segments) else math.inf
            begin, end = max(at, since), min(t, until)
            if end > begin:
                done += (end - begin) * pace
        return min(self.total, math.floor(done + 1e-9))

    def _finish_time(self) -> float:
        t = self.pending
        while self.processed(t) < self.total:
            t = round(t + TICK, 6)
        return t

    def __call__(self, request: httpx.Request) -> httpx.Response:
        t = math.floor(self.clock.t / TICK + 1e-9) * TICK  # counters move in ticks
        stamp = (START + timedelta(seconds=t)).isoformat().replace("+00:00", "Z")
        created = START.isoformat().replace("+00:00", "Z")
        if t < self.pending:
            body = job_body("job_1", "pending", completed_files=0, failed_files=0)
        else:
            done = self.processed(t)
            status = "completed" if t >= self.finished_at else "in_progress"
            body = job_body("job_1", status, completed_files=done, failed_files=0)
        body["job"].update(total_files=self.total, created_at=created, updated_at=stamp)
        return json_response(200, body)


def wait(client: Client, api: FakeAPI, clock: FakeClock, job: SimulatedJob) -> tuple[float, int]:
    """(seconds late, polls) of ``wait_for_job`` with the client's defaults."""
    api.on("GET", JOB, job)
    done = client.cloud_storage.wait_for_job("job_1")
    assert done.is_terminal
    return clock.t - job.finished_at, len(api.calls("GET", JOB))


def seed_loop_polls(job: SimulatedJob) -> int:
    """Polls of the document's loop (poll, then sleep 2 s) for the same job."""
    return math.ceil(job.finished_at / 2.0) + 1


@pytest.mark.parametrize(
    ("files", "late_limit", "poll_limit"),
    [(40, 0.3, 3), (490, 1.0, 5), (2990, 2.0, 8)],
    ids=["1s-job", "10s-job", "60s-job"],
)
def test_steady_jobs_are_caught_soon_after_finishing_with_few_polls(
    client: Client,
    api: FakeAPI,
    clock: FakeClock,
    files: int,
    late_limit: float,
    poll_limit: int,
) -> None:
    job = SimulatedJob(clock, files, 0.2, [(0.0, PACE)])
    late, polls = wait(client, api, clock, job)
    assert 0 <= late <= late_limit
    assert polls <= poll_limit
    if files > 40:  # beyond the shortest job, fewer polls than the document's loop too
        assert polls < seed_loop_polls(job)


@pytest.mark.parametrize(
    ("segments", "late_limit"),
    [
        ([(0.0, PACE), (5.1, PACE / 2.5)], 1.0),
        # Sped up just before a measurement, the change looks like noise: one jump too far.
        ([(0.0, PACE), (5.1, PACE * 2.5)], 2.5),
        ([(0.0, PACE), (3.2, 0.0), (11.2, PACE)], 1.0),
        # During a long stall the intervals grow (to max_interval at most): that is the cost.
        ([(0.0, PACE), (2.0, 0.0), (40.0, PACE)], 15.0),
    ],
    ids=["slows-down", "speeds-up", "stalls-8s", "stalls-38s"],
)
def test_pace_changes_and_stalls_fail_safe(
    client: Client, api: FakeAPI, clock: FakeClock, segments: Segments, late_limit: float
) -> None:
    job = SimulatedJob(clock, 490, 0.2, segments)
    late, polls = wait(client, api, clock, job)
    # A wrong estimate costs a poll or a bounded delay, never a hammering or an open-ended wait.
    assert 0 <= late <= late_limit
    assert polls <= seed_loop_polls(job)
    assert max(clock.sleeps) <= 15.0


def test_progress_that_says_nothing_falls_back_to_growing_intervals(
    client: Client, api: FakeAPI, clock: FakeClock
) -> None:
    pending = json_response(200, job_body("job_1", "pending", completed_files=0))
    without = job_body("job_1", "in_progress")
    del without["job"]["total_files"], without["job"]["completed_files"]
    no_counters = json_response(200, without)
    stuck = json_response(200, job_body("job_1", "in_progress", completed_files=30))
    at_total = json_response(
        200, job_body("job_1", "in_progress", completed_files=48, failed_files=2)
    )
    done = json_response(200, job_body("job_1", "completed", completed_files=50))
    api.on("GET", JOB, pending, pending, no_counters, stuck, stuck, at_total, at_total, done)
    client.cloud_storage.wait_for_job("job_1")
    # The stuck job's first sighting estimates from created_at/updated_at (a 5-minute-old job
    # 30/50 done): at most a 1 s look ahead. Every other wait is the next growing interval.
    assert clock.sleeps == [0.5, 0.75, 1.125, 1.0, 1.6875, 2.53125, 3.796875]


def test_intervals_never_exceed_max_interval_nor_the_deadline(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(polling_max_interval=4.0)
    job = SimulatedJob(clock, 2990, 0.2, [(0.0, PACE)])
    api.on("GET", JOB, job)
    with pytest.raises(JobTimeoutError):
        client.cloud_storage.wait_for_job("job_1", timeout=30)
    assert max(clock.sleeps) <= 4.0
    assert clock.t == pytest.approx(30.0)


def test_rate_limit_answer_is_honoured_then_the_estimate_resumes(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(max_retries=0)  # the poller sees the 429 itself
    job = SimulatedJob(clock, 490, 0.2, [(0.0, PACE)])
    limited = json_response(429, error_body("RATE_LIMIT_ERROR", "slow down"), {"Retry-After": "3"})
    replies: list[Callable[[httpx.Request], httpx.Response]] = [job, job, lambda r: limited]
    api.on("GET", JOB, *replies, job)
    client.cloud_storage.wait_for_job("job_1")
    assert 3.0 in clock.sleeps
    assert 0 <= clock.t - job.finished_at <= 1.0
