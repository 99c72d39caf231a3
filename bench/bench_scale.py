"""Several `imagepro-sync run` workers on one PostgreSQL outbox against one Odoo: does throughput scale?

    python bench/bench_scale.py --url URL --db DB --user U --password P --admin-user A --admin-password PA \\
        [--documents 400] [--workers 1,2,4] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] \\
        [--odoo-log /path/to/odoo.log]

For each worker count: a fresh PostgreSQL database for the outbox (created, then dropped), N orders and their N
shipments (the generator of bench_post.py, under a per-run ref prefix) submitted to it, then that many
`imagepro-sync run` processes side by side until every document is posted (or --deadline passes), then SIGTERM.
Printed per worker count: docs/s (wall clock from the workers' start to the last document posted), sync calls per
document, documents retried (outbox rows with attempts > 0, and answers in_progress), transient errors the
workers saw (timeouts, serialization failures that outlived Odoo's own retries), serialization failures and
time-limit kills in Odoo's log (with --odoo-log: only the lines the run appended), the longest call, and an
exactly-once count read back from Odoo: orders and customer invoices with the run's prefix (== N each, no
duplicate ref). It stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql

from bench.bench_post import approve_customers, make_documents
from sync_worker.erp import make_transport
from sync_worker.intake import read_documents
from sync_worker.outbox import open_outbox
from sync_worker.store import store_documents

ROOT = Path(__file__).resolve().parent.parent
SYNC = Path(sys.executable).with_name("imagepro-sync")
SERIALIZATION = re.compile(r"could not serialize|SerializationFailure|concurrent update", re.I)
TIME_LIMIT = re.compile(r"virtual real time limit|Worker \(\d+\) timeout|CPU time limit", re.I)
FINAL = ("posted", "dead", "rejected", "invalid")


@dataclass
class Run:
    workers: int
    documents: int
    seconds: float = 0.0
    finished: bool = False
    calls: int = 0
    documents_sent: int = 0
    longest_call: float = 0.0
    in_progress: int = 0
    retried_rows: int = 0
    dead: int = 0
    transient: Counter[str] = field(default_factory=Counter)
    odoo_serialization: int = 0
    odoo_time_limit: int = 0
    orders: int = 0
    invoices: int = 0
    duplicates: int = 0
    odoo_cores: float = -1.0  # CPU of Odoo's processes during the run, in cores (with --odoo-pgid)
    idle_cores: float = -1.0  # idle CPU of the machine during the run, in cores


def cpu_seconds(pgid: int | None) -> tuple[float, float]:
    """(CPU seconds used by the processes of group `pgid`, idle CPU seconds of the machine) so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        idle = int(stat.readline().split()[4]) / tick
    used = 0.0
    if pgid is not None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:  # pgrp; utime, stime, cutime, cstime follow at 11..14
                used += sum(int(x) for x in fields[11:15]) / tick
    return used, idle


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def count_in_odoo(args: argparse.Namespace, prefix: str) -> tuple[int, int, int]:
    """Orders and customer invoices whose sync ref starts with `prefix`, and how many refs appear twice."""
    admin = make_transport("xmlrpc", args.url, args.db, args.admin_user, args.admin_password, 300.0)
    try:
        orders = admin.execute_kw("sale.order", "search_read", [[["imagepro_sync_ref", "=like", prefix + "%"]]],
                                  {"fields": ["imagepro_sync_ref"]})
        invoices = admin.execute_kw("account.move", "search_read",
                                    [[["imagepro_sync_ref", "=like", prefix + "%"], ["move_type", "=", "out_invoice"]]],
                                    {"fields": ["imagepro_sync_ref"]})
    finally:
        admin.close()
    refs = Counter(r["imagepro_sync_ref"] for r in orders) + Counter(r["imagepro_sync_ref"] for r in invoices)
    return len(orders), len(invoices), sum(n - 1 for n in refs.values() if n > 1)


def read_logs(run: Run, log_files: list[Path]) -> None:
    for path in log_files:
        for line in path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            message = str(entry.get("message", ""))
            if message == "call done":
                run.calls += 1
                run.documents_sent += int(entry.get("documents", 0))
                run.in_progress += int(entry.get("in_progress", 0))
                run.longest_call = max(run.longest_call, float(entry.get("seconds", 0.0)))
            elif ("failed (" in message and "trying again" in message) or message.startswith("will retry"):
                kind = "serialization" if SERIALIZATION.search(message) else (
                    "timeout" if "timed out" in message or "timeout" in message.lower() else "other")
                run.transient[kind] += 1


