"""`make faults`: complete workflows against the emulator under injected faults, and killed runs.

The Drive folder is listed with the faults on (through the picker proxy, as `browse` and
`import --folder` do), several times, and each listing must come back whole. Each workflow then
imports its own set of those files (import, wait, export, wait) with a journal, re-running the
same call after any failure, as a user would, with its tags in another order on every re-run.
Some workflows also walk the journal's edge cases: a disconnect and reconnect of their Drive
account between import and export (then the import once more, through the new connection), or a
journal that cannot record an accepted batch (a failing write, as on a full disk). Some runs are
killed with SIGKILL at a random instant and re-run with their journal. The figures come from
the emulator's own counters (images per source file, exports per image, faults by kind); the
client's journals only say which batches were uncertain and what became of them.

    python bench/faults.py                       # 200 workflows + 20 killed runs
    python bench/faults.py --workflows 20 --kills 2
    python bench/faults.py --profile service     # the service's behaviour (default: document)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import httpx

from aionvision_cloud import Client, RetryPolicy
from aionvision_cloud._journal import Journal, JournalOperation, OnUncertain
from aionvision_cloud.errors import AionvisionError, JournalError

if TYPE_CHECKING:
    from aionvision_cloud_emulator.server import RunningEmulator

FILES_PER_WORKFLOW = 13  # batches of 8 (a background job) and 5 (synchronous)
BATCH_SIZE = 8
MAX_RUNS = 12  # attempts per phase before a workflow gives up with a clear error
HTTP_TIMEOUT = 1.0  # a `slow` fault outlasts it (by SLOW_FAULT), so slow answers time out
SLOW_FAULT = 1.2
KILL_WINDOW = 2.5  # seconds after start in which a killed run dies (interpreter start included)
LISTINGS = 10  # listings of the big folder with the faults on
RECONNECT_EVERY = 10  # workflow i with i % 10 == 5 reconnects its own Drive account
JOURNAL_FAILURE_EVERY = 10  # workflow i with i % 10 == 7 meets a journal write failure


# -- a journal that cannot write, for chosen journals only (the threads share the class) --------

_FAIL_ONCE: set[str] = set()
_FAIL_LOCK = threading.Lock()
_real_accepted = JournalOperation.accepted


def _accepted_or_full(self: JournalOperation, *args: Any) -> None:
    with _FAIL_LOCK:
        fail = self.journal.path in _FAIL_ONCE
        _FAIL_ONCE.discard(self.journal.path)
    if fail:
        raise JournalError(f"cannot write journal {self.journal.path!r}: database or disk is full")
    _real_accepted(self, *args)


@attrs.define
class Workflow:
    """One import-then-export of ``files``; ``resumes`` counts re-runs after a failure."""

    index: int
    files: list[dict[str, str]]
    journal: str
    policy: OnUncertain  # what to do with uncertain batches on a re-run: resend or skip
    killed: bool = False
    resumes: int = 0
    image_ids: list[str] = attrs.Factory(list)
    skipped: list[str] = attrs.Factory(list)
    status: str | None = None  # terminal status of the export, or None
    error: str | None = None  # the clear error it ended with, if any
    tags: list[str] = attrs.Factory(list)
    reconnect: str | None = None  # the Drive account it disconnects and reconnects, if any
    journal_failures: int = 0  # journal write failures it met (injected)


# -- one workflow, in this process or in a child ------------------------------------------------


def _client(base_url: str, api_key: str, timeout: float = HTTP_TIMEOUT) -> Client:
    return Client(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        retry_policy=RetryPolicy(max_retries=4, initial_backoff=0.05, max_backoff=0.5),
        polling_interval=0.05,
        polling_max_interval=0.3,
        allow_insecure_http=True,
    )


R = TypeVar("R")


def _rerun(
    wf: Workflow,
    step: str,
    call: Callable[[], R],
    failed: Callable[[AionvisionError], object] | None = None,
) -> R | None:
    """Run ``call``; after a failure run it again (the journal makes that a resume)."""
    last: AionvisionError | None = None
    for _ in range(MAX_RUNS):
        try:
            return call()
        except AionvisionError as exc:
            last = exc
            wf.resumes += 1
            if failed is not None:
                failed(exc)
    wf.error = f"{step}: {type(last).__name__}: {last}"
    return None


def run_phases(
    client: Client,
    conn_id: str,
    wf: Workflow,
    reconnect: Callable[[str], str] | None = None,
) -> None:
    """Import, wait, export, wait; every failure is followed by a re-run of the same call, its
    tags in another order. ``reconnect`` (disconnect, connect the same account again, return
    the new connection id) runs between import and export; the import is then run once more
    through the new connection, and must send nothing."""
    cs = client.cloud_storage
    runs = 0

    def tags() -> list[str]:
        nonlocal runs
        runs += 1
        return wf.tags if runs % 2 else list(reversed(wf.tags))

    def journal_failed(exc: AionvisionError) -> None:
        wf.journal_failures += isinstance(exc, JournalError)

    def import_through(cid: str) -> Any:
        return cs.import_and_wait(
            cid,
            wf.files,
            tags=tags(),
            batch_size=BATCH_SIZE,
            timeout=60,
            journal=wf.journal,
            on_uncertain=wf.policy,
        )

    imported = _rerun(wf, "import", lambda: import_through(conn_id), journal_failed)
    if imported is None:
        return
    if reconnect is not None:
        conn_id = reconnect(conn_id)
        again = _rerun(wf, "import after reconnect", lambda: import_through(conn_id))
        if again is None:
            return
        imported = again
    wf.image_ids = list(imported.image_ids)
    wf.skipped = list(imported.journal.skipped_files)
    if not wf.image_ids:  # every batch skipped: nothing to export
        wf.status = imported.status.value
        return
    exported = _rerun(
        wf,
        "export",
        lambda: cs.export_and_wait(
            conn_id,
            wf.image_ids,
            batch_size=BATCH_SIZE,
            timeout=60,
            journal=wf.journal,
            on_uncertain=wf.policy,
        ),
        journal_failed,
    )
    if exported is None:
        return
    wf.skipped += list(exported.journal.skipped_files)
    wf.status = exported.status.value


def child_main(spec_json: str) -> int:
    """A workflow in a child process (the one that gets killed); prints the outcome as JSON."""
    spec = json.loads(spec_json)
    wf = Workflow(**spec["workflow"])
    with _client(spec["base_url"], spec["api_key"], spec["timeout"]) as client:
        run_phases(client, spec["conn_id"], wf)
    print(json.dumps(attrs.asdict(wf)), flush=True)
    return 0


# -- the campaign --------------------------------------------------------------------------------


class _RetryCounter(logging.Handler):
    """Counts the transport's retries from its DEBUG lines (attempt 2 and later)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.retries = 0
        self._lock2 = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if "attempt" in str(record.msg) and len(args) >= 5 and int(str(args[4])) > 1:
            with self._lock2:
                self.retries += 1


