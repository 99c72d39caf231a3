# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync API for shipments (O7): invoiced, posted and (card) paid together."""

import imagepro_policy

from odoo import api, models
from odoo.exceptions import ValidationError

from .imagepro_sync import MissingDependency, _date
from .sale_order import SHIPPED_QUANTITIES_CTX


class ShipmentToInvoice:
    """A shipment that passed its checks, waiting for its invoice."""

    def __init__(self, doc, order, plan, quantities):
        self.doc = doc
        self.order = order
        self.plan = plan
        self.quantities = quantities  # {sale.order.line: quantity} this shipment carried and invoices


class ImageproSyncShipment(models.AbstractModel):
    _name = "imagepro.sync.shipment"
    _inherit = "imagepro.sync"
    _description = "Image-Pro Sync API: shipments"

    @api.model
    def _sync_batch(self, docs):
        """O7 for a batch: each shipment is checked in its own savepoint, then the invoices of all the
        shipments that passed are made, posted and (card) paid together, which costs Odoo far less than
        one at a time. Should that joint step fail, each shipment is invoiced on its own instead, so one
        bad document still answers its own error and the others go through."""
        bulk = self._bulk()
        return bulk._run_batch_together(
            docs, "shipment", bulk._prepare_shipment, ShipmentToInvoice, lambda s: s.order.id,
            bulk._invoice_shipments, bulk._sync_shipment,
        )

    @api.model
    def _prepare_shipment(self, doc):
        """Checks and the ship date of one shipment; the invoice is made by the caller."""
        ref = doc["ref"]
        company = self._company()
        existing = self.env["account.move"].search(
            [("imagepro_sync_ref", "=", ref), ("company_id", "=", company.id)], limit=1
        )
        if existing:
            return self._shipment_result(doc, existing, "already_present")
        order = self._order_by_ref(doc["order_ref"])
        if not order:
            raise MissingDependency(self.env._("Order %(ref)s is not in the ERP yet.", ref=doc["order_ref"]))
        if order.state != "sale":
            raise MissingDependency(
                self.env._("Order %(ref)s is not confirmed (%(why)s).", ref=doc["order_ref"],
                  why=order.imagepro_hold_reason or order.state)
            )
        shipped_on = _date(doc["shipped_on"])
        plan = imagepro_policy.plan_invoice(
            order._imagepro_order_date(), shipped_on, order.imagepro_payment_method or "card",
            company._imagepro_policy_book()
        )
        split, quantities = order._imagepro_split_shipment(doc.get("lines"))
        if not order.imagepro_shipped_on:  # R1 counts from the first shipment; a later one dates its own lines
            order.imagepro_shipped_on = shipped_on
        for line, qty in quantities.items():
            if line.qty_delivered_method == "manual":
                # Set, not added: preparing the same shipment again (a batch retried one by one) is harmless.
                line.qty_delivered = line._imagepro_shipped_qty() + qty
        return ShipmentToInvoice(doc, order, plan, quantities)

    @api.model
    def _invoice_vals(self, shipment):
        vals = {"invoice_date": shipment.plan.invoice_date, "imagepro_sync_ref": shipment.doc["ref"]}
        if shipment.plan.paid_by_card:
            vals.update({"invoice_payment_term_id": False, "invoice_date_due": shipment.plan.due_date})
        else:
            term = self._company()._imagepro_net30_term()
            vals["invoice_payment_term_id"] = term.id if term else False
        return vals

    @api.model
    def _invoice_shipments(self, shipments):
        """Invoice, post and (card) pay the orders of `shipments` together; one result per shipment."""
        orders = self.env["sale.order"].concat(*(s.order for s in shipments))
        quantities = {line.id: qty for s in shipments for line, qty in s.quantities.items()}
        invoices = orders.with_context(**{SHIPPED_QUANTITIES_CTX: quantities})._create_invoices(grouped=True)
        invoice_of = {inv.invoice_line_ids.sale_line_ids.order_id.id: inv for inv in invoices}
        for shipment in shipments:
            invoice_of[shipment.order.id].write(self._invoice_vals(shipment))
        invoices.action_post()
        for shipment in shipments:
            self._check_due_date(invoice_of[shipment.order.id], shipment.plan)
        card = [s for s in shipments if s.plan.paid_by_card]
        for paid_on in sorted({s.plan.invoice_date for s in card}):
            same_day = [s for s in card if s.plan.invoice_date == paid_on]
            self._pay_by_card(self.env["account.move"].concat(*(invoice_of[s.order.id] for s in same_day)), paid_on)
        return [self._shipment_result(s.doc, invoice_of[s.order.id], "created") for s in shipments]

    @api.model
    def _check_due_date(self, invoice, plan):
        if not plan.paid_by_card and invoice.invoice_date_due != plan.due_date:
            raise ValidationError(self.env._("Invoice due %(got)s, the policy says %(want)s (O7).",
                                    got=invoice.invoice_date_due, want=plan.due_date))

    @api.model
    def _pay_by_card(self, invoices, paid_on):
        """O7: card orders are recorded as paid by card, one payment per invoice in the CARD journal.

        Each invoice gets its own account.payment (created, posted, reconciled with the invoice's receivable
        line), as the register-payment wizard does for one invoice, but without the wizard: for several
        invoices at once the wizard's communication takes the "Batch Payment Number Sequence" row FOR UPDATE
        NOWAIT, and two shipment batches paying cards at the same time then always collided (issue 10)."""
        journal = self._company()._imagepro_card_journal()
        method_line = journal.inbound_payment_method_line_ids[:1]
        payment_model = self.env["account.payment"]
        open_lines = [("parent_state", "=", "posted"), ("reconciled", "=", False),
                      ("account_type", "in", payment_model._get_valid_payment_account_types())]
        vals_list = []
        for invoice in invoices:
            order = invoice.invoice_line_ids.sale_line_ids.order_id[:1]
            brand = imagepro_policy.CARD_BRANDS.get(order.imagepro_card_brand or "", order.imagepro_card_brand or "card")
            vals = {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": invoice.commercial_partner_id.id,
                "amount": invoice.amount_residual,
                "currency_id": invoice.currency_id.id,
                "journal_id": journal.id,
                "payment_method_line_id": method_line.id,
                "date": paid_on,
                "memo": self.env._("%(inv)s paid by %(brand)s card", inv=invoice.name, brand=brand),
                "destination_account_id": invoice.line_ids.filtered_domain(open_lines)[:1].account_id.id,
                # the invoice's "Payments" (matched_payment_ids), as the wizard links them
                "invoice_ids": [(6, 0, invoice.ids)],
            }
            vals_list.append(vals)
        payments = payment_model.with_context(skip_invoice_sync=True).create(vals_list)
        payments.action_post()
        for payment, invoice in zip(payments, invoices):
            lines = (payment.move_id.line_ids + invoice.line_ids).filtered_domain(open_lines)
            for account in lines.account_id:
                lines.filtered(lambda line, account=account: line.account_id == account).reconcile()
        return payments

    @api.model
    def _shipment_result(self, doc, invoice, status):
        payment = invoice.matched_payment_ids[:1] if "matched_payment_ids" in invoice._fields else False
        order = invoice.line_ids.sale_line_ids.order_id[:1]
        return self._result(
            doc, "shipment", status=status, decision="invoiced", rules=["O7"],
            message=self.env._("Invoice %(inv)s dated %(date)s, due %(due)s.", inv=invoice.name,
                      date=invoice.invoice_date, due=invoice.invoice_date_due),
            ids={"sale_order_id": order.id, "invoice_id": invoice.id, "payment_id": payment.id if payment else 0},
            name=invoice.name,
        )

    @api.model
    def _sync_shipment(self, doc):
        """One shipment on its own: the fallback when a batch cannot be invoiced together."""
        prepared = self._prepare_shipment(doc)
        if not isinstance(prepared, ShipmentToInvoice):
            return prepared
        return self._invoice_shipments([prepared])[0]
