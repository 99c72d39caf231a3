# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync API for return requests (R1-R7, W1-W6): an RA per request, authorized, and settled when the
inspection comes with it."""

import imagepro_policy

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.fields import Command

from .imagepro_sync import MissingDependency, _date


class ImageproSyncReturn(models.AbstractModel):
    _name = "imagepro.sync.return"
    _inherit = "imagepro.sync"
    _description = "Image-Pro Sync API: returns"

    @api.model
    def _sync_batch(self, docs):
        return self._run_batch(docs, "return", self._sync_return)

    @api.model
    def _sync_return(self, doc):
        ref = doc["ref"]
        company = self._company()
        ra_model = self.env["imagepro.return.authorization"]
        existing = ra_model.search([("imagepro_sync_ref", "=", ref), ("company_id", "=", company.id)], limit=1)
        if existing:
            return self._ra_result(doc, "return", existing, "already_present")
        if not (doc.get("reason") or "").strip():
            raise ValidationError(self.env._("R6: the return states no reason; it is refused at intake."))
        order = self._order_by_ref(doc["order_ref"]) if doc.get("order_ref") else self.env["sale.order"]
        if doc.get("order_ref") and not order:
            raise MissingDependency(self.env._("Order %(ref)s is not in the ERP yet.", ref=doc["order_ref"]))
        partner = order.partner_id if order else self._find_partner(doc.get("customer"))
        if not partner:
            raise ValidationError(self.env._("Unknown customer %(ref)s.", ref=(doc.get("customer") or {}).get("ref")))
        invoice = order._imagepro_shipped_invoice() if order else self.env["account.move"]
        if order and not invoice:
            # Goods are returned after they shipped: the credit memo must reverse the shipment's invoice.
            raise MissingDependency(
                self.env._("Order %(ref)s is not invoiced yet; the return waits for its shipment.", ref=doc["order_ref"])
            )
        shipment_date = requested_shipment = _date(doc["shipment_date"])
        if order and shipment_date in order._imagepro_shipment_dates():
            # The request may name the later shipment its units came on; the RA keeps the order's first and each
            # line the date of the invoice (shipment) its units are taken from.
            shipment_date = order._imagepro_shipment_date()
        line_cmds, doc_lines = [], []
        for line in doc["lines"]:
            product = self._product_by_sku(line["sku"])
            # W5: the price paid comes from the invoice line the units were bought on (see below).
            vals = {
                "product_id": product.id,
                "quantity": float(imagepro_policy.to_decimal(line["quantity"])),
                "defective": bool(line.get("defective")),
            }
            if not order:
                vals["unit_price_paid"] = float(imagepro_policy.to_decimal(line["unit_price_paid"]))
            if line.get("inspection"):
                vals.update(self._inspection_vals(line["inspection"]))
            for part in self._split_over_invoices(ra_model, order, vals, requested_shipment):
                line_cmds.append(Command.create(part))
                doc_lines.append(line)
        ra = ra_model.create(
            {
                "imagepro_sync_ref": ref,
                "channel": "sync",
                "company_id": company.id,
                "partner_id": partner.id,
                "sale_order_id": order.id or False,
                "purchase_date": _date(doc["purchase_date"]),
                "shipment_date": shipment_date,
                "requested_on": _date(doc["requested_on"]),
                "reason": doc["reason"],
                "payment_method": doc.get("payment_method") or order.imagepro_payment_method or "open_account",
                "card_brand": order.imagepro_card_brand or False,
                "remedy": doc.get("remedy") or "credit",
                "line_ids": line_cmds,
            }
        )
        for ra_line, line in zip(ra.line_ids, doc_lines):
            # W5 caps the price at what was invoiced; a request that claims less is credited less.
            asked = imagepro_policy.to_decimal(line["unit_price_paid"])
            if order and asked < imagepro_policy.to_decimal(str(ra_line.unit_price_paid)):
                ra_line.unit_price_paid = float(asked)
        ra.action_authorize()
        if ra.state == "authorized" and all(line.get("inspection") for line in doc["lines"]):
            ra._imagepro_inspect_and_settle()
        return self._ra_result(doc, "return", ra, "created")

    @api.model
    def _split_over_invoices(self, ra_model, order, vals, shipment_date):
        """The RA lines of one requested line: when the order shipped in parts, its units are taken from the
        invoices (shipments) with units left to return, the one dated `shipment_date` first, then oldest first,
        so each line carries one invoice's price and shipment date (W5, R1). W5 judges what cannot be placed."""
        if not order:
            return [vals]
        probe = ra_model.new({"sale_order_id": order.id, "company_id": order.company_id.id})
        candidates = probe._imagepro_invoiced_lines().filtered(lambda l: l.product_id.id == vals["product_id"])
        candidates = candidates.sorted(lambda l: l.move_id.invoice_date != shipment_date)  # stable: date order kept
        left_of = {l: l.quantity - probe._imagepro_returned_quantity(l) for l in candidates}
        candidates = candidates.filtered(lambda l: left_of[l] > 0)
        if len(candidates) < 2 or vals["quantity"] <= left_of[candidates[0]]:
            return [dict(vals, invoice_line_id=candidates[0].id)] if candidates else [vals]
        parts, wanted = [], vals["quantity"]
        for invoice_line in candidates:
            take = min(wanted, left_of[invoice_line])
            if take > 0:
                parts.append(dict(vals, invoice_line_id=invoice_line.id, quantity=take))
                wanted -= take
        if wanted > 0:  # more than was invoiced: the last line asks for the rest and W5 refuses it with the figures
            parts[-1]["quantity"] += wanted
        return parts
