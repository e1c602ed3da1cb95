"""What the command line's tests share besides fixtures."""

from __future__ import annotations

import json
from typing import Any

import attrs

from aionvision_cloud._wire import json_key
from aionvision_cloud_api.models.job import Job


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


#: The keys of one job in every `--json` answer that shows jobs: every field of the generated
#: Job (so a field `make regen` adds is expected with no edit here), the mapped status's raw
#: spelling, and the image ids a job reports.
JOB_KEYS = {json_key(f.name) for f in attrs.fields(Job) if f.name != "additional_properties"} | {
    "raw_status",
    "image_ids",
}
