"""An order that ships in parts, through the worker, against the stand-in or a real Odoo (docs/terms.md,
"Partial shipments"): one invoice per shipment for what it carried, the charges on the first, a unit shipped
once, and R1 counted from the shipment that carried the returned unit."""

from __future__ import annotations

from sync_worker.outbox.base import Outbox

from .helpers import Clock, ErpUnderTest, load, make_runner, seed, submit


def test_an_order_shipped_in_parts_is_invoiced_per_shipment_and_returned_per_shipment(
    erp: ErpUnderTest, outbox: Outbox
) -> None:
    seed(erp)
    p = erp.prefix
    documents = load("partial-shipments.jsonl", p)
    order, first, rest, too_many = documents[:4]
    runner = make_runner(erp, outbox, Clock())
    submit(outbox, [order, first, rest, too_many])
    runner.run_round()
    runner.run_round()

    rows = {row.ref[len(p):]: row for row in outbox.rows()}
    assert rows["PHN-30100"].state == "posted"
    assert rows["SHIP-30100-1"].state == "posted" and rows["SHIP-30100-2"].state == "posted"
    # A unit ships once: the third shipment names a toner the first two already carried (O7).
    dead = rows["SHIP-30100-3"]
    assert dead.state == "dead" and "O7" in dead.last_error and "IP-TN450" in dead.last_error

    odoo = erp.transport_factory()
    invoice_ids = [rows[ref].result["ids"]["invoice_id"] for ref in ("SHIP-30100-1", "SHIP-30100-2")]
    invoices = odoo.execute_kw("account.move", "read", [invoice_ids],
                               {"fields": ["amount_untaxed", "invoice_date", "invoice_date_due", "state"]})
    # 2 x 20.00 + freight 9.00 on the first invoice (O2 once); 2 x 20.00 + 1 x 10.00 on the second (O7).
    assert [(round(i["amount_untaxed"], 2), str(i["invoice_date"]), str(i["invoice_date_due"]), i["state"])
            for i in invoices] == [(49.0, "2026-10-21", "2026-11-20", "posted"),
                                   (50.0, "2026-11-05", "2026-12-05", "posted")]

    submit(outbox, documents[4:])
    runner.run_round()
    backordered = outbox.get("return", p + "RAREQ-30100-A")
    early = outbox.get("return", p + "RAREQ-30100-B")
    assert backordered is not None and early is not None
    # The drum shipped on 11-05: 26 days before the request, inside R1 (41 days from the first shipment).
    assert backordered.state == "posted" and backordered.result["decision"] == "approved"
    assert backordered.result["ids"]["credit_note_id"] > 0
    # The toner the request dates 10-21 came on the first shipment: 41 days, outside R1.
    assert early.result["decision"] == "denied" and "R1" in early.result["rules"]
    assert "41 days after shipment on 2026-10-21" in early.result["message"]
