"""Nothing lost: partial results on every error, every job on a timeout, polls that ride out
transient errors, and re-runs with a journal."""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from overlay_testkit import FakeAPI, FakeClock, error_body, job_body, json_response

from aionvision_cloud import Client, ImportResult, JobStatus
from aionvision_cloud.errors import (
    APIConnectionError,
    InvalidInputError,
    JobTimeoutError,
    NotFoundError,
    ServerError,
    UncertainBatchError,
)

IMPORT = "/cloud-storage/import"
EXPORT = "/cloud-storage/export"
CONN = "550e8400-e29b-41d4-a716-446655440000"
FILES = [{"id": f"file{i}", "name": f"p{i}.jpg"} for i in range(10)]


def _job_path(job_id: str) -> str:
    return f"/cloud-storage/jobs/{job_id}"


def accepted(job_id: str, n: int = 4, ids: list[str] | None = None) -> httpx.Response:
    return json_response(
        200,
        {
            "image_ids": ids,
            "job_id": job_id,
            "status": "pending",
            "total_files": n,
            "is_async": True,
            "message": "Import job created",
        },
    )


def done(job_id: str, status: str = "completed") -> httpx.Response:
    return json_response(200, job_body(job_id, status=status, completed_files=4, failed_files=0))


@pytest.fixture
def no_retries(make_client: Callable[..., Client]) -> Client:
    # The transport would retry some of these itself; the overlay is what is tested here.
    return make_client(max_retries=0)


def test_import_error_carries_accepted_jobs_failed_batch_and_files_not_sent(
    no_retries: Client, api: FakeAPI
) -> None:
    api.on(
        "POST",
        IMPORT,
        accepted("job_a"),
        json_response(500, error_body("INTERNAL_ERROR", "boom")),
    )
    with pytest.raises(ServerError) as caught:
        no_retries.cloud_storage.import_files(CONN, FILES, batch_size=4)
    partial = caught.value.partial
    assert isinstance(partial, ImportResult)
    assert partial.job_ids == ("job_a",)
    assert partial.batches[0].file_ids == ("file0", "file1", "file2", "file3")
    assert partial.journal.stopped is not None
    assert partial.journal.stopped.items == ("file4", "file5", "file6", "file7")
    assert partial.journal.stopped.uncertain is True  # a 500 after the request went out
    assert "boom" in partial.journal.stopped.reason
    assert partial.not_sent == ("file8", "file9")


def test_dropped_connection_on_export_keeps_the_jobs_already_created(
    no_retries: Client, api: FakeAPI
) -> None:
    ok = json_response(200, {"job_id": "job_e1", "job_status": "pending", "is_async": True})
    api.on("POST", EXPORT, ok, httpx.RemoteProtocolError("peer closed connection"))
    with pytest.raises(APIConnectionError) as caught:
        no_retries.cloud_storage.export_files(CONN, [f"img_{i}" for i in range(5)], batch_size=2)
    partial = caught.value.partial
    assert partial.job_ids == ("job_e1",)
    assert partial.journal.stopped.items == ("img_2", "img_3")
    assert partial.journal.stopped.uncertain is True
    assert partial.not_sent == ("img_4",)


def test_poll_rides_out_5xx_timeouts_and_drops(
    no_retries: Client, api: FakeAPI, clock: FakeClock
) -> None:
    api.on(
        "GET",
        _job_path("job_1"),
        json_response(500, error_body("INTERNAL_ERROR", "boom")),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        json_response(502, error_body("UPSTREAM_ERROR", "google")),
        done("job_1"),
    )
    job = no_retries.cloud_storage.wait_for_job("job_1", poll_interval=1.0, timeout=60)
    assert job.status is JobStatus.COMPLETED
    assert len(clock.sleeps) == 4  # backed off between the failed polls
    assert clock.sleeps == sorted(clock.sleeps)


def test_poll_stops_on_a_4xx(no_retries: Client, api: FakeAPI) -> None:
    api.on("GET", _job_path("job_1"), json_response(404, error_body("NOT_FOUND", "no job")))
    with pytest.raises(NotFoundError):
        no_retries.cloud_storage.wait_for_job("job_1", timeout=60)


def test_poll_failing_until_the_deadline_says_why(no_retries: Client, api: FakeAPI) -> None:
    api.on("GET", _job_path("job_1"), json_response(503, error_body("UNAVAILABLE", "down")))
    with pytest.raises(JobTimeoutError, match="last poll failed: 503") as caught:
        no_retries.cloud_storage.wait_for_job("job_1", poll_interval=1.0, timeout=5)
    assert isinstance(caught.value.last_error, ServerError)


