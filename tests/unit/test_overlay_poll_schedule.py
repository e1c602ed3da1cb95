"""The polling schedule: poll just after a job should finish, fall back safely, on a fake clock.

Jobs are simulated as the emulator runs them (``job_sim.SimJob``): pending for a while, then
files done at a pace that may change, counters and ``updated_at`` moving in 20 ms ticks. "Late"
is fake-clock seconds from the job's last file to the wait returning, so nothing here depends on
the machine's speed. ``bench/polling.py`` prints the same model's figures for a wider grid.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import httpx
import pytest
from job_sim import JOB_ID, JOB_PATH, Segments, SimJob, project_wait, seed_wait
from overlay_testkit import FakeAPI, FakeClock, error_body, job_body, json_response

from aionvision_cloud import Client
from aionvision_cloud._schedule import MIN_DELAY, PollSchedule
from aionvision_cloud.errors import JobTimeoutError

LATENCIES = [0.0, 0.01, 0.05]


@pytest.mark.parametrize("latency", LATENCIES)
@pytest.mark.parametrize(
    ("files", "pace", "late_limit", "poll_limit"),
    [
        (40, 50.0, 0.3, 3),
        (490, 50.0, 1.0, 5),
        (2990, 50.0, 2.0, 8),
        (162, 16.5, 1.0, 5),
        (987, 16.5, 2.0, 8),
    ],
    ids=["1s-job", "10s-job", "60s-job", "10s-job-16.5/s", "60s-job-16.5/s"],
)
def test_steady_jobs_are_caught_soon_after_finishing_with_few_polls(
    files: int, pace: float, late_limit: float, poll_limit: int, latency: float
) -> None:
    job = SimJob(files, [(0.0, pace)], latency=latency)
    got = project_wait(job)
    assert 0 <= got.late <= late_limit
    assert got.polls <= poll_limit
    if files > 40:  # beyond the shortest job, fewer polls than the document's loop too
        assert got.polls < seed_wait(job).polls


@pytest.mark.parametrize("latency", LATENCIES)
@pytest.mark.parametrize(
    ("pace", "late_limit", "poll_limit"),
    [(0.4, 1.0, 8), (2.4, 0.6, 5)],
    ids=["60s", "10s"],
)
def test_slow_jobs_whose_files_take_seconds(
    pace: float, late_limit: float, poll_limit: int, latency: float
) -> None:
    """24 files, as an import that describes each image does: no poll between two files is
    mistaken for a stall, and the finish is caught from the files' own stamps."""
    job = SimJob(24, [(0.0, pace)], latency=latency)
    got = project_wait(job)
    assert 0 <= got.late <= late_limit
    assert got.polls <= poll_limit


@pytest.mark.parametrize("length", [10, 30, 60, 300, 600])
@pytest.mark.parametrize("pace", [0.2, 0.5, 1.0, 2.4, 5.0, 16.5, 50.0])
def test_every_steady_job_of_ten_seconds_or_more_beats_the_two_second_loop(
    length: int, pace: float
) -> None:
    job = SimJob(round(length * pace), [(0.0, pace)], latency=0.01)
    got = project_wait(job, polling_timeout=2 * length)
    assert 0 <= got.late <= 1.0
    assert got.polls <= seed_wait(job).polls
    assert max(got.sleeps) <= 15.0  # the default polling_max_interval still bounds every wait


@pytest.mark.parametrize(
    ("segments", "late_limit"),
    [
        ([(0.0, 50.0), (5.1, 20.0)], 1.0),
        ([(0.0, 50.0), (5.1, 125.0)], 1.0),
        ([(0.0, 50.0), (3.2, 0.0), (11.2, 50.0)], 1.0),
        # During a long stall the intervals grow (to max_interval at most): that is the cost.
        ([(0.0, 50.0), (2.0, 0.0), (40.0, 50.0)], 15.0),
    ],
    ids=["slows-down", "speeds-up", "stalls-8s", "stalls-38s"],
)
def test_pace_changes_and_stalls_fail_safe(segments: Segments, late_limit: float) -> None:
    job = SimJob(490, segments, latency=0.01)
    got = project_wait(job)
    # A wrong estimate costs a poll or a bounded delay, never a hammering or an open-ended wait.
    assert 0 <= got.late <= late_limit
    assert got.polls <= seed_wait(job).polls
    assert max(got.sleeps) <= 15.0


def test_a_late_speed_up_is_caught_no_later_than_the_last_jump() -> None:
    """The known weak case: a job 2.5x faster from three quarters on looks steady until the
    last jump, which then lands late by most of its length (bench/polling.py reports it)."""
    job = SimJob(162, [(0.0, 16.5), (7.5, 41.25)], latency=0.01)
    got = project_wait(job)
    assert 0 <= got.late <= got.sleeps[-1]
    assert got.late <= 2.0


def test_a_slow_job_that_speeds_up_half_way_is_caught_no_later_than_the_last_jump() -> None:
    """24 files at 2.5 s each, then 2.5 times faster from half way (bench/polling.py's "60 s,
    slow files, x 2.5 at 50%"): the stretch that holds the change reads as a blend of the two
    paces, so the finish is put later than it comes. A known limit, 1.5 s late with 7 polls here;
    this holds it there."""
    job = SimJob(24, [(0.0, 0.4), (30.0, 1.0)], latency=0.01)
    got = project_wait(job)
    assert 0 <= got.late <= got.sleeps[-1]
    assert got.late <= 2.0
    assert got.polls <= 8


