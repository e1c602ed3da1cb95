"""The service's error envelope, raised anywhere and rendered in one place."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer of the product API, rendered as the documented error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}
        #: A complete body that replaces the envelope (the `{"detail": [...]}` 422 shape).
        self.body = body
        #: Top-level fields beside `error` (`requires_reauth`).
        self.extra = extra or {}

    def to_body(self, request_id: str) -> dict[str, Any]:
        if self.body is not None:
            return self.body
        return {**envelope(self.code, self.message, self.details, request_id), **self.extra}


def envelope(
    code: str, message: str, details: dict[str, Any] | None, request_id: str
) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, "details": details},
        "request_id": request_id,
    }


def not_found(what: str, ident: str) -> ApiError:
    # Unknown and foreign ids answer alike, so ids of other keys don't leak.
    return ApiError(404, "NOT_FOUND", f"{what} {ident!r} not found", {"resource": what.lower()})
