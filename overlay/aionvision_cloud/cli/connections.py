"""Connections: ``connect`` (OAuth in a browser), ``connections``, ``disconnect``."""

from __future__ import annotations

import errno
import socket
import sys
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from .output import EXIT_USAGE, CliError, Table, connection_json, print_json, short_time, text
from .root import (
    PROG,
    ConnectionArg,
    JsonOpt,
    VerboseOpt,
    app,
    make_client,
    note,
    out,
    say,
    settings_of,
    usage,
)

if TYPE_CHECKING:
    from aionvision_cloud import CloudStorage, CompleteAuthResult

__all__ = ["connect", "connections", "disconnect"]


@app.command()
def connect(
    ctx: typer.Context,
    provider: Annotated[
        str, typer.Option("--provider", help="The cloud storage provider.")
    ] = "google_drive",
    no_browser: Annotated[
        bool,
        typer.Option("--no-browser", help="Print the consent URL instead of opening a browser."),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="S", help="Seconds to wait for the browser (exit 5)."),
    ] = 300.0,
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Loopback port for the redirect (0: any)."),
    ] = 0,
    paste: Annotated[
        bool,
        typer.Option(
            "--paste",
            help="No browser on this machine (SSH): print the consent URL, open it anywhere,"
            " then paste the address the browser ended on.",
        ),
    ] = False,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Connect a cloud storage account: consent in a browser, back to 127.0.0.1.

    Opens the provider's consent page in your browser (or prints its URL with --no-browser)
    and waits for the browser to come back to a one-shot server on 127.0.0.1.

    \b
    No browser on this machine (over SSH)?
      --paste                open the printed URL anywhere; paste the address it ended on
                             (a 127.0.0.1 page that fails to load there carries the code)
      --no-browser --port N  after 'ssh -L N:127.0.0.1:N HOST' from the browser's machine

    \b
    --json prints:
      {"connection": CONNECTION, "is_new": true|false}
    where CONNECTION is every field of the answer's connection:
      {"id", "provider", "provider_email", "provider_display_name", "is_active",
       "created_at", "last_used_at", ...}
    """
    settings = settings_of(ctx, as_json, verbose)
    if not timeout > 0:
        usage("--timeout must be a positive number of seconds", "connect")

    def show_url(url: str) -> None:
        note(
            "Open this URL in a browser to authorize access:",
            "",
            f"    {url}",
            "",
            f"Waiting up to {timeout:g}s for the browser to come back (Ctrl-C stops)...",
        )

    def open_browser(url: str) -> None:
        # webbrowser.open can block until the browser command exits (a BROWSER that stays in
        # the foreground took 4 s here): the wait, and --timeout with it, must not start late.
        from aionvision_cloud import _oauth

        threading.Thread(target=_oauth.open_in_browser, args=(url,), daemon=True).start()
        note(
            "Opening a browser to authorize access; if none appears, visit:",
            "",
            f"    {url}",
            "",
            f"Waiting up to {timeout:g}s for the browser to come back (Ctrl-C stops)...",
        )

    if paste:
        with make_client(settings) as client:
            conn = _connect_by_paste(client.cloud_storage, provider, port)
        _report_connected(conn, provider, settings.as_json)
        return

    with make_client(settings) as client:
        try:
            conn = client.cloud_storage.connect(
                provider,
                open_browser=show_url if no_browser else open_browser,
                timeout=timeout,
                port=port,
            )
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            # The loopback server binds before anything is sent: a busy port is a bad option.
            usage(
                f"port {port} on 127.0.0.1 is busy (another program listens on it): pick another"
                " with --port N, or leave --port out for any free one",
                "connect",
            )
    _report_connected(conn, provider, settings.as_json)


def _report_connected(conn: CompleteAuthResult, provider: str, as_json: bool) -> None:
    if as_json:
        print_json({"connection": connection_json(conn.connection), "is_new": bool(conn.is_new)})
        return
    account = conn.connection
    who = text(account.provider_email) or text(account.provider_display_name) or "an account"
    state = "new connection" if conn.is_new else "already connected"
    say(f"Connected {text(account.provider) or provider} account {who} ({state}).")
    say(f"Connection id: {conn.id}")
    note(f"Next: {PROG} browse {conn.id}")
    note(f"Make it the default for browse and import: {PROG} config set connection {conn.id}")


def _connect_by_paste(cs: CloudStorage, provider: str, port: int) -> CompleteAuthResult:
    """The consent with no browser here: the URL printed, the address the browser ended on
    read from the terminal, its state checked and the code exchanged by the library's
    ``complete_auth_from_redirect``."""
    from aionvision_cloud._oauth import CALLBACK_PATH, LOOPBACK_HOST

    if not port:
        # Nothing listens here; the port only has to be one the browser's machine is unlikely
        # to serve, so a free one here is as good as any.
        with socket.socket() as probe:
            probe.bind((LOOPBACK_HOST, 0))
            port = probe.getsockname()[1]
    start = cs.start_auth(provider, f"http://{LOOPBACK_HOST}:{port}{CALLBACK_PATH}")
    note(
        "Open this URL in a browser, on any machine, to authorize access:",
        "",
        f"    {start.authorization_url}",
        "",
        f"After Allow, the browser goes to http://{LOOPBACK_HOST}:{port}{CALLBACK_PATH}?...,"
        " which will not load there. Copy that whole address from the address bar.",
    )
    sys.stderr.write("Paste the address here: ")
    sys.stderr.flush()
    pasted = sys.stdin.readline().strip() if sys.stdin is not None else ""
    if not pasted:
        raise CliError(
            "no address was pasted: run 'aionvision-cloud connect --paste' again", EXIT_USAGE
        )
    return cs.complete_auth_from_redirect(
        provider, pasted, start.state, redirect_uri=start.redirect_uri
    )


@app.command()
def connections(
    ctx: typer.Context,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Only this provider's connections.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include inactive connections.")] = False,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """List the connected accounts.

    \b
    --json prints:
      {"connections": [CONNECTION, ...]}
    where CONNECTION is every field of the answer's connection:
      {"id", "provider", "provider_email", "provider_display_name", "is_active",
       "created_at", "last_used_at", ...}
    """
    settings = settings_of(ctx, as_json, verbose)
    with make_client(settings) as client:
        conns = client.cloud_storage.list_connections(provider, active_only=not all_)
    if settings.as_json:
        print_json({"connections": [connection_json(c) for c in conns]})
        return
    if not conns:
        note(f"No connections. Make one with: {PROG} connect")
        return
    table = Table(["ID", "PROVIDER", "ACCOUNT", "ACTIVE", "CREATED", "LAST USED"])
    for c in conns:
        table.add(
            c.id,
            c.provider,
            text(c.provider_email) or text(c.provider_display_name),
            "yes" if c.is_active is True else "no" if c.is_active is False else "-",
            short_time(c.created_at),
            short_time(c.last_used_at),
        )
    table.show(out())


@app.command()
def disconnect(
    ctx: typer.Context,
    connection_id: ConnectionArg,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (needed in scripts).")
    ] = False,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Disconnect an account (its jobs already done stay done); asks first unless --yes.

    Without --yes it asks on the terminal, and refuses when stdin is not one (a script, a pipe).

    \b
    --json prints:
      {"connection_id", "success": true|false, "message"}
    """
    settings = settings_of(ctx, as_json, verbose)
    with make_client(settings) as client:
        if not yes:
            _confirm_disconnect(connection_id)
        result = client.cloud_storage.disconnect(connection_id)
    message = text(result.message)
    if settings.as_json:
        print_json({"connection_id": connection_id, "success": result.success, "message": message})
    elif result.success:
        # The service's message ("Connection disconnected successfully") repeats the line;
        # one that says something else is kept.
        extra = f" {message}" if message and "disconnected" not in message.lower() else ""
        say(f"Disconnected {connection_id}.{extra}")
    if not result.success:
        raise CliError(f"could not disconnect {connection_id}: {message or 'no reason'}")


def _confirm_disconnect(connection_id: str) -> None:
    if sys.stdin is None or not sys.stdin.isatty():
        usage(
            f"disconnecting {connection_id} needs confirmation, and stdin is not a terminal to"
            " ask on: pass --yes",
            "disconnect",
        )
    if not typer.confirm(
        f"Disconnect {connection_id}? Imports and exports through it stop working", default=False
    ):
        raise CliError("not disconnected: the answer was no", 1)