def _child_run(
    emu: RunningEmulator, conn_id: str, wf: Workflow, kill_after: float | None, timeout: float
) -> bool:
    """Run ``wf`` in a child process; SIGKILL it after ``kill_after`` seconds if given. True when
    the child finished (and ``wf`` took its outcome)."""
    spec = {
        "base_url": emu.base_url,
        "api_key": emu.api_key,
        "timeout": timeout,
        "conn_id": conn_id,
        "workflow": attrs.asdict(wf),
    }
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        return False
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError(f"workflow child failed with exit code {proc.returncode}")
    done = json.loads(out.strip().splitlines()[-1])
    wf.resumes += done["resumes"]
    wf.image_ids, wf.skipped = done["image_ids"], done["skipped"]
    wf.status, wf.error = done["status"], done["error"]
    return True


@attrs.define
class Listing:
    """One listing of the big folder with the faults on, re-run after a failure as a user
    would (``runs``); ``files`` is what the complete listing held."""

    runs: int = 0
    files: int = 0
    complete: bool = False
    error: str | None = None


def _list_under_faults(client: Client, conn_id: str, folder: str) -> tuple[Listing, list[Any]]:
    listing = Listing()
    for _ in range(MAX_RUNS):
        listing.runs += 1
        try:
            found = list(
                client.cloud_storage.iter_drive_files(conn_id, folder_id=folder, page_size=1000)
            )
        except AionvisionError as exc:
            listing.error = f"{type(exc).__name__}: {exc}"
            continue
        listing.files, listing.complete, listing.error = len(found), True, None
        return listing, found
    return listing, []