def test_import_and_wait_survives_a_500_on_a_poll(no_retries: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, accepted("job_a"), accepted("job_b"), accepted("job_c", 2))
    for jid in ("job_a", "job_b", "job_c"):
        api.on("GET", _job_path(jid), json_response(500, error_body("X", "transient")), done(jid))
    result = no_retries.cloud_storage.import_and_wait(CONN, FILES, batch_size=4, timeout=60)
    assert [j.job_id for j in result.jobs] == ["job_a", "job_b", "job_c"]
    assert result.status is JobStatus.COMPLETED


def test_multi_job_timeout_carries_every_job_and_its_last_state(
    client: Client, api: FakeAPI
) -> None:
    api.on("POST", IMPORT, accepted("job_a"), accepted("job_b"), accepted("job_c", 2))
    api.on("GET", _job_path("job_a"), done("job_a"))
    api.on("GET", _job_path("job_b"), json_response(200, job_body("job_b", status="in_progress")))
    with pytest.raises(JobTimeoutError) as caught:
        client.cloud_storage.import_and_wait(CONN, FILES, batch_size=4, timeout=2)
    exc = caught.value
    assert [(j.job_id, j.status) for j in exc.jobs] == [
        ("job_a", JobStatus.COMPLETED),
        ("job_b", JobStatus.IN_PROGRESS),
        ("job_c", JobStatus.PENDING),  # never polled: its state as the import answered
    ]
    assert [j.job_id for j in exc.unfinished] == ["job_b", "job_c"]
    assert "2 of 3 jobs not finished" in str(exc)
    assert exc.partial.job_ids == ("job_a", "job_b", "job_c")
    assert [j.job_id for j in exc.partial.jobs] == ["job_a", "job_b", "job_c"]


def test_async_answer_with_image_ids_keeps_them(client: Client, api: FakeAPI) -> None:
    api.on("POST", IMPORT, accepted("job_a", 4, ["img_0", "img_1", "img_2", "img_3"]))
    result = client.cloud_storage.import_files(CONN, FILES[:4], batch_size=4)
    assert result.batches[0].image_ids == ["img_0", "img_1", "img_2", "img_3"]
    assert result.image_ids == ()  # not safe to export while the job runs
    assert [f.outcome for f in result.files] == ["unknown"] * 4
    api.on("GET", _job_path("job_a"), done("job_a"))
    waited = client.cloud_storage.import_and_wait(CONN, FILES[:4], batch_size=4)
    assert waited.image_ids == ("img_0", "img_1", "img_2", "img_3")


# -- the journal --------------------------------------------------------------------------------


def test_rerun_with_journal_skips_accepted_batches_and_refollows_running_jobs(
    no_retries: Client, api: FakeAPI, tmp_path: Path
) -> None:
    journal = tmp_path / "import.journal"
    cs = no_retries.cloud_storage
    api.on(
        "POST",
        IMPORT,
        accepted("job_a"),
        json_response(503, error_body("SERVICE_UNAVAILABLE", "later")),  # certainly not acted
    )
    with pytest.raises(ServerError):
        cs.import_and_wait(CONN, FILES, batch_size=4, journal=journal)
    api.requests.clear()
    api.on("POST", IMPORT, accepted("job_b"), accepted("job_c", 2))
    for jid in ("job_a", "job_b", "job_c"):
        api.on("GET", _job_path(jid), done(jid))
    result = cs.import_and_wait(CONN, FILES, batch_size=4, journal=journal)
    sent = [[f["id"] for f in body["files"]] for body in api.bodies("POST", IMPORT)]
    assert sent == [["file4", "file5", "file6", "file7"], ["file8", "file9"]]
    assert result.job_ids == ("job_a", "job_b", "job_c")
    assert result.batches[0].from_journal
    assert all(j.status is JobStatus.COMPLETED for j in result.jobs)
    # A third run sends nothing and polls nothing: the journal saw every job end.
    api.requests.clear()
    again = cs.import_and_wait(CONN, FILES, batch_size=4, journal=journal)
    assert api.requests == []
    assert again.job_ids == result.job_ids
    assert [j.status for j in again.jobs] == [JobStatus.COMPLETED] * 3


def test_uncertain_batch_asks_then_resends_or_skips(
    no_retries: Client, api: FakeAPI, tmp_path: Path
) -> None:
    cs = no_retries.cloud_storage
    for policy in ("resend", "skip"):
        journal = tmp_path / f"{policy}.journal"
        api.on(
            "POST", IMPORT, accepted("job_a"), json_response(500, error_body("INTERNAL", "lost"))
        )
        with pytest.raises(ServerError):
            cs.import_files(CONN, FILES, batch_size=4, journal=journal)
        api.requests.clear()
        with pytest.raises(UncertainBatchError, match="on_uncertain") as caught:
            cs.import_files(CONN, FILES, batch_size=4, journal=journal)
        assert api.requests == []  # nothing sent before the caller chooses
        assert caught.value.partial.job_ids == ("job_a",)
        api.on("POST", IMPORT, accepted("job_b"), accepted("job_c", 2))
        result = cs.import_files(CONN, FILES, batch_size=4, journal=journal, on_uncertain=policy)
        sent = [f["id"] for body in api.bodies("POST", IMPORT) for f in body["files"]]
        if policy == "resend":
            assert sent == [f"file{i}" for i in range(4, 10)]
            assert result.journal.skipped_files == ()
        else:
            assert sent == ["file8", "file9"]
            assert result.journal.skipped_files == ("file4", "file5", "file6", "file7")
        assert [u.resolution for u in result.journal.uncertain] == [
            "resent" if policy == "resend" else "skipped"
        ]
        assert (result.journal.stopped, result.not_sent) == (None, ())


