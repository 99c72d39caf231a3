"""Four workers claiming from one outbox at once: every row is taken exactly once and ends posted.

Four processes, each with its own connection, on either engine (several workers on one host, or replicas
on a PostgreSQL outbox); on PostgreSQL also four threads of one process, each with its own connection.
The lease is far longer than the test, so a row claimed twice is a row taken within a valid lease.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections import Counter
from pathlib import Path

import pytest

from sync_worker.outbox import PostgresOutbox

from .claim_worker import drain, worker_process
from .conftest import Store, open_store

WORKERS = 4
ROWS = 400
TIMEOUT_S = 120


def _fill(store: Store) -> list[int]:
    outbox = store.open()
    for n in range(ROWS):
        outbox.add("order", f"SO-{n:04d}", {"n": n})
    return [row.id for row in outbox.rows(limit=ROWS * 2)]


def _assert_each_row_claimed_once(store: Store, ids: list[int], claimed: dict[str, list[int]]) -> None:
    taken = Counter(row_id for per_worker in claimed.values() for row_id in per_worker)
    twice = sorted(row_id for row_id, n in taken.items() if n > 1)
    assert twice == [], f"rows claimed more than once: {twice[:20]}"
    assert sorted(taken) == sorted(ids)
    rows = store.open().rows(limit=ROWS * 2)
    assert {row.state for row in rows} == {"posted"}
    assert all(row.result == {"by": row.claimed_by} for row in rows)  # posted by the worker that claimed it


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_four_processes_share_an_outbox(engine: str, tmp_path: Path) -> None:
    with open_store(engine, tmp_path) as store:
        _four_processes(store)


def _four_processes(store: Store) -> None:
    ids = _fill(store)
    ctx = multiprocessing.get_context("spawn")  # fork from a threaded pytest is unsafe (and warns on 3.12+)
    start = ctx.Barrier(WORKERS + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=worker_process, args=(store.engine, store.location, f"p{i}", start, results))
        for i in range(WORKERS)
    ]
    for proc in procs:
        proc.start()
    claimed: dict[str, list[int]] = {}
    try:
        start.wait(TIMEOUT_S)
        for _ in procs:
            worker_id, got = results.get(timeout=TIMEOUT_S)
            assert isinstance(got, list), f"worker {worker_id} failed: {got}"
            claimed[worker_id] = got
    except queue.Empty:
        pytest.fail(f"the workers did not finish within {TIMEOUT_S} s")
    finally:
        for proc in procs:
            proc.join(TIMEOUT_S)
            if proc.is_alive():
                proc.kill()
                proc.join()
            proc.close()
        results.close()
        results.join_thread()

    _assert_each_row_claimed_once(store, ids, claimed)


@pytest.mark.postgres
def test_four_threads_share_a_postgres_outbox(postgres_store: Store) -> None:
    store = postgres_store
    ids = _fill(store)
    outboxes = [PostgresOutbox(store.location) for _ in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    claimed: dict[str, list[int]] = {}
    failures: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait(TIMEOUT_S)
            claimed[f"t{i}"] = drain(outboxes[i], f"t{i}")
        except BaseException as exc:  # re-raised below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT_S)
    finally:
        for outbox in outboxes:
            outbox.close()
    assert not any(t.is_alive() for t in threads), f"the workers did not finish within {TIMEOUT_S} s"
    if failures:
        raise failures[0]

    _assert_each_row_claimed_once(store, ids, claimed)
