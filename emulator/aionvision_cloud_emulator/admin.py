"""`/_emulator/`: the admin API and the fake Google consent page.

Deliberately outside openapi.yaml (and not validated against it): tests and demos use it to
reset state, cancel jobs, read counters, change knobs and move the clock.
"""

from __future__ import annotations

import secrets
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import jobs
from .config import KEY_PATTERN, RUNTIME_KNOBS
from .consent import endpoint as consent_endpoint
from .core import Emulator
from .counters import ledger
from .errors import ApiError, envelope
from .state import ACTIVE_STATES


def _error(e: ApiError) -> JSONResponse:
    return JSONResponse(envelope(e.code, e.message, e.details, "admin"), e.status)


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise ApiError(400, "BAD_REQUEST", "Body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "BAD_REQUEST", "Body must be a JSON object")
    return data


def routes(emu: Emulator) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "big": emu.config.big_folder_size})

    async def stats(request: Request) -> Response:
        return JSONResponse(
            {
                **emu.counters.snapshot(),
                **ledger(emu.store, emu.counters),
                "jobs_created_by_key": emu.store.jobs_per_key(),
                "active_jobs": len(emu.store.active_jobs()),
                "keys": len(emu.store.keys()),
            }
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
        emu.store.add_key(key, str(body.get("label", "admin")), emu.now())
        return JSONResponse({"api_key": key}, 201)

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
            seconds = float(body.get("seconds", 0))
        except ApiError as e:
            return _error(e)
        except (TypeError, ValueError):
            return _error(ApiError(400, "BAD_REQUEST", "seconds must be a number"))
        emu.clock.advance(seconds)
        return JSONResponse({"now": emu.now()})

    async def consent(request: Request) -> Response:
        return await consent_endpoint(emu, request)

    return [
        Route("/health", health),
        Route("/stats", stats),
        Route("/reset", reset, methods=["POST"]),
        Route("/keys", new_key, methods=["POST"]),
        Route("/jobs/{job_id}", job_detail),
        Route("/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
        Route("/config", config, methods=["GET", "PATCH"]),
        Route("/clock/advance", advance_clock, methods=["POST"]),
        Route("/oauth/consent", consent, methods=["GET", "POST"]),
    ]
