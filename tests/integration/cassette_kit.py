"""The cassette layer: readable YAML, secrets and drawn values filtered, port-free matching.

Imported by the integration conftest and tests as ``cassette_kit`` (the conftest puts this folder
on ``sys.path``).

* :class:`Scrubber` runs at record time on every request and response (vcrpy's
  ``before_record_request`` / ``before_record_response``) and, in replay, on every live request
  before it is matched. It replaces secrets (API key, OAuth code and state, picker
  ``access_token`` / ``developer_key``) and values the server draws at random (picker session
  ids, request ids) by numbered placeholders, the same value by the same placeholder everywhere
  in one cassette, so a replayed client sends back exactly what the cassette holds.
* The matchers compare path, query and JSON body by meaning: loopback ports, query order and
  JSON key order or spacing do not matter; headers are never matched.
* :data:`serializer` writes JSON bodies as YAML structures, not as escaped strings.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import yaml
from vcr.errors import CannotOverwriteExistingCassetteException

RECORD_COMMAND = "make record"
CASSETTE_DIR = Path(__file__).resolve().parent.parent / "cassettes"
#: Where the virtual clocks start: before any real recording, so replayed picker sessions recorded
#: against the real service never look expired.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
#: The port cassettes show for the emulator, whatever port it had while recording.
EMULATOR_NETLOC = "127.0.0.1:8765"

API_KEY_RE = re.compile(r"aion_[A-Za-z0-9_-]{20,}")
#: What a leaked secret looks like, for the scan of every cassette file.
SECRET_PATTERNS = {
    "API key": API_KEY_RE,
    "Google access token": re.compile(r"ya29\.[A-Za-z0-9._-]+"),
    "Google API key": re.compile(r"AIza[0-9A-Za-z_-]{10,}"),
    "OAuth code": re.compile(r"4/0A[A-Za-z0-9_-]+|4%2F0A[A-Za-z0-9_-]+"),
}
PLACEHOLDER_RE = re.compile(r"[A-Z][A-Z_]*_\d{3}|00000000-0000-4000-8000-\d{12}")

#: JSON keys whose string values are secrets or drawn at random, and their placeholder names.
#: ``code`` counts only next to a ``state`` (an error envelope's ``code`` is not a secret).
JSON_KEYS = {
    "state": "OAUTH_STATE",
    "access_token": "ACCESS_TOKEN",
    "refresh_token": "REFRESH_TOKEN",
    "id_token": "ID_TOKEN",
    "developer_key": "DEVELOPER_KEY",
    "session_id": "PICKER_SESSION",
    "request_id": "REQUEST_ID",
}
# The PKCE challenge is public, but drawn afresh each run: a placeholder keeps re-recording stable.
QUERY_KEYS = {"code": "OAUTH_CODE", "state": "OAUTH_STATE", "code_challenge": "PKCE_CHALLENGE"}
KEEP_REQUEST_HEADERS = {"content-type", "authorization"}
KEEP_RESPONSE_HEADERS = {"content-type", "location", "retry-after", "x-request-id"}
_LOOPBACK_PORT_RE = re.compile(r"(https?://(?:127\.0\.0\.1|localhost|\[::1\])):\d+")


class VirtualClock:
    """The client's clock in replay and in emulator recordings: sleeping costs no real time.

    ``on_sleep`` lets a recording move the emulator's time along with the client's.
    """

    def __init__(self, on_sleep: Callable[[float], None] | None = None) -> None:
        self._elapsed = 0.0
        self._on_sleep = on_sleep
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return EPOCH + timedelta(seconds=self._elapsed)

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.slept.append(seconds)
        self._elapsed += seconds
        if self._on_sleep is not None:
            self._on_sleep(seconds)


def _is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER_RE.fullmatch(value))


def _json_or_none(body: bytes | str | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


class Scrubber:
    """One per cassette: replaces secrets and drawn values by stable numbered placeholders."""

    def __init__(self, emulator_netloc: str | None = None) -> None:
        self._emulator_netloc = emulator_netloc
        self._values: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def _register(self, value: object, kind: str) -> None:
        if not isinstance(value, str) or not value or _is_placeholder(value):
            return
        if value in self._values:
            return
        self._counts[kind] = self._counts.get(kind, 0) + 1
        n = self._counts[kind]
        placeholder = (
            f"00000000-0000-4000-8000-{n:012d}" if kind == "REQUEST_ID" else f"{kind}_{n:03d}"
        )
        self._values[value] = placeholder

    def _discover_json(self, data: Any) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if key == "code" and "state" in data:
                    self._register(value, "OAUTH_CODE")
                elif key in JSON_KEYS:
                    self._register(value, JSON_KEYS[key])
                if isinstance(value, str) and "?" in value:
                    self._discover_url(value)
                self._discover_json(value)
        elif isinstance(data, list):
            for item in data:
                self._discover_json(item)

    def _discover_url(self, url: str) -> None:
        for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if key in QUERY_KEYS:
                self._register(value, QUERY_KEYS[key])

    def _text(self, text: str) -> str:
        # Longest first, so a value that contains another is replaced whole.
        for value in sorted(self._values, key=len, reverse=True):
            placeholder = self._values[value]
            text = text.replace(value, placeholder)
            encoded = quote(value, safe="")
            if encoded != value:
                text = text.replace(encoded, placeholder)
        text = API_KEY_RE.sub("aion_[filtered]", text)
        if self._emulator_netloc:
            text = text.replace(self._emulator_netloc, EMULATOR_NETLOC)
        return text

    def _body(self, body: bytes | str | None) -> bytes | str | None:
        if not body:
            return body
        if isinstance(body, bytes):
            try:
                return self._text(body.decode("utf-8")).encode("utf-8")
            except UnicodeDecodeError:
                return body
        return self._text(body)

    def request(self, request: Any) -> Any:
        request = copy.deepcopy(request)
        self._discover_url(request.uri)
        self._discover_json(_json_or_none(request.body))
        request.uri = self._text(request.uri)
        request.body = self._body(request.body)
        headers = {}
        for name, value in request.headers.items():
            if name.lower() not in KEEP_REQUEST_HEADERS:
                continue
            headers[name] = "Bearer [filtered]" if name.lower() == "authorization" else value
        request.headers = headers
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        response = copy.deepcopy(response)
        headers: dict[str, list[str]] = {}
        for name, values in response.get("headers", {}).items():
            if name.lower() not in KEEP_RESPONSE_HEADERS:
                continue
            if name.lower() == "location":
                for value in values:
                    self._discover_url(value)
            if name.lower() == "x-request-id":
                for value in values:
                    self._register(value, "REQUEST_ID")
            headers[name.lower()] = values
        body = response.get("body", {}).get("string")
        self._discover_json(_json_or_none(body))
        response["headers"] = {k: [self._text(v) for v in vs] for k, vs in headers.items()}
        response["body"] = {"string": self._body(body)}
        return response


# --- stale cassettes -------------------------------------------------------------------------


def rerecord_hint(exc: Any, nodeid: str) -> str:
    request = exc.failed_request
    what = f"{request.method} {request.uri}" if request is not None else "(no request)"
    return (
        f"This request is not in the cassette {exc.cassette._path}:\n\n    {what}\n\n"
        "Either the cassette is missing or stale, or the client now sends something it did not "
        "send when the cassette was recorded.\nRe-record every cassette against the emulator "
        f"with:\n\n    {RECORD_COMMAND}\n\nor only this one with:\n\n"
        f"    .venv/bin/python -m pytest '{nodeid}' --record-mode=rewrite\n"
    )


def cassette_error(exc: BaseException | None) -> Any:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, CannotOverwriteExistingCassetteException):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


# --- matching ---------------------------------------------------------------------------------


def _without_ports(value: Any) -> Any:
    if isinstance(value, str):
        return _LOOPBACK_PORT_RE.sub(r"\1:PORT", value)
    if isinstance(value, list):
        return [_without_ports(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_ports(v) for k, v in value.items()}
    return value


def _query(request: Any) -> list[tuple[str, str]]:
    pairs = parse_qsl(request.parsed_uri.query, keep_blank_values=True)
    return sorted((k, _without_ports(v)) for k, v in pairs)


def query_matcher(r1: Any, r2: Any) -> None:
    """Same query parameters, in any order, loopback ports aside."""
    q1, q2 = _query(r1), _query(r2)
    assert q1 == q2, f"query {q1} != {q2}"


def _body_value(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes | bytearray):
        body = bytes(body)
    data = _json_or_none(body)
    if data is not None:
        return _without_ports(data)
    return body or b""


def body_matcher(r1: Any, r2: Any) -> None:
    """Same JSON body (key order and spacing aside, loopback ports aside), or same bytes."""
    b1, b2 = _body_value(r1), _body_value(r2)
    assert b1 == b2, f"body {json.dumps(b1, default=str)} != {json.dumps(b2, default=str)}"


MATCH_ON = ("method", "path", "aion_query", "aion_body")
MATCHERS = {"aion_query": query_matcher, "aion_body": body_matcher}


# --- readable YAML ----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _pack_body(body: Any) -> Any:
    """A body as YAML: ``{json: ...}`` when it is JSON, else ``{string: ...}``."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    data = _json_or_none(text)
    if data is not None:
        return {"json": data}
    return {"string": text or ""}


