"""An outbox made by an older worker is migrated when a newer one opens it: rows kept, indexes replaced."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from sync_worker.outbox import Outbox, PostgresOutbox, SqliteOutbox
from sync_worker.outbox.base import OutboxRow
from sync_worker.outbox.sql import COLUMNS, POSTGRES, SCHEMA_VERSION, SQLITE

from .conftest import T0, FakeClock, open_store

# Schema 1 as the first worker made it: the same table, indexes over every row.
V1_INDEXES = (
    "CREATE INDEX outbox_state_next_attempt_idx ON outbox (state, next_attempt_at)",
    "CREATE INDEX outbox_ra_number_idx ON outbox (ra_number)",
)
V2_INDEXES = {"outbox_open_idx", "outbox_attention_idx", "outbox_ra_set_idx"}
NOW = "2025-03-01T08:00:00.000000+00:00"
V1_ROWS = [  # kind, ref, state, depends_kind, depends_ref, ra_number
    ("order", "SO-1", "posted", "", "", ""),
    ("return", "RET-1", "posted", "", "", "RA-0001"),
    ("inspection", "INS-1", "pending", "ra", "RA-0001", ""),
    ("order", "SO-2", "dead", "", "", ""),
    ("order", "SO-3", "pending", "", "", ""),
]


def _sqlite_v1(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(SQLITE["create_table"])
        for statement in V1_INDEXES:
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO outbox (kind, ref, state, payload, depends_kind, depends_ref, ra_number, created_at,"
            " updated_at) VALUES (?, ?, ?, '{}', ?, ?, ?, ?, ?)",
            [(*row, NOW, NOW) for row in V1_ROWS],
        )
        conn.execute("PRAGMA user_version = 1")
    finally:
        conn.close()


def _sqlite_indexes(path: Path) -> tuple[int, set[str]]:
    conn = sqlite3.connect(path)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    finally:
        conn.close()
    return version, names


def _postgres_v1(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(POSTGRES["create_version_table"])
        conn.execute(POSTGRES["create_table"])
        for statement in V1_INDEXES:
            conn.execute(statement)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO outbox (kind, ref, state, payload, depends_kind, depends_ref, ra_number, created_at,"
                " updated_at) VALUES (%s, %s, %s, '{}', %s, %s, %s, %s, %s)",
                [(*row, NOW, NOW) for row in V1_ROWS],
            )
        conn.execute("INSERT INTO outbox_schema_version (version) VALUES (1)")


def _postgres_indexes(url: str) -> tuple[int, set[str]]:
    with psycopg.connect(url) as conn:
        version = conn.execute("SELECT max(version) FROM outbox_schema_version").fetchone()
        names = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'outbox' AND indexname NOT IN"
            " ('outbox_pkey', 'outbox_kind_ref_key')"
        ).fetchall()
    assert version is not None
    return int(version[0]), {r[0] for r in names}


def _assert_rows_kept_and_claimable(outbox: Outbox) -> None:
    assert [(r.kind, r.ref, r.state, r.ra_number) for r in outbox.rows()] == [
        (kind, ref, state, ra) for kind, ref, state, _dk, _dr, ra in V1_ROWS
    ]
    # The inspection's RA is posted (found through the new index); SO-3 is due; the posted and dead are not.
    assert [r.ref for r in outbox.claim("w1", 10, 60, T0)] == ["INS-1", "SO-3"]


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_schema_1_outbox_is_migrated_when_opened(engine: str, tmp_path: Path) -> None:
    with open_store(engine, tmp_path) as store:
        if engine == "sqlite":
            _sqlite_v1(Path(store.location))
            indexes = lambda: _sqlite_indexes(Path(store.location))  # noqa: E731
        else:
            _postgres_v1(store.location)
            indexes = lambda: _postgres_indexes(store.location)  # noqa: E731
        assert indexes() == (1, {"outbox_state_next_attempt_idx", "outbox_ra_number_idx"})

        _assert_rows_kept_and_claimable(store.open())
        assert indexes() == (SCHEMA_VERSION, V2_INDEXES)

        store.open()  # opening a migrated outbox again changes nothing
        assert indexes() == (SCHEMA_VERSION, V2_INDEXES)


def test_the_claim_reads_the_open_rows_index_on_sqlite(tmp_path: Path) -> None:
    outbox = SqliteOutbox(tmp_path / "outbox.db", clock=FakeClock())
    outbox.close()
    conn = sqlite3.connect(tmp_path / "outbox.db")
    try:
        plan = conn.execute("EXPLAIN QUERY PLAN " + SQLITE["claimable"], {"now": NOW, "limit": 10}).fetchall()
    finally:
        conn.close()
    assert "SCAN o USING INDEX outbox_open_idx" in [row[3] for row in plan]


def _generic_plan(
    conn: psycopg.Connection[tuple[object, ...]], statement: str, params: dict[str, tuple[str, object]]
) -> str:
    """EXPLAIN of `statement` as the outbox runs it: prepared, with the plan made once for any parameters.
    `params`: name -> (SQL type, value)."""
    names = list(params)
    numbered = statement
    for number, name in enumerate(names, start=1):
        numbered = numbered.replace(f"%({name})s", f"${number}")
    conn.execute("SET plan_cache_mode = force_generic_plan")
    types = ", ".join(params[n][0] for n in names)
    conn.execute(f"PREPARE claim_plan ({types}) AS {numbered}")
    values = sql.SQL(", ").join(sql.Literal(params[n][1]) for n in names)
    rows = conn.execute(sql.SQL("EXPLAIN EXECUTE claim_plan({})").format(values)).fetchall()
    return "\n".join(str(r[0]) for r in rows)


@pytest.mark.postgres
def test_the_claim_reads_indexes_only_on_postgres_however_long_the_outbox(tmp_path: Path) -> None:
    with open_store("postgres", tmp_path) as store:
        PostgresOutbox(store.location).close()
        with psycopg.connect(store.location, autocommit=True) as conn:
            # An outbox some time in: most rows posted, a few open at the end (in claim order), and a shipment
            # for every order, stored as the worker stores it (depends on the order).
            conn.execute(
                "INSERT INTO outbox (kind, ref, state, payload, depends_kind, depends_ref, created_at, updated_at)"
                " SELECT k.kind, k.prefix || n, CASE WHEN n > 4950 THEN 'pending' ELSE 'posted' END, '{}',"
                " k.depends_kind, CASE WHEN k.depends_kind = '' THEN '' ELSE 'SO-' || n END, now(), now()"
                " FROM generate_series(1, 5000) AS n,"
                " (VALUES ('order', 'SO-', ''), ('shipment', 'SH-', 'order')) AS k(kind, prefix, depends_kind)"
                " ORDER BY n, k.kind"
            )
            conn.execute("ANALYZE outbox")
            params = {
                "lease_until": ("timestamptz", T0),
                "worker_id": ("text", "w"),
                "now": ("timestamptz", T0),
                "limit": ("bigint", 10),
            }
            plan = _generic_plan(conn, POSTGRES["claim"], params)
    assert "Index Scan using outbox_open_idx on outbox o" in plan
    # A dependency is one index lookup per row looked at, never a scan of every order in the outbox.
    assert "Index Cond: ((kind = 'order'::text) AND (ref = o.depends_ref))" in plan
    assert "Seq Scan" not in plan, plan


def test_every_row_statement_selects_the_columns_in_the_order_of_an_outbox_row() -> None:
    # The PostgreSQL outbox builds an OutboxRow from a result's columns by position.
    assert tuple(f.name for f in fields(OutboxRow)) == COLUMNS
