"""What the command line's tests share besides fixtures."""

from __future__ import annotations

import json
from typing import Any

import attrs


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_line(self) -> str:
        """The one error line; fails the test unless stderr holds exactly one."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, self.err
        assert lines[0].startswith("Error: "), self.err
        return lines[0]
