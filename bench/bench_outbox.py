"""How fast several worker processes drain the outbox: claim a batch, mark the whole batch posted, repeat.

    python bench/bench_outbox.py [--documents 40000] [--processes 4] [--batch 10 100] [--sqlite]
                                 [--mix orders orders+shipments] [--lease 300]
                                 [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

For each engine, document mix and batch size: a fresh outbox (PostgreSQL: a database made from the admin
URL and dropped at the end; SQLite: a file in a temporary folder) is seeded with N documents, then P
processes, each with its own connection, claim and mark posted until no row is left open. No ERP is
called: the figure is the outbox's own cost per document (claim + mark posted).

The mixes: `orders`, N order documents; `orders+shipments`, an order then a shipment in turn, each
shipment of the order 20 orders before it, stored as the worker stores it (depends on that order), so
every claim also checks that dependency and a shipment whose order is still being posted waits.

Each process records every claim (row id, its worker, the claim's time and the lease it got); after the
run they are merged and checked:
- double claims: a row claimed again (by any worker) while an earlier claim's lease was still valid;
- lost: N minus the rows the outbox says are posted (should be 0).

docs/s is N over the time from the first process's start (all have connected, they start together at a
barrier) to the last process's end. The run stops by itself: when the queue is empty, or after
--timeout seconds (the processes are then killed and the row says so).
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import secrets
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql

from sync_worker.outbox import Outbox, PostgresOutbox, SqliteOutbox, redact

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

Claim = tuple[int, str, float, float]  # row id, worker id, claim time, lease until (epoch seconds)


MIXES = ("orders", "orders+shipments")
SHIPMENT_LAG = 20  # a shipment follows its order by this many orders

Seed = tuple[str, str, dict[str, Any], str, str]  # kind, ref, payload, depends_kind, depends_ref


def payload(n: int) -> dict[str, Any]:
    """An order document of the usual size (about 600 bytes of JSON)."""
    return {
        "type": "order",
        "ref": f"BENCH-{n:07d}",
        "channel": ("web", "phone", "email")[n % 3],
        "order_date": "2026-11-20",
        "customer": {"code": f"C{n % 500:05d}", "name": f"Customer {n % 500}", "email": f"c{n % 500}@example.com"},
        "ship_to": {"street": f"{n % 900 + 1} Main Street", "city": "Springfield", "zip": "62701", "country": "US"},
        "payment": {"method": "card", "card_brand": ("visa", "mastercard", "amex")[n % 3]},
        "lines": [
            {"sku": sku, "quantity": 1 + (n + i) % 3, "unit_price": f"{12 + i * 7}.50", "discount_percent": "0"}
            for i, sku in enumerate(("IP-TN450", "IP-CE505A", "IP-Q2612A")[: 1 + n % 3])
        ],
        "notes": "",
    }


def shipment_payload(n: int, order: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "shipment",
        "ref": f"SHIP-{n:07d}",
        "order_ref": order["ref"],
        "shipped_on": "2026-11-21",
        "lines": [{"sku": line["sku"], "quantity": line["quantity"]} for line in order["lines"]],
    }


def documents(mix: str, count: int) -> list[Seed]:
    """What a run seeds, in the order it arrives."""
    if mix == "orders":
        return [("order", f"BENCH-{n:07d}", payload(n), "", "") for n in range(count)]
    seeds: list[Seed] = []
    for n in range(count):
        order_n = n - 1 - 2 * SHIPMENT_LAG  # orders sit at even positions
        if n % 2 == 0 or order_n < 0:
            seeds.append(("order", f"BENCH-{n:07d}", payload(n), "", ""))
        else:
            order = seeds[order_n][2]
            seeds.append(("shipment", f"SHIP-{n:07d}", shipment_payload(n, order), "order", order["ref"]))
    return seeds


# -- the stores ---------------------------------------------------------------------------------------


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def make_postgres(admin_url: str, seeds: list[Seed]) -> tuple[str, Callable[[], None]]:
    """A new database with the outbox's schema (made by the outbox itself) and the documents, pending."""
    name = f"imagepro_bench_{secrets.token_hex(5)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    url = _with_database(admin_url, name)
    try:
        PostgresOutbox(url).close()  # the schema, as a worker makes it
        now = datetime.now(timezone.utc)
        from psycopg.types.json import Jsonb

        with psycopg.connect(url) as conn, conn.cursor() as cur:
            columns = "kind, ref, state, payload, depends_kind, depends_ref, created_at, updated_at"
            with cur.copy(f"COPY outbox ({columns}) FROM STDIN") as copy:
                for kind, ref, document, depends_kind, depends_ref in seeds:
                    copy.write_row((kind, ref, "pending", Jsonb(document), depends_kind, depends_ref, now, now))
            cur.execute("ANALYZE outbox")
    except BaseException:
        drop()
        raise
    return url, drop


