"""Resume planning: how long a journaled import takes to send its first request.

A journal holds ``--batches`` accepted batches of 100 files (an earlier run); the call then
imports ``new`` files the journal has never seen (and, in the last row, the recorded ones too),
and the clock stops at the first request on the wire (a mock transport; no network). Only the
public API is used, so the same script measures any version of the client:

    .venv/bin/python bench/resume.py                    # 10k and 100k files, 1,000 batches
    /work/main/.venv/bin/python bench/resume.py         # the same on another checkout
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from aionvision_cloud import Client

API_KEY = "aion_bench_KEY_0123456789abcdefXYZ"
PER_BATCH = 100


class _FirstRequest(Exception):
    """Raised by the transport at the first import request: the measurement ends there."""


def _seed(journal: Path, batches: int) -> list[dict[str, str]]:
    """An earlier run's journal: ``batches`` batches of 100 files, each accepted with a job."""
    recorded = [{"id": f"old{i}", "name": f"old{i}.jpg"} for i in range(batches * PER_BATCH)]
    n = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal n
        n += 1
        files = json.loads(request.content)["files"]
        body = {"job_id": f"job_{n}", "is_async": True, "image_ids": [], "total_files": len(files)}
        return httpx.Response(200, json=body)

    with Client(API_KEY, transport=httpx.MockTransport(answer)) as client:
        client.cloud_storage.import_files("conn_1", recorded, batch_size=PER_BATCH, journal=journal)
    return recorded


def time_to_first_request(batches: int, new: int, workdir: Path, with_recorded: bool) -> float:
    journal = workdir / f"resume-{batches}-{new}-{with_recorded}.journal"
    recorded = _seed(journal, batches)
    files = [{"id": f"new{i}", "name": f"new{i}.jpg"} for i in range(new)]
    if with_recorded:
        files = recorded + files
    started = 0.0
    sent_at = 0.0

    def first(request: httpx.Request) -> httpx.Response:
        nonlocal sent_at
        sent_at = time.perf_counter()
        raise _FirstRequest

    with Client(API_KEY, transport=httpx.MockTransport(first), max_retries=0) as client:
        started = time.perf_counter()
        with contextlib.suppress(_FirstRequest):
            client.cloud_storage.import_files(
                "conn_1", files, batch_size=PER_BATCH, journal=journal
            )
    if not sent_at:
        raise RuntimeError("no request was sent")
    return sent_at - started


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batches", type=int, default=1000)
    p.add_argument("--new", type=int, nargs="+", default=[10_000, 100_000])
    args = p.parse_args(argv)
    print(f"Python {sys.version.split()[0]}; {args.batches} recorded batches of {PER_BATCH} files")
    print("| new files | files in the call | seconds to the first request |")
    print("|---|---|---|")
    rows = [(new, False) for new in args.new] + [(args.new[-1], True)]
    with tempfile.TemporaryDirectory(prefix="aion-resume-") as tmp:
        for new, with_recorded in rows:
            seconds = time_to_first_request(args.batches, new, Path(tmp), with_recorded)
            total = new + (args.batches * PER_BATCH if with_recorded else 0)
            print(f"| {new:,} | {total:,} | {seconds:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
