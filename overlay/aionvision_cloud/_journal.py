"""A local journal that makes bulk imports and exports resumable and idempotent.

Each batch is written down *before* it is sent (``sending``) and again when the service answers
(``accepted`` with its job id and image ids, or ``rejected`` when the service certainly did not
act). A batch still ``sending`` when the journal is reopened, or one whose answer was lost
(``uncertain``), may or may not have been acted on: the caller decides to resend it (risking one
duplicate batch) or to skip it (its files are reported as not imported).

SQLite from the standard library, WAL with ``synchronous=FULL``: every state change is one
committed, fsynced transaction, so a process killed at any instant leaves the journal at the
last completed step. One process at a time: the file is locked exclusively while open.

An operation is keyed by its kind and what the service will do with the files (the options, tags
as a set), not by the connection: Drive file ids and image ids name the same files whichever
connection carries them, as ``aws s3 sync`` keys objects by path, not by credentials. Files
recorded under other options are refused (``JournalConflictError``), never silently sent again.
An accepted answer the journal cannot record goes to a small side file (``<journal>-accepted``)
that the next open folds in, so its job is followed rather than its batch resent.

A journal belongs to one server: the first call records the client's base URL (a journal
written before this was recorded adopts the first server it is used with), and a call through
a client with another base URL is refused before anything is sent (``JournalConflictError``,
naming both): its job ids and image ids mean nothing to another server.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .errors import InvalidInputError, JournalConflictError, JournalError

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "BatchRecord",
    "Journal",
    "JournalOperation",
    "OnUncertain",
    "ResumePlan",
    "canonical_options",
]

#: What to do with a batch that was sent but never answered.
OnUncertain = Literal["raise", "resend", "skip"]
ON_UNCERTAIN: tuple[str, ...] = ("raise", "resend", "skip")

BatchState = Literal["sending", "accepted", "rejected", "uncertain"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL,
    items TEXT NOT NULL,
    state TEXT NOT NULL,
    job_id TEXT,
    image_ids TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    resolution TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS batches_by_operation ON batches (operation, id);
CREATE TABLE IF NOT EXISTS export_folders (operation TEXT PRIMARY KEY, folder_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY, operation TEXT NOT NULL, raw TEXT NOT NULL, terminal INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS operations (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, options TEXT NOT NULL,
    connections TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@attrs.frozen
class BatchRecord:
    """One batch as the journal knows it. ``items`` are file ids (imports) or image ids."""

    id: int
    items: tuple[str, ...]
    state: BatchState
    job_id: str | None = None
    image_ids: tuple[str, ...] = ()
    error: str | None = None
    #: For a batch once uncertain: ``resent`` or ``skipped``, as the caller chose.
    resolution: str | None = None
    #: How many items the batch carried when sent, when ``items`` holds only this call's (a
    #: re-run for some of an earlier, larger call's files); None when ``items`` is all of it.
    items_sent: int | None = None

    @property
    def is_open_question(self) -> bool:
        """Sent, never answered, and nobody has decided yet."""
        return self.state in ("sending", "uncertain") and self.resolution is None


@attrs.frozen
class ResumePlan:
    """What a re-run does: ``accepted`` batches are kept as they are, ``to_send`` goes out,
    ``skipped`` files are reported as not imported, ``resent`` batches are sent once more."""

    accepted: tuple[BatchRecord, ...]
    to_send: tuple[str, ...]
    skipped: tuple[str, ...]
    resent: tuple[BatchRecord, ...]
    uncertain: tuple[BatchRecord, ...]


def canonical_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options as the service acts on them: unset ones left out, tags as a sorted set (an
    empty list is no tags)."""
    out: dict[str, Any] = {}
    for name, value in options.items():
        if name == "tags" and isinstance(value, (list, tuple)):
            value = sorted(set(map(str, value))) or None
        if value is not None:
            out[name] = value
    return out


