"""The outbox's behaviour through the Outbox protocol, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from sync_worker.errors import OutboxError
from sync_worker.outbox import STATES, Outbox, OutboxRow, Posted

from .conftest import T0, FakeClock, Store

ORDER = {"type": "order", "ref": "SO-1", "lines": [{"sku": "TN-1", "quantity": 2}]}
LEASE = 60.0


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def refs(rows: list[OutboxRow]) -> list[str]:
    return [row.ref for row in rows]


# -- add -------------------------------------------------------------------------------------------------


def test_add_stores_a_pending_row(outbox: Outbox) -> None:
    assert outbox.add("order", "SO-1", ORDER) == "added"

    row = outbox.get("order", "SO-1")
    assert row is not None
    assert (row.kind, row.ref, row.state, row.payload) == ("order", "SO-1", "pending", ORDER)
    assert (row.attempts, row.errors, row.result, row.last_error) == (0, [], {}, "")
    assert row.created_at == T0 and row.updated_at == T0
    assert outbox.get("order", "SO-2") is None


def test_same_payload_again_is_a_duplicate_whatever_its_key_order(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    reordered = {"lines": [{"quantity": 2, "sku": "TN-1"}], "ref": "SO-1", "type": "order"}

    assert outbox.add("order", "SO-1", reordered) == "duplicate"
    assert len(outbox.rows()) == 1


def test_same_ref_of_another_kind_is_another_row(outbox: Outbox) -> None:
    outbox.add("order", "X-1", {"a": 1})
    assert outbox.add("return", "X-1", {"a": 1}) == "added"
    assert len(outbox.rows()) == 2


@pytest.mark.parametrize("state", ["pending", "failed", "posting", "posted"])
def test_other_payload_for_a_live_row_is_a_conflict_and_changes_nothing(
    outbox: Outbox, clock: FakeClock, state: str
) -> None:
    outbox.add("order", "SO-1", ORDER)
    if state != "pending":
        (row,) = outbox.claim("w1", 1, LEASE, T0)
        if state == "failed":
            outbox.mark_failed(row.id, "timeout", at(300))
        elif state == "posted":
            outbox.mark_posted(row.id, {"id": 7})
    before = outbox.get("order", "SO-1")

    assert outbox.add("order", "SO-1", {**ORDER, "lines": []}) == "conflict"
    assert outbox.get("order", "SO-1") == before


@pytest.mark.parametrize("state", ["invalid", "rejected", "dead"])
def test_other_payload_replaces_an_invalid_rejected_or_dead_row(outbox: Outbox, clock: FakeClock, state: str) -> None:
    if state == "invalid":
        outbox.add("order", "SO-1", {"ref": "SO-1"}, state="invalid", errors=[{"field": "lines", "message": "missing"}])
    else:
        outbox.add("order", "SO-1", {"ref": "SO-1"})
        (row,) = outbox.claim("w1", 1, LEASE, T0)
        if state == "rejected":
            outbox.mark_rejected(row.id, {"decision": "refused"}, "outside the window")
        else:
            outbox.mark_dead(row.id, "unknown product")
    clock.advance(10)

    assert outbox.add("order", "SO-1", ORDER) == "replaced"

    stored = outbox.get("order", "SO-1")
    assert stored is not None
    assert (stored.state, stored.payload, stored.errors, stored.last_error) == ("pending", ORDER, [], "")
    assert (stored.attempts, stored.result, stored.next_attempt_at, stored.lease_until) == (0, {}, None, None)
    assert stored.created_at == T0 and stored.updated_at == at(10)
    assert len(outbox.rows()) == 1


def test_an_invalid_document_is_kept_with_its_errors_and_never_claimed(outbox: Outbox) -> None:
    errors = [{"field": "lines.0.quantity", "message": "must be positive", "rule": "O1"}]
    raw = {"type": "order", "ref": "SO-9", "lines": [{"sku": "TN-1", "quantity": -1}]}

    assert outbox.add("order", "SO-9", raw, state="invalid", errors=errors, last_error="1 field is wrong") == "added"

    row = outbox.get("order", "SO-9")
    assert row is not None
    assert (row.state, row.payload, row.errors, row.last_error) == ("invalid", raw, errors, "1 field is wrong")
    assert outbox.claim("w1", 10, LEASE, T0) == []
    assert outbox.add("order", "SO-9", raw, state="invalid", errors=errors) == "duplicate"


def test_a_document_can_be_added_already_rejected(outbox: Outbox) -> None:
    assert outbox.add("return", "RET-1", {"ref": "RET-1"}, state="rejected", last_error="R1: too late") == "added"
    assert outbox.claim("w1", 10, LEASE, T0) == []
    assert outbox.rows(states=("rejected",))[0].last_error == "R1: too late"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"state": "posting"}, "cannot add a row in state 'posting'"),
        ({"depends_kind": "invoice", "depends_ref": "X"}, "unknown depends_kind"),
        ({"depends_kind": "order"}, "go together"),
    ],
)
def test_add_refuses_what_it_cannot_store(outbox: Outbox, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(OutboxError, match=message):
        outbox.add("shipment", "SH-1", {"ref": "SH-1"}, **kwargs)
    with pytest.raises(OutboxError, match="cannot be stored as JSON"):
        outbox.add("shipment", "SH-1", {"when": object()})
    assert outbox.rows() == []


# -- claim -----------------------------------------------------------------------------------------------


def test_claim_takes_the_oldest_first_up_to_the_limit(outbox: Outbox) -> None:
    for n in range(5):
        outbox.add("order", f"SO-{n}", {"n": n})

    first = outbox.claim("w1", 2, LEASE, T0)
    second = outbox.claim("w2", 2, LEASE, T0)
    third = outbox.claim("w3", 2, LEASE, T0)

    assert (refs(first), refs(second), refs(third)) == (["SO-0", "SO-1"], ["SO-2", "SO-3"], ["SO-4"])
    assert [r.id for r in first] == sorted(r.id for r in first)
    assert all(r.state == "posting" and r.lease_until == at(LEASE) for r in first + second + third)
    assert {r.claimed_by for r in second} == {"w2"}
    assert outbox.claim("w4", 2, LEASE, T0) == []


def test_a_lapsed_lease_gives_the_rows_of_a_crashed_worker_to_another(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    (taken,) = outbox.claim("crashed", 5, LEASE, T0)

    assert outbox.claim("w2", 5, LEASE, at(LEASE - 1)) == []
    assert outbox.claim("w2", 5, LEASE, at(LEASE)) == []  # lease_until < now: the lease's last instant is its own
    (again,) = outbox.claim("w2", 5, LEASE, at(LEASE + 1))
    assert again.id == taken.id
    assert (again.claimed_by, again.lease_until, again.attempts) == ("w2", at(2 * LEASE + 1), 0)


def test_a_failed_row_waits_for_its_next_attempt(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    (row,) = outbox.claim("w1", 1, LEASE, T0)
    outbox.mark_failed(row.id, "connection refused", at(120))

    failed = outbox.get("order", "SO-1")
    assert failed is not None
    assert (failed.state, failed.attempts, failed.last_error) == ("failed", 1, "connection refused")
    assert (failed.next_attempt_at, failed.lease_until) == (at(120), None)
    assert outbox.claim("w1", 1, LEASE, at(119)) == []

    (again,) = outbox.claim("w1", 1, LEASE, at(120))
    assert (again.id, again.state, again.attempts) == (row.id, "posting", 1)
    outbox.mark_failed(again.id, "timeout", at(400))
    assert outbox.rows()[0].attempts == 2


def test_posted_dead_rejected_and_invalid_rows_are_never_claimed(outbox: Outbox) -> None:
    for ref in ("posted", "dead", "rejected"):
        outbox.add("order", ref, {"ref": ref})
    outbox.add("order", "invalid", {}, state="invalid")
    a, b, c = outbox.claim("w1", 3, LEASE, T0)
    outbox.mark_posted(a.id, {"id": 1})
    outbox.mark_dead(b.id, "no such customer")
    outbox.mark_rejected(c.id, {"decision": "no"}, "refused")

    assert outbox.claim("w1", 10, LEASE, at(10_000)) == []


def test_release_gives_rows_back_without_counting_an_attempt(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("order", "SO-2", ORDER)
    rows = outbox.claim("w1", 2, LEASE, T0)

    outbox.release([r.id for r in rows])

    assert [(r.state, r.attempts, r.lease_until, r.claimed_by) for r in outbox.rows()] == [("pending", 0, None, "")] * 2
    assert refs(outbox.claim("w2", 5, LEASE, T0)) == ["SO-1", "SO-2"]


def test_claim_refuses_a_naive_time_and_a_nonsense_limit(outbox: Outbox) -> None:
    with pytest.raises(OutboxError, match="timezone-aware"):
        outbox.claim("w1", 1, LEASE, datetime(2025, 3, 1, 9, 0))
    with pytest.raises(OutboxError, match="limit"):
        outbox.claim("w1", 0, LEASE, T0)


# -- dependencies ----------------------------------------------------------------------------------------


def test_a_shipment_waits_while_its_order_is_not_posted(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("shipment", "SH-1", {"order": "SO-1"}, depends_kind="order", depends_ref="SO-1")

    (order,) = outbox.claim("w1", 10, LEASE, T0)  # the shipment waits: its order is pending
    assert order.ref == "SO-1"
    assert outbox.claim("w2", 10, LEASE, T0) == []  # ... then posting
    outbox.mark_failed(order.id, "timeout", at(30))
    assert outbox.claim("w2", 10, LEASE, at(10)) == []  # ... then failed

    (order,) = outbox.claim("w1", 10, LEASE, at(30))
    outbox.mark_posted(order.id, {"id": 41, "name": "S00041"})

    assert refs(outbox.claim("w2", 10, LEASE, at(31))) == ["SH-1"]


def test_a_shipment_whose_order_is_not_in_the_outbox_goes(outbox: Outbox) -> None:
    outbox.add("shipment", "SH-1", {"order": "SO-404"}, depends_kind="order", depends_ref="SO-404")
    assert refs(outbox.claim("w1", 10, LEASE, T0)) == ["SH-1"]


def test_a_shipment_whose_order_went_dead_goes_and_lets_the_erp_answer(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("shipment", "SH-1", {"order": "SO-1"}, depends_kind="order", depends_ref="SO-1")
    (order,) = outbox.claim("w1", 10, LEASE, T0)
    outbox.mark_dead(order.id, "unknown customer")

    assert refs(outbox.claim("w1", 10, LEASE, T0)) == ["SH-1"]


def test_a_dependency_on_one_order_does_not_hold_back_others(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("shipment", "SH-1", {}, depends_kind="order", depends_ref="SO-1")
    outbox.add("shipment", "SH-2", {}, depends_kind="order", depends_ref="SO-2")
    outbox.add("order", "SO-3", ORDER)

    assert refs(outbox.claim("w1", 10, LEASE, T0)) == ["SO-1", "SH-2", "SO-3"]


def test_an_inspection_waits_for_its_return_by_ref(outbox: Outbox) -> None:
    outbox.add("return", "RET-1", {"ref": "RET-1"})
    outbox.add("inspection", "INS-1", {}, depends_kind="return_ref", depends_ref="RET-1")

    (ret,) = outbox.claim("w1", 10, LEASE, T0)
    assert ret.ref == "RET-1"
    assert outbox.claim("w1", 10, LEASE, T0) == []
    outbox.mark_posted(ret.id, {"id": 5}, ra_number="RA-0005")

    assert refs(outbox.claim("w1", 10, LEASE, T0)) == ["INS-1"]
    assert outbox.rows(kind="return")[0].ra_number == "RA-0005"


def test_an_inspection_by_ra_number_goes_once_the_return_holding_it_posted_or_when_none_does(outbox: Outbox) -> None:
    outbox.add("return", "RET-1", {"ref": "RET-1"})
    outbox.add("inspection", "INS-1", {}, depends_kind="ra", depends_ref="RA-0005")
    outbox.add("inspection", "INS-2", {}, depends_kind="ra", depends_ref="RA-0099")

    first = outbox.claim("w1", 10, LEASE, T0)
    assert refs(first) == ["RET-1", "INS-1", "INS-2"]  # no return row holds either RA number yet
    outbox.mark_posted(first[0].id, {"id": 5}, ra_number="RA-0005")
    outbox.release([r.id for r in first[1:]])

    assert refs(outbox.claim("w1", 10, LEASE, T0)) == ["INS-1", "INS-2"]


# -- marks -----------------------------------------------------------------------------------------------


def test_mark_posted_keeps_the_erp_answer_and_clears_the_lease(outbox: Outbox, clock: FakeClock) -> None:
    outbox.add("order", "SO-1", ORDER)
    (row,) = outbox.claim("w1", 1, LEASE, T0)
    outbox.mark_failed(row.id, "timeout", T0)
    (row,) = outbox.claim("w1", 1, LEASE, T0)
    clock.advance(5)

    outbox.mark_posted(row.id, {"id": 41, "name": "S00041"})

    posted = outbox.get("order", "SO-1")
    assert posted is not None
    assert (posted.state, posted.result, posted.lease_until, posted.last_error) == (
        "posted",
        {"id": 41, "name": "S00041"},
        None,
        "",
    )
    assert (posted.attempts, posted.updated_at) == (1, at(5))


def test_mark_posted_many_records_a_whole_batch_as_mark_posted_would(outbox: Outbox, clock: FakeClock) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("return", "RET-1", {"ref": "RET-1"})
    outbox.add("order", "SO-2", ORDER)
    outbox.add("order", "SO-3", ORDER)
    order, ret, other, left = outbox.claim("w1", 4, LEASE, T0)
    clock.advance(5)

    outbox.mark_posted_many(
        [Posted(ret.id, {"id": 9}, "RA-0009"), Posted(order.id, {"id": 1}), Posted(other.id, {"id": 2})]
    )
    outbox.mark_posted_many([])

    by_ref = {row.ref: row for row in outbox.rows()}
    assert [(r.ref, r.state, r.result, r.ra_number, r.lease_until) for r in outbox.rows(states=("posted",))] == [
        ("SO-1", "posted", {"id": 1}, "", None),
        ("RET-1", "posted", {"id": 9}, "RA-0009", None),
        ("SO-2", "posted", {"id": 2}, "", None),
    ]
    assert by_ref["SO-1"].updated_at == at(5) and by_ref["SO-1"].attempts == 0
    assert (by_ref["SO-3"].state, by_ref["SO-3"].claimed_by) == ("posting", "w1")  # not named: untouched
    assert outbox.claim("w2", 10, LEASE, at(LEASE + 1)) == [replace(left, lease_until=at(2 * LEASE + 1),
                                                                   claimed_by="w2", updated_at=at(LEASE + 1))]


def test_mark_posted_many_keeps_an_ra_number_and_takes_a_rows_last_answer(outbox: Outbox) -> None:
    outbox.add("return", "RET-1", {"ref": "RET-1"})
    (ret,) = outbox.claim("w1", 1, LEASE, T0)
    outbox.mark_posted_many([Posted(ret.id, {"id": 9}, "RA-0009")])
    outbox.mark_posted_many([Posted(ret.id, {"id": 9, "again": True}), Posted(ret.id, {"id": 9, "last": True})])

    row = outbox.get("return", "RET-1")
    assert row is not None
    assert (row.state, row.result, row.ra_number) == ("posted", {"id": 9, "last": True}, "RA-0009")


def test_mark_posted_many_refuses_an_answer_that_is_not_json_and_marks_nothing(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("order", "SO-2", ORDER)
    first, second = outbox.claim("w1", 2, LEASE, T0)

    with pytest.raises(OutboxError, match="result"):
        outbox.mark_posted_many([Posted(first.id, {"id": 1}), Posted(second.id, {"bad": float("nan")})])

    assert {row.state for row in outbox.rows()} == {"posting"}


def test_marks_other_than_posted_are_ignored_once_the_row_is_no_longer_posting(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("order", "SO-2", ORDER)
    pending = outbox.get("order", "SO-1")
    assert pending is not None
    outbox.mark_failed(pending.id, "late", at(60))
    outbox.mark_dead(pending.id, "late")
    outbox.mark_rejected(pending.id, {}, "late")
    assert outbox.get("order", "SO-1") == pending

    # A worker's lease ran out and a second took the row and posted it: the first's late marks change nothing.
    rows = outbox.claim("slow", 2, LEASE, T0)
    retaken = outbox.claim("fast", 2, LEASE, at(LEASE + 1))
    assert [r.id for r in retaken] == [r.id for r in rows]
    for row in retaken:
        outbox.mark_posted(row.id, {"by": "fast"})
    for row in rows:
        outbox.mark_failed(row.id, "timeout", at(500))
        outbox.mark_dead(row.id, "gave up")
        outbox.release([row.id])
    assert [(r.state, r.result, r.attempts) for r in outbox.rows()] == [("posted", {"by": "fast"}, 0)] * 2


def test_mark_posted_applies_even_after_the_lease_was_lost(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    (row,) = outbox.claim("w1", 1, LEASE, T0)
    outbox.release([row.id])

    outbox.mark_posted(row.id, {"id": 3})  # the ERP holds it: the outbox must say so

    assert outbox.rows()[0].state == "posted"
    assert outbox.claim("w2", 1, LEASE, T0) == []


def test_mark_failed_refuses_a_naive_next_attempt(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    (row,) = outbox.claim("w1", 1, LEASE, T0)
    with pytest.raises(OutboxError, match="timezone-aware"):
        outbox.mark_failed(row.id, "x", datetime(2025, 1, 1))


# -- retry, counts, listing ------------------------------------------------------------------------------


def test_retry_brings_dead_and_failed_rows_of_a_ref_back(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("shipment", "SO-1", {}, depends_kind="order", depends_ref="SO-0")
    outbox.add("order", "SO-2", ORDER)
    outbox.add("order", "SO-3", ORDER)
    dead1, dead2, failed, other = outbox.claim("w1", 4, LEASE, T0)
    outbox.mark_dead(dead1.id, "unknown product")
    outbox.mark_dead(dead2.id, "unknown product")
    outbox.mark_failed(failed.id, "timeout", at(3600))
    outbox.mark_posted(other.id, {})

    assert outbox.retry("SO-1") == 2  # both kinds with that ref
    assert outbox.retry("SO-404") == 0
    back = outbox.rows(states=("pending",))
    assert [(r.kind, r.ref, r.attempts, r.next_attempt_at) for r in back] == [
        ("order", "SO-1", 0, None),
        ("shipment", "SO-1", 0, None),
    ]
    assert back[0].last_error == "unknown product"  # kept for the person who looks next

    assert outbox.retry() == 1  # SO-2, failed
    assert outbox.retry() == 0
    assert refs(outbox.claim("w1", 10, LEASE, T0)) == ["SO-1", "SO-1", "SO-2"]


def test_counts_and_the_oldest_pending_row(outbox: Outbox, clock: FakeClock) -> None:
    assert outbox.counts() == {}
    assert outbox.oldest_pending_since() is None

    outbox.add("order", "SO-1", ORDER)
    clock.advance(60)
    outbox.add("order", "SO-2", ORDER)
    outbox.add("shipment", "SH-1", {})
    outbox.add("order", "SO-3", {}, state="invalid")
    (first,) = outbox.claim("w1", 1, LEASE, T0)

    assert outbox.counts() == {("posting", "order"): 1, ("pending", "order"): 1, ("pending", "shipment"): 1,
                               ("invalid", "order"): 1}  # fmt: skip
    assert outbox.oldest_pending_since() == T0  # a row being posted is not done yet
    outbox.mark_failed(first.id, "timeout", at(120))
    assert outbox.oldest_pending_since() == T0  # nor is one waiting for a retry
    (again,) = outbox.claim("w1", 1, LEASE, at(120))
    outbox.mark_posted(again.id, {})
    assert outbox.oldest_pending_since() == at(60)
    assert outbox.counts()[("posted", "order")] == 1


def test_rows_filters_by_state_and_kind_in_id_order(outbox: Outbox) -> None:
    outbox.add("order", "SO-1", ORDER)
    outbox.add("shipment", "SH-1", {})
    outbox.add("order", "SO-2", {}, state="invalid")
    outbox.add("order", "SO-3", ORDER)

    assert refs(outbox.rows()) == ["SO-1", "SH-1", "SO-2", "SO-3"]
    assert refs(outbox.rows(kind="order")) == ["SO-1", "SO-2", "SO-3"]
    assert refs(outbox.rows(states=("invalid", "pending"), kind="order")) == ["SO-1", "SO-2", "SO-3"]
    assert refs(outbox.rows(states=("invalid",))) == ["SO-2"]
    assert refs(outbox.rows(limit=2)) == ["SO-1", "SH-1"]
    assert outbox.rows(states=("dead",)) == []
    assert set(STATES) >= {r.state for r in outbox.rows()}


# -- durability and lifecycle ----------------------------------------------------------------------------


def test_everything_survives_closing_and_reopening(store: Store) -> None:
    first = store.open()
    first.add("order", "SO-1", ORDER)
    first.add("order", "SO-2", {"ref": "SO-2"}, state="invalid", errors=[{"field": "lines", "message": "empty"}])
    first.add("return", "RET-1", {"ref": "RET-1"})
    order, ret = first.claim("w1", 5, LEASE, T0)
    first.mark_posted(ret.id, {"id": 9, "decision": {"remedy": "refund"}}, ra_number="RA-0009")
    before = first.rows()
    first.close()

    second = store.open()
    assert second.rows() == before
    assert second.get("order", "SO-1") == order
    assert second.add("order", "SO-1", ORDER) == "duplicate"
    assert second.claim("w2", 5, LEASE, at(LEASE + 1)) == [
        replace(order, lease_until=at(2 * LEASE + 1), claimed_by="w2", updated_at=at(LEASE + 1))
    ]


def test_a_closed_outbox_says_so_and_closing_twice_is_harmless(outbox: Outbox) -> None:
    outbox.close()
    outbox.close()
    with pytest.raises(OutboxError, match="closed"):
        outbox.rows()


def test_two_instances_on_one_store_see_each_others_rows(store: Store) -> None:
    a, b = store.open(), store.open()
    a.add("order", "SO-1", ORDER)
    assert b.add("order", "SO-1", {"other": True}) == "conflict"
    (row,) = b.claim("b", 5, LEASE, T0)
    assert a.claim("a", 5, LEASE, T0) == []
    a.mark_posted(row.id, {"id": 1})
    assert b.counts() == {("posted", "order"): 1}
