"""The property-based run of test_emulator_schemathesis.py, against the `service` profile.

Same bounded settings and checks: whatever the service profile answers (wrapped proxy answers,
scope and session refusals, `cloud_file_ids`) stays within openapi.yaml.
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


@pytest.fixture(scope="module")
def service_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(
        profile="service", job_pace=400.0, job_start_delay=0.05, big_folder_size=50
    ) as emu:
        yield emu


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_under_service(case: Any, service_emulator: RunningEmulator) -> None:
    headers = {"Authorization": f"Bearer {service_emulator.api_key}"}
    case.call_and_validate(base_url=service_emulator.base_url, headers=headers, checks=CHECKS)
    # The emulator's own response check agrees, after every case (so the test stands alone
    # when parallel workers split the module).
    stats = service_emulator.admin.stats()
    assert stats["spec_violations"] == []
    assert "500" not in stats["responses_by_status"]
