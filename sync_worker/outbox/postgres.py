"""The outbox in PostgreSQL: for several workers on several hosts.

The claim is one statement, `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING ...`: a
row another transaction is taking is skipped, never waited for and never taken twice. The connection runs
in autocommit; `add` (insert, else read and maybe replace) uses one short explicit transaction.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.rows import RowMaker, dict_row
from psycopg.types.json import Jsonb

from ..errors import OutboxError
from ..redact import redact
from ._common import REPLACEABLE, Clock, as_utc, check_add, check_claim, to_json, utc_now
from .base import AddOutcome, OutboxRow, Posted, State
from .sql import INDEXES, POSTGRES, SCHEMA_VERSION

CONNECT_TIMEOUT_S = 10

# A claim reads every column of up to a batch of rows, and the per-row cost in this process is a good part
# of how fast several workers drain the outbox (bench/bench_outbox.py): rows are built straight from the
# result's columns, which sql.COLUMNS lists in OutboxRow's field order (tests/outbox hold them equal), with
# timestamps already in UTC (the session's time zone) and jsonb decoded without the generic loader's detours.
_decode_json = json.JSONDecoder().decode


class _JsonbBinaryLoader(Loader):
    """jsonb in binary: a version byte (1), then the JSON text. The empty object and list (a row's errors
    and result until the ERP answers) skip the decoder."""

    format = Format.BINARY

    def load(self, data: Buffer) -> Any:
        if data[0] != 1:
            raise OutboxError(f"unknown jsonb binary format version {data[0]}")
        text = bytes(data[1:]).decode()
        if text == "{}":
            return {}
        if text == "[]":
            return []
        return _decode_json(text)


def _outbox_rows(cursor: Any) -> RowMaker[OutboxRow]:
    return lambda values: OutboxRow(*values)


def _load_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise OutboxError(f"expected a timestamptz from PostgreSQL, got {value!r}")
    return value.astimezone(timezone.utc)


Conn = psycopg.Connection[dict[str, Any]]


class PostgresOutbox:
    """The Outbox protocol on PostgreSQL. One connection per instance, shared by threads under a lock;
    a broken connection is replaced at the next call."""

    def __init__(self, url: str, *, clock: Clock = utc_now) -> None:
        self._url = url
        self._clock = clock
        self._lock = threading.Lock()
        self._closed = False
        self._conn: Conn | None = None
        with self._lock:
            conn = self._connection()
            try:
                self._create_schema(conn)
            except psycopg.Error as exc:
                self._close_connection()
                raise OutboxError(f"cannot prepare the PostgreSQL outbox at {redact(url)}: {exc}") from exc
            except BaseException:
                self._close_connection()
                raise

    def __repr__(self) -> str:
        return f"PostgresOutbox({redact(self._url)!r})"

    # -- plumbing ---------------------------------------------------------------------------------------

    def _connection(self) -> Conn:
        if self._closed:
            raise OutboxError(f"the PostgreSQL outbox at {redact(self._url)} is closed")
        if self._conn is not None and (self._conn.closed or self._conn.broken):
            self._close_connection()
        if self._conn is None:
            try:
                conn = psycopg.connect(
                    self._url, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S
                )
                conn.execute("SET TIME ZONE 'UTC'")
                # psycopg prepares a statement on its fifth run; PostgreSQL would still plan the claim afresh
                # on every run (its generic plan looks dear while :limit is unknown): a tenth of the server's
                # work per claim. The claim is written so that the generic plan is the right one.
                conn.execute("SET plan_cache_mode = force_generic_plan")
                conn.adapters.register_loader("jsonb", _JsonbBinaryLoader)
                self._conn = conn
            except psycopg.Error as exc:
                raise OutboxError(f"cannot connect to the PostgreSQL outbox at {redact(self._url)}: {exc}") from exc
        return self._conn

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def _use(self, action: str) -> Iterator[Conn]:
        """The connection under the instance lock; engine errors become OutboxError naming the action."""
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except psycopg.Error as exc:
                raise OutboxError(f"PostgreSQL outbox at {redact(self._url)}: {action} failed: {exc}") from exc

    def _create_schema(self, conn: Conn) -> None:
        with conn.transaction():
            conn.execute(POSTGRES["schema_lock"])
            conn.execute(POSTGRES["create_version_table"])
            record = conn.execute(POSTGRES["get_version"]).fetchone()
            version = int(record["version"]) if record and record["version"] is not None else 0
            if version > SCHEMA_VERSION:
                raise OutboxError(
                    f"the PostgreSQL outbox at {redact(self._url)} has schema version {version}; this worker "
                    f"knows up to {SCHEMA_VERSION}: upgrade the worker"
                )
            conn.execute(POSTGRES["create_table"])
            for name in INDEXES:  # each IF [NOT] EXISTS: makes schema 2, or migrates schema 1 to it
                conn.execute(POSTGRES[name])
            if version < SCHEMA_VERSION:
                conn.execute(POSTGRES["set_version"], {"version": SCHEMA_VERSION})

    @staticmethod
    def _fetch_rows(conn: Conn, name: str, params: dict[str, Any]) -> list[OutboxRow]:
        """Rows of a statement that selects sql.COLUMNS, read in binary (see _JsonbBinaryLoader)."""
        with conn.cursor(row_factory=_outbox_rows, binary=True) as cursor:
            return cursor.execute(POSTGRES[name], params).fetchall()

    def _now(self) -> datetime:
        return as_utc(self._clock(), "the clock")

    def _execute(self, action: str, name: str, params: dict[str, Any]) -> int:
        with self._use(action) as conn:
            return conn.execute(POSTGRES[name], params).rowcount

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
        canonical = to_json(payload, f"the payload of {kind} {ref}")
        to_json(errors or [], f"the errors of {kind} {ref}")
        params = {
            "kind": kind,
            "ref": ref,
            "state": state,
            "payload": Jsonb(payload),
            "errors": Jsonb(errors or []),
            "last_error": last_error,
            "depends_kind": depends_kind,
            "depends_ref": depends_ref,
            "now": self._now(),
        }
        with self._use(f"adding {kind} {ref}") as conn, conn.transaction():
            if conn.execute(POSTGRES["insert"], params).fetchone() is not None:
                return "added"
            existing = conn.execute(POSTGRES["select_by_key_for_update"], params).fetchone()
            if existing is None:  # deleted between the two statements: nothing in the protocol deletes
                raise OutboxError(f"{kind} {ref} vanished while being added; try again")
            if to_json(existing["payload"], "") == canonical:
                return "duplicate"
            if existing["state"] not in REPLACEABLE:
                return "conflict"
            conn.execute(POSTGRES["replace"], {**params, "id": existing["id"], "empty_result": Jsonb({})})
            return "replaced"

    def claim(self, worker_id: str, limit: int, lease_seconds: float, now: datetime) -> list[OutboxRow]:
        check_claim(limit, lease_seconds)
        now = as_utc(now, "claim's now")
        params = {
            "now": now,
            "limit": limit,
            "lease_until": now + timedelta(seconds=lease_seconds),
            "worker_id": worker_id,
        }
        with self._use(f"claiming for {worker_id}") as conn:
            rows = self._fetch_rows(conn, "claim", params)
        return sorted(rows, key=lambda r: r.id)

    def mark_posted(self, row_id: int, result: dict[str, Any], ra_number: str = "") -> None:
        """Record what the ERP answered. Applies whatever the row's state: the ERP already holds the document."""
        self.mark_posted_many([Posted(row_id, result, ra_number)])

    def mark_posted_many(self, posted: Sequence[Posted]) -> None:
        """Every row posted, in one statement (one round trip, one commit). Applies whatever the rows' states."""
        latest = {item.row_id: item for item in posted}  # a row named twice: its last answer
        if not latest:
            return
        ids = sorted(latest)  # rows locked in id order, as every batch does: two batches cannot deadlock
        what = f"row {ids[0]}" if len(ids) == 1 else f"{len(ids)} rows"
        batch = [{"id": i, "result": latest[i].result, "ra_number": latest[i].ra_number} for i in ids]
        params = {"posted": to_json(batch, f"the result of {what}"), "now": self._now()}
        self._execute(f"marking {what} posted", "mark_posted_many", params)

    def mark_failed(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        """attempts += 1, state failed, lease cleared. Ignored unless the row is still posting (claimed):
        when the lease ran out and another worker took the row, that worker's outcome counts."""
        params = {
            "id": row_id,
            "error": error,
            "next_attempt_at": as_utc(next_attempt_at, "next_attempt_at"),
            "now": self._now(),
        }
        self._execute(f"marking row {row_id} failed", "mark_failed", params)

    def mark_dead(self, row_id: int, error: str) -> None:
        """State dead with the reason, attempts += 1. Ignored unless the row is still posting (claimed)."""
        self._execute(f"marking row {row_id} dead", "mark_dead", {"id": row_id, "error": error, "now": self._now()})

    def mark_rejected(self, row_id: int, result: dict[str, Any], error: str) -> None:
        """State rejected with the ERP's answer. Ignored unless the row is still posting (claimed)."""
        to_json(result, "the result")
        params = {"id": row_id, "result": Jsonb(result), "error": error, "now": self._now()}
        self._execute(f"marking row {row_id} rejected", "mark_rejected", params)

    def release(self, row_ids: list[int]) -> None:
        """Give claimed rows back (pending, lease cleared, no attempt counted). Rows no longer posting are left."""
        now = self._now()
        with self._use("releasing rows") as conn, conn.transaction():
            for row_id in row_ids:
                conn.execute(POSTGRES["release"], {"id": row_id, "now": now})

    def get(self, kind: str, ref: str) -> OutboxRow | None:
        with self._use(f"reading {kind} {ref}") as conn:
            found = self._fetch_rows(conn, "select_by_key", {"kind": kind, "ref": ref})
        return found[0] if found else None

    def rows(
        self, states: tuple[State, ...] = (), kind: str = "", limit: int = 1000, after_id: int = 0
    ) -> list[OutboxRow]:
        params = {"after_id": after_id, "all_states": not states, "states": list(states), "kind": kind, "limit": limit}
        with self._use("listing rows") as conn:
            return self._fetch_rows(conn, "rows", params)

    def retry(self, ref: str | None = None) -> int:
        """Dead and failed rows (any kind; only those with `ref` when given) back to pending, attempts 0.
        Returns how many."""
        if ref is None:
            return self._execute("retrying rows", "retry_all", {"now": self._now()})
        return self._execute(f"retrying {ref}", "retry_ref", {"ref": ref, "now": self._now()})

    def counts(self) -> dict[tuple[str, str], int]:
        with self._use("counting rows") as conn:
            return {(r["state"], r["kind"]): int(r["n"]) for r in conn.execute(POSTGRES["counts"]).fetchall()}

    def count_conflicts(self) -> int:
        with self._use("counting conflicts") as conn:
            record = conn.execute(POSTGRES["count_conflicts"]).fetchone()
        return 0 if record is None else int(record["n"])

    def oldest_pending_since(self) -> datetime | None:
        """When the oldest row whose work is not done (pending, posting or failed) was added; None if none."""
        with self._use("finding the oldest pending row") as conn:
            record = conn.execute(POSTGRES["oldest_pending_since"]).fetchone()
        return None if record is None else _load_time(record["oldest"])

    def close(self) -> None:
        """Close the connection; calling it again does nothing."""
        with self._lock:
            self._closed = True
            self._close_connection()
