"""What the command line's tests share besides fixtures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs

from aionvision_cloud_api.contract import PROPERTIES
from aionvision_cloud_emulator.server import RunningEmulator

#: Emulator settings that keep CLI tests fast (jobs run at 400 files a second).
FAST = {"job_pace": 400.0, "job_start_delay": 0.05, "big_folder_size": 250}


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_line(self) -> str:
        """The one error line: the last on stderr, the only one that says "Error:", and no
        traceback anywhere."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error: ")]
        assert len(errors) == 1, self.err
        assert lines[-1] == errors[0], self.err
        assert "Traceback" not in self.err
        return errors[0]


#: The keys of one job in every `--json` answer that shows jobs: every property of openapi.yaml's
#: Job, by its wire name (so a field `make regen` adds is expected with no edit here), the mapped
#: status's raw spelling, and the image ids a job reports.
JOB_KEYS = set(PROPERTIES["Job"]) | {
    "raw_status",
    "image_ids",
}


@contextmanager
def held_until_polled(emu: RunningEmulator, polls: int) -> Iterator[None]:
    """Jobs stand still until the emulator has answered ``polls`` more job reads, then go on at
    the configured pace: a test of following running jobs must find them running however slow
    the machine (under load, fast jobs ended before ``job --wait`` looked: nothing to follow)."""
    pace = emu.admin.configure()["job_pace"]
    emu.admin.configure(job_pace=1e-6)
    start = emu.admin.stats()["requests_by_operation"].get("get_job", 0)
    stop = threading.Event()

    def release() -> None:
        while not stop.wait(0.01):
            if emu.admin.stats()["requests_by_operation"].get("get_job", 0) >= start + polls:
                emu.admin.configure(job_pace=pace)
                return

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
