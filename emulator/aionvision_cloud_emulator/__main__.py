"""`python -m aionvision_cloud_emulator` / `aionvision-cloud-emulator`: serve on loopback."""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import ALL_FAULT_KINDS, FAULT_KINDS, PROFILES, EmulatorConfig
from .core import Emulator
from .server import bind, check_loopback, uvicorn_server


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aionvision-cloud-emulator",
        description="A local emulator of the Aionvision Cloud Storage API, held to openapi.yaml.",
    )
    d = EmulatorConfig()
    p.add_argument(
        "--host", default="127.0.0.1", help="loopback address only (default: %(default)s)"
    )
    p.add_argument(
        "--port", type=int, default=8765, help="0 picks a free port (default: %(default)s)"
    )
    # People meet the service as it runs today, so that is what the command line serves;
    # `document` is the API document's behaviour, the one the cassettes were recorded against.
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="service",
        help="service: as the service runs today (proxy answers in `data`, every import a "
        "job, key scopes, sessions); document: as the API document says (default: %(default)s)",
    )
    p.add_argument(
        "--session-only",
        action="store_true",
        help="service profile: OAuth and picker operations take only a signed-in `session` "
        "cookie (from the admin API's /_emulator/sessions), not an API key",
    )
    p.add_argument("--db", metavar="PATH", help="keep state in this SQLite file across restarts")
    p.add_argument("--seed", type=int, default=d.seed, help="seeds the fake Drive, ids and faults")
    p.add_argument(
        "--api-key", action="append", default=[], help="accept this extra key too (repeatable)"
    )
    p.add_argument("--sync-import-limit", type=int, default=d.sync_import_limit)
    p.add_argument(
        "--async-image-ids", action="store_true", help="import jobs answer with their image ids"
    )
    p.add_argument("--batch-limit", type=int, default=d.batch_limit)
    p.add_argument("--job-pace", type=float, default=d.job_pace, help="files per second")
    p.add_argument(
        "--job-start-delay", type=float, default=d.job_start_delay, help="seconds pending"
    )
    p.add_argument("--rate-limit", type=int, default=None, help="requests per minute per key")
    p.add_argument("--fault-ratio", type=float, default=d.fault_ratio, help="0..1")
    p.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        help=f"comma-separated subset of {','.join(ALL_FAULT_KINDS)} (default: %(default)s)",
    )
    p.add_argument("--latency", type=float, default=d.latency, help="seconds added to each answer")
    p.add_argument(
        "--fault-latency", type=float, default=d.fault_latency, help="seconds a 'slow' fault adds"
    )
    p.add_argument("--oauth-deny", action="store_true", help="consent page answers access_denied")
    # A person at a browser runs this command, so by default they see the consent page they
    # would see on Google; scripts and tests (run_emulator, the pytest plugin) default to auto.
    p.add_argument(
        "--consent",
        choices=("page", "auto"),
        default="page",
        help="page: a consent page to click; auto: approve at once (default: %(default)s)",
    )
    p.add_argument(
        "--grant-scope",
        action="append",
        default=None,
        metavar="SCOPE",
        help="grant only these scopes (a partial grant; repeatable)",
    )
    p.add_argument(
        "--invalid-client",
        action="store_true",
        help="the consent page answers Error 401: invalid_client",
    )
    p.add_argument("--picker-session-ttl", type=float, default=d.picker_session_ttl)
    p.add_argument("--big-folder-size", type=int, default=d.big_folder_size)
    p.add_argument(
        "--drive-short-pages",
        type=float,
        default=d.drive_short_pages,
        help="0..1: share of Drive list pages cut short (even empty) before the end",
    )
    p.add_argument("--google-account", default=d.google_account)
    p.add_argument("--opener-origin", default=None, help="postMessage target of the GET callback")
    p.add_argument("--validation-error-style", choices=("envelope", "detail"), default="envelope")
    p.add_argument("--spec", type=Path, default=None, help="openapi.yaml to serve")
    p.add_argument("--no-strict", action="store_true", help="log, don't block, responses off spec")
    p.add_argument(
        "--body-limit",
        type=int,
        default=d.body_limit,
        help="largest request body in bytes; larger ones answer 413 (default: %(default)s)",
    )
    p.add_argument(
        "--read-timeout",
        type=float,
        default=d.read_timeout,
        help="seconds a request's headers, then its body, may take to arrive (default: "
        "%(default)s)",
    )
    p.add_argument(
        "--keep-alive-timeout",
        type=int,
        default=d.keep_alive_timeout,
        help="seconds an idle connection stays open (default: %(default)s)",
    )
    p.add_argument("--log-level", default="warning")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    try:
        config = EmulatorConfig(
            profile=args.profile,
            session_only=args.session_only,
            seed=args.seed,
            sync_import_limit=args.sync_import_limit,
            async_image_ids=args.async_image_ids,
            batch_limit=args.batch_limit,
            job_pace=args.job_pace,
            job_start_delay=args.job_start_delay,
            rate_limit=args.rate_limit,
            fault_ratio=args.fault_ratio,
            fault_kinds=kinds,  # the config validates them
            latency=args.latency,
            fault_latency=args.fault_latency,
            strict=not args.no_strict,
            oauth_deny=args.oauth_deny,
            consent=args.consent,
            oauth_granted_scopes=args.grant_scope,
            oauth_invalid_client=args.invalid_client,
            picker_session_ttl=args.picker_session_ttl,
            big_folder_size=args.big_folder_size,
            drive_short_pages=args.drive_short_pages,
            google_account=args.google_account,
            opener_origin=args.opener_origin,
            validation_error_style=args.validation_error_style,
            api_keys=tuple(args.api_key),
            body_limit=args.body_limit,
            read_timeout=args.read_timeout,
            keep_alive_timeout=args.keep_alive_timeout,
            db_path=args.db,
            spec_path=args.spec,
        )
        check_loopback(args.host)
        emu = Emulator(config)
    except (ValueError, OSError, sqlite3.Error) as e:
        print(f"aionvision-cloud-emulator: {e}", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as e:
        emu.close()
        print(
            f"aionvision-cloud-emulator: cannot listen on {args.host}:{args.port}: {e}",
            file=sys.stderr,
        )
        return 2
    host, port = sock.getsockname()[:2]
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    print(
        f"Aionvision Cloud Storage emulator on http://{netloc} (profile: {config.profile})",
        flush=True,
    )
    # Lines to paste into another shell as they are.
    print(f"export AIONVISION_BASE_URL=http://{netloc}{emu.validator.base_path}", flush=True)
    print(f"export AIONVISION_API_KEY={config.default_key}", flush=True)
    print(f"admin API: http://{netloc}/_emulator/stats; Ctrl-C stops", flush=True)
    # What a newcomer meets first, and how to change it.
    consent = (
        "consent page: approves at once (--consent auto)"
        if config.consent == "auto"
        else "consent page: click Allow (--consent auto approves at once)"
    )
    print(f"{consent}; every option: aionvision-cloud-emulator --help", flush=True)
    # uvicorn catches SIGINT/SIGTERM, shuts down gracefully, then raises the signal again with
    # the handler found before it ran. For SIGTERM (`kill`, `docker stop`, a CI cancel) that
    # was the default one, which killed the process (143) before the store was closed and its
    # -wal/-shm files removed; as KeyboardInterrupt it ends like Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        uvicorn_server(emu, args.log_level).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        emu.close()
    print("emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