@attrs.define
class Report:
    workflows: list[Workflow]
    stats: dict[str, Any]
    retries: int
    seconds: float
    ratio: float
    listings: list[Listing] = attrs.Factory(list)
    folder_size: int = 0


def run_campaign(
    *,
    workflows: int = 200,
    kills: int = 20,
    ratio: float = 0.2,
    seed: int = 1,
    threads: int = 8,
    workdir: str | None = None,
    http_timeout: float = HTTP_TIMEOUT,
    profile: str = "document",
    listings: int = LISTINGS,
) -> Report:
    """``http_timeout`` is the clients' read timeout; a ``slow`` fault lasts SLOW_FAULT times it.
    ``listings``: how many times the big folder is listed with the faults on."""
    # Imported here, not at the top: a workflow child needs only the client, and the emulator's
    # imports would triple the start of every child.
    from aionvision_cloud_emulator.config import ALL_FAULT_KINDS
    from aionvision_cloud_emulator.server import run_emulator
    from aionvision_cloud_emulator.testing import (
        client_for,
        connect,
        folder_id,
        session_for,
    )

    started = time.monotonic()
    rng = random.Random(seed)
    total = workflows + kills
    tmp = tempfile.TemporaryDirectory(prefix="aion-faults-") if workdir is None else None
    root = Path(workdir if workdir is not None else tmp.name if tmp is not None else ".")
    counter = _RetryCounter()
    log = logging.getLogger("aionvision_cloud")
    log.addHandler(counter)
    old_level = log.level
    log.setLevel(logging.DEBUG)
    knobs: dict[str, Any] = {
        "profile": profile,
        "seed": seed,
        "job_pace": 2000.0,
        "job_start_delay": 0.0,
        "async_image_ids": True,
        "fault_latency": SLOW_FAULT * http_timeout,
        "big_folder_size": max(3000, total * FILES_PER_WORKFLOW),
    }
    walked: list[Listing] = []
    JournalOperation.accepted = _accepted_or_full  # type: ignore[method-assign]
    try:
        with run_emulator(**knobs) as emu:
            with client_for(emu) as api:
                conn_id = str(connect(api)["connection"]["id"])
                sid = session_for(api, conn_id)
                big = folder_id(api, sid, "Camera Uploads")
            emu.admin.configure(fault_ratio=ratio, fault_kinds=list(ALL_FAULT_KINDS))
            # Listed with the faults on: the picker proxy is a POST that only reads.
            drive: list[Any] = []
            with _client(emu.base_url, emu.api_key, http_timeout) as lister:
                for _ in range(listings):
                    listing, found = _list_under_faults(lister, conn_id, big)
                    walked.append(listing)
                    drive = drive or found
            files = [{"id": f.id, "name": f.name} for f in drive]
            assert len(files) >= total * FILES_PER_WORKFLOW, "the big folder is too small"
            plan = [
                Workflow(
                    index=i,
                    files=files[i * FILES_PER_WORKFLOW : (i + 1) * FILES_PER_WORKFLOW],
                    journal=str(root / f"workflow-{i}.journal"),
                    # A quarter of the users skip uncertain batches, the rest resend them. The
                    # journal-failure workflows resend: one that skipped every batch (all of
                    # them unanswered) would never record one, and never meet its failure.
                    policy=("skip" if i % 4 == 3 and i % JOURNAL_FAILURE_EVERY != 7 else "resend"),
                    killed=i >= workflows,
                    tags=["faults", f"workflow-{i}", "campaign"],
                )
                for i in range(total)
            ]
            for wf in plan[:workflows]:
                if wf.index % JOURNAL_FAILURE_EVERY == 7:
                    _FAIL_ONCE.add(wf.journal)
            reconnecting = {
                wf.index: f"reconnect-{wf.index}@example.com"
                for wf in plan[:workflows]
                if wf.index % RECONNECT_EVERY == 5
            }
            own_connection: dict[int, str] = {}
            for index, account in reconnecting.items():
                # Its own account (a reconnect of the shared one would cut off the others), its
                # own Drive: the same folder's first files there.
                plan[index].reconnect = account
                own_connection[index] = _connect_retrying(emu, account)
                with _client(emu.base_url, emu.api_key, http_timeout) as own:
                    own_files = _first_files(own, own_connection[index], FILES_PER_WORKFLOW)
                plan[index].files = own_files

            def in_process(wf: Workflow) -> None:
                with _client(emu.base_url, emu.api_key, http_timeout) as client:
                    if wf.reconnect is None:
                        run_phases(client, conn_id, wf)
                        return
                    account = wf.reconnect

                    def reconnect(old: str) -> str:
                        _disconnect_retrying(client, old)
                        return _connect_retrying(emu, account)

                    run_phases(client, own_connection[wf.index], wf, reconnect)

            # Drawn here, in order, so a seed gives the same kill instants whatever the threads do.
            kill_after = {wf.index: rng.uniform(0.3, KILL_WINDOW) for wf in plan[workflows:]}

            def killed(wf: Workflow) -> None:
                _child_run(emu, conn_id, wf, kill_after[wf.index], http_timeout)
                for _ in range(3):  # the re-run with the journal (a child again)
                    wf.resumes += 1
                    if _child_run(emu, conn_id, wf, None, http_timeout):
                        return

            # The killed runs go on beside the others: a child spends much of its life starting
            # an interpreter, time the in-process workflows can use.
            with (
                ThreadPoolExecutor(max(1, threads // 2)) as kill_pool,
                ThreadPoolExecutor(threads) as pool,
            ):
                children = [kill_pool.submit(killed, wf) for wf in plan[workflows:]]
                list(pool.map(in_process, plan[:workflows]))
                for child in children:
                    child.result()
            emu.admin.configure(fault_ratio=0.0)
            stats = emu.admin.stats()
    finally:
        JournalOperation.accepted = _real_accepted  # type: ignore[method-assign]
        _FAIL_ONCE.clear()
        log.removeHandler(counter)
        log.setLevel(old_level)
    report = Report(
        plan,
        stats,
        counter.retries,
        time.monotonic() - started,
        ratio,
        walked,
        knobs["big_folder_size"],
    )
    report.stats["journals"] = {wf.index: _journal_view(wf.journal) for wf in plan}
    if tmp is not None:
        tmp.cleanup()
    return report


def _connect_retrying(emu: RunningEmulator, account: str) -> str:
    """Connect ``account`` through the consent flow, again after an injected fault."""
    from aionvision_cloud_emulator.testing import client_for, connect

    last: Exception | None = None
    for _ in range(MAX_RUNS):
        try:
            with client_for(emu) as api:
                return str(connect(api, login_hint=account)["connection"]["id"])
        except (AssertionError, httpx.HTTPError, ValueError, KeyError) as exc:  # a faulted step
            last = exc
    raise RuntimeError(f"could not connect {account}: {last}")


def _disconnect_retrying(client: Client, conn_id: str) -> None:
    for _ in range(MAX_RUNS):
        try:
            client.cloud_storage.disconnect(conn_id)
            return
        except AionvisionError as exc:
            if getattr(exc, "status_code", None) == 404:
                return  # an earlier try did it; its answer was lost
    raise RuntimeError(f"could not disconnect {conn_id}")


def _first_files(client: Client, conn_id: str, n: int) -> list[dict[str, str]]:
    """The first ``n`` files of this account's "Camera Uploads" folder."""
    import itertools

    cs = client.cloud_storage
    for _ in range(MAX_RUNS):
        try:
            folder = next(
                f
                for f in cs.iter_drive_files(
                    conn_id, query="name = 'Camera Uploads'", include_folders=True
                )
                if f.is_folder
            )
            files = itertools.islice(cs.iter_drive_files(conn_id, folder_id=folder.id), n)
            return [{"id": f.id, "name": f.name} for f in files]
        except AionvisionError:
            continue
    raise RuntimeError("could not list the reconnecting account's folder")


def _journal_view(path: str) -> list[dict[str, Any]]:
    """Each batch once uncertain: its files and what became of it (resent, skipped, open)."""
    if not os.path.exists(path):
        return []
    with Journal(path) as journal:
        rows = journal.uncertain_batches()
    return [{"items": list(r.items), "resolution": r.resolution or "open"} for r in rows]


# -- the table -----------------------------------------------------------------------------------


@attrs.frozen
class Figures:
    workflows: int
    killed_runs: int
    listings: int
    listings_complete: int
    listings_first_try: int
    listings_short: int
    reconnects: int
    journal_failures: int
    completed: int
    clear_errors: int
    unfinished: int
    faults: dict[str, int]
    retries: int
    resumes: int
    files: int
    imported_once: int
    duplicates: int
    duplicates_unexplained: int
    lost: int
    skipped_reported: int
    uncertain: int
    resent: int
    skipped: int
    skipped_but_imported: int
    still_open: int
    exported_once: int
    export_duplicates: int
    export_duplicates_unexplained: int
    exports_lost: int
    export_skipped: int


def figures(report: Report) -> Figures:
    imports: dict[str, int] = report.stats["imports_by_source_file"]
    exports: dict[str, int] = report.stats["exports_by_image"]
    journals: dict[int, list[dict[str, Any]]] = report.stats["journals"]
    counts: Counter[str] = Counter()
    for wf in report.workflows:
        uncertain = journals.get(wf.index, [])
        resent_items = {i for u in uncertain if u["resolution"] == "resent" for i in u["items"]}
        counts["uncertain"] += len(uncertain)
        counts["resent"] += sum(u["resolution"] == "resent" for u in uncertain)
        counts["skipped"] += sum(u["resolution"] == "skipped" for u in uncertain)
        counts["still_open"] += sum(u["resolution"] == "open" for u in uncertain)
        # A skipped batch the server had acted on: its files exist, though reported as not.
        counts["skipped_but_imported"] += sum(
            u["resolution"] == "skipped"
            and any(imports.get(i, 0) or exports.get(i, 0) for i in u["items"])
            for u in uncertain
        )
        finished = wf.status is not None
        counts["completed"] += finished
        counts["clear_errors"] += wf.error is not None
        counts["unfinished"] += not finished and wf.error is None
        reported_missing = set(wf.skipped)
        for f in wf.files:
            n = imports.get(f["id"], 0)
            counts["files"] += 1
            counts["imported_once"] += n == 1
            if n > 1:
                counts["duplicates"] += n - 1
                counts["duplicates_unexplained"] += (n - 1) * (f["id"] not in resent_items)
            if n == 0 and finished and f["id"] not in reported_missing:
                counts["lost"] += 1
            counts["skipped_reported"] += f["id"] in reported_missing
        for image_id in wf.image_ids:
            n = exports.get(image_id, 0)
            counts["export_skipped"] += image_id in reported_missing
            counts["exported_once"] += n == 1
            if n > 1:
                counts["export_duplicates"] += n - 1
                counts["export_duplicates_unexplained"] += (n - 1) * (image_id not in resent_items)
            if n == 0 and finished and image_id not in reported_missing:
                counts["exports_lost"] += 1
    return Figures(
        workflows=sum(not wf.killed for wf in report.workflows),
        killed_runs=sum(wf.killed for wf in report.workflows),
        listings=len(report.listings),
        listings_complete=sum(listing.complete for listing in report.listings),
        listings_first_try=sum(
            listing.complete and listing.runs == 1 for listing in report.listings
        ),
        # A listing that ended but held fewer files than the folder: files lost to a fault.
        listings_short=sum(
            listing.complete and listing.files != report.folder_size for listing in report.listings
        ),
        reconnects=sum(wf.reconnect is not None for wf in report.workflows),
        journal_failures=sum(wf.journal_failures for wf in report.workflows),
        faults=dict(sorted(report.stats["faults_injected"].items())),
        retries=report.retries,
        resumes=sum(wf.resumes for wf in report.workflows),
        **{k: counts[k] for k in attrs.fields_dict(Figures) if k in counts},
        **{k: 0 for k in attrs.fields_dict(Figures) if k not in counts and k not in _OWN},
    )


_OWN = {
    "workflows",
    "killed_runs",
    "faults",
    "retries",
    "resumes",
    "listings",
    "listings_complete",
    "listings_first_try",
    "listings_short",
    "reconnects",
    "journal_failures",
}


def table(report: Report) -> str:
    f = figures(report)
    faults = ", ".join(f"{k} {v}" for k, v in f.faults.items())
    rows = [
        (f"listings of a {report.folder_size}-file folder, faults on", f.listings),
        ("  complete (every file)", f.listings_complete),
        ("  complete at the first run", f.listings_first_try),
        ("  ended short of the folder", f.listings_short),
        ("workflows (import, wait, export, wait)", f"{f.workflows} + {f.killed_runs} SIGKILLed"),
        ("  with a disconnect and reconnect", f.reconnects),
        ("  journal write failures met (injected)", f.journal_failures),
        ("  ended in a terminal status", f.completed),
        ("  ended in a clear error", f.clear_errors),
        ("  neither", f.unfinished),
        ("requests the emulator served", report.stats["requests_total"]),
        (f"faults injected (fault ratio {report.ratio:g})", sum(f.faults.values())),
        ("  by kind", faults),
        ("retries (client transport)", f.retries),
        ("resumes (re-runs with the journal)", f.resumes),
        ("files to import", f.files),
        ("files imported exactly once", f.imported_once),
        ("duplicate imports", f.duplicates),
        ("  outside uncertain batches resent", f.duplicates_unexplained),
        ("files lost", f.lost),
        ("files reported as not imported (skipped)", f.skipped_reported),
        ("uncertain batches", f.uncertain),
        ("  resent", f.resent),
        ("  skipped", f.skipped),
        ("  skipped, though the server had acted on them", f.skipped_but_imported),
        ("  still undecided", f.still_open),
        ("images exported exactly once", f.exported_once),
        ("duplicate exports", f.export_duplicates),
        ("  outside uncertain batches resent", f.export_duplicates_unexplained),
        ("images lost on export", f.exports_lost),
        ("images reported as not exported (skipped)", f.export_skipped),
        ("wall time", f"{report.seconds:.0f} s"),
    ]
    width = max(len(str(k)) for k, _ in rows)
    lines = [f"| {'figure':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {k:<{width}} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workflows", type=int, default=200)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--ratio", type=float, default=0.2, help="share of requests that fail")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument(
        "--profile", choices=("service", "document"), default="document", help="the emulator's"
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child_main(args.child)
    report = run_campaign(
        workflows=args.workflows,
        kills=args.kills,
        ratio=args.ratio,
        seed=args.seed,
        threads=args.threads,
        profile=args.profile,
    )
    print(f"emulator profile: {args.profile}")
    print(table(report))
    f = figures(report)
    ok = (
        f.listings_complete == f.listings
        and f.listings_short == 0
        and f.lost == 0
        and f.exports_lost == 0
        and f.duplicates_unexplained == 0
        and f.export_duplicates_unexplained == 0
        and f.unfinished == 0
    )
    print("targets met" if ok else "TARGETS MISSED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
