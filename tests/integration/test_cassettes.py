"""The cassettes themselves: no secret in any file, one per workflow, readable, and a client that
sends something new fails with the request and the command that re-records."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import vcr
import yaml
from cassette_backends import REPLAY_REDIRECT_PORT, Backend
from cassette_kit import (
    CASSETTE_DIR,
    MATCH_ON,
    MATCHERS,
    PLACEHOLDER_RE,
    RECORD_COMMAND,
    SECRET_PATTERNS,
    Scrubber,
    VirtualClock,
    _json_or_none,
    cassette_error,
    rerecord_hint,
    serializer,
)
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request

from aionvision_cloud import Client
from aionvision_cloud_emulator.config import default_api_key

CASSETTES = sorted(CASSETTE_DIR.rglob("*.yaml"))
# Each workflow module and the folder its cassettes go to (service: the service as it runs today).
WORKFLOWS = {
    Path(__file__).with_name("test_workflows.py"): (CASSETTE_DIR, 13),
    Path(__file__).with_name("test_workflows_service.py"): (CASSETTE_DIR / "service", 4),
}
SECRET_KEYS = {"code", "state", "access_token", "developer_key", "refresh_token", "id_token"}


def workflow_names(module: Path) -> list[str]:
    tree = ast.parse(module.read_text())
    return [
        node.name.removeprefix("test_")
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]


@pytest.mark.parametrize("module", sorted(WORKFLOWS), ids=lambda p: p.stem)
def test_one_cassette_per_workflow_and_none_left_over(module: Path) -> None:
    folder, count = WORKFLOWS[module]
    names = workflow_names(module)
    assert len(names) == count
    assert sorted(p.stem for p in folder.glob("*.yaml")) == sorted(names), (
        f"cassettes and workflows differ; re-record with `{RECORD_COMMAND}`"
    )


def _walk(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield f"{path}.{key}", value
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _walk(item, f"{path}[{i}]")


def _urls(data: Any) -> Iterator[str]:
    for _, value in _walk(data):
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            yield value


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: str(p.relative_to(CASSETTE_DIR)))
def test_no_secret_in_the_cassette(path: Path) -> None:
    text = path.read_text()
    concrete = [default_api_key(0), Backend.api_key, "ya29.", "AIzaSy", "4/0A"]
    for value in concrete:
        assert value not in text, f"{path.name} holds a secret ({value[:8]}...)"
    for name, pattern in SECRET_PATTERNS.items():
        found = pattern.search(text)
        assert found is None, f"{path.name} holds what looks like a {name}: {found.group()[:12]}"

    data = yaml.safe_load(text)
    for where, value in _walk(data):
        key = where.rsplit(".", 1)[-1]
        if key in SECRET_KEYS and isinstance(value, str) and where.count("json"):
            if key == "code" and "error" in where:
                continue  # an error envelope's code, not an OAuth code
            assert PLACEHOLDER_RE.fullmatch(value), f"{path.name}: {where} = {value[:6]}..."
        if key == "authorization":
            assert value == ["Bearer [filtered]"], f"{path.name}: an Authorization header"
    for url in _urls(data):
        for key, value in parse_qsl(urlsplit(url).query):
            if key in ("code", "state", "access_token", "key"):
                assert PLACEHOLDER_RE.fullmatch(value), f"{path.name}: {key}= in {url[:60]}"


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: str(p.relative_to(CASSETTE_DIR)))
def test_the_cassette_is_readable_yaml(path: Path) -> None:
    text = path.read_text()
    assert "!!binary" not in text
    assert "!!python" not in text
    data = yaml.safe_load(text)
    for item in data["interactions"]:
        for side in ("request", "response"):
            body = item[side]["body"]
            assert set(body) <= {"json", "string"}
            if "string" in body:
                # JSON bodies are stored decoded; what is left as text is empty or short HTML.
                assert len(body["string"]) < 2000
                assert _json_or_none(body["string"]) is None


def test_the_scrubber_filters_requests_and_responses() -> None:
    key = "aion_" + "K" * 30
    scrubber = Scrubber(emulator_netloc="127.0.0.1:40001")
    request = Request(
        "POST",
        "http://127.0.0.1:40001/api/v2/x?state=s3cr3tstate&api_key=" + key,
        json.dumps({"code": "4/0Asecretcode", "state": "s3cr3tstate", "note": key}).encode(),
        {"Authorization": f"Bearer {key}", "Host": "127.0.0.1:40001", "User-Agent": "x"},
    )
    clean = scrubber.request(request)
    response = scrubber.response(
        {
            "status": {"code": 302, "message": "Found"},
            "headers": {
                "Location": ["http://127.0.0.1:53682/callback?code=4%2F0Asecretcode&state=s3"],
                "Date": ["Sat, 28 Nov 2026 12:00:00 GMT"],
                "X-Request-ID": ["8b1f0c0e-1111-4222-8333-944455556666"],
            },
            "body": {
                "string": json.dumps(
                    {"session": {"access_token": "ya29.tok", "developer_key": "AIzaSyKEY"}}
                ).encode()
            },
        }
    )
    stored = json.dumps(
        [clean.uri, clean.body.decode(), dict(clean.headers), response], default=str
    )
    for secret in (key, "s3cr3tstate", "secretcode", "ya29.tok", "AIzaSyKEY", "40001"):
        assert secret not in stored
    assert clean.headers["Authorization"] == "Bearer [filtered]"
    assert "Host" not in clean.headers
    assert "date" not in response["headers"]
    # The same value gets the same placeholder in every place it appears.
    assert json.loads(clean.body)["state"] == "OAUTH_STATE_001"
    assert "state=OAUTH_STATE_001" in clean.uri
    assert "code=OAUTH_CODE_001" in response["headers"]["location"][0]


# -- stale cassettes -------------------------------------------------------------------------


@pytest.fixture
def replay() -> Iterator[Any]:
    """A cassette opened as ``make test`` opens it, for a client to talk to."""
    recorder = vcr.VCR(cassette_library_dir=str(CASSETTE_DIR), record_mode="none")
    recorder.register_serializer("yaml", serializer)
    for name, matcher in MATCHERS.items():
        recorder.register_matcher(name, matcher)

    def use(name: str) -> Any:
        scrubber = Scrubber()
        return recorder.use_cassette(
            name,
            serializer="yaml",
            match_on=MATCH_ON,
            before_record_request=scrubber.request,
            allow_playback_repeats=False,
        )

    return use


def _client() -> Client:
    return Client(api_key=Backend.api_key, base_url=Backend.base_url, clock=VirtualClock())


def test_a_changed_query_is_caught(replay: Any) -> None:
    with (
        replay("list_connections.yaml"),
        _client() as client,
        pytest.raises(CannotOverwriteExistingCassetteException) as caught,
    ):
        # The workflow asks for provider=google_drive first; this request never was recorded.
        client.cloud_storage.list_connections(active_only=False)
    hint = rerecord_hint(caught.value, "tests/integration/test_workflows.py::test_list_connections")
    assert "GET http://127.0.0.1:8765/api/v2/cloud-storage/connections?active_only=false" in hint
    assert RECORD_COMMAND in hint
    assert "--record-mode=rewrite" in hint


def test_a_changed_body_is_caught_but_not_a_changed_loopback_port(replay: Any) -> None:
    with replay("connect.yaml"), _client() as client:
        cs = client.cloud_storage
        with pytest.raises(CannotOverwriteExistingCassetteException) as caught:
            cs.start_auth("google_drive", f"http://127.0.0.1:{REPLAY_REDIRECT_PORT}/elsewhere")
        assert cassette_error(caught.value) is caught.value
        assert "body" in str(caught.value)
        # Another loopback port than the recorded one still matches.
        start = cs.start_auth("google_drive", "http://127.0.0.1:12345/callback")
        assert start.state == "OAUTH_STATE_001"


def test_a_request_sent_once_more_than_recorded_is_caught(replay: Any) -> None:
    with replay("connect.yaml"), _client() as client:
        cs = client.cloud_storage
        cs.start_auth("google_drive", "http://127.0.0.1:1/callback")
        with pytest.raises(CannotOverwriteExistingCassetteException):
            cs.start_auth("google_drive", "http://127.0.0.1:1/callback")


def test_a_missing_cassette_names_the_request_and_the_command(replay: Any) -> None:
    with (
        replay("no_such_workflow.yaml"),
        _client() as client,
        pytest.raises(CannotOverwriteExistingCassetteException) as caught,
    ):
        client.cloud_storage.get_job("job_123")
    hint = rerecord_hint(caught.value, "tests/integration/test_workflows.py::test_x")
    assert "no_such_workflow.yaml" in hint
    assert "GET http://127.0.0.1:8765/api/v2/cloud-storage/jobs/job_123" in hint
    assert RECORD_COMMAND in hint
