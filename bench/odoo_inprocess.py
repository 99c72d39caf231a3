"""bench_post.py's in-process variants: Odoo imported into the bench's own process, no RPC.

- core: what plain Odoo does for the same orders and shipments, with none of the add-on's rules and none of its
  batching tricks: look the customers and products up, create the orders with their freight (and O1 service
  charge) lines, confirm them; per batch of shipments validate their deliveries (with Inventory installed),
  invoice the orders, date the invoices and set their terms, post them, and pay the card ones with the
  register-payment wizard in the CARD journal. The floor of what Odoo costs for this work.
- sync: the add-on's sync API (imagepro.sync) called in-process, batch by batch, as the worker calls it.

Each batch is one transaction, committed, as one call from the worker is. Needs Odoo importable: run bench_post.py
with the Python of Odoo's virtual environment and --odoo-config.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.bench_post import order_line_commands


class InProcessOdoo:
    """One database of an Odoo imported here, used as `login`."""

    def __init__(self, config_path: str, db: str, login: str) -> None:
        import odoo  # imported here: only the in-process paths need Odoo
        from odoo.modules.registry import Registry

        odoo.tools.config.parse_config(["-c", config_path, "-d", db])
        self.odoo = odoo
        self.registry = Registry(db)
        with self.env() as env:
            user = env["res.users"].search([("login", "=", login)], limit=1)
            if not user:
                raise SystemExit(f"no user {login!r} in {db}")
            self.uid = user.id

    @contextmanager
    def env(self, uid: int | None = None) -> Iterator[Any]:
        """An environment on a new cursor, committed when the block ends without error."""
        with self.registry.cursor() as cr:
            uid = self.odoo.SUPERUSER_ID if uid is None else uid
            yield self.odoo.api.Environment(cr, uid, {})


def _batches(docs: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(docs), size):
        yield docs[i: i + size]


def run_sync(odoo: InProcessOdoo, orders: list[dict[str, Any]], shipments: list[dict[str, Any]],
             batch: int) -> tuple[float, dict[str, int]]:
    """The add-on's sync API, in-process; (seconds, {kind:status: count})."""
    statuses: dict[str, int] = {}
    start = time.perf_counter()
    for kind, docs, method in (("order", orders, "sync_orders"), ("shipment", shipments, "sync_shipments")):
        for chunk in _batches(docs, batch):
            with odoo.env(odoo.uid) as env:
                for result in getattr(env["imagepro.sync"], method)(chunk):
                    key = f"{kind}:{result['status']}"
                    statuses[key] = statuses.get(key, 0) + 1
    return time.perf_counter() - start, statuses


def run_core(odoo: InProcessOdoo, orders: list[dict[str, Any]], shipments: list[dict[str, Any]],
             batch: int) -> tuple[float, dict[str, int]]:
    """Plain Odoo, in-process; (seconds, {what was made: count})."""
    with odoo.env() as env:  # looked up once per run, as any connector would
        net30 = env.ref("account.account_payment_term_30days", raise_if_not_found=False)
        card_journal = env["account.journal"].search([("code", "=", "CARD")], limit=1)
        if not card_journal:
            raise SystemExit("no CARD journal: run the batched path once first, it makes it")
        card_journal_id, net30_id = card_journal.id, net30.id if net30 else False
    counts = {"orders": 0, "invoices": 0, "card payments": 0, "deliveries validated": 0}
    orders_by_ref = {doc["ref"]: doc for doc in orders}
    start = time.perf_counter()
    for chunk in _batches(orders, batch):
        with odoo.env(odoo.uid) as env:
            counts["orders"] += len(_core_orders(env, chunk, net30_id))
    for chunk in _batches(shipments, batch):
        with odoo.env(odoo.uid) as env:
            made = _core_shipments(env, chunk, orders_by_ref, net30_id, card_journal_id)
            for key, value in made.items():
                counts[key] += value
    return time.perf_counter() - start, counts


def _core_orders(env: Any, docs: list[dict[str, Any]], net30_id: int) -> Any:
    partners = env["res.partner"].search([("ref", "in", sorted({d["customer"]["ref"] for d in docs}))])
    partner_of = {p.ref: p.id for p in partners}
    skus = sorted({line["sku"] for d in docs for line in d["lines"]} | {"IP-FREIGHT", "IP-SERVICE-CHARGE"})
    product_of = {p.default_code: p.id for p in env["product.product"].search([("default_code", "in", skus)])}
    vals_list = []
    for doc in docs:
        lines = order_line_commands(doc, product_of.__getitem__, product_of["IP-SERVICE-CHARGE"],
                                    product_of["IP-FREIGHT"])
        card = doc["payment"]["method"] == "card"
        vals_list.append({"partner_id": partner_of[doc["customer"]["ref"]], "client_order_ref": doc["ref"],
                          "order_line": lines, "payment_term_id": False if card else net30_id})
    orders = env["sale.order"].create(vals_list)
    orders.action_confirm()
    return orders


def _core_shipments(env: Any, docs: list[dict[str, Any]], orders_by_ref: dict[str, dict[str, Any]],
                    net30_id: int, card_journal_id: int) -> dict[str, int]:
    made = {"invoices": 0, "card payments": 0, "deliveries validated": 0}
    found = env["sale.order"].search([("client_order_ref", "in", [d["order_ref"] for d in docs])])
    order_of = {o.client_order_ref: o for o in found}
    orders = env["sale.order"].concat(*(order_of[d["order_ref"]] for d in docs))
    if "picking_ids" in orders._fields:
        pickings = orders.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        pickings.with_context(skip_backorder=True, picking_ids_not_to_backorder=pickings.ids).button_validate()
        made["deliveries validated"] += len(pickings)
    invoices = orders._create_invoices(grouped=True)
    invoice_of = {inv.invoice_line_ids.sale_line_ids.order_id.id: inv for inv in invoices}
    card = env["account.move"]
    for doc in docs:
        invoice = invoice_of[order_of[doc["order_ref"]].id]
        vals: dict[str, Any] = {"invoice_date": doc["shipped_on"]}
        if orders_by_ref[doc["order_ref"]]["payment"]["method"] == "card":
            vals.update({"invoice_payment_term_id": False, "invoice_date_due": doc["shipped_on"]})
            card |= invoice
        else:
            vals["invoice_payment_term_id"] = net30_id
        invoice.write(vals)
    invoices.action_post()
    made["invoices"] += len(invoices)
    if card:
        wizard = env["account.payment.register"].with_context(active_model="account.move", active_ids=card.ids).create(
            {"journal_id": card_journal_id, "payment_date": docs[0]["shipped_on"], "group_payment": False}
        )
        made["card payments"] += len(wizard._create_payments())
    return made