def odoo_log_offset(path: Path | None) -> int:
    return path.stat().st_size if path is not None and path.exists() else 0


def read_odoo_log(run: Run, path: Path | None, offset: int) -> None:
    if path is None or not path.exists():
        return
    with path.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    run.odoo_serialization = len(SERIALIZATION.findall(text))
    run.odoo_time_limit = len(TIME_LIMIT.findall(text))


def one_run(args: argparse.Namespace, workers: int, skus: list[str], work: Path) -> Run:
    run = Run(workers, 2 * args.documents)
    prefix = f"SCALE-{uuid.uuid4().hex[:6]}-W{workers}-"
    orders, shipments = make_documents(args.documents, prefix, skus, lines_max=args.lines_max,
                                       card_share=args.card_share)
    approve_customers(args.url, args.db, args.admin_user, args.admin_password,
                      sorted({doc["customer"]["ref"] for doc in orders}))
    name = f"imagepro_scale_{secrets.token_hex(5)}"
    with psycopg.connect(args.pg_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    outbox_url = with_database(args.pg_url, name)
    procs: list[subprocess.Popen[bytes]] = []
    log_files = [work / f"{name}-{i}.log" for i in range(workers)]
    try:
        outbox = open_outbox(outbox_url)
        try:
            text = "".join(json.dumps(doc) + "\n" for doc in orders + shipments)
            store_documents(outbox, read_documents(text), "bench")
            env = {
                **os.environ,
                "IMAGEPRO_OUTBOX_URL": outbox_url,
                "IMAGEPRO_ERP_URL": args.url, "IMAGEPRO_ERP_DB": args.db,
                "IMAGEPRO_ERP_USER": args.user, "IMAGEPRO_ERP_PASSWORD": args.password,
                "IMAGEPRO_POLL_SECONDS": "1", "IMAGEPRO_LOG_FORMAT": "json", "IMAGEPRO_LOG_LEVEL": "INFO",
                # a document that failed is tried again after seconds, not the production half minute
                "IMAGEPRO_RETRY_BASE_SECONDS": "2", "IMAGEPRO_RETRY_MAX_SECONDS": "10",
                "IMAGEPRO_BATCH_SIZE": str(args.batch_size),
                "IMAGEPRO_CALL_BUDGET_SECONDS": str(args.budget),
                "IMAGEPRO_ERP_TIMEOUT_SECONDS": str(args.timeout),
            }
            start = time.monotonic()
            cpu_start = cpu_seconds(args.odoo_pgid)
            for i in range(workers):
                env_i = {**env, "IMAGEPRO_HEARTBEAT_FILE": str(work / f"{name}-{i}.heartbeat")}
                with log_files[i].open("wb") as log:
                    procs.append(subprocess.Popen([str(SYNC), "run"], env=env_i, stdout=log, stderr=log, cwd=work))
            last_done = start
            while time.monotonic() - start < args.deadline:
                counts = outbox.counts()
                open_rows = sum(n for (state, _kind), n in counts.items() if state not in FINAL)
                if open_rows == 0:
                    last_done = time.monotonic()
                    run.finished = True
                    break
                if any(p.poll() is not None for p in procs):
                    print(f"  a worker exited early; see {work}", file=sys.stderr)
                    break
                time.sleep(0.2)
            run.seconds = (last_done if run.finished else time.monotonic()) - start
            cpu_end, wall = cpu_seconds(args.odoo_pgid), time.monotonic() - start
            if args.odoo_pgid is not None:
                run.odoo_cores = (cpu_end[0] - cpu_start[0]) / wall
            run.idle_cores = (cpu_end[1] - cpu_start[1]) / wall
            rows = outbox.rows(limit=10 * run.documents)
            run.retried_rows = sum(1 for row in rows if row.attempts > 0)
            run.dead = sum(1 for row in rows if row.state == "dead")
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=args.timeout + 30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            outbox.close()
    finally:
        with psycopg.connect(args.pg_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    read_logs(run, log_files)
    run.orders, run.invoices, run.duplicates = count_in_odoo(args, prefix)
    return run


def print_runs(runs: list[Run], documents: int) -> None:
    header = (f"{'workers':>7}{'docs/s':>8}{'x1':>6}{'calls/doc':>10}{'longest s':>10}{'retried':>8}{'in_prog':>8}"
              f"{'transient':>10}{'odoo ser.':>10}{'killed':>7}{'orders':>7}{'invoices':>9}{'dups':>5}{'done':>6}"
              f"{'odoo':>7}{'idle':>7}")
    print(header)
    base = statistics.median([r.documents / r.seconds for r in runs if r.workers == 1 and r.seconds]) if any(
        r.workers == 1 for r in runs) else 0.0
    for r in runs:
        rate = r.documents / r.seconds if r.seconds else 0.0
        print(f"{r.workers:>7}{rate:>8.2f}{(rate / base if base else 0):>6.2f}{r.calls / r.documents:>10.3f}"
              f"{r.longest_call:>10.1f}{r.retried_rows:>8}{r.in_progress:>8}{sum(r.transient.values()):>10}"
              f"{r.odoo_serialization:>10}{r.odoo_time_limit:>7}{r.orders:>7}{r.invoices:>9}{r.duplicates:>5}"
              f"{'yes' if r.finished else 'NO':>6}{r.odoo_cores:>7.2f}{r.idle_cores:>7.2f}")
    ok = all(r.orders == documents and r.invoices == documents and r.duplicates == 0 for r in runs)
    print(f"exactly once (orders == invoices == {documents}, no duplicate ref) in every run: {'yes' if ok else 'NO'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", required=True, help="the integration user the workers log in as")
    parser.add_argument("--password", required=True)
    parser.add_argument("--admin-user", required=True, help="a user who may approve credit and read every order")
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--documents", type=int, default=400, help="orders, and as many shipments (default 400)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, in the order run (default 1,2,4)")
    parser.add_argument("--repeat", type=int, default=1, help="run the worker counts this many times, interleaved")
    parser.add_argument("--pg-url", default=os.environ.get("IMAGEPRO_TEST_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="admin URL of the PostgreSQL that holds the outbox databases")
    parser.add_argument("--budget", type=float, default=5.0, help="IMAGEPRO_CALL_BUDGET_SECONDS of the workers")
    parser.add_argument("--timeout", type=float, default=30.0, help="IMAGEPRO_ERP_TIMEOUT_SECONDS of the workers")
    parser.add_argument("--batch-size", type=int, default=100, help="IMAGEPRO_BATCH_SIZE of the workers")
    parser.add_argument("--lines-max", type=int, default=4, help="order lines: 1 to this many (as bench_post)")
    parser.add_argument("--card-share", type=float, default=2 / 3, help="share of orders paid by card")
    parser.add_argument("--deadline", type=float, default=1800.0, help="give up a run after this many seconds")
    parser.add_argument("--odoo-log", type=Path, help="Odoo's log file: count serialization retries and kills")
    parser.add_argument("--odoo-pgid", type=int, help="process group of Odoo (same machine): its CPU, in cores")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",") if n.strip()]

    probe = make_transport("xmlrpc", args.url, args.db, args.admin_user, args.admin_password, 120.0)
    try:
        found = probe.execute_kw("product.product", "search_read",
                                 [[["default_code", "like", "IP-"], ["sale_ok", "=", True]]],
                                 {"fields": ["default_code"], "limit": 20})
    finally:
        probe.close()
    skus = [p["default_code"] for p in found if p["default_code"] not in
            ("IP-SERVICE-CHARGE", "IP-FREIGHT", "IP-RESTOCKING")]
    if not skus:
        print("no IP- products in that Odoo: seed them first (tests/odoo_standin/master_data.py)", file=sys.stderr)
        return 2
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for _ in range(args.repeat):
            for workers in counts:
                offset = odoo_log_offset(args.odoo_log)
                run = one_run(args, workers, skus, Path(tmp))
                read_odoo_log(run, args.odoo_log, offset)
                runs.append(run)
                print(f"  {workers} worker(s): {run.documents} documents in {run.seconds:.1f} s"
                      f"{'' if run.finished else ' (DEADLINE: not finished)'}; transient {dict(run.transient)}",
                      flush=True)
    print(f"{args.documents} orders + {args.documents} shipments against {args.url} (db {args.db}), "
          f"budget {args.budget:g} s, timeout {args.timeout:g} s, batch size <= {args.batch_size}")
    print_runs(runs, args.documents)
    print("odoo, idle: CPU cores used by Odoo's processes (--odoo-pgid) and left idle on the machine, run average")
    rates: dict[int, list[float]] = {}
    for r in runs:
        if r.seconds:
            rates.setdefault(r.workers, []).append(r.documents / r.seconds)
    if args.repeat > 1:
        print("median docs/s: " + ", ".join(f"{w} worker(s) {statistics.median(v):.2f}" for w, v in rates.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
