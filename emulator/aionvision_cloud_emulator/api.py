"""Handlers of the ten product operations, keyed by the operationIds of openapi.yaml.

The pipeline in app.py has already authenticated, rate-limited and validated the request
against the spec by the time a handler runs, so handlers only apply the service's rules.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from starlette.requests import Request

from . import jobs, oauth
from .clock import iso
from .core import Emulator
from .drive import DriveError
from .errors import ApiError


@attrs.define
class Call:
    emu: Emulator
    request: Request
    api_key: str | None
    path: dict[str, str]
    body: Any

    @property
    def key(self) -> str:
        # Operations other than the browser callback always run with a verified key.
        assert self.api_key is not None
        return self.api_key


@attrs.define
class Result:
    status: int
    body: Any
    content_type: str = "application/json"
    headers: dict[str, str] = attrs.Factory(dict)


Handler = Callable[[Call], Awaitable[Result]]


async def initiate_auth(call: Call) -> Result:
    return Result(
        200,
        oauth.initiate(
            call.emu,
            call.key,
            call.path["provider"],
            call.body,
            str(call.request.base_url),
            call.request.headers.get("origin"),
        ),
    )


async def oauth_callback(call: Call) -> Result:
    query = dict(call.request.query_params)
    page, headers = oauth.callback_page(call.emu, call.path["provider"], query)
    return Result(200, page, "text/html; charset=utf-8", headers=headers)


async def complete_auth(call: Call) -> Result:
    return Result(200, oauth.complete(call.emu, call.key, call.path["provider"], call.body))


async def list_connections(call: Call) -> Result:
    provider = call.request.query_params.get("provider")
    active_only = call.request.query_params.get("active_only", "true").lower() != "false"
    rows = [
        r
        for r in call.emu.store.connections(call.key)
        if (provider is None or r["provider"] == provider) and (r["is_active"] or not active_only)
    ]
    return Result(
        200,
        {"connections": [oauth.connection_body(r) for r in rows], "total_count": len(rows)},
    )


async def disconnect(call: Call) -> Result:
    conn = jobs.live_connection(call.emu, call.key, call.path["connection_id"])
    call.emu.store.revoke_connection(conn["id"], call.emu.now())
    return Result(200, {"success": True, "message": "Connection disconnected successfully"})


async def get_picker_token(call: Call) -> Result:
    emu = call.emu
    conn = jobs.live_connection(emu, call.key, call.path["connection_id"])
    if conn["grant_revoked"]:
        raise ApiError(
            401,
            "REAUTH_REQUIRED",
            "Google authorization for this connection has expired or was revoked; "
            "connect the account again",
            {"connection_id": conn["id"]},
            extra={"requires_reauth": True},
        )
    now = emu.now()
    session = {
        "id": "picker_sess_" + secrets.token_urlsafe(18),
        "api_key": call.key,
        "connection_id": conn["id"],
        "access_token": "ya29.emulator-" + secrets.token_urlsafe(32),
        "expires_at": now + emu.config.picker_session_ttl,
    }
    emu.store.add_session(session)
    emu.store.touch_connection(conn["id"], now)
    return Result(
        200,
        {
            "session": {
                "session_id": session["id"],
                "access_token": session["access_token"],
                "app_id": "000000000000",
                "developer_key": "AIzaSy-emulator-" + secrets.token_urlsafe(12),
                "expires_at": iso(session["expires_at"]),
            }
        },
    )


_DRIVE_ID = r"[A-Za-z0-9_-]+"
_ENDPOINTS = (
    ("list", re.compile(r"files")),
    ("get", re.compile(rf"files/({_DRIVE_ID})")),
    ("export", re.compile(rf"files/({_DRIVE_ID})/export")),
    ("about", re.compile(r"about")),
)


async def picker_proxy(call: Call) -> Result:
    emu = call.emu
    session = emu.store.session(call.key, call.body["session_id"])
    if session is None:
        raise ApiError(401, "INVALID_SESSION", "Unknown picker session", {"field": "session_id"})
    if session["expires_at"] < emu.now():
        raise ApiError(
            401,
            "SESSION_EXPIRED",
            "Picker session expired; get a new one from picker-token",
            {"field": "session_id"},
        )
    conn = jobs.live_connection(emu, call.key, session["connection_id"])
    if conn["grant_revoked"]:
        # Google refuses the session's access token now: the service reports an expired
        # session, and the new token it points to answers requires_reauth.
        raise ApiError(
            401,
            "SESSION_EXPIRED",
            "Picker session expired; get a new one from picker-token",
            {"field": "session_id"},
        )
    endpoint = str(call.body["endpoint"]).strip("/")
    params: dict[str, Any] = call.body.get("params") or {}
    kind = ""
    m: re.Match[str] | None = None
    for kind, pattern in _ENDPOINTS:  # noqa: B007 - `kind` is used after the loop
        m = pattern.fullmatch(endpoint)
        if m:
            break
    else:
        raise ApiError(
            400,
            "ENDPOINT_NOT_ALLOWED",
            f"Endpoint {endpoint!r} is not allowed; use files, files/{{id}}, "
            "files/{id}/export or about",
            {"field": "endpoint"},
        )
    assert m is not None
    view = emu.drive_for(conn)
    try:
        if kind == "list":
            answer = view.list(params)
        elif kind == "get":
            answer = view.get_resource(m.group(1), params)
        elif kind == "export":
            answer = view.export(m.group(1), params)
        else:
            answer = view.about(params)
    except DriveError as e:
        raise ApiError(
            404 if e.status == 404 else 400,
            "NOT_FOUND" if e.status == 404 else "INVALID_DRIVE_REQUEST",
            f"Google Drive: {e.message}",
            {
                "drive_status": e.status,
                "reason": e.reason,
                **({"field": f"params.{e.location}"} if e.location else {}),
            },
        ) from None
    emu.store.touch_connection(conn["id"], emu.now())
    # The service wraps Drive's answer (its published schema requires `data`); the document
    # shows it bare.
    return Result(200, {"data": answer} if emu.config.service else answer)


async def import_files(call: Call) -> Result:
    return Result(200, jobs.start_import(call.emu, call.key, call.body))


async def export_files(call: Call) -> Result:
    return Result(200, jobs.start_export(call.emu, call.key, call.body))


async def get_job(call: Call) -> Result:
    job = call.emu.store.job(call.key, call.path["job_id"])
    if job is None:
        raise ApiError(
            404, "NOT_FOUND", f"Job {call.path['job_id']!r} not found", {"resource": "job"}
        )
    return Result(200, {"job": jobs.job_body(job)})


HANDLERS: dict[str, Handler] = {
    "initiate_auth": initiate_auth,
    "oauth_callback": oauth_callback,
    "complete_auth": complete_auth,
    "list_connections": list_connections,
    "disconnect": disconnect,
    "get_picker_token": get_picker_token,
    "picker_proxy": picker_proxy,
    "import_files": import_files,
    "export_files": export_files,
    "get_job": get_job,
}

#: Operations a browser reaches without an API key.
KEYLESS = frozenset({"oauth_callback"})
