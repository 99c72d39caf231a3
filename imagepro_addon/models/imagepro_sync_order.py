# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync API for orders (O1-O6): checked and decided one by one, created and confirmed together."""

from datetime import datetime, time

import imagepro_policy

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.fields import Command

from .imagepro_sync import _date
from .sale_order import NO_CHARGE_CTX


class OrderToCreate:
    """An order that passed its checks, with the policy's decision and the values to create it from."""

    def __init__(self, doc, vals, decision):
        self.doc = doc
        self.vals = vals
        self.decision = decision


class ImageproSyncOrder(models.AbstractModel):
    _name = "imagepro.sync.order"
    _inherit = "imagepro.sync"
    _description = "Image-Pro Sync API: orders"

    @api.model
    def _sync_batch(self, docs):
        """O1-O6 for a batch: each order is checked and decided in its own savepoint, then all the orders
        that passed are created (with their service-charge line) and the accepted ones confirmed together.
        Should that joint step fail, each order is created on its own instead."""
        bulk = self._bulk()
        return bulk._run_batch_together(
            docs, "order", bulk._prepare_order, OrderToCreate, lambda p: p.doc["ref"], bulk._create_orders,
            bulk._sync_order,
        )

    @api.model
    def _policy_order_from_doc(self, doc, partner):
        payment = doc.get("payment") or {}
        freight = doc.get("freight") or {}
        return imagepro_policy.Order(
            order_date=_date(doc["order_date"]),
            lines=tuple(
                imagepro_policy.OrderLine(
                    sku=line["sku"],
                    quantity=imagepro_policy.to_decimal(line["quantity"]),
                    unit_price=imagepro_policy.to_decimal(line["unit_price"]),
                    discount_percent=imagepro_policy.to_decimal(line.get("discount_percent") or "0"),
                )
                for line in doc["lines"]
            ),
            payment_method=payment.get("method") or "card",
            card_brand=payment.get("card_brand") or None,
            credit_approved=partner.commercial_partner_id.imagepro_credit_approved if partner else None,
            freight_amount=imagepro_policy.to_decimal(freight.get("amount") or "0"),
            customer_ref=(doc.get("customer") or {}).get("ref") or "",
        )

    @api.model
    def _order_result(self, doc, order, status):
        return self._result(
            doc, "order", status=status, decision=order.imagepro_decision or "",
            rules=(order.imagepro_rules or "").split(", ") if order.imagepro_rules else [],
            message=order.imagepro_hold_reason or "",
            ids={"sale_order_id": order.id}, name=order.name,
        )

    @api.model
    def _prepare_order(self, doc):
        """Checks and the policy's decision for one order; the order itself is made by the caller."""
        ref = doc["ref"]
        existing = self._order_by_ref(ref)
        if existing:
            return self._order_result(doc, existing, "already_present")
        if doc.get("channel") not in ("web", "phone", "email"):
            raise ValidationError(self.env._("channel must be web, phone or email (O5)."))
        payment = doc.get("payment") or {}
        if payment.get("method") not in ("card", "open_account"):
            raise ValidationError(self.env._("payment.method must be card or open_account."))
        company = self._company()
        partner = self._find_partner(doc.get("customer"))
        decision = imagepro_policy.decide_order(
            self._policy_order_from_doc(doc, partner), company._imagepro_policy_book()
        )
        if decision.verdict == "rejected":
            return self._result(doc, "order", status="rejected", decision="rejected",
                                rules=list(decision.rules), message=decision.message)
        products = [self._product_by_sku(line["sku"]) for line in doc["lines"]]
        if not partner:
            partner = self.env["res.partner"].create(self._prepare_partner_vals(doc["customer"]))
        vals = self._prepare_order_vals(doc, partner, products)
        if decision.amounts.service_charge:
            vals["order_line"].append(Command.create(self._prepare_service_charge_vals(decision.amounts.service_charge)))
        return OrderToCreate(doc, vals, decision)

    @api.model
    def _prepare_service_charge_vals(self, amount):
        """O1's line as the sale order itself makes it."""
        vals = self.env["sale.order"].new({"company_id": self._company().id})._prepare_imagepro_service_charge_line_vals(
            amount
        )
        vals.pop("order_id")
        return vals

    @api.model
    def _create_orders(self, prepared):
        """Create the orders of `prepared` together, confirm the accepted ones; one result per order."""
        # The service-charge line is in the values already (decided above), so the per-line hook that
        # keeps it right on manual edits has nothing to add here.
        orders = self.env["sale.order"].with_context(**{NO_CHARGE_CTX: True}).create([p.vals for p in prepared])
        orders = orders.with_context(**{NO_CHARGE_CTX: False})
        accepted = orders.browse([o.id for o, p in zip(orders, prepared) if p.decision.verdict == "accepted"])
        if accepted:
            accepted.action_confirm()
        results = []
        for order, p in zip(orders, prepared):
            if p.decision.verdict == "accepted":
                res = self._order_result(p.doc, order, "created")
                res["message"] = p.decision.message
            else:
                order._imagepro_hold(p.decision)
                res = self._order_result(p.doc, order, "held")
            results.append(res)
        return results

    @api.model
    def _sync_order(self, doc):
        """One order on its own: the fallback when a batch cannot be created together."""
        prepared = self._prepare_order(doc)
        if not isinstance(prepared, OrderToCreate):
            return prepared
        return self._create_orders([prepared])[0]

    @api.model
    def _prepare_order_vals(self, doc, partner, products):
        company = self._company()
        payment = doc.get("payment") or {}
        freight = doc.get("freight") or {}
        lines = [
            Command.create(
                {
                    "product_id": product.id,
                    "product_uom_qty": float(imagepro_policy.to_decimal(line["quantity"])),
                    "price_unit": float(imagepro_policy.to_decimal(line["unit_price"])),
                    "discount": float(imagepro_policy.to_decimal(line.get("discount_percent") or "0")),
                }
            )
            for product, line in zip(products, doc["lines"])
        ]
        freight_amount = imagepro_policy.to_decimal(freight.get("amount") or "0")
        if freight_amount:
            lines.append(
                Command.create(
                    {
                        "product_id": company._imagepro_product("freight").id,
                        "name": self.env._("Freight: %(method)s (O2)", method=freight.get("method") or "ground"),
                        "product_uom_qty": 1.0,
                        "price_unit": float(freight_amount),
                        "sequence": 9000,
                    }
                )
            )
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "imagepro_sync_ref": doc["ref"],
            "client_order_ref": doc["ref"],
            "imagepro_channel": doc["channel"],
            "imagepro_payment_method": payment["method"],
            "imagepro_card_brand": imagepro_policy.normalize_card_brand(payment.get("card_brand") or "") or False,
            "date_order": datetime.combine(_date(doc["order_date"]), time(12, 0)),
            "imagepro_order_date": _date(doc["order_date"]),
            "order_line": lines,
        }
        if payment["method"] == "open_account":
            term = company._imagepro_net30_term()
            vals["payment_term_id"] = term.id if term else False
        return vals