def test_bad_journal_arguments_fail_before_any_request(
    client: Client, api: FakeAPI, tmp_path: Path
) -> None:
    cs = client.cloud_storage
    bad: list[dict[str, Any]] = [
        {"journal": tmp_path / "j", "on_uncertain": "maybe"},
        {"journal": 42},
        {"journal": tmp_path / "missing" / "j"},
    ]
    for kwargs in bad:
        with pytest.raises(InvalidInputError):
            cs.import_files(CONN, FILES, **kwargs)
    assert api.requests == []


def test_resumable_import_example_resumes_after_an_error(
    make_client: Callable[..., Client],
    api: FakeAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "resumable_import.py"
    # A fresh client each run (the example closes it), as a new process would have.
    monkeypatch.setattr(
        Client, "from_env", classmethod(lambda cls, *a, **k: make_client(max_retries=0))
    )
    monkeypatch.chdir(tmp_path)
    journal = tmp_path / "import-FOLDER.journal"

    def run(*args: str) -> int:
        argv = ["resumable_import.py", "conn_1", "FOLDER", "--journal", str(journal), *args]
        monkeypatch.setattr("sys.argv", argv)
        try:
            runpy.run_path(str(example), run_name="__main__")
        except SystemExit as stopped:
            return int(stopped.code or 0)
        return 0

    drive = [{"id": f"f{i}", "name": f"{i}.jpg", "mimeType": "image/jpeg"} for i in range(150)]
    api.on(
        "GET",
        "/cloud-storage/connections/conn_1/picker-token",
        json_response(200, {"session": {"session_id": "s"}}),
    )

    def proxy(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["endpoint"] == "files/FOLDER":  # the folder, by id
            folder = {"id": "FOLDER", "name": "F", "mimeType": "application/vnd.google-apps.folder"}
            return json_response(200, folder)
        return json_response(200, {"files": drive})

    api.on("POST", "/cloud-storage/picker-proxy", proxy)
    api.on("POST", IMPORT, accepted("job_a", 100), httpx.RemoteProtocolError("dropped"))
    api.on("GET", _job_path("job_a"), done("job_a"))
    assert run() == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1  # one line, saying what to re-run
    assert "jobs accepted: job_a" in err
    assert "failed batch: 50 files (may have been imported)" in err
    assert "again to resume (journal: " in err
    assert run() == 2  # the lost answer: the user must choose
    assert "--on-uncertain resend (or skip)" in capsys.readouterr().err
    api.on("POST", IMPORT, accepted("job_b", 50))
    api.on("GET", _job_path("job_b"), done("job_b"))
    assert run("--on-uncertain", "resend") == 0
    assert "import completed" in capsys.readouterr().out
    assert journal.exists()


def test_an_accepted_answer_the_client_cannot_read_still_journals_its_job(
    no_retries: Client, api: FakeAPI, tmp_path: Path
) -> None:
    # The service took the batch (its answer names the job) but sent a count as a string: the
    # answer does not parse, yet a re-run must follow that job, not import the batch twice.
    unreadable = {"is_async": True, "job_id": "job_odd", "total_files": "four", "image_ids": []}
    api.on("POST", IMPORT, json_response(200, unreadable), accepted("job_b"))
    api.on("GET", _job_path("job_odd"), done("job_odd"))
    api.on("GET", _job_path("job_b"), done("job_b"))
    journal = tmp_path / "import.journal"
    cs = no_retries.cloud_storage
    from aionvision_cloud import APIResponseValidationError

    with pytest.raises(APIResponseValidationError) as info:
        cs.import_files(CONN, FILES, batch_size=5, journal=journal)
    failed = info.value.partial.journal.stopped
    assert (failed.job_id, failed.uncertain) == ("job_odd", False)
    assert info.value.response is not None
    assert len(api.calls("POST", IMPORT)) == 1

    result = cs.import_and_wait(CONN, FILES, batch_size=5, journal=journal)
    # Only the batch never sent went out; the unreadable one was followed as the job it named.
    assert len(api.calls("POST", IMPORT)) == 2
    assert [b.from_journal for b in result.batches] == [True, False]
    assert [j.job_id for j in result.jobs] == ["job_odd", "job_b"]
    assert result.status is JobStatus.COMPLETED
