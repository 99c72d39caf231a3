"""Fault drills, against the stand-in and a real Odoo alike (the fault proxy sits in front of either): a day
of documents through every wire fault, and an ERP restart in the middle of a batch. Whatever happens on the
wire, every document is posted exactly once.

On a real Odoo the restart is the proxy resetting every connection and refusing new ones for a while (what a
worker sees of a restart); set IMAGEPRO_TEST_ODOO_RESTART_CMD (for example `kill -HUP <odoo pid>`) to
restart the real server as well.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import xmlrpc.client

from sync_worker.intake import read_documents
from sync_worker.outbox import Outbox
from sync_worker.store import store_documents
from tests.odoo_standin.fixtures import ErpUnderTest

from .helpers import Clock, load, make_runner, seed


def _day(erp: ErpUnderTest) -> list[dict[str, object]]:
    return load("1-orders.json", erp.prefix) + load("2-shipments.jsonl", erp.prefix)


def _drain(runner: object, clock: Clock, rounds: int = 12) -> None:
    for _ in range(rounds):
        runner.run_round()  # type: ignore[attr-defined]
        clock.advance(4000)


def _assert_exactly_once(erp: ErpUnderTest, outbox: Outbox) -> None:
    states = {(row.kind, row.ref): row.state for row in outbox.rows()}
    assert all(state in ("posted", "rejected", "dead") for state in states.values()), states
    for (kind, ref), state in states.items():
        if kind == "order":
            assert erp.orders_with_ref(ref) == (1 if state == "posted" else 0), (ref, state)


def test_a_day_through_every_wire_fault_posts_each_document_exactly_once(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    store_documents(outbox, read_documents(json.dumps(_day(erp))), "drill")
    clock = Clock()
    runner = make_runner(erp, outbox, clock, batch_size=3, erp_timeout_seconds=5, call_budget_seconds=2,
                         call_attempts=2)
    runner.poster.book()
    erp.proxy.stall_seconds = 6
    for fault in ("http_502", "reset_mid_response", "stall", "reset_mid_response", "http_502"):
        erp.proxy.inject(fault)
    _drain(runner, clock)
    erp.proxy.clear()
    _drain(runner, clock)
    _assert_exactly_once(erp, outbox)
    assert sum(1 for row in outbox.rows() if row.state == "posted") >= 10


def _restart(erp: ErpUnderTest) -> None:
    """What a worker sees of an ERP restart: every connection reset, nobody listening for a while."""
    erp.proxy.drop_all()
    command = os.environ.get("IMAGEPRO_TEST_ODOO_RESTART_CMD")
    with erp.proxy.refused():
        if erp.standin is not None:
            with erp.standin.refused():
                time.sleep(0.5)
        elif command:
            subprocess.run(command, shell=True, check=True, timeout=120)
            _wait_until_up(erp)
        else:
            time.sleep(2)


def _wait_until_up(erp: ErpUnderTest) -> None:
    upstream = f"http://{erp.proxy.upstream[0]}:{erp.proxy.upstream[1]}/xmlrpc/2/common"
    for _ in range(120):
        try:
            xmlrpc.client.ServerProxy(upstream).version()
            return
        except OSError:
            time.sleep(1)
    raise AssertionError("the ERP did not come back within 120 s")


def test_an_erp_restart_mid_batch_loses_and_duplicates_nothing(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    store_documents(outbox, read_documents(json.dumps(_day(erp))), "drill")
    clock = Clock()
    runner = make_runner(erp, outbox, clock, batch_size=50, erp_timeout_seconds=30, call_attempts=2)
    runner.poster.book()
    restarts: list[threading.Thread] = []

    def restart_once(request: bytes) -> None:
        if b"sync_orders" in request and not restarts:
            restarts.append(threading.Thread(target=_restart, args=(erp,), daemon=True))
            restarts[0].start()

    erp.proxy.after_forward = restart_once
    _drain(runner, clock, rounds=3)  # rounds while the ERP is down: the documents wait with backoff
    assert restarts, "the drill restarts the ERP while a batch of orders is on its way"
    erp.proxy.after_forward = None
    restarts[0].join(timeout=180)
    _drain(runner, clock)
    _assert_exactly_once(erp, outbox)