def _unpack_body(packed: Any) -> str:
    if isinstance(packed, dict) and "json" in packed:
        return json.dumps(packed["json"], separators=(",", ":"))
    if isinstance(packed, dict):
        return str(packed.get("string") or "")
    return str(packed or "")


class PrettyYamlSerializer:
    """vcrpy serializer: JSON bodies stored decoded and pretty, headers as plain lists."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        out: dict[str, Any] = {"version": cassette["version"]}
        if cassette.get("metadata"):
            out["metadata"] = cassette["metadata"]
        interactions = []
        for item in cassette["interactions"]:
            request, response = item["request"], item["response"]
            interactions.append(
                {
                    "request": {
                        "method": request["method"],
                        "uri": request["uri"],
                        "headers": request["headers"],
                        "body": _pack_body(request["body"]),
                    },
                    "response": {
                        "status": response["status"],
                        "headers": response["headers"],
                        "body": _pack_body(response["body"]["string"]),
                    },
                }
            )
        out["interactions"] = interactions
        header = (
            "# Recorded by `make record` and replayed by tests/integration; do not edit by hand.\n"
        )
        return header + yaml.dump(
            out, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000
        )

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load(text)
        for item in data.get("interactions") or []:
            request, response = item["request"], item["response"]
            request["body"] = _unpack_body(request.get("body")) or None
            request["headers"] = {k: v for k, v in (request.get("headers") or {}).items()}
            body = _unpack_body(response.get("body"))
            response["body"] = {"string": body}
            headers = dict(response.get("headers") or {})
            headers["content-length"] = [str(len(body.encode("utf-8")))]
            response["headers"] = headers
        return data


serializer = PrettyYamlSerializer()
