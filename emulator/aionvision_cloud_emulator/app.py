"""The Starlette application: routes from openapi.yaml, and the pipeline every call goes through.

Pipeline of a product call: latency -> injected fault (or delay) -> API key (or, under the
`service` profile, a signed-in session) -> rate limit -> key scopes (`service`) -> request
validated against the spec -> handler -> (a fault after acting) -> response validated against
the spec.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from . import access, admin, guard, jsonguard
from .api import HANDLERS, KEYLESS, Call, Result
from .config import AFTER_FAULT_KINDS, KEY_PATTERN, EmulatorConfig
from .core import Emulator, log
from .errors import ApiError, envelope
from .faults import FAULT_ANSWERS, UNAVAILABLE_RETRY_AFTER, ConnectionDropped
from .jobs import JobRunner
from .validation import issue_dicts


class DropResponse(Response):
    """Starts an answer, then dies: the client sees the connection close mid-response."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"job": {', "more_body": True})
        raise ConnectionDropped


def _authenticate(emu: Emulator, request: Request, op_id: str) -> tuple[str | None, bool]:
    """The key whose data the call works on, and whether a signed-in session (not the key
    itself) presented it. Only the service profile looks at the `session` cookie."""
    if emu.config.service and op_id in access.SESSION_OPERATIONS:
        token = request.cookies.get(access.SESSION_COOKIE)
        if token:
            key = emu.store.web_session_key(access.session_digest(token))
            if key is None:
                # The message never repeats the token: sessions are secrets like keys.
                raise ApiError(
                    401, "INVALID_SESSION_COOKIE", "Invalid or expired session; sign in again"
                )
            return key, True
        if emu.config.session_only:
            raise access.session_required()
    return _bearer(emu, request, optional=op_id in KEYLESS), False


