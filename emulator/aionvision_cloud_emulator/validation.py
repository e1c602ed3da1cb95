"""Holds every exchange to openapi.yaml with openapi-core.

Requests are checked before a handler runs (a violation becomes the documented 400/422);
responses are checked before they leave (a violation is an emulator bug: counted, logged, and
in strict mode turned into a 500).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
from openapi_core import OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.exceptions import DeserializeError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import (
    MissingRequestBody,
    MissingRequiredParameter,
    MissingRequiredRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_ENV = "AIONVISION_EMULATOR_SPEC"


@lru_cache(maxsize=8)
def _cached_validator(path: Path, mtime: float) -> SpecValidator:
    return SpecValidator(path)


def shared_validator(spec_path: Path | str | None = None) -> SpecValidator:
    """A validator per spec file (reloaded when the file changes): loading takes a while."""
    path = locate_spec(spec_path).resolve()
    return _cached_validator(path, path.stat().st_mtime)


def locate_spec(explicit: Path | str | None = None) -> Path:
    """The contract: an explicit path, $AIONVISION_EMULATOR_SPEC, or the checkout's openapi.yaml."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(Path(explicit))
    elif os.environ.get(SPEC_ENV):
        candidates.append(Path(os.environ[SPEC_ENV]))
    else:
        # emulator/aionvision_cloud_emulator/validation.py -> the repository root.
        candidates.append(Path(__file__).resolve().parents[2] / "openapi.yaml")
        # An installed wheel carries its own copy (pyproject's force-include).
        candidates.append(Path(__file__).resolve().parent / "openapi.yaml")
        candidates.append(Path.cwd() / "openapi.yaml")
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"openapi.yaml not found (looked at {', '.join(map(str, candidates))}); "
        f"pass spec_path= or set ${SPEC_ENV}"
    )


@attrs.frozen
class Issue:
    """One request-validation problem, in the framework's `loc`/`msg`/`type` terms."""

    loc: tuple[str | int, ...]
    msg: str
    type: str


@attrs.frozen
class RequestCheck:
    #: 400 for a body that can't be read at all, 422 for one that breaks the schema.
    status: int
    issues: tuple[Issue, ...]


@attrs.define
class _Request:
    """openapi-core's request protocol, fed from a Starlette request already routed."""

    method: str
    host_url: str
    path: str
    path_pattern: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None


@attrs.define
class _Response:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


class SpecValidator:
    def __init__(self, spec_path: Path | str | None = None) -> None:
        self.spec_path = locate_spec(spec_path)
        self._openapi = OpenAPI.from_file_path(str(self.spec_path))
        server = urlsplit(str(self._openapi.spec["servers"][0]["url"]))
        # Requests are presented as if they reached the documented server, so the emulator's
        # own host and port never matter to path matching.
        self.host_url = f"{server.scheme}://{server.netloc}"
        self.base_path = server.path.rstrip("/")

    def operations(self) -> Iterable[tuple[str, str, str]]:
        """(method, path template, operationId) for every operation in the spec."""
        for path, item in self._openapi.spec["paths"].items():
            for method, op in item.items():
                if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                    yield method.upper(), str(path), str(op["operationId"])

    def _request(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, str],
        query: Iterable[tuple[str, str]],
        headers: Iterable[tuple[str, str]],
        content_type: str,
        body: bytes | None,
        cookies: Iterable[tuple[str, str]] = (),
    ) -> _Request:
        return _Request(
            method=method.lower(),
            host_url=self.host_url,
            path=self.base_path + template,
            path_pattern=self.base_path + template,
            parameters=RequestParameters(
                query=ImmutableMultiDict(list(query)),
                header=Headers(list(headers)),
                cookie=ImmutableMultiDict(list(cookies)),
                path=dict(path_params),
            ),
            content_type=content_type,
            body=body,
        )

    def check_request(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, str],
        query: Iterable[tuple[str, str]],
        headers: Iterable[tuple[str, str]],
        cookies: Iterable[tuple[str, str]],
        content_type: str,
        body: bytes | None,
    ) -> RequestCheck | None:
        """None when the request conforms; otherwise what is wrong with it."""
        request = self._request(
            method, template, path_params, query, headers, content_type, body, cookies
        )
        # Validation only: unmarshalling would also build Python objects, far slower on big bodies.
        errors = list(self._openapi.iter_request_errors(request))
        if not errors:
            return None
        status = 422
        issues: list[Issue] = []
        for error in errors:
            found, unreadable = _issues_of(error)
            issues.extend(found)
            if unreadable:
                status = 400
        return RequestCheck(status=status, issues=tuple(issues))

    def check_response(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, str],
        status: int,
        content_type: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
    ) -> list[str]:
        """Every way the response breaks the spec; empty when it conforms."""
        request = self._request(method, template, path_params, (), (), "", None)
        response = _Response(
            status_code=status,
            content_type=content_type,
            headers=Headers(list(headers)),
            data=body,
        )
        messages: list[str] = []
        for error in self._openapi.iter_response_errors(request, response):
            cause = error.__cause__
            if isinstance(cause, InvalidSchemaValue):
                for schema_error in _schema_errors(cause):
                    where = "/".join(str(p) for p in schema_error.absolute_path)
                    messages.append(f"{type(error).__name__} at /{where}: {schema_error.message}")
            else:
                messages.append(
                    f"{type(error).__name__}: {error}" + (f" ({cause})" if cause else "")
                )
        return messages