@pytest.mark.parametrize("seconds", [2, 5, 7, 10, 20, 30])
def test_a_one_file_job_is_caught_within_half_its_length(seconds: int) -> None:
    """One file: no progress to estimate from until it is done, so the polls come as the time in
    processing grows by half (a known limit: a 5 s file ends about 1.4 s late, a 30 s one 7 s).
    No fixed schedule does better for every length: within 0.6 s of any finish in 10 s takes a
    poll every 0.6 s. From 10 s up it still takes no more polls than the 2 s loop."""
    job = SimJob(1, [(0.0, 1 / seconds)], latency=0.01)
    got = project_wait(job, polling_timeout=4 * seconds + 60)
    assert 0 <= got.late <= 0.5 * seconds + 0.1
    assert max(got.sleeps) <= 15.0
    if seconds >= 10:
        assert got.polls <= seed_wait(job).polls


@pytest.mark.parametrize("offset", [-3600.0, 0.0, 7200.5])
def test_the_service_clock_may_be_offset_from_ours(offset: float) -> None:
    # Only differences of the service's own stamps are used: the same job, the same waits.
    base = project_wait(SimJob(987, [(0.0, 16.5)], latency=0.01))
    shifted = project_wait(SimJob(987, [(0.0, 16.5)], latency=0.01, offset=offset))
    assert shifted.polls == base.polls
    assert shifted.sleeps == pytest.approx(base.sleeps, abs=1e-6)


@pytest.mark.parametrize(
    "variant", [{"stamp_start": False}, {"heartbeat": True}], ids=["no-start-stamp", "heartbeat"]
)
def test_services_that_stamp_differently_still_get_bounded_waits(variant: dict[str, bool]) -> None:
    """Without a start stamp the first file is looked for on the job's age; with ``updated_at``
    stamped on every tick a point is dated by the sighting, up to one file late."""
    for pace, late_limit in ((16.5, 1.0), (0.4, 2.5)):
        job = SimJob(round(60 * pace), [(0.0, pace)], latency=0.01, **variant)
        got = project_wait(job)
        assert 0 <= got.late <= late_limit
        assert got.polls <= 10


def test_while_the_first_file_is_processed_polls_thin_out() -> None:
    job = SimJob(3, [(0.0, 0.05)], latency=0.0)  # 20 s a file
    got = project_wait(job)
    # pending, then each wait about twice the time in processing so far (capped at 15 s)
    first_file = [s for s in got.sleeps[1:] if s < 15.0][:3]
    assert first_file[1] >= 1.9 * first_file[0]
    assert first_file[2] >= 1.9 * first_file[1]
    assert got.polls < seed_wait(job).polls / 2


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
    api.on("GET", JOB_PATH, pending, pending, no_counters, stuck, stuck, at_total, at_total, done)
    client.cloud_storage.wait_for_job(JOB_ID)
    # The stuck job's first sighting estimates from created_at/updated_at (a 5-minute-old job
    # 30/50 done): at most a 1 s look ahead. Every other wait is the next growing interval.
    assert clock.sleeps == [0.5, 0.75, 1.125, 1.0, 1.6875, 2.53125, 3.796875]


def test_the_schedule_reads_any_job_model() -> None:
    """Counters and stamps that are not an int or a datetime (a generated model's UNSET, a
    string) count as missing: growing intervals, no exception."""
    unset = object()
    job = SimpleNamespace(
        status="in_progress",
        total_files=unset,
        completed_files="3",
        failed_files=None,
        created_at=unset,
        updated_at="2025-01-15T10:30:00Z",
    )
    schedule = PollSchedule(0.5, 15.0)
    assert [schedule.after(job, t) for t in (0.0, 0.5, 1.25)] == [0.5, 0.75, 1.125]
    assert MIN_DELAY <= schedule.fallback() <= 15.0


def test_intervals_never_exceed_max_interval_nor_the_deadline(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(polling_max_interval=4.0)
    job = SimJob(2990, [(0.0, 50.0)])
    api.on("GET", JOB_PATH, lambda request: job.handler(clock))
    with pytest.raises(JobTimeoutError):
        client.cloud_storage.wait_for_job(JOB_ID, timeout=30)
    assert max(clock.sleeps) <= 4.0
    assert clock.t == pytest.approx(30.0)


def test_rate_limit_answer_is_honoured_then_the_estimate_resumes(
    make_client: Callable[..., Client], api: FakeAPI, clock: FakeClock
) -> None:
    client = make_client(max_retries=0)  # the poller sees the 429 itself
    job = SimJob(490, [(0.0, 50.0)])
    limited = json_response(429, error_body("RATE_LIMIT_ERROR", "slow down"), {"Retry-After": "3"})

    def sim(request: httpx.Request) -> httpx.Response:
        return job.handler(clock)

    api.on("GET", JOB_PATH, sim, sim, lambda r: limited, sim)
    client.cloud_storage.wait_for_job(JOB_ID)
    assert 3.0 in clock.sleeps
    assert 0 <= clock.t - job.finished_at <= 1.0