def _canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def operation_key(kind: str, options: Mapping[str, Any]) -> str:
    """The same import or export (same kind and options) maps to the same key, so a re-run finds
    its batches; the file list is left out so files added since are picked up."""
    canonical = _canonical_json([kind, canonical_options(options)])
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _legacy_key(kind: str, connection_id: str, options: Mapping[str, Any]) -> str:
    # Journals written before options were canonical keyed on the connection too.
    canonical = json.dumps([kind, connection_id, dict(options)], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _differences(recorded: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
    names = sorted(set(recorded) | set(wanted))
    return ", ".join(
        f"{n}: recorded {recorded.get(n)!r}, now {wanted.get(n)!r}"
        for n in names
        if recorded.get(n) != wanted.get(n)
    )


class Journal:
    """The journal file; ``path`` is chosen by the caller and created when missing."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if isinstance(path, (str, os.PathLike)) and str(path).strip() not in ("", ":memory:"):
            self.path = os.fspath(path)
        else:
            raise InvalidInputError("journal must be a file path (str or os.PathLike)")
        parent = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(parent):
            raise InvalidInputError(f"journal folder {parent!r} does not exist")
        # Imported here: most clients never open a journal, and sqlite3 is a few ms of start-up.
        import sqlite3

        self._errors = sqlite3.Error  # for the reads and writes below
        try:
            # isolation_level=None: transactions are spelt out below, one per state change.
            self._db: sqlite3.Connection = sqlite3.connect(
                self.path, isolation_level=None, timeout=0.5
            )
            # Held until close: a second process on the same journal fails at once, clearly.
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("BEGIN EXCLUSIVE")
            self._db.execute("COMMIT")
            self._db.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            raise JournalError(f"cannot open journal {self.path!r}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path!r} is not a journal: {exc}") from None
        try:
            self._fold_side_file()
        except JournalError:
            self._db.close()  # and with it the lock: nothing holds a journal it cannot use
            raise

    @property
    def side_path(self) -> str:
        """Where accepted answers go when the journal itself cannot record them."""
        return self.path + "-accepted"

    def _fold_side_file(self) -> None:
        """Record the accepted answers an earlier run could only write beside the journal."""
        try:
            with open(self.side_path, encoding="utf-8") as side:
                lines = side.read().splitlines()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise JournalError(f"cannot read {self.side_path!r}: {exc}") from None
        for line in lines:
            try:
                entry = json.loads(line)
                args = (entry["job_id"], json.dumps(entry["image_ids"]), int(entry["batch"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by the failure that sent it here
            self._write(
                "UPDATE batches SET state = 'accepted', job_id = ?, image_ids = ?"
                " WHERE id = ? AND state IN ('sending', 'uncertain')",
                args,
            )
        # Folded in (each update is idempotent): a crash before this line only repeats them.
        try:
            os.unlink(self.side_path)
        except OSError as exc:
            raise JournalError(f"cannot remove {self.side_path!r}: {exc}") from None

    def write_side(self, batch_id: int, job_id: str | None, image_ids: Sequence[str]) -> bool:
        """Append an accepted answer to the side file, fsynced; False when that fails too."""
        line = json.dumps({"batch": batch_id, "job_id": job_id, "image_ids": list(image_ids)})
        try:
            with open(self.side_path, "a", encoding="utf-8") as side:
                side.write(line + "\n")
                side.flush()
                os.fsync(side.fileno())
        except OSError:
            return False
        return True

    def __repr__(self) -> str:
        return f"Journal({self.path!r})"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def server(self) -> str | None:
        """The base URL the journal was written against (None: not used yet, or written before
        journals recorded it)."""
        rows = self._read("SELECT value FROM meta WHERE name = 'server'", ())
        return str(rows[0][0]) if rows else None

    def use_server(self, base_url: str) -> None:
        """Record ``base_url`` as this journal's server, or refuse another one before anything
        is sent: an accepted batch here is a job on the recorded server only."""
        wanted = base_url.rstrip("/")
        recorded = self.server
        if recorded is None:
            self._write("INSERT INTO meta (name, value) VALUES ('server', ?)", (wanted,))
        elif recorded.rstrip("/") != wanted:
            raise JournalConflictError(
                f"journal {self.path!r} was written against {recorded}; this client uses "
                f"{wanted}. Its jobs and images are that server's, not this one's: use a new "
                f"journal file for {wanted}, or a client for {recorded} to resume."
            )

    def accepted_items(self) -> set[str]:
        """Every item (file id, or image id) whose latest batch, of any operation, the service
        accepted: what a re-run will not send again."""
        latest: dict[str, str] = {}
        rows = self._read("SELECT items, state, resolution FROM batches ORDER BY id", ())
        for items, state, resolution in rows:
            if resolution != "resent":  # its items went out again in a later batch
                latest.update(dict.fromkeys(json.loads(items), state))
        return {item for item, state in latest.items() if state == "accepted"}

    def operation(
        self, kind: str, connection_id: str, options: Mapping[str, Any]
    ) -> JournalOperation:
        """The operation of that kind and options; ``connection_id`` is recorded beside it (see
        ``JournalOperation.connections``), not part of its key."""
        wanted = canonical_options(options)
        key = operation_key(kind, wanted)
        rows = self._read("SELECT connections FROM operations WHERE key = ?", (key,))
        if rows:
            connections = [(c, a) for c, a in json.loads(rows[0][0])]
        else:
            connections = []
            legacy = _legacy_key(kind, connection_id, options)
            self._write(
                "INSERT INTO operations (key, kind, options) VALUES (?, ?, ?)",
                (key, kind, _canonical_json(wanted)),
            )
            # An older journal's batches of this very call: adopted, not sent again.
            self._write("UPDATE batches SET operation = ? WHERE operation = ?", (key, legacy))
            self._write("UPDATE jobs SET operation = ? WHERE operation = ?", (key, legacy))
        return JournalOperation(self, key, kind, wanted, connection_id, connections)

    def uncertain_batches(self) -> list[BatchRecord]:
        """Every batch, of any operation, that was ever sent without a certain answer."""
        rows = self._read(
            "SELECT id, items, state, job_id, image_ids, error, resolution FROM batches"
            " WHERE state IN ('sending', 'uncertain') OR resolution IS NOT NULL ORDER BY id",
            (),
        )
        return [_record(r) for r in rows]

    # -- low level, one transaction each ---------------------------------------------------------

    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(sql, args)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except self._errors as exc:
            raise JournalError(f"cannot write journal {self.path!r}: {exc}") from None
        return int(cursor.lastrowid or 0)

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return list(self._db.execute(sql, args).fetchall())
        except self._errors as exc:
            raise JournalError(f"cannot read journal {self.path!r}: {exc}") from None


def _record(row: tuple[Any, ...]) -> BatchRecord:
    id_, items, state, job_id, image_ids, error, resolution = row
    return BatchRecord(
        id=int(id_),
        items=tuple(json.loads(items)),
        state=state,
        job_id=job_id,
        image_ids=tuple(json.loads(image_ids)),
        error=error,
        resolution=resolution,
    )


class JournalOperation:
    """The batches of one import or export inside a journal. ``connections`` are the connection
    ids earlier runs used, with their accounts when known (the first run: none);
    ``connection_id`` is this call's."""

    def __init__(
        self,
        journal: Journal,
        key: str,
        kind: str = "import",
        options: Mapping[str, Any] | None = None,
        connection_id: str = "",
        connections: Sequence[tuple[str, str | None]] = (),
    ) -> None:
        self.journal = journal
        self.key = key
        self.kind = kind
        self.options = dict(options or {})
        self.connection_id = connection_id
        self.connections: tuple[tuple[str, str | None], ...] = tuple(
            (str(c), None if a is None else str(a)) for c, a in connections
        )

    @property
    def connection_ids(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.connections)

    def use_connection(self, account: str | None = None) -> None:
        """Record this call's connection id (and its account, when known) among the
        operation's, once."""
        if self.connection_id and self.connection_id not in self.connection_ids:
            self.connections = (*self.connections, (self.connection_id, account))
            self.journal._write(
                "UPDATE operations SET connections = ? WHERE key = ?",
                (json.dumps([list(c) for c in self.connections]), self.key),
            )

    def check_conflicts(self, items: Iterable[str]) -> None:
        """Refuse files this journal holds under another operation of the same kind: sending
        them under these options would import (or export) them a second time."""
        wanted = set(items)
        rows = self.journal._read(
            "SELECT b.operation, b.items, o.options FROM batches b"
            " LEFT JOIN operations o ON o.key = b.operation"
            " WHERE b.operation != ? AND b.state IN ('accepted', 'sending', 'uncertain')"
            " AND (o.kind = ? OR o.kind IS NULL)"
            " AND (b.resolution IS NULL OR b.resolution != 'resent')",
            (self.key, self.kind),
        )
        clashes: dict[str, tuple[int, str | None]] = {}
        for operation, items_json, options_json in rows:
            n = sum(1 for i in json.loads(items_json) if i in wanted)
            if n:
                seen, _ = clashes.get(operation, (0, None))
                clashes[operation] = (seen + n, options_json)
        if not clashes:
            return
        files = sum(n for n, _ in clashes.values())
        operation, (_, options_json) = max(clashes.items(), key=lambda kv: kv[1][0])
        if options_json is None:
            what = "by an earlier version of this client under options it cannot compare"
        else:
            what = f"under other options ({_differences(json.loads(options_json), self.options)})"
        raise JournalConflictError(
            f"{files} of these files are recorded in journal {self.journal.path!r} as sent "
            f"{what}; sending them with these options would {self.kind} them again. Call with "
            "the recorded options to resume, or use a new journal file to "
            f"{self.kind} them again with these.",
            files=files,
        )

    def __repr__(self) -> str:
        return f"JournalOperation({self.journal.path!r}, {self.key[:8]}...)"

    def batches(self) -> list[BatchRecord]:
        rows = self.journal._read(
            "SELECT id, items, state, job_id, image_ids, error, resolution FROM batches"
            " WHERE operation = ? ORDER BY id",
            (self.key,),
        )
        return [_record(r) for r in rows]

    def plan(self, items: Sequence[str], on_uncertain: OnUncertain) -> ResumePlan:
        """Sort this call's items by what the journal knows of them; the latest batch holding
        an item decides. Open questions are settled (and recorded) as ``on_uncertain`` says, for
        this call's items: an uncertain batch's other items stay an open question, in a batch
        of their own; with ``"raise"`` they are only returned, and nothing is recorded."""
        if on_uncertain not in ON_UNCERTAIN:
            raise InvalidInputError(f"on_uncertain must be one of {', '.join(ON_UNCERTAIN)}")
        latest: dict[str, BatchRecord] = {}
        records = self.batches()
        for record in records:
            if record.resolution == "resent":
                continue  # its items went out again in a later batch
            for item in record.items:
                latest[item] = record
        wanted = set(items)
        # One lookup per item (not per item and record): a resume stays linear in the journal.
        involved = {r.id: r for r in (latest.get(i) for i in wanted) if r is not None}
        involved = dict(sorted(involved.items()))
        accepted = tuple(r for r in involved.values() if r.state == "accepted")
        uncertain = tuple(r for r in involved.values() if r.is_open_question)
        resent: list[BatchRecord] = []
        settled: dict[int, str] = {}  # record id -> the resolution this call chose for it
        if on_uncertain != "raise":
            for r in uncertain:
                others = [i for i in r.items if i not in wanted and latest.get(i) is r]
                if others:
                    # The choice is this call's for its own files: the others stay an open
                    # question for a call that holds them (recorded first, so a crash between
                    # the two writes leaves the question asked twice, never lost).
                    self.journal._write(
                        "INSERT INTO batches (operation, items, state, error)"
                        " VALUES (?, ?, 'uncertain', ?)",
                        (self.key, json.dumps(others), r.error),
                    )
                settled[r.id] = "resent" if on_uncertain == "resend" else "skipped"
                self.resolve(r.id, "resent" if on_uncertain == "resend" else "skipped")
                if on_uncertain == "resend":
                    resent.append(r)
            uncertain = ()
        # Each item by its own latest batch, not by every batch that ever held it: a batch
        # whose items were sent again later speaks only for the rest.
        to_send: list[str] = []
        skipped: list[str] = []
        for i in items:
            last = latest.get(i)
            choice = None if last is None else settled.get(last.id, last.resolution)
            if last is None or (last.state == "rejected" and choice is None) or choice == "resent":
                to_send.append(i)
            elif choice == "skipped":
                skipped.append(i)
        return ResumePlan(
            accepted=accepted,
            to_send=tuple(to_send),
            skipped=tuple(skipped),
            resent=tuple(resent),
            uncertain=uncertain,
        )

    def begin(self, items: Iterable[str]) -> int:
        """Record a batch about to be sent; returns its id. Written before the request."""
        return self.journal._write(
            "INSERT INTO batches (operation, items, state) VALUES (?, ?, 'sending')",
            (self.key, json.dumps(list(items))),
        )

    def accepted(self, batch_id: int, job_id: str | None, image_ids: Sequence[str]) -> None:
        self.journal._write(
            "UPDATE batches SET state = 'accepted', job_id = ?, image_ids = ? WHERE id = ?",
            (job_id, json.dumps(list(image_ids)), batch_id),
        )

    def rejected(self, batch_id: int, error: str) -> None:
        """The service certainly did not act (a 4xx, a 429 or 503, or nothing was sent)."""
        self.journal._write(
            "UPDATE batches SET state = 'rejected', error = ? WHERE id = ?", (error, batch_id)
        )

    def uncertain(self, batch_id: int, error: str) -> None:
        """Sent, but the answer was lost or was an error after which the service may have
        acted (a 500, a dropped connection, a read timeout)."""
        self.journal._write(
            "UPDATE batches SET state = 'uncertain', error = ? WHERE id = ?", (error, batch_id)
        )

    def resolve(self, batch_id: int, resolution: Literal["resent", "skipped"]) -> None:
        self.journal._write(
            "UPDATE batches SET resolution = ? WHERE id = ?", (resolution, batch_id)
        )

    def folder_id(self) -> str | None:
        """The Drive folder an export with ``folder_name`` made, once learned (None before)."""
        rows = self.journal._read(
            "SELECT folder_id FROM export_folders WHERE operation = ?", (self.key,)
        )
        return str(rows[0][0]) if rows else None

    def set_folder_id(self, folder_id: str) -> None:
        """Record that folder before any batch is sent into it by id: a re-run goes on into the
        same folder instead of making another of the same name."""
        self.journal._write(
            "INSERT INTO export_folders (operation, folder_id) VALUES (?, ?)"
            " ON CONFLICT (operation) DO UPDATE SET folder_id = excluded.folder_id",
            (self.key, folder_id),
        )

    # -- jobs ------------------------------------------------------------------------------------

    def job_seen(self, job_id: str, raw: Mapping[str, Any], terminal: bool) -> None:
        """The last state of a job, so a re-run need not poll jobs that already ended."""
        self.journal._write(
            "INSERT INTO jobs (job_id, operation, raw, terminal) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (job_id) DO UPDATE SET raw = excluded.raw, terminal = excluded.terminal",
            (job_id, self.key, json.dumps(dict(raw), default=str), int(terminal)),
        )

    def finished_jobs(self) -> dict[str, dict[str, Any]]:
        rows = self.journal._read(
            "SELECT job_id, raw FROM jobs WHERE operation = ? AND terminal = 1", (self.key,)
        )
        return {str(job_id): json.loads(raw) for job_id, raw in rows}
