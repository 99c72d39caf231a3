"""One worker of the concurrency tests: claim, mark the batch posted, repeat until nothing is left.
Importable by a child process."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sync_worker.outbox import Outbox, Posted, PostgresOutbox, SqliteOutbox

BATCH = 7
LEASE_SECONDS = 600.0  # far longer than the test: no row comes back through a lapsed lease


def drain(outbox: Outbox, worker_id: str) -> list[int]:
    """Claim and post until a claim comes back empty; return the ids this worker claimed, in order."""
    claimed: list[int] = []
    while rows := outbox.claim(worker_id, BATCH, LEASE_SECONDS, datetime.now(timezone.utc)):
        claimed += [row.id for row in rows]
        outbox.mark_posted_many([Posted(row.id, {"by": worker_id}) for row in rows])  # as the poster does
    return claimed


def worker_process(engine: str, location: str, worker_id: str, start: Any, results: Any) -> None:
    """Entry point of a child process: its own connection to the store; starts when every worker is ready."""
    outbox: Outbox = SqliteOutbox(location) if engine == "sqlite" else PostgresOutbox(location)
    try:
        start.wait(60)  # a multiprocessing Barrier: every process has opened the store
        results.put((worker_id, drain(outbox, worker_id)))
    except BaseException as exc:
        results.put((worker_id, f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        outbox.close()
