"""The CLI's pieces without a server: outcomes and exit codes, the poll loop, the progress bar
as a terminal shows it, tables."""

from __future__ import annotations

import io
import re
from datetime import UTC

import pytest
from rich.console import Console

from aionvision_cloud import Job, JobStatus, RateLimitError
from aionvision_cloud.cli.output import Table, count, human_size
from aionvision_cloud.cli.progress import (
    JobBoard,
    ProgressDisplay,
    exit_code_for,
    outcome,
    wait_jobs,
)

S = JobStatus


@pytest.mark.parametrize(
    ("statuses", "expected", "code"),
    [
        ([], S.COMPLETED, 0),
        ([S.COMPLETED, S.COMPLETED], S.COMPLETED, 0),
        ([S.COMPLETED, S.FAILED], S.PARTIAL, 3),
        ([S.PARTIAL], S.PARTIAL, 3),
        ([S.COMPLETED, S.CANCELLED], S.PARTIAL, 3),
        ([S.FAILED, S.CANCELLED], S.FAILED, 4),
        ([S.CANCELLED], S.CANCELLED, 4),
        ([S.PENDING, S.PENDING], S.PENDING, 0),
        ([S.PENDING, S.COMPLETED], S.IN_PROGRESS, 0),
        ([S.UNKNOWN], S.IN_PROGRESS, 0),
    ],
)
def test_outcome_and_exit_code(statuses: list[JobStatus], expected: JobStatus, code: int) -> None:
    assert outcome(statuses) is expected
    assert exit_code_for(expected) == code


def job(job_id: str, status: str, done: int, failed: int = 0, total: int = 10) -> Job:
    return Job(
        job_id=job_id,
        status=JobStatus.parse(status),
        total_files=total,
        completed_files=done,
        failed_files=failed,
    )


class FakeJobs:
    """``get_job`` answering from a script per job id; records every call."""

    def __init__(self, script: dict[str, list[Job | Exception]]) -> None:
        self.script = script
        self.calls: list[str] = []

    def get_job(self, job_id: str) -> Job:
        self.calls.append(job_id)
        answers = self.script[job_id]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_wait_polls_unfinished_jobs_each_round_and_backs_off_on_429() -> None:
    fake = FakeJobs(
        {
            "a": [job("a", "in_progress", 2), job("a", "completed", 10)],
            "b": [
                job("b", "pending", 0),
                RateLimitError("slow down", status_code=429, retry_after=7.0),
                job("b", "partial", 8, 2),
            ],
        }
    )
    sleeps: list[float] = []
    seen: list[tuple[int, int]] = []
    board = JobBoard(job_ids=("a", "b"), total_files=20)
    done = wait_jobs(
        fake,  # type: ignore[arg-type]
        board,
        timeout=None,
        on_update=lambda b: seen.append(b.counts()),
        sleep=sleeps.append,
        monotonic=lambda: 0.0,
    )
    assert done is True
    # Round 1: a, b. Round 2: a (now done), b (429). Round 3: b only.
    assert fake.calls == ["a", "b", "a", "b", "b"]
    assert sleeps[1] == 7.0  # Retry-After, not the next short pause
    assert seen[-1] == (18, 2)
    assert board.running() == []