def _bearer(emu: Emulator, request: Request, optional: bool) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        if optional:
            return None
        raise ApiError(
            401,
            "INVALID_API_KEY",
            "Missing API key: send Authorization: Bearer aion_...",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not KEY_PATTERN.fullmatch(key) or not emu.store.has_key(key):
        # The message never repeats the key: keys are secrets.
        raise ApiError(
            401, "INVALID_API_KEY", "Invalid API key", headers={"WWW-Authenticate": "Bearer"}
        )
    return key


def _validation_error(emu: Emulator, status: int, issues: list[dict[str, Any]]) -> ApiError:
    first: dict[str, Any] = issues[0] if issues else {"loc": ["request"], "msg": "invalid"}
    field = ".".join(str(p) for p in first["loc"][1:]) or str(first["loc"][0])
    details = {"field": field, "issue": first["msg"], "errors": issues}
    if status == 400:
        return ApiError(400, "BAD_REQUEST", str(first["msg"]), details)
    body = None
    if emu.config.validation_error_style == "detail":
        body = {"detail": issues}
    return ApiError(422, "VALIDATION_ERROR", "Invalid request parameters", details, body=body)


def _injected(fault: str) -> ApiError:
    status, code, message = FAULT_ANSWERS[fault]
    headers = {"Retry-After": UNAVAILABLE_RETRY_AFTER} if status in (429, 503) else None
    return ApiError(status, code, message, {"injected": True}, headers=headers)


def _check_body(raw: bytes) -> None:
    # Before the validator: its JSON parsing and schema walk would recurse past Python's limit.
    try:
        jsonguard.check_depth(raw)
    except jsonguard.BodyError as e:
        raise ApiError(400, "BAD_REQUEST", str(e), {"field": "body"}) from None


def _loads(raw: bytes) -> Any:
    try:
        return jsonguard.loads(raw)
    except jsonguard.BodyError as e:
        raise ApiError(400, "BAD_REQUEST", str(e), {"field": "body"}) from None


#: Bodies larger than this (bytes) are validated and parsed in a worker thread; smaller ones
#: take well under a millisecond, less than the hop to a thread would.
OFF_LOOP_BODY = 64 * 1024


class Pipeline:
    """One operation of openapi.yaml, served with the checks every product call gets."""

    def __init__(self, emu: Emulator, template: str, operations: dict[str, str]) -> None:
        self.emu = emu
        self.template = template
        self.operations = operations  # method -> operationId

    async def handle(self, request: Request) -> Response:
        emu = self.emu
        op_id = self.operations[request.method]
        request_id = str(uuid.uuid4())
        key: str | None = None
        try:
            if emu.config.latency > 0:
                await asyncio.sleep(emu.config.latency)
            fault = emu.faults.roll(emu.config.fault_ratio, emu.config.fault_kinds)
            if fault is not None:
                emu.counters.fault(fault)
            if fault == "slow":
                await asyncio.sleep(emu.config.fault_latency)
            elif fault is not None and fault not in AFTER_FAULT_KINDS:
                emu.counters.request(None, op_id)
                if fault == "drop":
                    return DropResponse()
                raise _injected(fault)
            via_session = False
            try:
                key, via_session = _authenticate(emu, request, op_id)
            finally:
                emu.counters.request(key, op_id)
            if key is not None:
                wait = emu.limiter.check(key, emu.config.rate_limit)
                if wait is not None:
                    emu.counters.limited()
                    raise ApiError(
                        429,
                        "RATE_LIMIT_ERROR",
                        f"Rate limit of {emu.config.rate_limit} requests per minute exceeded",
                        {"retry_after": wait, "limit_per_minute": emu.config.rate_limit},
                        headers={"Retry-After": str(wait)},
                    )
                if emu.config.service and not via_session:
                    access.require(op_id, emu.store.key_scopes(key))
            raw = await request.body()
            path_params = {k: str(v) for k, v in request.path_params.items()}
            args = (request, path_params, raw)
            # Validating a body of a few MB walks it in pure Python for a second or more: in a
            # worker thread, so the event loop goes on serving other clients meanwhile.
            if len(raw) > OFF_LOOP_BODY:
                body = await run_in_threadpool(self._parse, *args)
            else:
                body = self._parse(*args)
            result = await HANDLERS[op_id](Call(emu, request, key, path_params, body))
            # The handler has acted (an import or export committed its job); lose the answer.
            if fault == "drop_after":
                return DropResponse()
            if fault == "500_after":
                raise _injected(fault)
        except ApiError as e:
            result = Result(e.status, e.to_body(request_id), headers=e.headers)
        except ClientDisconnect:
            # The client gave up (its timeout beat a slow answer): nobody is left to answer.
            log.debug("client went away during %s", op_id)
            return Response(status_code=204)
        except Exception:
            log.exception("unexpected error in %s", op_id)
            result = Result(
                500, envelope("INTERNAL_ERROR", "Unexpected emulator error", None, request_id)
            )
        return self._respond(request, op_id, result, request_id)

    def _parse(self, request: Request, path_params: dict[str, str], raw: bytes) -> Any:
        """The request held to openapi.yaml, then its body parsed (None without one)."""
        _check_body(raw)
        check = self.emu.validator.check_request(
            request.method,
            self.template,
            path_params,
            request.query_params.multi_items(),
            request.headers.items(),
            request.cookies.items(),
            request.headers.get("content-type", ""),
            raw or None,
        )
        if check is not None:
            raise _validation_error(self.emu, check.status, issue_dicts(check.issues))
        return _loads(raw) if raw else None

    def _respond(self, request: Request, op_id: str, result: Result, request_id: str) -> Response:
        emu = self.emu
        body = result.body
        if emu.config.response_hook is not None:
            body = emu.config.response_hook(op_id, result.status, body)
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers = {**result.headers, "X-Request-ID": request_id}
        errors = emu.validator.check_response(
            request.method,
            self.template,
            {k: str(v) for k, v in request.path_params.items()},
            result.status,
            result.content_type,
            headers.items(),
            data,
        )
        if errors:
            emu.counters.violation(op_id, result.status, errors)
            log.error("response of %s breaks openapi.yaml: %s", op_id, "; ".join(errors))
            if emu.config.strict:
                result = Result(500, {}, headers={})
                data = json.dumps(
                    envelope(
                        "RESPONSE_VALIDATION_ERROR",
                        f"The emulator produced a response of {op_id} that breaks openapi.yaml",
                        {"errors": errors},
                        request_id,
                    )
                ).encode()
                headers = {"X-Request-ID": request_id}
        emu.counters.status(result.status)
        return Response(data, result.status, headers=headers, media_type=result.content_type)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
    message = {404: "No such endpoint", 405: "Method not allowed"}.get(
        exc.status_code, str(exc.detail)
    )
    return JSONResponse(
        envelope(code, f"{message}: {request.method} {request.url.path}", None, str(uuid.uuid4())),
        exc.status_code,
        headers=dict(exc.headers or {}),
    )


def product_routes(emu: Emulator) -> list[BaseRoute]:
    by_template: dict[str, dict[str, str]] = defaultdict(dict)
    for method, template, op_id in emu.validator.operations():
        if op_id not in HANDLERS:
            # The contract grew an operation the emulator doesn't serve: fail loudly, at once.
            raise RuntimeError(f"openapi.yaml operation {op_id!r} has no emulator handler")
        by_template[template][method] = op_id
    base = emu.validator.base_path
    routes: list[BaseRoute] = []
    for template, ops in by_template.items():
        route = Route(base + template, Pipeline(emu, template, ops).handle, methods=list(ops))
        # Starlette adds HEAD to GET routes; the spec has no HEAD operations, so: 405.
        if "HEAD" not in ops and route.methods is not None:
            route.methods.discard("HEAD")
        routes.append(route)
    return routes


def create_app(
    config: EmulatorConfig | None = None, *, emulator: Emulator | None = None
) -> Starlette:
    """The ASGI app; pass an `Emulator` to share its state with the caller."""
    emu = emulator or Emulator(config or EmulatorConfig())
    runner = JobRunner(emu)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            await runner.stop()

    app = Starlette(
        routes=[Mount("/_emulator", routes=admin.routes(emu)), *product_routes(emu)],
        exception_handlers={404: _http_error, 405: _http_error},
        middleware=[Middleware(guard.BodyGuard, config=lambda: emu.config)],
        lifespan=lifespan,
    )
    app.state.emulator = emu
    app.state.runner = runner
    return app
