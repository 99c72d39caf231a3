"""Calls sized to a time budget: the worker learns the seconds per document of each kind and sizes each call so
it takes about IMAGEPRO_CALL_BUDGET_SECONDS. An injected clock: nothing sleeps, nothing is timed for real."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

import pytest

import imagepro_policy as policy
from sync_worker.config import load_settings
from sync_worker.erp.api import PostResult, SyncApi
from sync_worker.errors import ConfigError, TransientError
from sync_worker.intake import read_documents
from sync_worker.outbox.base import Outbox
from sync_worker.posting import Poster
from sync_worker.runner import Runner
from sync_worker.sizing import CallSizer
from sync_worker.store import store_documents

from .helpers import Clock, submit


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CostlyApi:
    """A SyncApi whose calls take `seconds_per_document[kind]` per document on the injected clock."""

    def __init__(self, clock: Monotonic, seconds_per_document: dict[str, float]) -> None:
        self.clock = clock
        self.seconds_per_document = seconds_per_document
        self.calls: list[tuple[str, int, float]] = []  # kind, documents, seconds
        self.timeout_at: float | None = None  # a call longer than this raises a timeout, after that long

    def post(self, kind: str, documents: Sequence[Mapping[str, Any]]) -> list[PostResult]:
        seconds = self.seconds_per_document[kind] * len(documents)
        if self.timeout_at is not None and seconds > self.timeout_at:
            self.clock.now += self.timeout_at
            self.calls.append((kind, len(documents), self.timeout_at))
            raise TransientError("timed out")
        self.clock.now += seconds
        self.calls.append((kind, len(documents), seconds))
        return [PostResult(ref=str(doc["ref"]), kind=kind, status="created") for doc in documents]

    def policy_book(self) -> policy.PolicyBook:
        return policy.DEFAULT_POLICY


def shipments(outbox: Outbox, count: int) -> None:
    submit(outbox, [{"type": "shipment", "ref": f"S-{i}", "order_ref": f"O-{i}", "shipped_on": "2026-11-21"}
                    for i in range(count)])


def make(outbox: Outbox, api: CostlyApi, clock: Monotonic, budget: float, batch_size: int = 100) -> Runner:
    poster = Poster(
        outbox, cast(SyncApi, api), batch_size=batch_size, clock=Clock(), monotonic=clock,
        sizer=CallSizer(budget_seconds=budget, max_size=batch_size),
    )
    return Runner(outbox, poster, worker_id="w", clock=Clock(), batch_size=batch_size)


def test_sizer_learns_seconds_per_document_and_grows_at_most_twofold() -> None:
    sizer = CallSizer(budget_seconds=5.0, max_size=100, first_size=4)
    assert sizer.size("shipment") == 4  # nothing known yet: a small first call
    sizer.observe("shipment", 4, 2.0)  # 0.5 s a document: 10 fit the budget, but no more than 2 x 4
    assert sizer.size("shipment") == 8
    sizer.observe("shipment", 8, 4.0)
    assert sizer.size("shipment") == 10
    sizer.observe("shipment", 10, 10.0)  # Odoo got slower: 1 s a document, averaged in at alpha 0.3
    assert sizer.seconds_per_document("shipment") == pytest.approx(0.3 * 1.0 + 0.7 * 0.5)
    assert sizer.size("shipment") == 7  # floor(5 / 0.65)
    sizer.observe("order", 4, 0.04)  # orders are cheap: bounded by twice the last call, then by batch_size
    assert sizer.size("order") == 8
    for size in (8, 16, 32, 64):
        sizer.observe("order", size, 0.01 * size)
    assert sizer.size("order") == 100
    assert sizer.claim_size() == 100


def test_a_failed_call_only_makes_the_estimate_larger() -> None:
    sizer = CallSizer(budget_seconds=5.0, max_size=100)
    sizer.observe("shipment", 10, 5.0)
    sizer.observe_failure("shipment", 10, 0.01)  # refused at once: says nothing about the cost
    assert sizer.seconds_per_document("shipment") == pytest.approx(0.5)
    assert sizer.size("shipment") == 5  # but the next call carries at most half the failed one
    sizer.observe_failure("shipment", 10, 30.0)  # timed out after 30 s
    assert sizer.seconds_per_document("shipment") == pytest.approx(0.3 * 3.0 + 0.7 * 0.5)
    assert sizer.size("shipment") == 4  # floor(5 / 1.25)


def test_calls_fit_the_budget_once_the_cost_is_learnt(outbox: Outbox) -> None:
    clock = Monotonic()
    api = CostlyApi(clock, {"shipment": 0.5})
    shipments(outbox, 120)
    runner = make(outbox, api, clock, budget=5.0)
    summary = runner.run_round()
    assert summary.count("posted") == 120
    sizes = [documents for _, documents, _ in api.calls]
    assert sizes[:3] == [4, 8, 10]  # learning, then budget / cost = 10
    assert all(seconds <= 5.0 for _, _, seconds in api.calls)
    assert sum(sizes) == 120
    assert {row.state for row in outbox.rows(kind="shipment")} == {"posted"}
    assert all(row.attempts == 0 for row in outbox.rows(kind="shipment"))


def test_a_claim_larger_than_the_budget_gives_the_rest_back(outbox: Outbox) -> None:
    clock = Monotonic()
    api = CostlyApi(clock, {"shipment": 0.5})
    shipments(outbox, 40)
    runner = make(outbox, api, clock, budget=5.0)
    rows = outbox.claim("w", 40, 60, Clock()())
    outcomes = runner.poster.post(rows)
    # 4 + 8 documents took 6 s, past the 5 s budget: the other 28 go back to the queue, no attempt counted.
    assert [documents for _, documents, _ in api.calls] == [4, 8]
    assert len(outcomes) == 12
    pending = outbox.rows(states=("pending",), kind="shipment")
    assert len(pending) == 28 and all(row.attempts == 0 for row in pending)


def test_a_call_that_times_out_makes_the_next_ones_smaller(outbox: Outbox) -> None:
    clock = Monotonic()
    api = CostlyApi(clock, {"shipment": 0.25})
    api.timeout_at = 4.0  # the client's timeout: twice the 2 s budget
    shipments(outbox, 40)
    runner = make(outbox, api, clock, budget=2.0)
    runner.run_round()
    assert max(documents for _, documents, _ in api.calls) == 8  # learnt: 8 documents fit 2 s
    api.seconds_per_document["shipment"] = 1.0  # Odoo slows down four times
    api.calls.clear()
    for i in range(40, 80):
        store_documents(outbox, read_documents(json.dumps(
            {"type": "shipment", "ref": f"S-{i}", "order_ref": f"O-{i}", "shipped_on": "2026-11-21"})), "t")
    runner.run_round()
    assert api.calls[0] == ("shipment", 8, 4.0)  # one call outlives the client: 8 s of work
    after = [documents for _, documents, _ in api.calls[1:]]
    assert after[0] <= 4 and all(documents <= 4 for documents in after)
    failed = outbox.rows(states=("failed",), kind="shipment")
    assert len(failed) == 8  # none times out again: only the first call's documents wait for a retry


def test_the_timeout_must_exceed_the_budget() -> None:
    with pytest.raises(ConfigError, match="IMAGEPRO_ERP_TIMEOUT_SECONDS"):
        load_settings(erp_timeout_seconds=8, call_budget_seconds=5)
    settings = load_settings(erp_timeout_seconds=10, call_budget_seconds=5)
    assert settings.call_budget_seconds == 5


def test_the_budget_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGEPRO_CALL_BUDGET_SECONDS", "2.5")
    assert load_settings().call_budget_seconds == 2.5
    assert load_settings().erp_timeout_seconds == 30
