"""The root of ``aionvision-cloud``: the typer app and its global options, the options and helpers
the command modules share, and ``main``, which turns any error into one line and an exit code.

Only typer, the standard library and the overlay's light modules load at import time, so
``aionvision-cloud --help`` stays quick; the client, rich and the generated models load inside
the commands that use them.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from .output import (
    EXIT_FAILED,
    EXIT_OTHER,
    EXIT_PIPE,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    CliError,
    json_printed,
    visible,
)
from .signals import Interrupted, handling

if TYPE_CHECKING:
    from rich.console import Console

    from aionvision_cloud import Client

__all__ = [
    "PROG",
    "ConnectionArg",
    "JournalOpt",
    "JsonOpt",
    "NoJournalOpt",
    "RestartOpt",
    "TimeoutOpt",
    "UncertainOpt",
    "VerboseOpt",
    "WaitOpt",
    "app",
    "check_timeout",
    "err",
    "journal_args",
    "main",
    "make_client",
    "note",
    "out",
    "say",
    "settings_of",
    "uncertain_error",
    "usage",
]

PROG = "aionvision-cloud"
ENV_API_KEY = "AIONVISION_API_KEY"
ENV_SESSION_TOKEN = "AIONVISION_SESSION_TOKEN"  # noqa: S105 - a variable name
ENV_BASE_URL = "AIONVISION_BASE_URL"
ENV_CONNECTION = "AIONVISION_CONNECTION_ID"
_META = "aionvision_cloud.cli"
API_PREFIX = "/api/v2"
#: The variable typer's completion scripts set to ask for completions.
COMPLETE_VAR = "_AIONVISION_CLOUD_COMPLETE"
#: Options of the root that may follow the command too (hoist_globals): with a value, and not.
_GLOBAL_VALUED = ("--api-key", "--base-url", "--session-token")
_GLOBAL_FLAGS = ("--allow-insecure-http",)

EXIT_CODES = """\b
Exit codes:
  0    completed
  1    any other error (the API said no, the network failed, ...)
  2    bad usage (a wrong option, a missing API key, bad input)
  3    partial: some files failed
  4    failed or cancelled
  5    timed out (--timeout, or no browser came back to connect)
  129  stopped by SIGHUP (the terminal closed)
  130  interrupted (Ctrl-C, SIGINT)
  141  stdout closed early (SIGPIPE: a pipe into head, ...)
  143  stopped by SIGTERM (timeout, a CI cancel, docker stop)
A stop by signal prints the job ids still running and the command that follows them."""


class _Group(TyperGroup):
    """The root group: a stop by signal exits 128 + its number after naming the jobs started,
    and a usage error under --json prints the JSON error document too."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            signum = exc.signum if isinstance(exc, Interrupted) else int(signal.SIGINT)
            name = exc.name if isinstance(exc, Interrupted) else "SIGINT"
            if _run.get("job_ids"):
                _jobs_note("", f"Stopped ({name}); the jobs go on.", "")
            elif signum != signal.SIGINT:
                note("", f"Stopped ({name}).")
            stopped_json(name, 128 + signum, list(_run.get("job_ids") or ()))
            raise typer.Exit(128 + signum) from None
        except TyperException as exc:
            if isinstance(getattr(exc, "message", None), str):
                # Click's usage errors quote what was typed, which may be a pasted Drive name.
                exc.message = visible(exc.message)
            if _wants_json():
                message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
                _print_error_json("UsageError", message, None, int(getattr(exc, "exit_code", 2)))
            raise


