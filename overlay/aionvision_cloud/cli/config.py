"""The config file: the API key, the base URL and a default connection kept between runs, as
``gh`` and ``aws`` keep theirs, and the ``config`` command that edits it.

The file is ``$AIONVISION_CONFIG``, else ``$XDG_CONFIG_HOME/aionvision-cloud/config.toml``
(``~/.config/...`` without it). Options win over environment variables, which win over the
file. It holds a secret, so it is written owner-only (0600, in a 0700 directory) and atomically
(a temporary file renamed over it): a crash mid-write never leaves half a key. ``set`` and
``unset`` hold a lock (``flock`` on ``config.toml.lock`` beside it) while they read, change and
replace the file, so two run at once both keep their change. The key is never printed whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from .. import _config_file
from ..errors import ConfigurationError
from .output import CliError, print_json
from .root import PROG, JsonOpt, VerboseOpt, app, note, say, settings_of, usage

__all__ = ["KEYS", "config_path", "load_config", "locked", "mask", "save_config", "update_config"]

T = TypeVar("T")
#: How long ``set``/``unset`` wait for another one to finish with the file.
LOCK_WAIT = 10.0

#: What the file may hold, and what each is for (the keys the library reads).
KEYS = {
    "api_key": "the API key (aion_...), when neither --api-key nor AIONVISION_API_KEY is set",
    "base_url": "the API's base URL, when neither --base-url nor AIONVISION_BASE_URL is set",
    "connection": "the CONNECTION_ID browse, import and export use when none is given",
}
SECRET_KEYS = ("api_key",)


def _complete_key(incomplete: str) -> list[str]:
    return [k for k in KEYS if k.startswith(incomplete)]


KeyArg = Annotated[
    str,
    typer.Argument(metavar="KEY", help=f"One of: {', '.join(KEYS)}.", autocompletion=_complete_key),
]

config_app = typer.Typer(
    help=f"""Keep the API key, the base URL and a default connection in a config file.

\b
Keys: {", ".join(KEYS)}. The file: $AIONVISION_CONFIG, else
$XDG_CONFIG_HOME/aionvision-cloud/config.toml (~/.config/... by default), owner-only.
Options and environment variables win over it. The API key is never printed whole.""",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


def config_path() -> Path:
    return _config_file.config_path()


def load_config() -> dict[str, str]:
    """The file's values ({} when there is none); a broken file is an error naming it. Read by
    the library's own reader, the one ``Client.from_env()`` uses."""
    try:
        return _config_file.read_config()
    except ConfigurationError as exc:
        raise CliError(str(exc), 2) from None


def _toml(values: dict[str, str]) -> str:
    # A JSON string is a TOML basic string once DEL, which TOML wants escaped, is escaped too;
    # enough for a flat table of strings, with no writer library to install.
    lines = [f"# {PROG} config: see '{PROG} config --help'. Holds a secret: keep it 0600."]
    for key in sorted(values):
        quoted = json.dumps(values[key], ensure_ascii=False).replace("\x7f", r"\u007f")
        lines.append(f"{key} = {quoted}")
    return "\n".join(lines) + "\n"


def save_config(values: dict[str, str]) -> Path:
    path = config_path()
    text = _toml(values)
    assert tomllib.loads(text) == values  # what is written reads back the same
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
        try:
            # mkstemp creates it 0600 already; say so for filesystems that ask.
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CliError(f"cannot write the config file {path}: {exc}", 1) from None
    return path


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock: a sidecar file (``config.toml.lock``), since the file itself is
    replaced by a rename and a lock on it would stay with the old one. Closing frees it, even
    when the process dies."""
    lock = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise CliError(f"cannot lock the config file {path}: {exc}", 1) from None
    try:
        end = time.monotonic() + LOCK_WAIT
        # Non-blocking tries: a process stuck holding it ends in an error, not a hang.
        while not _try_lock(fd):
            if time.monotonic() > end:
                raise CliError(
                    f"another {PROG} command has held the config file's lock ({lock}) for"
                    f" {LOCK_WAIT:g}s; try again when it ends",
                    1,
                )
            time.sleep(0.01)
        yield
    finally:
        os.close(fd)


def update_config(change: Callable[[dict[str, str]], T]) -> tuple[Path, T]:
    """Read the file, ``change`` its values in place, and write it back, all under its lock;
    ``change``'s result comes back with the path. Nothing is written when the values stay."""
    path = config_path()
    with locked(path):
        values = load_config()
        before = dict(values)
        result = change(values)
        if values != before:
            save_config(values)
    return path, result


