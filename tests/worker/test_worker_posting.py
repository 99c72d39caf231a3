"""The worker against the Odoo stand-in over real XML-RPC (or a real Odoo with IMAGEPRO_TEST_ODOO_*)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from sync_worker.cli import main
from sync_worker.erp import SyncApi
from sync_worker.inbox import Inbox
from sync_worker.intake import read_documents
from sync_worker.outbox.base import Outbox
from sync_worker.store import store_documents
from tests.odoo_standin.fixtures import ErpUnderTest

from .helpers import Clock, load, make_runner, seed, submit, write


def states(outbox: Outbox, kind: str) -> dict[str, str]:
    return {row.ref: row.state for row in outbox.rows(kind=kind)}


def test_a_day_posts_every_document_exactly_once(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    p = erp.prefix
    clock = Clock()
    runner = make_runner(erp, outbox, clock)
    submit(outbox, load("1-orders.json", p) + load("2-shipments.jsonl", p) + load("3-returns.json", p))

    first = runner.run_round()
    assert first.count("dead") == 0, [o.message for o in first.outcomes if o.state == "dead"]

    orders = {row.ref[len(p):]: row for row in outbox.rows(kind="order")}
    assert orders["WEB-100236"].state == "rejected" and "O4" in orders["WEB-100236"].result["rules"]
    assert {ref: row.state for ref, row in orders.items() if ref != "WEB-100236"} == dict.fromkeys(
        ["WEB-100234", "WEB-100235", "PHN-20771", "PHN-20772", "EML-5510", "EML-5511"], "posted")
    assert orders["EML-5511"].result["decision"] == "held"  # credit not approved in the ERP (O3)
    assert orders["WEB-100234"].result["ids"]["sale_order_id"] > 0
    assert set(states(outbox, "shipment").values()) == {"posted"}
    returns = {row.ref[len(p):]: row for row in outbox.rows(kind="return")}
    assert all(row.state == "posted" and row.ra_number.startswith("RA/") for row in returns.values())

    # The dock inspects the two RAs that waited for it, citing the numbers the ERP issued.
    inspections = load("4-inspections.jsonl", p)
    inspections[0]["ra_number"] = returns["RAREQ-5532"].ra_number
    inspections[1]["ra_number"] = returns["RAREQ-5533"].ra_number
    submit(outbox, inspections)
    second = runner.run_round()
    assert [o.state for o in second.outcomes] == ["posted", "posted"]
    dock = {row.ref[len(p):]: row for row in outbox.rows(kind="inspection")}
    assert dock["DOCK-9912"].result["ids"]["credit_note_id"] > 0  # 4 x 17.49 less 15 % restocking
    # A defective ink cartridge with 84 % left and labels intact: replaced (W2); packaging only binds non-defective.
    assert dock["DOCK-9913"].result["ids"]["replacement_order_id"] > 0
    # Nothing is left to do, and sending the whole day again changes nothing.
    assert runner.run_round().outcomes == []
    again = store_documents(outbox, read_documents(json.dumps(load("1-orders.json", p))), "again")
    assert {s.outcome for s in again} == {"duplicate"}

    api = SyncApi(erp.transport_factory())
    repost = api.post("order", [orders["WEB-100234"].payload])[0]
    assert repost.status == "already_present"
    assert repost.ids == orders["WEB-100234"].result["ids"]
    if erp.standin is not None:
        for row in outbox.rows(states=("posted",)):
            if row.result.get("status") != "denied":
                assert len(erp.standin.erp.records_by_ref(row.ref)) == 1, row.ref


def test_service_charge_and_terms_reach_the_erp(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    submit(outbox, load("1-orders.json", erp.prefix)[:2])
    make_runner(erp, outbox, Clock()).run_round()
    odoo = erp.transport_factory()
    small, large = (outbox.get("order", erp.prefix + ref) for ref in ("WEB-100234", "WEB-100235"))
    assert small is not None and large is not None
    fields = {"fields": ["amount_untaxed", "state"]}
    [small_order] = odoo.execute_kw("sale.order", "read", [[small.result["ids"]["sale_order_id"]]], fields)
    [large_order] = odoo.execute_kw("sale.order", "read", [[large.result["ids"]["sale_order_id"]]], fields)
    # 49.98 + 3.00 service charge + 8.50 freight; the larger order meets the minimum.
    assert (round(small_order["amount_untaxed"], 2), small_order["state"]) == (61.48, "sale")
    assert (round(large_order["amount_untaxed"], 2), large_order["state"]) == (93.60, "sale")


def test_invalid_documents_are_kept_with_field_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outbox_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    broken = Path(__file__).resolve().parents[2] / "examples" / "broken.jsonl"
    assert main(["--outbox-url", outbox_url, "submit", str(broken)]) == 1
    assert "reason: every return must state its reason (R6)" in capsys.readouterr().err
    assert main(["--outbox-url", outbox_url, "dead", "--json"]) == 0
    kept = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [k["state"] for k in kept] == ["invalid"] * 4
    assert {"field": "reason", "message": "every return must state its reason", "rule": "R6"} in kept[1]["errors"]


def test_a_reply_lost_mid_way_still_posts_once(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    submit(outbox, load("1-orders.json", erp.prefix))
    runner = make_runner(erp, outbox, Clock())
    runner.poster.book()  # log in and read the policy first, so the fault hits the batch itself
    erp.proxy.inject("reset_mid_response", 1)  # Odoo committed the batch, the worker never heard
    summary = runner.run_round()
    assert summary.count("posted") == 6 and summary.count("rejected") == 1
    posted = outbox.rows(kind="order", states=("posted",))
    # The first call (as many orders as its time budget allows) was committed unheard and sent again: its
    # orders answer already_present; the orders of later calls were created by them.
    statuses = [row.result["status"] for row in posted]
    first_call = runner.poster.sizer.first_size
    assert statuses[:first_call] == ["already_present"] * first_call
    assert set(statuses[first_call:]) <= {"created", "held"} and len(statuses) == 6
    for row in posted:
        assert erp.orders_with_ref(row.ref) == 1


def test_an_outage_waits_then_posts(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    clock = Clock()
    runner = make_runner(erp, outbox, clock, retry_base_seconds=30)
    submit(outbox, load("1-orders.json", erp.prefix)[:3])
    with erp.proxy.refused():
        summary = runner.run_round()
    assert summary.count("failed") == 3
    failed = outbox.rows(kind="order")
    assert all(row.state == "failed" and row.attempts == 1 and "refused" in row.last_error.lower() for row in failed)
    assert runner.run_round().outcomes == []  # not due yet
    clock.advance(3600)
    assert runner.run_round().count("posted") == 3


def test_serialization_failures_are_retried_within_the_call(erp: ErpUnderTest, outbox: Outbox) -> None:
    standin = erp.need_standin("a serialization failure happens inside Odoo's database, not on the wire")
    seed(erp)
    submit(outbox, load("1-orders.json", erp.prefix)[:2])
    standin.inject("serialization_failure", 2)
    erp.proxy.inject("http_502", 1)
    assert make_runner(erp, outbox, Clock()).run_round().count("posted") == 2


def test_unknown_product_is_a_dead_letter_until_replayed(erp: ErpUnderTest, outbox: Outbox, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    seed(erp)
    order = load("1-orders.json", erp.prefix)[0]
    order["lines"][0]["sku"] = "IP-NOSUCH"
    submit(outbox, [order])
    runner = make_runner(erp, outbox, Clock())
    assert runner.run_round().count("dead") == 1
    dead = outbox.get("order", order["ref"])
    assert dead is not None and dead.state == "dead" and "IP-NOSUCH" in dead.last_error
    assert outbox.retry(order["ref"]) == 1
    if erp.standin is not None:
        erp.standin.erp.add_product("IP-NOSUCH", "Late-listed toner", "24.99", 950, 700)
        assert runner.run_round().count("posted") == 1


def test_a_shipment_never_posts_before_its_order_nor_for_a_rejected_one(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    p = erp.prefix
    orders = load("1-orders.json", p)
    rejected = next(o for o in orders if o["ref"] == p + "WEB-100236")
    submit(outbox, [
        {"type": "shipment", "ref": p + "SHIP-1", "order_ref": orders[0]["ref"], "shipped_on": "2026-11-21"},
        {"type": "shipment", "ref": p + "SHIP-2", "order_ref": rejected["ref"], "shipped_on": "2026-11-21"},
    ])
    submit(outbox, [orders[0], rejected])
    runner = make_runner(erp, outbox, Clock())
    first = runner.run_round()
    kinds_in_order = [(o.kind, o.state) for o in first.outcomes]
    assert kinds_in_order.index(("order", "posted")) < kinds_in_order.index(("shipment", "posted"))
    ship2 = outbox.get("shipment", p + "SHIP-2")
    assert ship2 is not None and ship2.state == "dead" and "rejected" in ship2.last_error


def test_a_return_for_a_rejected_order_is_a_dead_letter_at_once(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    p = erp.prefix
    rejected = next(o for o in load("1-orders.json", p) if o["ref"] == p + "WEB-100236")
    ret = load("3-returns.json", p)[0]
    ret["order_ref"] = rejected["ref"]
    submit(outbox, [rejected, ret])
    runner = make_runner(erp, outbox, Clock())
    runner.run_round()
    row = outbox.get("return", ret["ref"])
    assert row is not None and row.state == "dead" and row.attempts == 1
    assert f"its order {rejected['ref']} is rejected" in row.last_error and "(O4)" in row.last_error


def test_json_rpc_transport_posts_the_same(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    submit(outbox, load("1-orders.json", erp.prefix)[:2])
    assert make_runner(erp, outbox, Clock(), kind="jsonrpc").run_round().count("posted") == 2


def test_the_password_never_reaches_the_logs(erp: ErpUnderTest, outbox: Outbox,
                                             caplog: pytest.LogCaptureFixture) -> None:
    seed(erp)
    submit(outbox, load("1-orders.json", erp.prefix)[:1])
    caplog.set_level(logging.DEBUG)
    with erp.proxy.refused():
        make_runner(erp, outbox, Clock()).run_round()
    row = outbox.get("order", erp.prefix + "WEB-100234")
    assert row is not None
    assert erp.password not in caplog.text and erp.password not in row.last_error


def test_inbox_files_go_to_done_or_rejected_with_a_report(erp: ErpUnderTest, outbox: Outbox, tmp_path: Path) -> None:
    seed(erp)
    inbox_dir = tmp_path / "inbox"
    inbox = Inbox(inbox_dir)
    write(inbox_dir / "orders.jsonl", load("1-orders.json", erp.prefix)[:2])
    broken = Path(__file__).resolve().parents[2] / "examples" / "broken.jsonl"
    (inbox_dir / "broken.jsonl").write_text(broken.read_text())
    runner = make_runner(erp, outbox, Clock())
    runner.inbox = inbox
    summary = runner.run_round()
    assert summary.taken_files == 2 and summary.count("posted") == 2
    assert (inbox_dir / "done" / "orders.jsonl").exists()
    report = json.loads((inbox_dir / "rejected" / "broken.jsonl.errors.json").read_text())
    assert [d["valid"] for d in report["documents"]] == [False] * 4
    assert len(outbox.rows(states=("invalid",))) == 4


def test_a_return_of_more_than_was_invoiced_is_a_dead_letter_citing_w5(erp: ErpUnderTest, outbox: Outbox) -> None:
    seed(erp)
    p = erp.prefix
    order = next(o for o in load("1-orders.json", p) if o["ref"] == p + "WEB-100234")
    shipment = next(s for s in load("2-shipments.jsonl", p) if s["order_ref"] == order["ref"])
    ret = next(r for r in load("3-returns.json", p) if r["order_ref"] == order["ref"])
    invoiced = sum(line["quantity"] for line in order["lines"] if line["sku"] == ret["lines"][0]["sku"])
    ret["lines"][0]["quantity"] = invoiced + 4
    clock = Clock()
    runner = make_runner(erp, outbox, clock)
    submit(outbox, [order])
    runner.run_round()
    submit(outbox, [shipment])
    runner.run_round()
    submit(outbox, [ret])
    runner.run_round()
    row = outbox.get("return", ret["ref"])
    assert row is not None and row.state == "dead", row
    assert "(W5)" in row.last_error
