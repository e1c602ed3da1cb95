"""What the emulator has seen, for the admin API (in memory; reset with the state)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import Store


class Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.requests_total = 0
        self.by_key: Counter[str] = Counter()
        self.by_operation: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.rate_limited = 0
        self.exports_by_image: Counter[str] = Counter()
        self.spec_violations: list[dict[str, Any]] = []

    def request(self, key: str | None, operation: str) -> None:
        with self._lock:
            self.requests_total += 1
            self.by_operation[operation] += 1
            if key is not None:
                self.by_key[key] += 1

    def status(self, status: int) -> None:
        with self._lock:
            self.by_status[str(status)] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def exported(self, image_id: str) -> None:
        with self._lock:
            self.exports_by_image[image_id] += 1

    def limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def violation(self, operation: str, status: int, errors: list[str]) -> None:
        with self._lock:
            self.spec_violations.append(
                {"operation": operation, "status": status, "errors": errors}
            )

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests_total": self.requests_total,
                "requests_by_key": dict(self.by_key),
                "requests_by_operation": dict(self.by_operation),
                "responses_by_status": dict(self.by_status),
                "faults_injected": dict(self.faults),
                "exports_by_image": dict(self.exports_by_image),
                "rate_limited": self.rate_limited,
                "spec_violations": list(self.spec_violations),
            }


def ledger(store: Store, counters: Counters) -> dict[str, Any]:
    """What happened to the user's files, counted by the server: the figures a fault campaign
    judges a client by (duplicates are files imported or exported more than once)."""
    imports = store.imports_per_source()
    exports = counters.snapshot()["exports_by_image"]
    return {
        "jobs_created": store.jobs_per_type(),
        "imports_by_source_file": imports,
        "duplicate_imports": {k: n for k, n in imports.items() if n > 1},
        "duplicate_exports": {k: n for k, n in exports.items() if n > 1},
    }
