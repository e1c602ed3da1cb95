"""The emulator's state: one SQLite schema, in memory by default or in a file with ``--db``.

One implementation serves both modes (``:memory:`` or a path), so the in-memory and durable
stores cannot drift apart. Every change that spans rows runs in one transaction, so a killed
process leaves either the whole job step or none of it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Row = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (key TEXT PRIMARY KEY, label TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_states (
    state TEXT PRIMARY KEY, api_key TEXT NOT NULL, provider TEXT NOT NULL,
    redirect_uri TEXT NOT NULL, opener_origin TEXT, created_at REAL NOT NULL,
    expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0, code_verifier TEXT);
CREATE TABLE IF NOT EXISTS oauth_codes (
    code TEXT PRIMARY KEY, state TEXT NOT NULL, account_email TEXT NOT NULL,
    display_name TEXT NOT NULL, expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0,
    scopes TEXT NOT NULL DEFAULT '', code_challenge TEXT, code_challenge_method TEXT);
CREATE TABLE IF NOT EXISTS oauth_grants (
    account TEXT NOT NULL, scope TEXT NOT NULL, PRIMARY KEY (account, scope));
CREATE TABLE IF NOT EXISTS connections (
    id TEXT PRIMARY KEY, api_key TEXT NOT NULL, provider TEXT NOT NULL, email TEXT NOT NULL,
    display_name TEXT NOT NULL, is_active INTEGER NOT NULL, created_at REAL NOT NULL,
    last_used_at REAL, revoked_at REAL);
CREATE TABLE IF NOT EXISTS picker_sessions (
    id TEXT PRIMARY KEY, api_key TEXT NOT NULL, connection_id TEXT NOT NULL,
    access_token TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS images (
    id TEXT PRIMARY KEY, api_key TEXT NOT NULL, connection_id TEXT NOT NULL, name TEXT NOT NULL,
    mime_type TEXT NOT NULL, size INTEGER NOT NULL, source_file_id TEXT NOT NULL,
    tags TEXT NOT NULL, collection_id TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, api_key TEXT NOT NULL, type TEXT NOT NULL, connection_id TEXT NOT NULL,
    provider TEXT NOT NULL, status TEXT NOT NULL, total INTEGER NOT NULL,
    completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, error TEXT,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, started_at REAL, completed_at REAL,
    params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS job_items (
    job_id TEXT NOT NULL, idx INTEGER NOT NULL, payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', result TEXT, error TEXT,
    PRIMARY KEY (job_id, idx));
CREATE TABLE IF NOT EXISTS web_sessions (
    digest TEXT PRIMARY KEY, api_key TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS drive_added (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, parent TEXT NOT NULL, name TEXT NOT NULL,
    mime_type TEXT NOT NULL, size INTEGER, created_at REAL NOT NULL);
"""

#: Columns added after the first release: a `--db` file from before gets them on open.
_ADDED_COLUMNS = (
    ("oauth_states", "code_verifier", "TEXT"),
    ("oauth_codes", "scopes", "TEXT NOT NULL DEFAULT ''"),
    ("oauth_codes", "code_challenge", "TEXT"),
    ("oauth_codes", "code_challenge_method", "TEXT"),
    # The service profile: key scopes (JSON list; NULL: every scope), a connection whose Google
    # grant was revoked, the Drive file ids an export job created (JSON list, once it ended).
    ("api_keys", "scopes", "TEXT"),
    ("connections", "grant_revoked", "INTEGER NOT NULL DEFAULT 0"),
    ("jobs", "cloud_file_ids", "TEXT"),
)

#: Backend job states that are still moving.
ACTIVE_STATES = ("pending", "processing")


