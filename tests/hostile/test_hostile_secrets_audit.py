"""Secrets audit: DEBUG logging on for every logger, every error path driven with servers that
echo the secrets back, then no API key, OAuth code or state, picker access_token or
developer_key in any log record, repr, str, exception (chain and args included) or cassette.

Leaks are counted rather than failing on the first, so the README can print the number.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hostile_kit import API_KEY, Counting, FakeClock, json_response, make_client

from aionvision_cloud import Client, CloudStorage
from aionvision_cloud_emulator.server import RunningEmulator, run_emulator

CODE = "4/0AsecretAUTHcode-XYZ"
STATE = "stateSECRET0123456789"
ACCESS_TOKEN = "ya29.a0-SECRET-ACCESS-TOKEN"
DEVELOPER_KEY = "AIzaSy-SECRET-DEVELOPER-KEY"
SESSION_TOKEN = "webSessionSECRET-0123456789"
SECRETS = {
    "api_key": API_KEY,
    "session_token": SESSION_TOKEN,
    "code": CODE,
    "state": STATE,
    "access_token": ACCESS_TOKEN,
    "developer_key": DEVELOPER_KEY,
}
REDIRECT = "https://app.example.test/callback"
CASSETTES = Path(__file__).parents[1] / "cassettes"

SESSION_BODY = {
    "session": {
        "session_id": "sess_1",
        "access_token": ACCESS_TOKEN,
        "app_id": "123",
        "developer_key": DEVELOPER_KEY,
        "expires_at": "2025-01-15T11:30:00Z",
    }
}


def _echo(request: httpx.Request) -> str:
    """What a careless server puts in its error message: every secret it could know of. The
    OAuth code and state only when this request carried them (the client cannot recognise a
    random string it never saw); keys and tokens always (they have a recognisable shape)."""
    sent = request.content.decode(errors="replace")
    return " ".join(v for k, v in SECRETS.items() if k not in ("code", "state") or v in sent)


def _echo_error(status: int) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        echo = _echo(request)
        body = {
            "error": {"code": "X", "message": f"rejected {echo}", "details": {"got": echo}},
            "detail": [{"loc": ["body", "code"], "msg": f"bad {echo}", "type": "x"}],
            "request_id": "req-1",
        }
        return json_response(status, body, {"www-authenticate": f"Bearer {API_KEY}"})

    return answer


def _html_echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        500, content=f"<pre>{_echo(request)}</pre>".encode(), headers={"content-type": "text/html"}
    )


# Transport errors as the network raises them: their text is the OS's, never a secret; the
# request they carry (headers included) is what could leak.
def _connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("The read operation timed out", request=request)


def _picker_then(fail: Callable[[httpx.Request], httpx.Response]) -> Callable[..., httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/picker-token"):
            return json_response(200, SESSION_BODY)
        return fail(request)

    return answer


def _picker_list(cs: CloudStorage) -> object:
    return list(cs.iter_drive_files("c1"))


CALLS: dict[str, Callable[[CloudStorage], object]] = {
    "start_auth": lambda cs: cs.start_auth("google_drive", REDIRECT),
    "complete_auth": lambda cs: cs.complete_auth("google_drive", CODE, STATE, REDIRECT),
    "list_connections": lambda cs: cs.list_connections(),
    "get_job": lambda cs: cs.get_job("job_1"),
    "wait_for_job": lambda cs: cs.wait_for_job("job_1", timeout=5),
    "import": lambda cs: cs.import_files("c1", [{"id": "f1", "name": "a.jpg"}]),
    "picker_session": lambda cs: cs.get_picker_session("c1"),
    "picker_list": _picker_list,
}
SERVERS: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "401": _echo_error(401),
    "403": _echo_error(403),
    "422": _echo_error(422),
    "429": _echo_error(429),
    "500-json": _echo_error(500),
    "500-html": _html_echo,
    "503": _echo_error(503),
    "connect-error": _connect_error,
    "timeout": _timeout,
}
# OAuth and picker paths that fail on the client side, with secrets in what they are given.
LOCAL: dict[str, Callable[[CloudStorage], object]] = {
    "redirect-wrong-state": lambda cs: cs.complete_auth_from_redirect(
        "google_drive", f"{REDIRECT}?code={CODE}&state=other", STATE
    ),
    "redirect-missing-state": lambda cs: cs.complete_auth_from_redirect(
        "google_drive", f"{REDIRECT}?code={CODE}", STATE
    ),
    "redirect-error": lambda cs: cs.complete_auth_from_redirect(
        "google_drive", f"{REDIRECT}?error=access_denied&state={STATE}", STATE
    ),
    "redirect-two-codes": lambda cs: cs.complete_auth_from_redirect(
        "google_drive", f"{REDIRECT}?code={CODE}&code={CODE}x&state={STATE}", STATE
    ),
    "redirect-other-host": lambda cs: cs.complete_auth_from_redirect(
        "google_drive",
        f"https://evil.test/cb?code={CODE}&state={STATE}",
        STATE,
        redirect_uri=REDIRECT,
    ),
    "code-with-crlf": lambda cs: cs.complete_auth("google_drive", CODE + "\r\n", STATE, REDIRECT),
    "state-too-long": lambda cs: cs.complete_auth("google_drive", CODE, STATE * 40, REDIRECT),
    "picker-bad-endpoint": lambda cs: cs.picker_proxy(f"sess_{STATE}", f"../{ACCESS_TOKEN}"),
}


class Audit:
    """Collects every text a user or a log could see, and counts secrets found in them."""

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []
        self.leaks: list[str] = []
        self.texts = 0

    def scan(self, where: str, text: str) -> None:
        self.texts += 1
        for name, secret in SECRETS.items():
            if secret in text:
                self.leaks.append(f"{name} in {where}")

    def scan_exception(self, where: str, exc: BaseException | None) -> None:
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            self.scan(f"{where}: str", str(exc))
            self.scan(f"{where}: repr", repr(exc))
            self.scan(f"{where}: args", repr(exc.args))
            self.scan(
                f"{where}: attrs",
                repr({k: v for k, v in vars(exc).items() if k != "__traceback__"}),
            )
            exc = exc.__cause__ or exc.__context__


class _Keep(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


AUDIT = Audit()


@pytest.fixture
def debug_everywhere() -> Iterator[None]:
    """DEBUG on the root and on every named logger that exists (httpx, httpcore, ours...)."""
    handler = _Keep(AUDIT.records)
    loggers = [logging.getLogger()] + [
        logging.getLogger(n) for n in list(logging.root.manager.loggerDict)
    ]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        for lg, level, disabled in saved:
            lg.setLevel(level)
            lg.disabled = disabled


def _drive(name: str, client: Client, call: Callable[[CloudStorage], object]) -> None:
    try:
        result = call(client.cloud_storage)
    except Exception as exc:  # every error path is the point here
        AUDIT.scan_exception(name, exc)
    else:
        AUDIT.scan(f"{name}: result", repr(result) + str(result))
    AUDIT.scan(
        f"{name}: client", repr(client) + str(client) + repr(client.api) + repr(vars(client))
    )


@pytest.mark.parametrize("server", sorted(SERVERS))
@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.usefixtures("debug_everywhere")
def test_server_error_paths_leak_nothing(call: str, server: str) -> None:
    before = len(AUDIT.leaks)
    handler = SERVERS[server]
    if call == "picker_list":
        handler = _picker_then(handler)
    counting = Counting(handler)
    with make_client(counting, FakeClock(), retries=1, session_token=SESSION_TOKEN) as client:
        _drive(f"{call}/{server}", client, CALLS[call])
    assert AUDIT.leaks[before:] == []


@pytest.mark.parametrize("path", sorted(LOCAL))
@pytest.mark.usefixtures("debug_everywhere")
def test_client_side_error_paths_leak_nothing(path: str) -> None:
    before = len(AUDIT.leaks)
    counting = Counting(lambda _: json_response(200, SESSION_BODY))
    with make_client(counting, FakeClock()) as client:
        _drive(path, client, LOCAL[path])
        session = client.cloud_storage.get_picker_session("c1")
        AUDIT.scan(f"{path}: session", repr(session) + str(session))
    assert AUDIT.leaks[before:] == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_key": API_KEY[:-12]},  # malformed, still secret
        {"api_key": API_KEY + "\r\n"},
        {"base_url": f"https://user:{API_KEY}@api.example.test/"},
        {"timeout": float("inf")},
        {"session_token": SESSION_TOKEN + "; other=1"},
    ],
    ids=["short-key", "crlf-key", "key-in-url", "bad-timeout", "bad-session"],
)
@pytest.mark.usefixtures("debug_everywhere")
def test_configuration_errors_leak_nothing(kwargs: dict[str, Any]) -> None:
    before = len(AUDIT.leaks)
    try:
        make_client(Counting(), FakeClock(), **kwargs)
    except Exception as exc:
        AUDIT.scan_exception(f"config {sorted(kwargs)}", exc)
    # A malformed key is a secret too: scan for it as given.
    secret = str(kwargs.get("api_key", API_KEY)).strip()
    leaked = [r for r in AUDIT.records if secret in r.getMessage()]
    assert leaked == []
    assert AUDIT.leaks[before:] == []


# Placeholders the cassette recorder writes, and error codes (``"code": "NOT_FOUND"``).
_PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z_]*_\d{3}|[A-Z][A-Z_]+|\[filtered\]|\[redacted\])$")
_SECRET_KEYS = {"access_token", "developer_key", "code", "state", "refresh_token", "api_key"}


def _walk(node: Any, found: list[str], where: str) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in _SECRET_KEYS and isinstance(v, str) and v and not _PLACEHOLDER.match(v):
                found.append(f"{k}={v[:6]}... in {where}")
            _walk(v, found, where)
    elif isinstance(node, list):
        for v in node:
            _walk(v, found, where)
    elif isinstance(node, str):
        if node.lstrip().startswith(("{", "[")):
            with contextlib.suppress(ValueError):
                _walk(json.loads(node), found, where)
        for m in re.finditer(r"[?&](code|state|access_token)=([^&\s\"']+)", node):
            if not _PLACEHOLDER.match(m.group(2)):
                found.append(f"{m.group(1)} in a URL in {where}")
        if re.search(
            r"aion_[A-Za-z0-9_-]{20,}|ya29\.[A-Za-z0-9._-]+|Bearer (?!\[filtered\])\S", node
        ):
            found.append(f"a key or token in {where}")


@pytest.mark.skipif(not CASSETTES.is_dir(), reason="no cassettes in this checkout")
def test_cassettes_hold_no_secret() -> None:
    found: list[str] = []
    files = sorted(CASSETTES.rglob("*.yaml"))
    for path in files:
        _walk(yaml.safe_load(path.read_text()), found, path.name)
        AUDIT.texts += 1
    AUDIT.leaks.extend(found)
    assert files
    assert found == []


@pytest.fixture(scope="module")
def cli_emulator() -> Iterator[RunningEmulator]:
    with run_emulator(profile="document", job_pace=400.0, job_start_delay=0.05) as running:
        yield running


BAD_KEY = "aion_not_the_right_key_0123456789"
# (CLI arguments, environment): the command line's error paths, --verbose logging each request.
CLI_RUNS: dict[str, tuple[list[str], dict[str, str]]] = {
    "wrong-key": (["-v", "connections"], {"AIONVISION_API_KEY": BAD_KEY}),
    "malformed-key": (["connections"], {"AIONVISION_API_KEY": BAD_KEY[:12]}),
    "job-404": (["-v", "job", "job_missing"], {}),
    "job-crlf": (["job", "job\r\n1"], {}),
    "job-100kB": (["job", "j" * 100_000], {}),
    "disconnect-404": (["-v", "--json", "disconnect", "conn_missing", "--yes"], {}),
    "import-404": (["-v", "import", "conn_missing", "f1"], {}),
    "export-404": (["-v", "export", "conn_missing", "img_1"], {}),
    "browse-404": (["-v", "browse", "conn_missing"], {}),
    "unreachable": (["-v", "connections"], {"AIONVISION_BASE_URL": "http://127.0.0.1:9/api/v2"}),
    "timeout-inf": (["connections"], {"AIONVISION_TIMEOUT": "inf"}),
    "faults-500": (["-v", "connections"], {"__faults__": "500"}),
}


@pytest.mark.parametrize("run", sorted(CLI_RUNS))
@pytest.mark.usefixtures("debug_everywhere")
def test_cli_error_paths_leak_nothing(
    cli_emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    run: str,
) -> None:
    from aionvision_cloud.cli import main

    cli_emulator.admin.reset()
    args, env = CLI_RUNS[run]
    env = dict(env)
    faults = env.pop("__faults__", None)
    if faults:
        cli_emulator.admin.configure(fault_ratio=1.0, fault_kinds=[faults])
    for name in ("AIONVISION_TIMEOUT", "AIONVISION_MAX_RETRIES", "AIONVISION_POLLING_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIONVISION_API_KEY", cli_emulator.api_key)
    monkeypatch.setenv("AIONVISION_BASE_URL", cli_emulator.base_url)
    monkeypatch.setenv("AIONVISION_MAX_RETRIES", "0")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = len(AUDIT.leaks)
    capsys.readouterr()
    code = main(args)
    out = capsys.readouterr()
    assert code != 0  # every run here is an error path
    for secret in (cli_emulator.api_key, BAD_KEY, BAD_KEY[:12]):
        SECRETS.setdefault(f"emulator key {secret[:8]}", secret)
    AUDIT.scan(f"cli {run}: stdout", out.out)
    AUDIT.scan(f"cli {run}: stderr", out.err)
    assert AUDIT.leaks[before:] == []


@pytest.mark.usefixtures("debug_everywhere")
def test_zz_no_log_record_holds_a_secret() -> None:
    """Runs last in this module: every record the paths above logged, formatted as a handler
    would, with args and tracebacks."""
    assert AUDIT.records, "DEBUG logging captured nothing: the audit would prove nothing"
    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in AUDIT.records:
        AUDIT.scan(
            f"log {record.name}", fmt.format(record) + repr(record.args) + repr(vars(record))
        )
    records, leaks = len(AUDIT.records), len(AUDIT.leaks)
    print(f"\nsecrets audit: {AUDIT.texts} texts scanned, {records} log records, {leaks} leaks")
    assert AUDIT.leaks == []