class SteadyJob:
    """``get_job`` on a fake clock: a 24-file job, pending 0.2 s, then doing 2.4 files a second
    (10 s, files of 0.4 s: an import with AI description), ``updated_at`` stamped when it starts
    and at each file, as the service does."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls = 0

    def get_job(self, job_id: str) -> Job:
        from datetime import datetime, timedelta

        self.calls += 1
        start = datetime(2026, 1, 1, tzinfo=UTC)
        ran = self.now - 0.2
        done = max(0, min(24, int(ran * 2.4 + 1e-9)))
        return Job(
            job_id=job_id,
            status=(
                JobStatus.PENDING
                if ran < 0
                else JobStatus.COMPLETED
                if done == 24
                else JobStatus.IN_PROGRESS
            ),
            total_files=24,
            completed_files=done,
            failed_files=0,
            created_at=start,
            updated_at=start + timedelta(seconds=0 if ran < 0 else 0.2 + done / 2.4),
        )

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_follows_the_jobs_pace_like_wait_for_job() -> None:
    """Before, the CLI polled at 0.5 s growing to one poll every 2 s whatever the job said, and
    returned 1.86 s after this job's last file; now its rounds follow the library's schedule."""
    fake = SteadyJob()
    board = JobBoard(job_ids=("job_1",), total_files=24)
    done = wait_jobs(
        fake,  # type: ignore[arg-type]
        board,
        timeout=None,
        on_update=lambda b: None,
        sleep=fake.sleep,
        monotonic=lambda: fake.now,
    )
    assert done is True
    assert board.counts() == (24, 0)
    assert fake.now - 10.2 < 0.5  # back within half a second of the last file
    # The display stays live (a round every 2 s at most) without polling more than before (9).
    assert 6 <= fake.calls <= 9


def test_wait_returns_false_at_the_deadline_with_the_last_state() -> None:
    fake = FakeJobs({"a": [job("a", "in_progress", 3)]})
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    board = JobBoard(job_ids=("a",), total_files=10)
    done = wait_jobs(
        fake,  # type: ignore[arg-type]
        board,
        timeout=2.0,
        on_update=lambda b: None,
        sleep=sleep,
        monotonic=lambda: now[0],
    )
    assert done is False
    assert board.running() == ["a"]
    assert board.counts() == (3, 0)
    assert now[0] == pytest.approx(2.0)  # never slept past the deadline


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=120, color_system=None), buffer


def test_progress_bar_on_a_terminal_shows_files_failed_rate_time_and_jobs() -> None:
    console, buffer = terminal()
    board = JobBoard(job_ids=("a", "b"), total_files=20)
    with ProgressDisplay(console, "Importing", 20, 2) as display:
        board.latest["a"] = job("a", "in_progress", 4)
        board.latest["b"] = job("b", "in_progress", 3, 1)
        display.update(board)
        board.latest["a"] = job("a", "completed", 10)
        board.latest["b"] = job("b", "partial", 8, 2)
        display.update(board)
    # The last frame the live display drew, without its cursor movements.
    frames = re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue()))
    final = [f for f in frames if f.strip()][-1]
    assert re.search(r"Importing ━+ 20/20 files • 2 failed • [\d.-]+ files/s • done in", final)
    assert final.rstrip().endswith("2/2 jobs")


def test_progress_off_a_terminal_is_plain_lines_on_change(
    capsys: pytest.CaptureFixture[str],
) -> None:
    console = Console(file=io.StringIO(), force_terminal=False)
    board = JobBoard(job_ids=("a",), total_files=10)
    with ProgressDisplay(console, "Exporting", 10, 1, unit="images") as display:
        board.latest["a"] = job("a", "in_progress", 4)
        display.update(board)
        display.update(board)  # no change, no line
        board.latest["a"] = job("a", "completed", 10)
        display.update(board)
    assert capsys.readouterr().err.splitlines() == [
        "Exporting: 4/10 images done, 0 failed",
        "Exporting: 10/10 images done, 0 failed",
    ]


def test_table_on_a_terminal_keeps_ids_whole_and_names_literal() -> None:
    console, buffer = terminal()
    table = Table(["NAME", "ID"])
    table.add("[bold]draft[/bold]", "1" + "x" * 40)
    table.add(None, "2")
    table.show(console)
    screen = buffer.getvalue()
    assert "[bold]draft[/bold]" in screen  # a Drive name, not markup
    assert "1" + "x" * 40 in screen
    assert screen.splitlines()[0].split() == ["NAME", "ID"]


def test_table_piped_is_tab_separated_without_header(
    capsys: pytest.CaptureFixture[str],
) -> None:
    table = Table(["NAME", "ID"])
    table.add("a b", "1")
    table.add(None, "2")
    table.show(Console(file=io.StringIO(), force_terminal=False))
    assert capsys.readouterr().out == "a b\t1\n-\t2\n"


@pytest.mark.parametrize(
    ("size", "text"),
    [(None, "-"), (0, "0 B"), (999, "999 B"), (184_320, "184.3 KB"), (8_400_000, "8.4 MB")],
)
def test_human_size(size: int | None, text: str) -> None:
    assert human_size(size) == text


def test_count() -> None:
    assert (count(1, "file"), count(2, "job"), count(0, "image")) == (
        "1 file",
        "2 jobs",
        "0 images",
    )
