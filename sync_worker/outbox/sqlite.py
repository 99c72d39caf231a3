"""The outbox in one SQLite file: for one host, where several processes may share the file.

WAL mode, a busy timeout, and `BEGIN IMMEDIATE` around the claim and every write, so two processes never
take the same row: the second waits for the first's write lock. JSON is stored as text, times as ISO 8601
UTC text with microseconds (one fixed format, so text order is time order).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import OutboxError
from ._common import REPLACEABLE, Clock, as_utc, check_add, check_claim, make_row, to_json, utc_now
from .base import AddOutcome, OutboxRow, Posted, State
from .sql import INDEXES, SCHEMA_VERSION, SQLITE

BUSY_TIMEOUT_MS = 30_000


def _time(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def _load_time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _load_json(value: Any) -> Any:
    return json.loads(value)


class SqliteOutbox:
    """The Outbox protocol on a SQLite file. One connection per instance, shared by threads under a lock;
    each process opens its own instance on the same file."""

    def __init__(self, path: str | Path, *, clock: Clock = utc_now) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions; every write opens its own BEGIN IMMEDIATE.
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise OutboxError(f"cannot open the SQLite outbox {self.path}: {exc}") from exc
        try:
            self._conn.row_factory = sqlite3.Row
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._create_schema()
        except (sqlite3.Error, OutboxError) as exc:
            self._conn.close()
            self._conn = None
            if isinstance(exc, OutboxError):
                raise
            raise OutboxError(f"cannot prepare the SQLite outbox {self.path}: {exc}") from exc

    def __repr__(self) -> str:
        return f"SqliteOutbox({str(self.path)!r})"

    # -- plumbing ---------------------------------------------------------------------------------------

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One short write transaction under the instance lock; engine errors become OutboxError."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise OutboxError(f"SQLite outbox {self.path}: {action} failed: {exc}") from exc

    @contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise OutboxError(f"SQLite outbox {self.path}: {action} failed: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise OutboxError(f"the SQLite outbox {self.path} is closed")
        return self._conn

    def _create_schema(self) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute(SQLITE["get_version"]).fetchone()[0])
            if version > SCHEMA_VERSION:
                raise OutboxError(
                    f"the SQLite outbox {self.path} has schema version {version}; this worker knows up to "
                    f"{SCHEMA_VERSION}: upgrade the worker"
                )
            conn.execute(SQLITE["create_table"])
            for name in INDEXES:  # each IF [NOT] EXISTS: makes schema 2, or migrates schema 1 to it
                conn.execute(SQLITE[name])
            if version < SCHEMA_VERSION:
                conn.execute(SQLITE["set_version"])
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _row(self, record: sqlite3.Row) -> OutboxRow:
        return make_row(dict(record), _load_json, _load_time)

    def _now(self) -> str:
        return _time(as_utc(self._clock(), "the clock"))

    # -- the protocol -----------------------------------------------------------------------------------

    def add(
        self,
        kind: str,
        ref: str,
        payload: dict[str, Any],
        *,
        state: State = "pending",
        errors: list[dict[str, str]] | None = None,
        last_error: str = "",
        depends_kind: str = "",
        depends_ref: str = "",
    ) -> AddOutcome:
        check_add(kind, ref, payload, state, depends_kind, depends_ref)
        params = {
            "kind": kind,
            "ref": ref,
            "state": state,
            "payload": to_json(payload, f"the payload of {kind} {ref}"),
            "errors": to_json(errors or [], f"the errors of {kind} {ref}"),
            "last_error": last_error,
            "depends_kind": depends_kind,
            "depends_ref": depends_ref,
            "now": self._now(),
        }
        with self._write(f"adding {kind} {ref}") as conn:
            if conn.execute(SQLITE["insert"], params).rowcount == 1:  # no RETURNING: SQLite < 3.35 lacks it
                return "added"
            existing = conn.execute(SQLITE["select_by_key"], params).fetchone()
            if to_json(json.loads(existing["payload"]), "") == params["payload"]:
                return "duplicate"
            if existing["state"] not in REPLACEABLE:
                return "conflict"
            conn.execute(SQLITE["replace"], {**params, "id": existing["id"], "empty_result": "{}"})
            return "replaced"

    def claim(self, worker_id: str, limit: int, lease_seconds: float, now: datetime) -> list[OutboxRow]:
        check_claim(limit, lease_seconds)
        now = as_utc(now, "claim's now")
        params = {
            "now": _time(now),
            "limit": limit,
            "lease_until": _time(now + timedelta(seconds=lease_seconds)),
            "worker_id": worker_id,
        }
        with self._write(f"claiming for {worker_id}") as conn:
            ids = [r["id"] for r in conn.execute(SQLITE["claimable"], params).fetchall()]
            taken = []
            for row_id in ids:
                conn.execute(SQLITE["take"], {**params, "id": row_id})
                taken.append(self._row(conn.execute(SQLITE["select_by_id"], {"id": row_id}).fetchone()))
            return taken

    def mark_posted(self, row_id: int, result: dict[str, Any], ra_number: str = "") -> None:
        """Record what the ERP answered. Applies whatever the row's state: the ERP already holds the document."""
        params = {"id": row_id, "result": to_json(result, "the result"), "ra_number": ra_number, "now": self._now()}
        with self._write(f"marking row {row_id} posted") as conn:
            conn.execute(SQLITE["mark_posted"], params)

    def mark_posted_many(self, posted: Sequence[Posted]) -> None:
        """Every row posted, in one write transaction. Applies whatever the rows' states."""
        if not posted:
            return
        now = self._now()
        params = [
            {"id": item.row_id, "result": to_json(item.result, f"the result of row {item.row_id}"),
             "ra_number": item.ra_number, "now": now}
            for item in posted
        ]  # in the given order: a row named twice ends with its last answer
        with self._write(f"marking {len(params)} rows posted") as conn:
            conn.executemany(SQLITE["mark_posted"], params)

    def mark_failed(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        """attempts += 1, state failed, lease cleared. Ignored unless the row is still posting (claimed):
        when the lease ran out and another worker took the row, that worker's outcome counts."""
        params = {
            "id": row_id,
            "error": error,
            "next_attempt_at": _time(as_utc(next_attempt_at, "next_attempt_at")),
            "now": self._now(),
        }
        with self._write(f"marking row {row_id} failed") as conn:
            conn.execute(SQLITE["mark_failed"], params)

    def mark_dead(self, row_id: int, error: str) -> None:
        """State dead with the reason, attempts += 1. Ignored unless the row is still posting (claimed)."""
        with self._write(f"marking row {row_id} dead") as conn:
            conn.execute(SQLITE["mark_dead"], {"id": row_id, "error": error, "now": self._now()})

    def mark_rejected(self, row_id: int, result: dict[str, Any], error: str) -> None:
        """State rejected with the ERP's answer. Ignored unless the row is still posting (claimed)."""
        params = {"id": row_id, "result": to_json(result, "the result"), "error": error, "now": self._now()}
        with self._write(f"marking row {row_id} rejected") as conn:
            conn.execute(SQLITE["mark_rejected"], params)

    def release(self, row_ids: list[int]) -> None:
        """Give claimed rows back (pending, lease cleared, no attempt counted). Rows no longer posting are left."""
        now = self._now()
        with self._write("releasing rows") as conn:
            for row_id in row_ids:
                conn.execute(SQLITE["release"], {"id": row_id, "now": now})

    def get(self, kind: str, ref: str) -> OutboxRow | None:
        with self._read(f"reading {kind} {ref}") as conn:
            record = conn.execute(SQLITE["select_by_key"], {"kind": kind, "ref": ref}).fetchone()
            return None if record is None else self._row(record)

    def rows(
        self, states: tuple[State, ...] = (), kind: str = "", limit: int = 1000, after_id: int = 0
    ) -> list[OutboxRow]:
        params = {"after_id": after_id, "all_states": not states, "states": json.dumps(list(states)), "kind": kind}
        params["limit"] = limit
        with self._read("listing rows") as conn:
            return [self._row(r) for r in conn.execute(SQLITE["rows"], params).fetchall()]

    def retry(self, ref: str | None = None) -> int:
        """Dead and failed rows (any kind; only those with `ref` when given) back to pending, attempts 0.
        Returns how many."""
        now = self._now()
        with self._write("retrying rows") as conn:
            if ref is None:
                cursor = conn.execute(SQLITE["retry_all"], {"now": now})
            else:
                cursor = conn.execute(SQLITE["retry_ref"], {"ref": ref, "now": now})
            return cursor.rowcount

    def counts(self) -> dict[tuple[str, str], int]:
        with self._read("counting rows") as conn:
            return {(r["state"], r["kind"]): int(r["n"]) for r in conn.execute(SQLITE["counts"]).fetchall()}

    def count_conflicts(self) -> int:
        with self._read("counting conflicts") as conn:
            return int(conn.execute(SQLITE["count_conflicts"]).fetchone()["n"])

    def oldest_pending_since(self) -> datetime | None:
        """When the oldest row whose work is not done (pending, posting or failed) was added; None if none."""
        with self._read("finding the oldest pending row") as conn:
            return _load_time(conn.execute(SQLITE["oldest_pending_since"]).fetchone()["oldest"])

    def close(self) -> None:
        """Close the connection; calling it again does nothing."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
