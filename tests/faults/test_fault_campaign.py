"""The short fault campaign inside `make test` (`make faults` runs the long one)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "faults.py"


def _campaign() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aion_bench_faults", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs classes need their module registered
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(600)
def test_short_campaign_loses_nothing_and_duplicates_only_resent_batches() -> None:
    faults = _campaign()
    # Slow faults of 0.48 s against a 0.4 s timeout (make faults: 1.2 s and 1 s), and 4 listings
    # of the big folder (make faults: 10), keep it short.
    report = faults.run_campaign(
        workflows=12, kills=2, ratio=0.3, seed=3, threads=6, http_timeout=0.4, listings=4
    )
    f = faults.figures(report)
    print(faults.table(report))
    assert f.workflows == 12
    assert f.killed_runs == 2
    # Drive listed with the faults on: every listing whole, however many runs it took.
    assert f.listings == 4
    assert f.listings_complete == f.listings
    assert f.listings_short == 0
    # The journal's edge cases were walked: a reconnect and a journal write failure.
    assert f.reconnects == 1
    assert f.journal_failures == 1
    assert sum(f.faults.values()) > 0
    assert f.files == 14 * faults.FILES_PER_WORKFLOW
    assert f.lost == 0
    assert f.exports_lost == 0
    assert f.duplicates_unexplained == 0
    assert f.export_duplicates_unexplained == 0
    # Every workflow ends in a terminal status or a clear error.
    assert f.unfinished == 0
    assert f.completed + f.clear_errors == 14
    assert all(
        wf.error is None or wf.error.split(":")[0] in ("import", "export")
        for wf in report.workflows
    )
