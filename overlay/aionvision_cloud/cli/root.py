"""The root of ``aionvision-cloud``: the typer app and its global options, the options and helpers
the command modules share, and ``main``, which turns any error into one line and an exit code.

Only typer, the standard library and the overlay's light modules load at import time, so
``aionvision-cloud --help`` stays quick; the client, rich and the generated models load inside
the commands that use them.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer

from .output import (
    EXIT_FAILED,
    EXIT_OTHER,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    CliError,
)

if TYPE_CHECKING:
    from rich.console import Console

    from aionvision_cloud import Client

__all__ = [
    "PROG",
    "ConnectionArg",
    "JournalOpt",
    "JsonOpt",
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
_META = "aionvision_cloud.cli"

EXIT_CODES = """\b
Exit codes:
  0    completed
  1    any other error (the API said no, the network failed, ...)
  2    bad usage (a wrong option, a missing API key, bad input)
  3    partial: some files failed
  4    failed or cancelled
  5    timed out (--timeout, or no browser came back to connect)
  130  interrupted (Ctrl-C)"""

app = typer.Typer(
    name=PROG,
    help=f"""Connect Google Drive to Aionvision, browse it, import and export files, follow jobs.

Set AIONVISION_API_KEY (and AIONVISION_BASE_URL for anything but the real service, e.g. the
local emulator: make emulator). Start with 'aionvision-cloud connect'.

Every command takes --json for one machine-readable JSON document on stdout (its shape is in
the command's --help); errors are one line on stderr. Piped, tables become tab-separated lines
and progress bars become plain lines.

{EXIT_CODES}""",
    no_args_is_help=True,
    add_completion=False,
    # Plain help and plain usage errors: fast to print and one error line, no boxes.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


class _Settings:
    """Global options; ``--json`` and ``-v`` may also follow the subcommand."""

    def __init__(
        self, api_key: str | None, base_url: str | None, session_token: str | None = None
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.session_token = session_token
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
        help="Record each batch in FILE; after a failure or Ctrl-C run the same command again:"
        " accepted batches are not sent twice.",
    ),
]
UncertainOpt = Annotated[
    str | None,
    typer.Option(
        "--on-uncertain",
        metavar="resend|skip",
        help="With --journal: a batch an earlier run sent without getting an answer is sent"
        " again (it may arrive twice) or skipped (reported, not done) [default: stop and ask].",
    ),
]


def journal_args(journal: str | None, on_uncertain: str | None, command: str) -> dict[str, Any]:
    """The library's journal= and on_uncertain= from the command's options, checked."""
    if on_uncertain is not None and on_uncertain not in ("resend", "skip"):
        usage("--on-uncertain is resend or skip", command)
    if on_uncertain is not None and journal is None:
        usage("--on-uncertain applies with --journal", command)
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
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout (see each command).")
    ] = False,
    verbose: VerboseOpt = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.find_root().meta[_META] = _Settings(api_key, base_url, session_token)
    settings_of(ctx, as_json, verbose)


# -- helpers used by the commands -----------------------------------------------------------------


def make_client(settings: _Settings) -> Client:
    from aionvision_cloud import Client

    if not settings.api_key or not settings.api_key.strip():
        raise CliError(f"no API key: set {ENV_API_KEY} (or pass --api-key)", 2)
    overrides: dict[str, Any] = {"api_key": settings.api_key}
    if settings.base_url:
        overrides["base_url"] = settings.base_url
    if settings.session_token:
        overrides["session_token"] = settings.session_token
    client = Client.from_env(**overrides)
    _run["base_url"] = client.base_url
    return client


def out() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def note(text: str) -> None:
    """Context for a person (titles, hints): stderr, so stdout stays data."""
    print(text, file=sys.stderr, flush=True)


def say(text: str) -> None:
    print(text, flush=True)


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


def _exit_code(exc: BaseException) -> int:
    from aionvision_cloud.errors import (
        ConfigurationError,
        InvalidInputError,
        JobFailedError,
        JobTimeoutError,
        OAuthTimeoutError,
    )

    if isinstance(exc, CliError):
        return exc.exit_code
    if isinstance(exc, (InvalidInputError, ConfigurationError)):
        return EXIT_USAGE
    if isinstance(exc, (JobTimeoutError, OAuthTimeoutError)):
        return EXIT_TIMEOUT
    if isinstance(exc, JobFailedError):
        return EXIT_FAILED
    return EXIT_OTHER


def _error_line(exc: BaseException) -> str:
    """One line: status, code, message and request id for API errors; never a secret."""
    from aionvision_cloud.errors import (
        AionvisionError,
        APIConnectionError,
        AuthenticationError,
        ReauthRequiredError,
    )

    if isinstance(exc, CliError):
        text = exc.message
    elif isinstance(exc, AionvisionError):
        text = str(exc)
        if isinstance(exc, APIConnectionError) and _run.get("base_url"):
            text += f" (base URL {_run['base_url']})"
        if isinstance(exc, ReauthRequiredError):
            # The library's advice names the Python call; here the command is what to run.
            text = (
                f"{exc.status_code} {exc.code or ''}: the connection's Google authorization has"
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
    return "Error: " + " ".join(text.split())


def _is_bug(exc: BaseException) -> bool:
    from aionvision_cloud.errors import AionvisionError

    return not isinstance(exc, (AionvisionError, CliError))


def main(argv: list[str] | None = None) -> int:
    """The console script: run one command, return its exit code."""
    _run.clear()
    command = typer.main.get_command(app)
    stderr: TextIO = sys.stderr
    try:
        # standalone_mode: usage errors print with their usage line and exit 2, Ctrl-C exits
        # 130; anything else a command raises lands below as one line.
        command.main(args=argv, prog_name=PROG, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:
        print(_error_line(exc), file=stderr, flush=True)
        settings = _run.get("settings")
        if isinstance(settings, _Settings) and settings.verbose and _is_bug(exc):
            import traceback

            traceback.print_exc(file=stderr)
        return _exit_code(exc)
    finally:
        handler = _run.get("log_handler")
        if isinstance(handler, logging.Handler):
            logging.getLogger("aionvision_cloud").removeHandler(handler)
    return 0
