"""A document Odoo is processing in another call (a call that timed out on the client and still runs) is
answered `in_progress`: the worker puts it back without counting an attempt, and posts it later, once."""

from __future__ import annotations

import json

from sync_worker.erp import SyncApi
from sync_worker.intake import read_documents
from sync_worker.outbox.base import Outbox
from sync_worker.store import store_documents
from tests.odoo_standin.fixtures import ErpUnderTest

from .helpers import Clock, load, make_runner, seed


def test_a_document_being_processed_elsewhere_waits_without_an_attempt(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    p = erp.prefix
    clock = Clock()
    runner = make_runner(erp, outbox, clock)
    orders = [o for o in load("1-orders.json", p) if o["ref"] in (p + "WEB-100234", p + "WEB-100235")]
    stored = store_documents(outbox, read_documents(json.dumps(orders)), "test")
    assert all(s.valid for s in stored)
    busy, free = p + "WEB-100234", p + "WEB-100235"

    with erp.processing_elsewhere("order", busy):
        # What a second call with the same document gets: in_progress, and nothing done.
        answer = SyncApi(erp.transport_factory()).post("order", [orders[0]])[0]
        assert (answer.ref, answer.status, answer.ok) == (busy, "in_progress", False)
        summary = runner.run_round()
        assert {(o.ref, o.state) for o in summary.outcomes} == {(busy, "deferred"), (free, "posted")}
        row = outbox.get("order", busy)
        assert row is not None and (row.state, row.attempts, row.last_error) == ("pending", 0, "")
        assert erp.orders_with_ref(busy) == 0

    summary = runner.run_round()
    assert [(o.ref, o.state) for o in summary.outcomes] == [(busy, "posted")]
    row = outbox.get("order", busy)
    assert row is not None and row.state == "posted" and row.attempts == 0
    assert erp.orders_with_ref(busy) == 1 and erp.orders_with_ref(free) == 1
    assert outbox.rows(states=("dead", "failed")) == []