def make_sqlite(folder: Path, seeds: list[Seed]) -> tuple[str, Callable[[], None]]:
    from sync_worker.outbox._common import to_json

    path = folder / f"bench-{secrets.token_hex(4)}.db"
    SqliteOutbox(path).close()
    now = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO outbox (kind, ref, state, payload, depends_kind, depends_ref, created_at, updated_at)"
        " VALUES (?, ?, 'pending', ?, ?, ?, ?, ?)",
        ((kind, ref, to_json(document, ""), dk, dr, now, now) for kind, ref, document, dk, dr in seeds),
    )
    conn.execute("COMMIT")
    conn.close()

    def drop() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return str(path), drop


def open_store(engine: str, location: str) -> Outbox:
    return PostgresOutbox(location) if engine == "postgres" else SqliteOutbox(location)


# -- one worker process -------------------------------------------------------------------------------


def mark_batch_posted(outbox: Outbox, worker_id: str, row_ids: list[int]) -> None:
    """The whole batch posted, as the worker records it (one call when the outbox has a batch method)."""
    many = getattr(outbox, "mark_posted_many", None)
    if many is not None:
        from sync_worker.outbox.base import Posted  # type: ignore[attr-defined]  # not in an outbox before it

        many([Posted(row_id, {"id": row_id, "by": worker_id}) for row_id in row_ids])
    else:  # an outbox from before the batch method: one call per row
        for row_id in row_ids:
            outbox.mark_posted(row_id, {"id": row_id, "by": worker_id})


def worker(engine: str, location: str, worker_id: str, batch: int, lease: float, start: Any, results: Any) -> None:
    try:
        outbox = open_store(engine, location)
        claims: list[Claim] = []
        start.wait(120)
        began = time.monotonic()
        while True:
            now = datetime.now(timezone.utc)
            rows = outbox.claim(worker_id, batch, lease, now)
            if not rows:
                # Nothing due: done, unless rows are still open (shipments waiting for orders in flight).
                if outbox.oldest_pending_since() is None:
                    break
                time.sleep(0.001)
                continue
            at = now.timestamp()
            for row in rows:
                lease_until = row.lease_until.timestamp() if row.lease_until is not None else float("nan")
                claims.append((row.id, worker_id, at, lease_until))
            mark_batch_posted(outbox, worker_id, [row.id for row in rows])
        ended = time.monotonic()
        outbox.close()
        results.put((worker_id, began, ended, claims))
    except BaseException as exc:
        results.put((worker_id, 0.0, 0.0, f"{type(exc).__name__}: {exc}"))
        raise


# -- a run and its checks -----------------------------------------------------------------------------


@dataclass
class Figures:
    engine: str
    mix: str
    processes: int
    batch: int
    documents: int
    seconds: float
    claims: int
    double_claims: int
    lost: int
    error: str = ""

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0


