"""Sample what Odoo's database sessions wait on while a benchmark runs (pg_locks + pg_stat_activity).

    python bench/lock_sampler.py --pg-url postgresql://odoo@127.0.0.1:5432/postgres --db ipscale --seconds 300

Every --every seconds: the sessions of --db that wait for a lock (pg_locks.granted = false), with the lock type,
the relation (or the transaction waited for), what they run and what the session blocking them runs
(pg_blocking_pids). Prints, at the end (or at Ctrl-C), how many samples saw each kind of wait, and the
waits that were seen most, with the waiting and the blocking statement's first words.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter

import psycopg

WAITS = """
SELECT w.pid, l.locktype, l.mode, coalesce(l.relation::regclass::text, ''), coalesce(l.transactionid::text, ''),
       left(regexp_replace(w.query, '\\s+', ' ', 'g'), 160),
       coalesce((SELECT left(regexp_replace(b.query, '\\s+', ' ', 'g'), 160) FROM pg_stat_activity b
                 WHERE b.pid = (pg_blocking_pids(w.pid))[1]), ''),
       extract(epoch FROM now() - w.state_change)
FROM pg_locks l JOIN pg_stat_activity w ON w.pid = l.pid
WHERE NOT l.granted AND w.datname = %s
"""
ACTIVE = "SELECT count(*) FILTER (WHERE state = 'active'), count(*) FROM pg_stat_activity WHERE datname = %s"


def shorten(statement: str) -> str:
    return re.sub(r"\d+", "N", statement)[:110]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--every", type=float, default=0.5)
    args = parser.parse_args(argv)
    samples = waiting_samples = 0
    kinds: Counter[str] = Counter()
    pairs: Counter[tuple[str, str, str]] = Counter()
    longest: dict[str, float] = {}
    active_sum = 0
    end = time.monotonic() + args.seconds
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        try:
            while time.monotonic() < end:
                samples += 1
                rows = conn.execute(WAITS, (args.db,)).fetchall()
                active_sum += conn.execute(ACTIVE, (args.db,)).fetchone()[0]  # type: ignore[index]
                if rows:
                    waiting_samples += 1
                for _pid, locktype, mode, relation, _xid, query, blocker, seconds in rows:
                    kind = f"{locktype}/{mode}" + (f" on {relation}" if relation else "")
                    kinds[kind] += 1
                    pairs[(kind, shorten(query), shorten(blocker))] += 1
                    longest[kind] = max(longest.get(kind, 0.0), float(seconds or 0))
                time.sleep(args.every)
        except KeyboardInterrupt:
            pass
    print(f"{samples} samples every {args.every:g} s of database {args.db}: {waiting_samples} saw a session waiting "
          f"for a lock; {active_sum / max(samples, 1):.2f} active sessions on average")
    for kind, count in kinds.most_common():
        print(f"  {count:>5} x {kind} (longest wait seen {longest[kind]:.1f} s)")
    for (kind, query, blocker), count in pairs.most_common(8):
        print(f"  {count:>5} x {kind}\n        waiting: {query}\n        blocker: {blocker}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
