"""`/_emulator/`: the admin API and the fake Google consent page.

Deliberately outside openapi.yaml (and not validated against it): tests and demos use it to
reset state, cancel jobs, read counters, change knobs and move the clock; under the `service`
profile also to make keys with scopes, hand out signed-in sessions and revoke a connection's
Google grant. It names API keys and sessions by their fingerprint only (`config.key_fingerprint`,
`access.session_fingerprint`), parses bodies strictly (`jsonguard`), and moves the clock only
forward, by finite amounts, at most ten years in total.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import access, jobs, jsonguard
from .config import KEY_PATTERN, RUNTIME_KNOBS, key_fingerprint
from .consent import endpoint as consent_endpoint
from .core import Emulator
from .counters import ledger
from .errors import ApiError, envelope
from .state import ACTIVE_STATES

#: An API key anywhere in a string (KEY_PATTERN is meant for fullmatch).
KEY_SEARCH = re.compile(rf"(?<![A-Za-z0-9_-]){KEY_PATTERN.pattern}")
#: A signed-in session token anywhere in a string.
SESSION_SEARCH = re.compile(rf"(?<![A-Za-z0-9_-]){access.SESSION_PATTERN.pattern}")

#: How far the admin API may move the clock in total (ten years): enough to expire anything.
MAX_CLOCK_OFFSET = 10 * 365 * 86400.0


def redact_keys(value: Any) -> Any:
    """`value` with every API key and session in it (dict keys, strings) replaced by its
    fingerprint.

    Applied to the whole stats answer, so a counter added later cannot leak a key either.
    """
    if isinstance(value, str):
        value = SESSION_SEARCH.sub(lambda m: access.session_fingerprint(m.group()), value)
        return KEY_SEARCH.sub(lambda m: key_fingerprint(m.group()), value)
    if isinstance(value, dict):
        return {redact_keys(k): redact_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_keys(v) for v in value]
    return value


def _needs_service(what: str) -> ApiError:
    return ApiError(409, "NEEDS_SERVICE_PROFILE", f"{what}: only under the service profile")


def _error(e: ApiError) -> JSONResponse:
    return JSONResponse(envelope(e.code, e.message, e.details, "admin"), e.status)


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = jsonguard.loads(raw)
    except jsonguard.BodyError as e:
        raise ApiError(400, "BAD_REQUEST", str(e)) from None
    if not isinstance(data, dict):
        raise ApiError(400, "BAD_REQUEST", "Body must be a JSON object")
    return data


def routes(emu: Emulator) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        return JSONResponse(
            {"ok": True, "big": emu.config.big_folder_size, "profile": emu.config.profile}
        )

    async def stats(request: Request) -> Response:
        # Keys are secrets: the admin API names them by fingerprint (see key_fingerprint).
        return JSONResponse(
            redact_keys(
                {
                    **emu.counters.snapshot(),
                    **ledger(emu.store, emu.counters),
                    "jobs_created_by_key": emu.store.jobs_per_key(),
                    "active_jobs": len(emu.store.active_jobs()),
                    "keys": len(emu.store.keys()),
                }
            )
        )

    async def reset(request: Request) -> Response:
        emu.reset()
        return JSONResponse({"reset": True})

    async def new_key(request: Request) -> Response:
        try:
            body = await _json(request)
        except ApiError as e:
            return _error(e)
        key = str(body.get("api_key") or "aion_test_" + secrets.token_urlsafe(24))
        if not KEY_PATTERN.fullmatch(key):
            return _error(
                ApiError(400, "BAD_REQUEST", "Keys look like aion_ + 20 of [A-Za-z0-9_-]")
            )
        scopes: tuple[str, ...] | None = None
        if body.get("scopes") is not None:
            if not emu.config.service:
                return _error(_needs_service("Key scopes"))
            try:
                scopes = access.check_scopes(body["scopes"])
            except ValueError as e:
                return _error(ApiError(400, "BAD_REQUEST", str(e)))
        emu.store.add_key(key, str(body.get("label", "admin")), emu.now(), scopes)
        if not emu.config.service:
            return JSONResponse({"api_key": key}, 201)
        held = emu.store.key_scopes(key)
        return JSONResponse(
            {"api_key": key, "scopes": list(access.SCOPES) if held is None else sorted(held)}, 201
        )

    async def new_session(request: Request) -> Response:
        # A signed-in web session, as the web app's login would make one: bound to a key's
        # data (its connections, picker sessions, jobs), sent as the `session` cookie.
        try:
            body = await _json(request)
            if not emu.config.service:
                raise _needs_service("Signed-in sessions")
            key = str(body.get("api_key") or emu.config.default_key)
            if not KEY_PATTERN.fullmatch(key) or not emu.store.has_key(key):
                raise ApiError(404, "NOT_FOUND", "No such API key")
        except ApiError as e:
            return _error(e)
        token = "sess_" + secrets.token_urlsafe(32)
        emu.store.add_web_session(access.session_digest(token), key, emu.now())
        return JSONResponse(
            {"session": token, "cookie": access.SESSION_COOKIE, "key": key_fingerprint(key)}, 201
        )

    async def revoke_grant(request: Request) -> Response:
        # As if the user removed the app at myaccount.google.com: the connection stays, but
        # Google refuses its tokens until the account is connected again.
        conn_id = request.path_params["connection_id"]
        if not emu.config.service:
            return _error(_needs_service("Revoking a Google grant"))
        conn = emu.store.live_connection_by_id(conn_id)
        if conn is None:
            return _error(ApiError(404, "NOT_FOUND", "No such connection"))
        emu.store.set_grant_revoked(conn["id"], True)
        return JSONResponse({"connection_id": conn["id"], "grant_revoked": True})

    async def cancel_job(request: Request) -> Response:
        try:
            job = jobs.cancel(emu, request.path_params["job_id"])
        except ApiError as e:
            return _error(e)
        return JSONResponse({"job": jobs.job_body(job)})

    async def job_detail(request: Request) -> Response:
        job = emu.store.job(None, request.path_params["job_id"])
        if job is None:
            return _error(ApiError(404, "NOT_FOUND", "No such job"))
        items = [
            {"index": i["idx"], "state": i["state"], "result": i["result"], "error": i["error"]}
            for i in emu.store.job_items(job["id"])
        ]
        return JSONResponse(
            {
                "job": jobs.job_body(job),
                "backend_status": job["status"],
                "items": items,
                "active": job["status"] in ACTIVE_STATES,
            }
        )

    async def config(request: Request) -> Response:
        if request.method == "PATCH":
            try:
                changes = await _json(request)
                unknown = set(changes) - set(RUNTIME_KNOBS)
                if unknown:
                    raise ApiError(400, "BAD_REQUEST", f"Unknown or fixed knobs: {sorted(unknown)}")
                emu.config = attrs.evolve(emu.config, **changes)
            except ApiError as e:
                return _error(e)
            except (TypeError, ValueError) as e:
                return _error(ApiError(400, "BAD_REQUEST", f"Invalid knob value: {e}"))
        return JSONResponse(emu.config.runtime_view())

    async def advance_clock(request: Request) -> Response:
        try:
            body = await _json(request)
            seconds = body.get("seconds", 0)
            # Only a finite JSON number; a NaN or a far future would break every later timestamp.
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise ApiError(400, "BAD_REQUEST", "seconds must be a JSON number")
            if not 0 <= seconds <= MAX_CLOCK_OFFSET:
                raise ApiError(
                    400, "BAD_REQUEST", f"seconds must be between 0 and {MAX_CLOCK_OFFSET:.0f}"
                )
            emu.clock.advance(float(seconds), limit=MAX_CLOCK_OFFSET)
        except ApiError as e:
            return _error(e)
        except ValueError as e:
            return _error(ApiError(400, "BAD_REQUEST", f"seconds: {e}"))
        return JSONResponse({"now": emu.now()})

    async def consent(request: Request) -> Response:
        return await consent_endpoint(emu, request)

    return [
        Route("/health", health),
        Route("/stats", stats),
        Route("/reset", reset, methods=["POST"]),
        Route("/keys", new_key, methods=["POST"]),
        Route("/sessions", new_session, methods=["POST"]),
        Route("/connections/{connection_id}/revoke-grant", revoke_grant, methods=["POST"]),
        Route("/jobs/{job_id}", job_detail),
        Route("/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
        Route("/config", config, methods=["GET", "PATCH"]),
        Route("/clock/advance", advance_clock, methods=["POST"]),
        Route("/oauth/consent", consent, methods=["GET", "POST"]),
    ]
