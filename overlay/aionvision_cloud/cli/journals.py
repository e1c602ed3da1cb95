"""The automatic journal of ``import`` and ``export``: a re-run of the same command after Ctrl-C
or a failure resumes instead of sending again.

One file per operation under ``$XDG_STATE_HOME/aionvision-cloud/journals/`` (``~/.local/state``
when unset), named by a hash of what defines it: the command, the server's base URL, the
connection and the options and files that say what the service will do (not --batch-size,
--wait or --json, which change how, not what). A run that completed keeps its journal, so that
running the command once more sends nothing twice, as ``aws s3 sync`` copies nothing twice;
``--restart`` removes it and sends everything, ``--no-journal`` keeps none.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from .output import CliError
from .root import note

__all__ = ["journals_folder", "use_journal"]


def journals_folder(env: Mapping[str, str] | None = None) -> Path:
    """Where automatic journals live: the XDG state folder, which is for exactly this."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "aionvision-cloud" / "journals"


def _automatic_path(command: str, base_url: str, connection_id: str, defining: Any) -> Path:
    key = json.dumps([command, base_url.rstrip("/"), connection_id, defining], sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return journals_folder() / f"{command}-{digest}.journal"


def _remove(path: Path) -> None:
    # SQLite's companions and the side file go with it: a left-over WAL would revive batches.
    for extra in ("", "-wal", "-shm", "-journal", "-accepted"):
        try:
            Path(str(path) + extra).unlink(missing_ok=True)
        except OSError as exc:
            raise CliError(f"cannot remove the journal {str(path) + extra!r}: {exc}", 1) from None


def use_journal(
    resume: dict[str, Any],
    *,
    command: str,
    base_url: str,
    connection_id: str,
    defining: Any,
    keys: Collection[str],
    restart: bool,
    no_journal: bool,
    noun: str,
) -> None:
    """Fill in ``resume["journal"]`` (the automatic journal unless --journal or --no-journal
    said otherwise) and say how much of ``keys`` it already holds as sent."""
    if no_journal:
        resume["journal"] = None
        return
    automatic = resume["journal"] is None
    if automatic:
        path = _automatic_path(command, base_url, connection_id, defining)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(
                f"cannot keep a journal in {str(path.parent)!r} ({exc.strerror or exc}): give"
                " --journal FILE, or --no-journal to run without one",
                1,
            ) from None
        if restart:
            _remove(path)
        resume["journal"] = str(path)
    sent = _already_sent(resume["journal"], base_url, keys)
    if sent:
        how = "--restart sends them again" if automatic else f"journal {resume['journal']}"
        note(f"resuming: {sent} of {len(keys)} {noun} already sent ({how}).")


def _already_sent(path: str, base_url: str, keys: Collection[str]) -> int:
    """How many of ``keys`` the journal holds as accepted; 0 for a journal of another server
    (the library refuses it, naming both) or one that cannot be read (the library says why)."""
    if not os.path.exists(path):
        return 0
    from aionvision_cloud._journal import Journal
    from aionvision_cloud.errors import AionvisionError

    try:
        with Journal(path) as journal:
            if journal.server not in (None, base_url.rstrip("/")):
                return 0
            return len(journal.accepted_items() & set(keys))
    except AionvisionError:
        return 0