app = typer.Typer(
    name=PROG,
    cls=_Group,
    help=f"""Connect Google Drive to Aionvision, browse it, import and export files, follow jobs.

Set AIONVISION_API_KEY (and AIONVISION_BASE_URL for anything but the real service, e.g. the
local emulator: make emulator), or keep them with 'aionvision-cloud config set'. Start with
'aionvision-cloud connect'. The options below work before or after the command.

Every command takes --json for one machine-readable JSON document on stdout (its shape is in
the command's --help; a failure prints {{"error": {{...}}}}); errors are one line on stderr. Piped,
tables become tab-separated lines and progress bars become plain lines.

{EXIT_CODES}""",
    no_args_is_help=True,
    # 'aionvision-cloud completion SHELL' prints the script instead of typer's two options.
    add_completion=False,
    # Plain help and plain usage errors: fast to print and one error line, no boxes.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


class _Settings:
    """Global options; ``--json`` and ``-v`` may also follow the subcommand."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        session_token: str | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.session_token = session_token
        self.allow_insecure_http = allow_insecure_http
        self.as_json = False
        self.verbose = False


# The state of one run, read by ``main`` to shape the error line.
_run: dict[str, Any] = {}

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout (shape below).")
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log every request (method, path, status, id).")
]
ConnectionArg = Annotated[
    str, typer.Argument(metavar="CONNECTION_ID", help="From 'aionvision-cloud connections'.")
]
DefaultConnectionArg = Annotated[
    str | None,
    typer.Argument(
        metavar="CONNECTION_ID",
        help="From 'aionvision-cloud connections' [default: $AIONVISION_CONNECTION_ID, or the"
        " config file's connection].",
        show_default=False,
    ),
]
WaitOpt = Annotated[
    bool,
    typer.Option("--wait", help="Wait for the jobs, with a progress bar; Ctrl-C stops waiting."),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", metavar="S", help="With --wait: give up after S seconds (exit 5)."),
]
JournalOpt = Annotated[
    str | None,
    typer.Option(
        "--journal",
        metavar="FILE",
        help="Record each batch in FILE rather than in the automatic journal; after a failure or"
        " Ctrl-C run the same command again: accepted batches are not sent twice.",
    ),
]
UncertainOpt = Annotated[
    str | None,
    typer.Option(
        "--on-uncertain",
        metavar="resend|skip",
        help="A batch an earlier run sent without getting an answer is sent again (it may"
        " arrive twice) or skipped (reported, not done) [default: stop and ask].",
    ),
]
RestartOpt = Annotated[
    bool,
    typer.Option(
        "--restart",
        help="Start afresh: remove the automatic journal of an earlier run of this command and"
        " send everything again.",
    ),
]
NoJournalOpt = Annotated[
    bool,
    typer.Option(
        "--no-journal",
        help="Keep no journal: a re-run after Ctrl-C or a failure sends everything again.",
    ),
]


def journal_args(
    journal: str | None,
    on_uncertain: str | None,
    command: str,
    *,
    restart: bool = False,
    no_journal: bool = False,
) -> dict[str, Any]:
    """The library's journal= and on_uncertain= from the command's options, checked. Without
    --journal or --no-journal, ``journal`` is None here: the command fills in its automatic
    journal once it knows what it sends."""
    if on_uncertain is not None and on_uncertain not in ("resend", "skip"):
        usage("--on-uncertain is resend or skip", command)
    if no_journal and (journal is not None or restart or on_uncertain is not None):
        usage(
            "--no-journal keeps no journal: not with --journal, --restart or --on-uncertain",
            command,
        )
    if restart and journal is not None:
        # A file the user named is theirs to remove: --restart is for the automatic journal.
        usage("--restart applies to the automatic journal; give another --journal FILE", command)
    if journal is not None and not journal.strip():
        usage("--journal needs a file name", command)
    return {"journal": journal, "on_uncertain": on_uncertain or "raise"}


def uncertain_error(exc: Exception, command: str) -> NoReturn:
    """UncertainBatchError in the command line's words."""
    batches = getattr(exc, "batches", ())
    files = sum(len(b.items) for b in batches)
    raise CliError(
        f"{len(batches)} batch(es) ({files} items) of an earlier run were sent without an answer,"
        f" so the service may have acted on them: run '{PROG} {command}' again with"
        " --on-uncertain resend (they may arrive twice) or --on-uncertain skip (reported as not"
        " done)",
        EXIT_OTHER,
    ) from None


def settings_of(ctx: typer.Context, as_json: bool = False, verbose: bool = False) -> _Settings:
    settings = ctx.find_root().meta.get(_META)
    if not isinstance(settings, _Settings):
        settings = _Settings(None, None)
        ctx.find_root().meta[_META] = settings
    settings.as_json = settings.as_json or as_json
    if verbose and not settings.verbose:
        settings.verbose = True
        _enable_request_log()
    _run["settings"] = settings
    return settings


class _Stderr:
    """Looks ``sys.stderr`` up on every write, so log lines go above a live progress bar (rich
    swaps ``sys.stderr`` while one is shown)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _enable_request_log() -> None:
    handler: logging.StreamHandler[Any] = logging.StreamHandler(_Stderr())
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("aionvision_cloud")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    _run["log_handler"] = handler


def _version(value: bool) -> None:
    if value:
        from aionvision_cloud import __version__

        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar=ENV_API_KEY,
            show_envvar=True,
            metavar="KEY",
            help="The API key (aion_...). Prefer the environment: a command line shows in 'ps'.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar=ENV_BASE_URL,
            show_envvar=True,
            metavar="URL",
            help="The API's base URL [default: https://api.aionvision.tech/api/v2].",
        ),
    ] = None,
    session_token: Annotated[
        str | None,
        typer.Option(
            "--session-token",
            envvar=ENV_SESSION_TOKEN,
            show_envvar=True,
            metavar="TOKEN",
            help="A signed-in web session (the service's 'session' cookie), sent only to connect"
            " and to Drive browsing, which the service may reserve for one. Prefer the"
            " environment: a command line shows in 'ps'.",
        ),
    ] = None,
    allow_insecure_http: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-http",
            help="Allow a plain http:// base URL that is not loopback (the key travels in the"
            " clear).",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout (see each command).")
    ] = False,
    verbose: VerboseOpt = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.find_root().meta[_META] = _Settings(api_key, base_url, session_token, allow_insecure_http)
    settings_of(ctx, as_json, verbose)


# -- helpers used by the commands -----------------------------------------------------------------


def make_client(settings: _Settings) -> Client:
    """The client, from the options, else the environment, else the config file."""
    from aionvision_cloud import Client

    from .config import config_path, load_config

    saved = load_config()
    if not settings.api_key and saved.get("api_key"):
        settings.api_key = saved["api_key"]
    if not settings.base_url and saved.get("base_url"):
        settings.base_url = saved["base_url"]
        # A wrong base URL is then fixed in the file, not in the environment (_base_url_hint).
        _run["base_url_file"] = str(config_path())
    if not settings.api_key or not settings.api_key.strip():
        raise CliError(
            f"no API key: pass --api-key, set {ENV_API_KEY}, or save one in {config_path()}"
            f" with '{PROG} config set api_key'. A key (aion_...) comes from your Aionvision"
            " account at https://aionvision.tech; the local emulator prints one as it starts",
            2,
        )
    overrides: dict[str, Any] = {"api_key": settings.api_key}
    if settings.base_url:
        overrides["base_url"] = settings.base_url
    if settings.session_token:
        overrides["session_token"] = settings.session_token
    if settings.allow_insecure_http:
        overrides["allow_insecure_http"] = True
    client = Client.from_env(**overrides)
    _run["base_url"] = client.base_url
    return client


def default_connection() -> str | None:
    """$AIONVISION_CONNECTION_ID, else the config file's connection, else None."""
    import os

    from .config import load_config

    chosen = os.environ.get(ENV_CONNECTION) or load_config().get("connection")
    return chosen.strip() if chosen and chosen.strip() else None


def connection_of(connection_id: str | None, command: str) -> str:
    """CONNECTION_ID as given, else $AIONVISION_CONNECTION_ID, else the config file's."""
    chosen = connection_id or default_connection()
    if not chosen or not chosen.strip():
        usage(
            f"no CONNECTION_ID: give one, set {ENV_CONNECTION}, or save a default with"
            f" '{PROG} config set connection ID'",
            command,
        )
    return chosen.strip()


def record_jobs(job_ids: Sequence[str]) -> None:
    """The jobs this run started: named on stderr however the run ends (a signal, a closed
    stdout), so the user can follow them."""
    _run["job_ids"] = list(job_ids)


def out() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def note(*lines: str) -> None:
    """Context for a person (titles, hints): stderr, so stdout stays data. Each argument is one
    line, its control characters made visible: the values in it may be anyone's text."""
    print("\n".join(visible(line) for line in lines), file=sys.stderr, flush=True)


def say(*lines: str) -> None:
    """The command's result in words, on stdout; one line per argument, as ``note``."""
    print("\n".join(visible(line) for line in lines), flush=True)


def usage(message: str, command: str) -> NoReturn:
    raise CliError(f"{message} (see: {PROG} {command} --help)", 2)


def check_timeout(timeout: float | None, wait: bool, command: str) -> None:
    if timeout is None:
        return
    if not wait:
        usage("--timeout only applies with --wait", command)
    if not timeout > 0:
        usage("--timeout must be a positive number of seconds", command)


# -- the entry point ------------------------------------------------------------------------------


class StdoutError(Exception):
    """Writing the command's output failed: a reader that closed the pipe, a full disk."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _GuardedStdout:
    """stdout, with a failed write told apart from every other OSError: the run still knows
    which jobs it started and says so, where a bare BrokenPipeError would read as a bug."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise StdoutError(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise StdoutError(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _replace_unencodable(stream: TextIO) -> None:
    """A stdout that cannot encode every character (a C or Latin-1 locale) prints ``?`` for the
    rest instead of failing; --json escapes them instead (``print_json``), losing nothing."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")


def _silence(stream: TextIO) -> None:
    """Point a dead stdout's descriptor at /dev/null, so the interpreter's last flush of what
    is still buffered has nowhere to fail (what the Python docs advise for SIGPIPE)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _jobs_note(*before: str) -> None:
    job_ids = _run.get("job_ids")
    if job_ids:
        started = ", ".join(job_ids)
        note(*before, f"Jobs started: {started}", f"Follow them with: {follow_hint(job_ids)}")


def stopped_json(signal_name: str, exit_code: int, running: Sequence[str]) -> None:
    """Under --json, a stop by signal is a failure document too: a pipe into jq gets one."""
    if not _wants_json():
        return
    message = f"stopped by {signal_name}"
    if running:
        message += (
            f"; the jobs go on: {', '.join(running)}; follow them with: {follow_hint(running)}"
        )
    _print_error_json("Interrupted", message, None, exit_code)


def follow_hint(job_ids: Sequence[str]) -> str:
    return f"{PROG} job {' '.join(job_ids)} --wait"


def _wants_json() -> bool:
    settings = _run.get("settings")
    if isinstance(settings, _Settings) and settings.as_json:
        return True
    args = list(_run.get("argv") or [])
    return "--json" in (args[: args.index("--")] if "--" in args else args)


def _print_error_json(kind: str, message: str, exc: BaseException | None, exit_code: int) -> None:
    """The failure as one JSON document on stdout, so a pipe into jq reads an answer; the same
    keys every time (null when unknown). Only one document a run: after the command's own
    (a disconnect that answered success false), the line on stderr says the rest."""
    from .output import print_json

    if json_printed():
        return

    def field(name: str) -> Any:
        value = getattr(exc, name, None)
        return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None

    document = {
        "error": {
            "type": kind,
            "message": message,
            "status": field("status_code"),
            "code": field("code"),
            "request_id": field("request_id"),
            "exit_code": exit_code,
        }
    }
    # When stdout is what failed, the line on stderr has to do.
    with contextlib.suppress(StdoutError):
        print_json(document)


def _error_type(exc: BaseException, exit_code: int) -> str:
    if isinstance(exc, CliError):
        return "UsageError" if exit_code == EXIT_USAGE else "CommandError"
    if isinstance(exc, StdoutError):
        return "OutputError"
    return type(exc).__name__


def _exit_code(exc: BaseException) -> int:
    from aionvision_cloud.errors import (
        ConfigurationError,
        InvalidInputError,
        JobFailedError,
        JobTimeoutError,
        JournalConflictError,
        OAuthTimeoutError,
    )

    if isinstance(exc, CliError):
        return exc.exit_code
    # A journal recorded under other options: nothing was sent, and the way on (the recorded
    # options, or another --journal) is the user's to choose, as with bad usage.
    if isinstance(exc, (InvalidInputError, ConfigurationError, JournalConflictError)):
        return EXIT_USAGE
    if isinstance(exc, (JobTimeoutError, OAuthTimeoutError)):
        return EXIT_TIMEOUT
    if isinstance(exc, JobFailedError):
        return EXIT_FAILED
    return EXIT_OTHER


def _base_url_hint() -> str:
    """For a 404: the usual cause is a base URL without the API's prefix."""
    from urllib.parse import urlsplit

    base = _run.get("base_url")
    if not isinstance(base, str) or urlsplit(base).path.rstrip("/").endswith(API_PREFIX):
        return ""
    fixed = f"{base.rstrip('/')}{API_PREFIX}"
    saved_in = _run.get("base_url_file")
    if saved_in:
        return (
            f"; the base URL {base}, from {saved_in}, does not end in {API_PREFIX}: fix it with"
            f" '{PROG} config set base_url {fixed}'"
        )
    return (
        f"; the base URL {base} does not end in {API_PREFIX}: try"
        f" --base-url {fixed} (or fix {ENV_BASE_URL})"
    )


def _error_line(exc: BaseException) -> str:
    """One line: status, code, message and request id for API errors; never a secret."""
    from aionvision_cloud.errors import (
        AionvisionError,
        APIConnectionError,
        AuthenticationError,
        ConfigurationError,
        NotFoundError,
        ReauthRequiredError,
    )

    if isinstance(exc, CliError):
        text = exc.message
    elif isinstance(exc, StdoutError):
        text = f"cannot write the output to stdout: {exc.error.strerror or exc.error}"
    elif isinstance(exc, AionvisionError):
        text = str(exc)
        if isinstance(exc, APIConnectionError) and _run.get("base_url"):
            text += f" (base URL {_run['base_url']})"
        if isinstance(exc, NotFoundError):
            text += _base_url_hint()
        limit = getattr(exc, "details", {}).get("max")
        if getattr(exc, "code", None) == "BATCH_LIMIT_EXCEEDED" and isinstance(limit, int):
            from aionvision_cloud.errors import _batch_size_hint

            # The library's advice names its keyword; here the option is what to use.
            text = text.replace(_batch_size_hint(limit), "")
            text += f"; your plan takes at most {limit} per request: pass --batch-size {limit}"
        if isinstance(exc, ConfigurationError):
            # The library names its keyword; here the flag is what to use.
            text = text.replace("pass allow_insecure_http=True", "pass --allow-insecure-http")
        if isinstance(exc, ReauthRequiredError):
            # The library's advice names the Python call; here the command is what to run.
            head = f"{exc.status_code} {exc.code}" if exc.code else f"{exc.status_code}"
            text = (
                f"{head}: the connection's Google authorization has"
                f" expired or was revoked: run '{PROG} connect' to connect the account again"
                + (f" (request_id={exc.request_id})" if exc.request_id else "")
            )
        elif isinstance(exc, AuthenticationError) and "--session-token" not in text:
            text += f"; check {ENV_API_KEY}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (a bug: -v shows the traceback)"
    settings = _run.get("settings")
    if isinstance(settings, _Settings):
        for secret in (settings.api_key, settings.session_token):
            if secret and secret.strip():
                text = text.replace(secret.strip(), "[redacted]")
    # Control characters made visible first: a newline in a service's message stays "\n".
    return "Error: " + " ".join(visible(text).split())


def _is_bug(exc: BaseException) -> bool:
    from aionvision_cloud.errors import AionvisionError

    return not isinstance(exc, (AionvisionError, CliError, StdoutError))


def _valued_options(command: Any) -> set[str]:
    """The option names of ``command`` (and of its subcommands) that take a value."""
    names: set[str] = set()
    for sub in getattr(command, "commands", {}).values():
        names |= _valued_options(sub)
    for param in getattr(command, "params", ()):
        if param.param_type_name == "option" and not param.is_flag and not param.count:
            names.update(param.opts, param.secondary_opts)
    return names


def hoist_globals(command: Any, args: list[str]) -> list[str]:
    """The root's options given after the command moved before it, where click looks for them:
    ``import CONN --api-key K`` works like ``--api-key K import CONN``, as --json and -v do."""
    i = 0
    while i < len(args) and args[i] != "--" and args[i].startswith("-"):
        i += 2 if args[i] in _GLOBAL_VALUED else 1
    if i >= len(args) or args[i] == "--":
        return args
    sub = getattr(command, "commands", {}).get(args[i])
    if sub is None:
        return args
    valued = _valued_options(sub)
    moved: list[str] = []
    rest: list[str] = []
    j = i + 1
    while j < len(args):
        arg = args[j]
        if arg == "--":
            rest.extend(args[j:])
            break
        name = arg.split("=", 1)[0]
        if name in _GLOBAL_VALUED or arg in _GLOBAL_FLAGS:
            width = 2 if arg in _GLOBAL_VALUED else 1
            moved.extend(args[j : j + width])
        else:
            width = 2 if arg in valued else 1
            rest.extend(args[j : j + width])
        j += width
    return [*args[:i], *moved, args[i], *rest]


@functools.cache
def _command() -> Any:
    # Built once a process: typer reads every command's signature and type hints for it (16 ms),
    # and a host calling main() again (tests, a long-lived service) would pay that each time.
    # click keeps a run's state in its Context, not on the command.
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> int:
    """The console script: run one command, return its exit code."""
    _run.clear()
    json_printed(reset=True)
    command = _command()
    args = hoist_globals(command, list(sys.argv[1:] if argv is None else argv))
    _run["argv"] = args
    if os.environ.get(COMPLETE_VAR):
        # typer's completion classes speak the protocol its scripts use ('completion SHELL').
        from typer._completion_classes import completion_init

        completion_init()
    stderr: TextIO = sys.stderr
    stdout = sys.stdout
    _replace_unencodable(stdout)
    sys.stdout = _GuardedStdout(stdout)
    try:
        # standalone_mode: usage errors print with their usage line and exit 2; a stop by
        # signal exits 128 + its number (_Group); anything else a command raises lands below
        # as one line.
        with handling():
            command.main(args=args, prog_name=PROG, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except StdoutError as exc:
        sys.stdout = stdout
        _silence(stdout)
        if exc.error.errno == errno.EPIPE:
            # The reader has what it wanted (| head): end quietly, as SIGPIPE would end a C
            # tool, but name the jobs, which go on without anyone knowing their ids otherwise.
            _jobs_note()
            return EXIT_PIPE
        _jobs_note()
        print(_error_line(exc), file=stderr, flush=True)
        return EXIT_OTHER
    except Exception as exc:
        line = _error_line(exc)
        code = _exit_code(exc)
        if _wants_json():
            _print_error_json(_error_type(exc, code), line.removeprefix("Error: "), exc, code)
        # Batches accepted before the failure: their jobs run on, and here is how to follow.
        _jobs_note()
        print(line, file=stderr, flush=True)
        settings = _run.get("settings")
        if isinstance(settings, _Settings) and settings.verbose and _is_bug(exc):
            import traceback

            traceback.print_exc(file=stderr)
        return code
    finally:
        if isinstance(sys.stdout, _GuardedStdout):
            sys.stdout = stdout
        handler = _run.get("log_handler")
        if isinstance(handler, logging.Handler):
            logging.getLogger("aionvision_cloud").removeHandler(handler)
    return 0