def mask(key: str, value: str) -> str:
    """A secret as ``aion_...wxyz``: enough to tell two keys apart, not enough to use one."""
    if key not in SECRET_KEYS:
        return value
    return f"{value[:5]}...{value[-4:]}" if len(value) > 12 else "[set]"


def _check_key(key: str, command: str) -> None:
    if key not in KEYS:
        usage(f"unknown key {key!r}; the keys are {', '.join(KEYS)}", f"config {command}")


def _read_value(key: str) -> str:
    """A value not given on the command line: asked for (hidden for a secret) on a terminal,
    one line from stdin otherwise, so a key need not land in the shell's history."""
    if sys.stdin is not None and sys.stdin.isatty():
        return str(typer.prompt(key, hide_input=key in SECRET_KEYS))
    return sys.stdin.readline().strip() if sys.stdin is not None else ""


def _check_value(key: str, value: str) -> str:
    value = value.strip()
    if not value:
        usage(f"{key} needs a value", "config set")
    if any(ord(c) < 32 for c in value):
        usage(f"{key} must be one line of printable text", "config set")
    if key == "base_url" and not value.startswith(("http://", "https://")):
        usage("base_url must start with https:// (or http:// for a local emulator)", "config set")
    if key == "api_key" and not value.startswith("aion_"):
        usage("an API key starts with aion_", "config set")
    return value


@config_app.command("set")
def set_(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[
        str | None,
        typer.Argument(
            metavar="[VALUE]",
            help="Left out: asked for (hidden for api_key), or read from stdin when piped.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Save KEY in the config file.

    \b
    --json prints:
      {"path", "key", "value"}   (api_key masked)
    """
    settings = settings_of(ctx, as_json, verbose)
    _check_key(key, "set")
    checked = _check_value(key, value if value is not None else _read_value(key))
    path, _ = update_config(lambda values: values.update({key: checked}))
    if settings.as_json:
        print_json({"path": str(path), "key": key, "value": mask(key, checked)})
    else:
        say(f"Saved {key} = {mask(key, checked)} in {path}")


@config_app.command("get")
def get(
    ctx: typer.Context,
    key: KeyArg,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Print KEY's saved value (api_key masked); exit 1 when it is not set.

    \b
    --json prints:
      {"path", "key", "value"}   (not set: the error document, exit 1)
    """
    settings = settings_of(ctx, as_json, verbose)
    _check_key(key, "get")
    value = load_config().get(key)
    if value is None:
        raise CliError(f"{key} is not set in {config_path()}", 1)
    if settings.as_json:
        print_json({"path": str(config_path()), "key": key, "value": mask(key, value)})
    else:
        say(mask(key, value))


@config_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Print every saved key and value (api_key masked), one per line.

    \b
    --json prints:
      {"path", "values": {KEY: VALUE, ...}}
    """
    settings = settings_of(ctx, as_json, verbose)
    values = {k: mask(k, v) for k, v in sorted(load_config().items())}
    if settings.as_json:
        print_json({"path": str(config_path()), "values": values})
        return
    note(f"{config_path()}")
    for key, value in values.items():
        say(f"{key}={value}")
    if not values:
        note(f"Nothing saved. Save a key with: {PROG} config set api_key")


@config_app.command("unset")
def unset(
    ctx: typer.Context,
    key: KeyArg,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Remove KEY from the config file (nothing happens when it is not there).

    \b
    --json prints:
      {"path", "key", "removed": true|false}
    """
    settings = settings_of(ctx, as_json, verbose)
    _check_key(key, "unset")
    path, removed = update_config(lambda values: values.pop(key, None) is not None)
    if settings.as_json:
        print_json({"path": str(path), "key": key, "removed": removed})
    else:
        say(f"Removed {key} from {path}" if removed else f"{key} was not set in {path}")