def double_claims(claims: list[Claim]) -> int:
    """Claims of a row made while an earlier claim of it still held a valid lease (now <= lease_until)."""
    by_row: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_row[claim[0]].append(claim)
    doubles = 0
    for row_claims in by_row.values():
        if len(row_claims) < 2:
            continue
        row_claims.sort(key=lambda c: c[2])
        lease_until = row_claims[0][3]
        for claim in row_claims[1:]:
            if claim[2] <= lease_until:
                doubles += 1
            lease_until = max(lease_until, claim[3])
    return doubles


def posted_count(engine: str, location: str) -> int:
    outbox = open_store(engine, location)
    try:
        return sum(n for (state, _kind), n in outbox.counts().items() if state == "posted")
    finally:
        outbox.close()


def run(engine: str, mix: str, location: str, args: argparse.Namespace, batch: int) -> Figures:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(args.processes + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(engine, location, f"w{i}", batch, args.lease, start, results), daemon=True)
        for i in range(args.processes)
    ]
    for proc in procs:
        proc.start()
    error = ""
    began: list[float] = []
    ended: list[float] = []
    claims: list[Claim] = []
    deadline = time.monotonic() + args.timeout
    try:
        start.wait(120)
        for _ in procs:
            worker_id, b, e, got = results.get(timeout=max(1.0, deadline - time.monotonic()))
            if isinstance(got, str):
                error = f"{worker_id}: {got}"
                break
            began.append(b)
            ended.append(e)
            claims += got
    except queue.Empty:
        error = f"stopped after {args.timeout:.0f} s (--timeout)"
    except Exception as exc:  # a broken barrier: a process died before starting
        error = f"{type(exc).__name__}: {exc}"
    finally:
        for proc in procs:
            proc.join(5 if not error else 0.5)
            if proc.is_alive():
                proc.kill()
                proc.join()
    seconds = (max(ended) - min(began)) if began and not error else 0.0
    lost = args.documents - posted_count(engine, location)
    doubles = double_claims(claims)
    return Figures(engine, mix, args.processes, batch, args.documents, seconds, len(claims), doubles, lost, error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=40_000, help="documents seeded per run (default 40000)")
    parser.add_argument("--processes", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--batch", type=int, nargs="+", default=[10, 100], help="claim sizes (default 10 100)")
    parser.add_argument(
        "--mix", nargs="+", choices=MIXES, default=list(MIXES), help="document mixes (default: both)"
    )
    parser.add_argument("--lease", type=float, default=300.0, help="lease seconds of a claim (default 300)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help=f"PostgreSQL admin URL (default {DEFAULT_PG_URL})")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--sqlite", action="store_true", help="also run on a SQLite file")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one run may take (default 600)")
    args = parser.parse_args(argv)

    engines = ([] if args.no_postgres else ["postgres"]) + (["sqlite"] if args.sqlite else [])
    print(f"outbox drain: {args.documents} documents, {args.processes} processes, lease {args.lease:.0f} s")
    if "postgres" in engines:
        print(f"postgres admin: {redact(args.pg_url)}")
    print(
        f"{'engine':<9} {'mix':<17} {'batch':>5} {'seconds':>8} {'docs/s':>9} {'claims':>7} {'double':>6} {'lost':>5}"
    )
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as folder:
        for engine, mix, batch in [(e, m, b) for e in engines for m in args.mix for b in args.batch]:
            seeds = documents(mix, args.documents)
            if engine == "postgres":
                location, drop = make_postgres(args.pg_url, seeds)
            else:
                location, drop = make_sqlite(Path(folder), seeds)
            try:
                f = run(engine, mix, location, args, batch)
            finally:
                drop()
            print(
                f"{f.engine:<9} {f.mix:<17} {f.batch:>5} {f.seconds:>8.2f} {f.per_second:>9.0f} {f.claims:>7} "
                f"{f.double_claims:>6} {f.lost:>5}" + (f"  ERROR {f.error}" if f.error else ""),
                flush=True,
            )
            failed = failed or bool(f.error) or f.double_claims > 0 or f.lost != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