def _schema_errors(cause: InvalidSchemaValue) -> list[Any]:
    # jsonschema ValidationErrors (no stubs installed): .message, .validator, .absolute_path.
    return list(cause.schema_errors)


def _issues_of(error: Exception) -> tuple[list[Issue], bool]:
    """Translate one openapi-core error; the flag says the body could not even be read."""
    cause = error.__cause__
    if isinstance(error, ParameterValidationError):
        loc: tuple[str | int, ...] = (error.location, error.name)
        if isinstance(error, MissingRequiredParameter):
            return [Issue(loc, "Field required", "missing")], False
        if isinstance(cause, InvalidSchemaValue):
            return [
                Issue(loc, _say(e, loc), str(e.validator or "value_error"))
                for e in _schema_errors(cause)
            ], False
        if isinstance(cause, CastError):
            return [
                Issue(loc, _brief(f"Value {cause.value!r} is not a valid {cause.type}"), "type")
            ], False
        return [Issue(loc, _brief(str(cause or error)), "value_error")], False
    if isinstance(error, (MissingRequiredRequestBody, MissingRequestBody)):
        return [Issue(("body",), "Field required", "missing")], False
    if isinstance(error, RequestBodyValidationError):
        if isinstance(cause, InvalidSchemaValue):
            return [
                Issue(
                    ("body", *(p for p in e.absolute_path)),
                    _say(e, ("body", *(p for p in e.absolute_path))),
                    str(e.validator or "value_error"),
                )
                for e in _schema_errors(cause)
            ], False
        if isinstance(cause, MediaTypeNotFound):
            return [Issue(("body",), "Content-Type must be application/json", "content_type")], True
        if isinstance(cause, DeserializeError):
            return [Issue(("body",), "Body is not valid JSON", "json_invalid")], True
        return [Issue(("body",), _brief(str(cause or error)), "value_error")], True
    return [Issue(("request",), _brief(str(error)), "invalid")], False


#: Longest message an issue carries: jsonschema quotes the whole value, and a 10 MB field
#: must not come back as a 10 MB error.
MAX_MESSAGE = 200


#: Fields whose values are secrets: an error names the rule broken, never the value.
SECRET_FIELDS = frozenset({"code", "state", "session_id", "access_token", "developer_key"})


def _say(schema_error: Any, loc: tuple[str | int, ...]) -> str:
    if loc and loc[-1] in SECRET_FIELDS:
        return f"{loc[-1]} breaks the schema's {schema_error.validator or 'rules'}"
    return _brief(str(schema_error.message))


def _brief(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    return message[: MAX_MESSAGE // 2] + " ... " + message[-MAX_MESSAGE // 2 :]


def issue_dicts(issues: Iterable[Issue]) -> list[dict[str, Any]]:
    return [{"loc": list(i.loc), "msg": i.msg, "type": i.type} for i in issues]
