"""Ctrl-C anywhere in a bulk call leaves the caller the jobs it started (``exc.partial``), and a
journal refuses a server it was not written against, before sending anything. Both profiles,
over real HTTP to the emulator; the interruptions are injected into the client's transport (or
its journal's step between two batches), the way a KeyboardInterrupt lands in user code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aionvision_cloud import Client, CloudFile, ExportResult, ImportResult
from aionvision_cloud._journal import JournalOperation
from aionvision_cloud.errors import JournalConflictError
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator
from aionvision_cloud_emulator.testing import visit_consent

Trigger = Callable[[httpx.Request], bool]


class Interrupting(httpx.BaseTransport):
    """Forwards to the emulator; the request ``when`` picks is answered by the service, then
    the caller is interrupted before reading the answer (the request was in flight)."""

    def __init__(self, when: Trigger) -> None:
        self.inner = httpx.HTTPTransport()
        self.when = when

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.when(request):
            response.close()
            raise KeyboardInterrupt
        return response

    def close(self) -> None:
        self.inner.close()


def nth_post(path: str, n: int) -> Trigger:
    seen: list[str] = []

    def when(request: httpx.Request) -> bool:
        if request.method == "POST" and request.url.path.endswith(path):
            seen.append(path)
            return len(seen) == n
        return False

    return when


def first_job_poll(request: httpx.Request) -> bool:
    return request.method == "GET" and "/cloud-storage/jobs/" in request.url.path


@pytest.fixture(scope="module", params=["document", "service"])
def emulator(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    with run_emulator(profile=request.param, job_pace=400.0, job_start_delay=0.05) as emu:
        yield emu


@pytest.fixture
def emu(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    emulator.admin.reset()
    yield emulator
    assert emulator.admin.stats()["spec_violations"] == []


def client_on(emu: RunningEmulator, when: Trigger | None = None) -> Client:
    transport = Interrupting(when or (lambda _: False))
    return Client(api_key=emu.api_key, base_url=emu.base_url, timeout=10, transport=transport)


@pytest.fixture
def setup(emu: RunningEmulator) -> tuple[str, list[CloudFile]]:
    with client_on(emu) as client:
        cs = client.cloud_storage
        conn = cs.connect("google_drive", open_browser=visit_consent, timeout=30).id
        files = list(cs.iter_drive_files(conn, folder="Photos/Family"))
    assert len(files) == 25
    return conn, files


def imports_sent(emu: RunningEmulator) -> int:
    return int(emu.admin.stats()["requests_by_operation"].get("import_files", 0))


def ids(files: list[CloudFile]) -> tuple[str, ...]:
    return tuple(f.id for f in files)


def test_ctrl_c_while_the_second_batch_is_in_flight_keeps_the_first_job(
    emu: RunningEmulator, setup: tuple[str, list[CloudFile]]
) -> None:
    conn, files = setup
    with (
        client_on(emu, nth_post("/cloud-storage/import", 2)) as client,
        pytest.raises(KeyboardInterrupt) as caught,
    ):
        client.cloud_storage.import_files(conn, files, batch_size=10)
    partial: ImportResult = caught.value.partial  # type: ignore[attr-defined]
    assert isinstance(partial, ImportResult)
    # Batch 1 was accepted: its job is the caller's to follow.
    assert len(partial.batches) == 1
    assert len(partial.job_ids) == 1
    assert partial.job_ids[0] == partial.batches[0].job_id
    # Batch 2 reached the service, its answer never read: uncertain, with its files.
    assert partial.journal.stopped is not None
    assert partial.journal.stopped.uncertain is True
    assert partial.journal.stopped.items == ids(files[10:20])
    assert isinstance(partial.journal.stopped.error, KeyboardInterrupt)
    # Batch 3 never went out.
    assert partial.not_sent == ids(files[20:])
    assert imports_sent(emu) == 2


def test_ctrl_c_between_batches_keeps_the_first_job_and_a_rerun_sends_the_rest(
    emu: RunningEmulator,
    setup: tuple[str, list[CloudFile]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conn, files = setup
    journal = tmp_path / "import.journal"
    begin = JournalOperation.begin
    begun: list[int] = []

    def interrupted_before_the_second(self: JournalOperation, items: Any) -> int:
        begun.append(1)
        if len(begun) == 2:
            raise KeyboardInterrupt  # after batch 1 was answered, before batch 2 is sent
        return begin(self, items)

    monkeypatch.setattr(JournalOperation, "begin", interrupted_before_the_second)
    with client_on(emu) as client, pytest.raises(KeyboardInterrupt) as caught:
        client.cloud_storage.import_files(conn, files, batch_size=10, journal=journal)
    partial: ImportResult = caught.value.partial  # type: ignore[attr-defined]
    assert len(partial.job_ids) == 1
    assert partial.journal.stopped is None  # nothing was in flight
    assert partial.not_sent == ids(files[10:])
    assert imports_sent(emu) == 1

    monkeypatch.setattr(JournalOperation, "begin", begin)
    with client_on(emu) as client:
        again = client.cloud_storage.import_files(conn, files, batch_size=10, journal=journal)
    # The first batch comes from the journal; only the other 15 files went out.
    assert again.job_ids[0] == partial.job_ids[0]
    assert imports_sent(emu) == 3
    assert emu.admin.stats()["duplicate_imports"] == {}


def test_ctrl_c_during_the_wait_names_every_job(
    emu: RunningEmulator, setup: tuple[str, list[CloudFile]]
) -> None:
    conn, files = setup
    with client_on(emu, first_job_poll) as client, pytest.raises(KeyboardInterrupt) as caught:
        client.cloud_storage.import_and_wait(conn, files, batch_size=10)
    partial: ImportResult = caught.value.partial  # type: ignore[attr-defined]
    assert len(partial.batches) == 3
    assert partial.journal.stopped is None
    assert partial.not_sent == ()
    sent = {f for b in partial.batches for f in b.file_ids}
    assert sent == set(ids(files))
    # Every job started is in jobs, in its last known state.
    assert [j.job_id for j in partial.jobs] == list(partial.job_ids)
    assert partial.job_ids


def test_ctrl_c_in_an_export_keeps_the_first_job(
    emu: RunningEmulator, setup: tuple[str, list[CloudFile]]
) -> None:
    conn, files = setup
    with client_on(emu) as client:
        images = client.cloud_storage.import_and_wait(conn, files[:6], batch_size=3).image_ids
    assert len(images) == 6
    with (
        client_on(emu, nth_post("/cloud-storage/export", 2)) as client,
        pytest.raises(KeyboardInterrupt) as caught,
    ):
        client.cloud_storage.export_files(conn, images, batch_size=2)
    partial: ExportResult = caught.value.partial  # type: ignore[attr-defined]
    assert len(partial.job_ids) == 1
    assert partial.journal.stopped is not None
    assert partial.journal.stopped.uncertain is True
    assert partial.journal.stopped.items == tuple(images[2:4])
    assert partial.not_sent == tuple(images[4:])


def test_a_journal_refuses_another_server_before_sending(
    emu: RunningEmulator, setup: tuple[str, list[CloudFile]], tmp_path: Path
) -> None:
    conn, files = setup
    journal = tmp_path / "import.journal"
    with client_on(emu) as client:
        client.cloud_storage.import_files(conn, files[:5], journal=journal)
    with run_emulator(profile=emu.profile) as other:
        with client_on(other) as client:
            cs = client.cloud_storage
            other_conn = cs.connect("google_drive", open_browser=visit_consent, timeout=30).id
            other_files = list(cs.iter_drive_files(other_conn, folder="Photos/Family"))
            with pytest.raises(JournalConflictError) as caught:
                cs.import_files(other_conn, other_files[:5], journal=journal)
        message = str(caught.value)
        assert emu.base_url in message
        assert other.base_url in message
        assert imports_sent(other) == 0
    # The journal's own server still resumes from it: nothing is sent twice.
    before = imports_sent(emu)
    with client_on(emu) as client:
        client.cloud_storage.import_files(conn, files[:5], journal=journal)
    assert imports_sent(emu) == before