class Store:
    def __init__(self, path: str | None = None, seed: int = 0) -> None:
        self.path = path or ":memory:"
        self.seed = seed
        # One connection shared by the server thread and callers, serialised by the lock.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        for table, column, decl in _ADDED_COLUMNS:
            have = {r["name"] for r in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Re-entrant: only the outermost block begins and commits (or rolls back)."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Row]:
        with self._lock:
            return [dict(r) for r in self._db.execute(sql, args).fetchall()]

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Row | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        with self.transaction():
            return self._db.execute(sql, args).rowcount

    def _insert(self, table: str, row: Row) -> None:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self._run(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))  # noqa: S608

    # ids -------------------------------------------------------------------------------------

    def next_id(self, prefix: str, length: int = 16) -> str:
        """Deterministic for a seed and history (stable cassettes), unique across restarts."""
        with self.transaction():
            row = self._one("SELECT v FROM meta WHERE k = 'seq'")
            seq = int(row["v"]) + 1 if row else 1
            self._db.execute("INSERT OR REPLACE INTO meta (k, v) VALUES ('seq', ?)", (str(seq),))
        digest = hashlib.sha256(f"{self.seed}:{prefix}:{seq}".encode()).hexdigest()
        return prefix + digest[:length]

    def next_uuid(self) -> str:
        h = self.next_id("", 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    # keys ------------------------------------------------------------------------------------

    def add_key(
        self, key: str, label: str, now: float, scopes: Sequence[str] | None = None
    ) -> None:
        """Adds the key once; given scopes replace the ones an existing key had."""
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO api_keys (key, label, created_at) VALUES (?, ?, ?)",
                (key, label, now),
            )
            if scopes is not None:
                self._db.execute(
                    "UPDATE api_keys SET scopes = ? WHERE key = ?", (json.dumps(list(scopes)), key)
                )

    def key_scopes(self, key: str) -> frozenset[str] | None:
        """The key's scopes; None when it has every scope (or is unknown)."""
        row = self._one("SELECT scopes FROM api_keys WHERE key = ?", (key,))
        if row is None or row["scopes"] is None:
            return None
        return frozenset(json.loads(row["scopes"]))

    def add_web_session(self, digest: str, api_key: str, now: float) -> None:
        self._insert("web_sessions", {"digest": digest, "api_key": api_key, "created_at": now})

    def web_session_key(self, digest: str) -> str | None:
        row = self._one("SELECT api_key FROM web_sessions WHERE digest = ?", (digest,))
        return None if row is None else str(row["api_key"])

    def has_key(self, key: str) -> bool:
        return self._one("SELECT 1 AS x FROM api_keys WHERE key = ?", (key,)) is not None

    def keys(self) -> list[Row]:
        return self._all("SELECT key, label, created_at FROM api_keys ORDER BY created_at, key")

    # oauth -----------------------------------------------------------------------------------

    def add_state(self, row: Row) -> None:
        self._insert("oauth_states", row)

    def get_state(self, state: str) -> Row | None:
        return self._one("SELECT * FROM oauth_states WHERE state = ?", (state,))

    def add_code(self, row: Row) -> None:
        self._insert("oauth_codes", row)

    def get_code(self, code: str) -> Row | None:
        return self._one("SELECT * FROM oauth_codes WHERE code = ?", (code,))

    def granted_scopes(self, account: str) -> set[str]:
        rows = self._all("SELECT scope FROM oauth_grants WHERE account = ?", (account,))
        return {str(r["scope"]) for r in rows}

    def add_grants(self, account: str, scopes: set[str]) -> None:
        with self.transaction():
            for scope in sorted(scopes):
                self._db.execute(
                    "INSERT OR IGNORE INTO oauth_grants (account, scope) VALUES (?, ?)",
                    (account, scope),
                )

    def consume(self, state: str, code: str) -> bool:
        """Mark both used at once; False if either was already used (a replay race)."""
        try:
            with self.transaction():
                a = self._db.execute(
                    "UPDATE oauth_states SET used = 1 WHERE state = ? AND used = 0", (state,)
                ).rowcount
                b = self._db.execute(
                    "UPDATE oauth_codes SET used = 1 WHERE code = ? AND used = 0", (code,)
                ).rowcount
                if a != 1 or b != 1:
                    raise _Replay
        except _Replay:
            return False
        return True

    # connections -----------------------------------------------------------------------------

    def add_connection(self, row: Row) -> None:
        self._insert("connections", row)

    def connection(self, api_key: str, conn_id: str) -> Row | None:
        """A live connection of this key; revoked and foreign ones look absent."""
        return self._one(
            "SELECT * FROM connections WHERE id = ? AND api_key = ? AND revoked_at IS NULL",
            (conn_id, api_key),
        )

    def live_connection_by_id(self, conn_id: str) -> Row | None:
        """A live connection of any key (the admin API's view)."""
        return self._one(
            "SELECT * FROM connections WHERE id = ? AND revoked_at IS NULL", (conn_id,)
        )

    def connection_by_account(self, api_key: str, provider: str, email: str) -> Row | None:
        return self._one(
            "SELECT * FROM connections WHERE api_key = ? AND provider = ? AND email = ?"
            " AND revoked_at IS NULL",
            (api_key, provider, email),
        )

    def connections(self, api_key: str) -> list[Row]:
        return self._all(
            "SELECT * FROM connections WHERE api_key = ? AND revoked_at IS NULL"
            " ORDER BY created_at, id",
            (api_key,),
        )

    def touch_connection(self, conn_id: str, now: float) -> None:
        self._run("UPDATE connections SET last_used_at = ? WHERE id = ?", (now, conn_id))

    def revoke_connection(self, conn_id: str, now: float) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE connections SET revoked_at = ?, is_active = 0 WHERE id = ?",
                (now, conn_id),
            )
            self._db.execute("DELETE FROM picker_sessions WHERE connection_id = ?", (conn_id,))

    def set_grant_revoked(self, conn_id: str, revoked: bool) -> None:
        self._run("UPDATE connections SET grant_revoked = ? WHERE id = ?", (int(revoked), conn_id))

    # picker ----------------------------------------------------------------------------------

    def add_session(self, row: Row) -> None:
        self._insert("picker_sessions", row)

    def session(self, api_key: str, session_id: str) -> Row | None:
        return self._one(
            "SELECT * FROM picker_sessions WHERE id = ? AND api_key = ?", (session_id, api_key)
        )

    # images ----------------------------------------------------------------------------------

    def add_image(self, row: Row) -> None:
        self._insert("images", {**row, "tags": json.dumps(row.get("tags") or [])})

    def image(self, api_key: str, image_id: str) -> Row | None:
        return self._one("SELECT * FROM images WHERE id = ? AND api_key = ?", (image_id, api_key))

    def images(self, api_key: str) -> list[Row]:
        return self._all(
            "SELECT * FROM images WHERE api_key = ? ORDER BY created_at, id", (api_key,)
        )

    # jobs ------------------------------------------------------------------------------------

    def add_job(self, row: Row, items: list[Any]) -> None:
        with self.transaction():
            self._insert("jobs", {**row, "params": json.dumps(row.get("params") or {})})
            self._db.executemany(
                "INSERT INTO job_items (job_id, idx, payload) VALUES (?, ?, ?)",
                [(row["id"], i, json.dumps(p)) for i, p in enumerate(items)],
            )

    def job(self, api_key: str | None, job_id: str) -> Row | None:
        if api_key is None:
            row = self._one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        else:
            row = self._one("SELECT * FROM jobs WHERE id = ? AND api_key = ?", (job_id, api_key))
        if row is not None:
            row["params"] = json.loads(row["params"])
        return row

    def active_jobs(self) -> list[Row]:
        rows = self._all(
            "SELECT * FROM jobs WHERE status IN (?, ?) ORDER BY created_at, id", ACTIVE_STATES
        )
        for row in rows:
            row["params"] = json.loads(row["params"])
        return rows

    def pending_items(self, job_id: str, limit: int) -> list[Row]:
        rows = self._all(
            "SELECT * FROM job_items WHERE job_id = ? AND state = 'pending' ORDER BY idx LIMIT ?",
            (job_id, limit),
        )
        for row in rows:
            row["payload"] = json.loads(row["payload"])
        return rows

    def job_items(self, job_id: str) -> list[Row]:
        rows = self._all("SELECT * FROM job_items WHERE job_id = ? ORDER BY idx", (job_id,))
        for row in rows:
            row["payload"] = json.loads(row["payload"])
        return rows

    def finish_item(
        self, job_id: str, idx: int, ok: bool, result: str | None, error: str | None
    ) -> None:
        self._run(
            "UPDATE job_items SET state = ?, result = ?, error = ? WHERE job_id = ? AND idx = ?",
            ("done" if ok else "failed", result, error, job_id, idx),
        )

    def update_job(self, job_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        self._run(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), job_id))  # noqa: S608

    def jobs_per_key(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in self._all(
            "SELECT api_key, type, COUNT(*) AS n FROM jobs GROUP BY api_key, type"
        ):
            out.setdefault(row["api_key"], {})[row["type"]] = row["n"]
        return out

    def jobs_per_type(self) -> dict[str, int]:
        rows = self._all("SELECT type, COUNT(*) AS n FROM jobs GROUP BY type")
        return {str(r["type"]): int(r["n"]) for r in rows}

    def imports_per_source(self) -> dict[str, int]:
        """Images per Drive file id: above 1 means the same file was imported twice."""
        rows = self._all(
            "SELECT source_file_id, COUNT(*) AS n FROM images GROUP BY source_file_id"
            " ORDER BY source_file_id"
        )
        return {str(r["source_file_id"]): int(r["n"]) for r in rows}

    # drive -----------------------------------------------------------------------------------

    def add_drive_file(self, row: Row) -> None:
        self._insert("drive_added", row)

    def drive_files(self, account: str) -> list[Row]:
        return self._all(
            "SELECT * FROM drive_added WHERE account = ? ORDER BY created_at, id", (account,)
        )

    # admin -----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the API keys (signed-in sessions go too)."""
        with self.transaction():
            for table in (
                "oauth_states",
                "oauth_codes",
                "oauth_grants",
                "connections",
                "picker_sessions",
                "images",
                "jobs",
                "job_items",
                "drive_added",
                "web_sessions",
                "meta",
            ):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608


class _Replay(Exception):
    """Raised inside `consume` to roll back a half-consumed state/code pair."""
