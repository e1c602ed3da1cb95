"""The one error type of the fake Drive: what Drive v3 would answer, as Drive spells it."""

from __future__ import annotations


class DriveError(Exception):
    """Drive's error: HTTP status, `reason` and, for a bad parameter, its name (`location`)."""

    def __init__(self, status: int, reason: str, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.location = location


def invalid(location: str, detail: str) -> DriveError:
    """Drive answers a bad parameter value with 400 `invalid` "Invalid Value"; we say why too."""
    return DriveError(400, "invalid", f"Invalid Value ({location}: {detail})", location)
