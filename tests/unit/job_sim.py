"""A job simulated on a fake clock the way the emulator runs one, and waits on it.

The emulator's runner (``aionvision_cloud_emulator.jobs.JobRunner``) keeps a job pending for a
while, stamps ``updated_at`` when processing starts, then moves it along in 20 ms ticks at a pace
(files a second), finishing whole files only; ``updated_at`` is the tick of the last change and
``completed_at`` the tick of the last file. ``SimJob`` follows the same rules on server time,
which may be offset from the client's clock, and each answer takes ``latency`` seconds of the
fake clock. Shared by ``test_overlay_poll_schedule.py`` and ``bench/polling.py``, so a figure in
``bench/results.md`` and a limit in a test come from one model.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from datetime import timedelta

import attrs
import httpx
from overlay_testkit import START, FakeAPI, FakeClock, job_body, json_response

from aionvision_cloud import Client, RetryPolicy

TICK = 0.02
JOB_ID = "job_1"
JOB_PATH = f"/cloud-storage/jobs/{JOB_ID}"
#: The document's loop: poll, stop on one of these, else sleep 2 s.
SEED_TERMINAL = ("completed", "partial", "failed")

#: (seconds from the start of processing, files a second from then on)
Segments = Sequence[tuple[float, float]]


def _iso(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


class SimJob:
    """``total`` files, pending ``pending`` s after creation at time 0, then ``segments``.

    Times are the client's. ``offset`` shifts the service's stamps (its clock minus ours);
    ``stamp_start`` False leaves ``updated_at`` at ``created_at`` until the first file is done
    (a service that stamps progress only); ``heartbeat`` stamps it on every tick while the job
    runs, changed or not.
    """

    def __init__(
        self,
        total: int,
        segments: Segments,
        *,
        pending: float = 0.2,
        tick: float = TICK,
        offset: float = 0.0,
        latency: float = 0.0,
        stamp_start: bool = True,
        heartbeat: bool = False,
        horizon: float = 36_000.0,
    ) -> None:
        self.total, self.offset, self.latency = total, offset, latency
        self.stamp_start, self.heartbeat = stamp_start, heartbeat
        self.start = math.ceil(pending / tick - 1e-9) * tick  # the first tick past the delay
        self.events = self._events(segments, tick, horizon)
        self.finished_at = self.events[-1]  # when the last file was done

    def _events(self, segments: Segments, tick: float, horizon: float) -> list[float]:
        events: list[float] = []
        budget, step = 0.0, 0
        while len(events) < self.total:
            step += 1
            elapsed = step * tick
            if elapsed > horizon:
                raise ValueError("the job never finishes within the horizon")
            pace = 0.0
            for since, files_per_s in segments:
                if elapsed - tick / 2 >= since:
                    pace = files_per_s
            budget += tick * pace
            count = int(budget + 1e-9)
            budget -= count
            at = round(self.start + elapsed, 9)
            events.extend([at] * min(count, self.total - len(events)))
        return events

    def _iso(self, seconds: float) -> str:
        return _iso(seconds + self.offset)

    def body(self, server_time: float) -> dict[str, object]:
        done = bisect.bisect_right(self.events, server_time + 1e-9)
        if server_time < self.start:
            status, updated = "pending", 0.0
        elif done == 0:
            status, updated = "in_progress", self.start if self.stamp_start else 0.0
        else:
            status = "completed" if done >= self.total else "in_progress"
            updated = self.events[done - 1]
        if self.heartbeat and status == "in_progress":
            updated = math.floor(server_time / TICK) * TICK  # stamped on every tick, moved or not
        body = job_body(JOB_ID, status, completed_files=done, failed_files=0)
        body["job"].update(
            total_files=self.total,
            created_at=self._iso(0.0),
            updated_at=self._iso(updated),
            completed_at=self._iso(updated) if status == "completed" else None,
        )
        return body

    def handler(self, clock: FakeClock) -> httpx.Response:
        # The service reads the job half way through the request; the answer arrives after it.
        server_time = clock.t + self.latency / 2
        clock.t += self.latency
        return json_response(200, self.body(server_time))


@attrs.frozen
class Outcome:
    late: float  # client seconds from the job's finish to the wait's return
    polls: int
    sleeps: tuple[float, ...]


def _client(api: FakeAPI, clock: FakeClock, **kwargs: object) -> Client:
    return Client(
        api_key="aion_test_KEY_0123456789abcdefXYZ",
        base_url="https://api.example.test/api/v2",
        clock=clock,
        transport=httpx.MockTransport(api),
        retry_policy=RetryPolicy(max_retries=0),
        **kwargs,  # type: ignore[arg-type]
    )


def project_wait(job: SimJob, **client_kwargs: object) -> Outcome:
    """``wait_for_job`` with the client's defaults (or ``client_kwargs``) on a fresh fake clock."""
    clock, api = FakeClock(), FakeAPI()
    api.on("GET", JOB_PATH, lambda request: job.handler(clock))
    with _client(api, clock, **client_kwargs) as client:
        done = client.cloud_storage.wait_for_job(JOB_ID)
    assert done.is_terminal
    return Outcome(clock.t - job.finished_at, len(api.calls("GET", JOB_PATH)), tuple(clock.sleeps))


def seed_wait(job: SimJob) -> Outcome:
    """The document's loop on the same job: ``get_job``, stop when terminal, else ``sleep(2)``."""
    clock, api = FakeClock(), FakeAPI()
    api.on("GET", JOB_PATH, lambda request: job.handler(clock))
    with _client(api, clock) as client:
        while client.cloud_storage.get_job(JOB_ID).status not in SEED_TERMINAL:
            clock.sleep(2.0)
    return Outcome(clock.t - job.finished_at, len(api.calls("GET", JOB_PATH)), tuple(clock.sleeps))
