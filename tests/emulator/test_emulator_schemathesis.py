"""Property-based run of every operation in openapi.yaml against the running emulator, in the
``document`` profile and in the ``service`` one (wrapped proxy answers, scope and session
refusals, ``cloud_file_ids``): whatever either answers stays within openapi.yaml.

Bounded (a few examples per operation, fixed seed) so the whole suite stays quick. The
checks: no 5xx, only documented status codes, content types, headers and bodies.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aionvision_cloud_emulator.server import RunningEmulator, run_emulator

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"
schema = schemathesis.openapi.from_path(SPEC)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


BOUNDED = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@schema.parametrize()
@BOUNDED
def test_api_conforms(case: Any, fast_emulator: RunningEmulator) -> None:
    headers = {"Authorization": f"Bearer {fast_emulator.api_key}"}
    case.call_and_validate(base_url=fast_emulator.base_url, headers=headers, checks=CHECKS)


def test_schemathesis_run_left_no_spec_violation(fast_emulator: RunningEmulator) -> None:
    # The response validator inside the emulator agrees: nothing it served broke the spec.
    stats = fast_emulator.admin.stats()
    assert stats["spec_violations"] == []
    assert "500" not in stats["responses_by_status"]
    # Every operation was exercised, and some calls got through to a 200.
    assert len(stats["requests_by_operation"]) == 10
    assert stats["responses_by_status"].get("200", 0) > 0


@pytest.fixture(scope="module")
def service_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(
        profile="service", job_pace=400.0, job_start_delay=0.05, big_folder_size=50
    ) as emu:
        yield emu


@schema.parametrize()
@BOUNDED
def test_api_conforms_under_service(case: Any, service_emulator: RunningEmulator) -> None:
    headers = {"Authorization": f"Bearer {service_emulator.api_key}"}
    case.call_and_validate(base_url=service_emulator.base_url, headers=headers, checks=CHECKS)
    # The emulator's own response check agrees, after every case (so the test stands alone
    # when parallel workers split the module).
    stats = service_emulator.admin.stats()
    assert stats["spec_violations"] == []
    assert "500" not in stats["responses_by_status"]
