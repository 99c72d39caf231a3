# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import imagepro_policy

from odoo import api, fields, models
from odoo.exceptions import UserError

from .imagepro_policy import to_dec

NO_CHARGE_CTX = "imagepro_no_service_charge"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    imagepro_sync_ref = fields.Char(string="Sync Reference", copy=False, index=True, readonly=True)
    imagepro_order_date = fields.Date(
        string="Ordered On",
        copy=False,
        help="The date the customer placed the order. The terms in force that day decide it, and a return "
        "counts its purchase date from it. Odoo moves the order date to the confirmation date; this stays.",
    )
    imagepro_channel = fields.Selection(
        [("web", "Online Store"), ("phone", "Phone"), ("email", "Email")],
        string="Channel", help="O5: the channel is kept on the order.",
    )
    imagepro_payment_method = fields.Selection(
        [("card", "Card"), ("open_account", "Open Account")], string="Payment Method"
    )
    imagepro_card_brand = fields.Char(string="Card Brand", help="O4: visa, mastercard, discover or amex.")
    imagepro_shipped_on = fields.Date(string="Shipped On", copy=False)
    imagepro_hold_reason = fields.Text(string="Hold Reason", copy=False, readonly=True)
    imagepro_decision = fields.Char(string="Policy Decision", copy=False, readonly=True)
    imagepro_rules = fields.Char(string="Policy Rules", copy=False, readonly=True)
    imagepro_origin_ra_id = fields.Many2one(
        "imagepro.return.authorization", string="Replacement for RA", copy=False, readonly=True
    )

    _sql_constraints = [
        (
            "imagepro_sync_ref_uniq",
            "unique(company_id, imagepro_sync_ref)",
            "A synchronized order reference must be unique per company.",
        )
    ]

    # ------------------------------------------------------------------ policy glue
    def _imagepro_shipped_invoice(self):
        """The posted customer invoice a return reverses: the earliest one (O7 makes one per shipment)."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        return invoices.sorted(lambda m: (m.invoice_date, m.id))[:1]

    def _imagepro_order_date(self):
        """The date the terms judge the order by (O1-O6) and returns count its purchase from (R4, W1)."""
        self.ensure_one()
        return self.imagepro_order_date or fields.Date.to_date(self.date_order or fields.Datetime.now())

    def _imagepro_policy_lines(self):
        """The product lines of O1: no sections/notes, no down payments, no charge products."""
        self.ensure_one()
        charges = self.company_id._imagepro_charge_products()
        return self.order_line.filtered(
            lambda line: not line.display_type
            and not line.is_downpayment
            and line.product_id
            and line.product_id not in charges
        )

    def _imagepro_policy_order(self):
        self.ensure_one()
        lines = tuple(
            imagepro_policy.OrderLine(
                sku=line.product_id.default_code or str(line.product_id.id),
                quantity=to_dec(line.product_uom_qty),
                unit_price=to_dec(line.price_unit),
                discount_percent=to_dec(line.discount),
            )
            for line in self._imagepro_policy_lines()
        )
        freight_product = self.company_id._imagepro_product("freight")
        freight = sum(
            (
                imagepro_policy.line_subtotal(
                    imagepro_policy.OrderLine("freight", to_dec(l.product_uom_qty), to_dec(l.price_unit))
                )
                for l in self.order_line.filtered(lambda l: l.product_id == freight_product)
            ),
            imagepro_policy.to_decimal("0"),
        )
        return imagepro_policy.Order(
            order_date=self._imagepro_order_date(),
            lines=lines,
            payment_method=self.imagepro_payment_method or "card",
            card_brand=self.imagepro_card_brand or None,
            credit_approved=self.partner_id.commercial_partner_id.imagepro_credit_approved,
            freight_amount=freight,
            customer_ref=self.partner_id.commercial_partner_id.ref or "",
        )

    def _imagepro_decide(self):
        self.ensure_one()
        return imagepro_policy.decide_order(self._imagepro_policy_order(), self.company_id._imagepro_policy_book())

    def _prepare_imagepro_service_charge_line_vals(self, amount):
        self.ensure_one()
        product = self.company_id._imagepro_product("service_charge")
        return {
            "order_id": self.id,
            "product_id": product.id,
            "name": self.env._("Service charge: merchandise under the order minimum (O1)"),
            "product_uom_qty": 1.0,
            "price_unit": float(amount),
            "sequence": 9999,
        }

    def _imagepro_update_service_charge(self):
        """O1: exactly one service-charge line under the minimum, none at or above it.

        The amount comes from imagepro_policy.merchandise_subtotal / service_charge_for.
        """
        line_model = self.env["sale.order.line"].with_context(**{NO_CHARGE_CTX: True})
        for order in self:
            if order.state not in ("draft", "sent") or order.imagepro_origin_ra_id:
                continue
            product = order.company_id._imagepro_product("service_charge")
            policy = order.company_id._imagepro_policy_book().in_force_on(order._imagepro_order_date())
            subtotal = imagepro_policy.merchandise_subtotal(order._imagepro_policy_order().lines)
            charge = imagepro_policy.service_charge_for(subtotal, policy)
            existing = order.order_line.filtered(lambda l, p=product: l.product_id == p)
            if not charge:
                if existing:
                    existing.with_context(**{NO_CHARGE_CTX: True}).unlink()
                continue
            if not existing:
                line_model.create(order._prepare_imagepro_service_charge_line_vals(charge))
                continue
            keep, extra = existing[0], existing[1:]
            if extra:
                extra.with_context(**{NO_CHARGE_CTX: True}).unlink()
            if to_dec(keep.price_unit) != charge or keep.product_uom_qty != 1 or keep.discount:
                keep.with_context(**{NO_CHARGE_CTX: True}).write(
                    {"price_unit": float(charge), "product_uom_qty": 1.0, "discount": 0.0}
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("imagepro_order_date"):
                ordered = vals.get("date_order")
                vals["imagepro_order_date"] = (
                    fields.Date.to_date(fields.Datetime.to_datetime(ordered)) if ordered
                    else fields.Date.context_today(self)
                )
        orders = super().create(vals_list)
        if not self.env.context.get(NO_CHARGE_CTX):
            orders._imagepro_update_service_charge()
        return orders

    def write(self, vals):
        if "date_order" in vals and "imagepro_order_date" not in vals and vals.get("state") != "sale":
            # A quotation's order date is edited by hand: the terms follow it. Confirming moves
            # date_order to the confirmation time (state "sale" in the same write): they do not.
            quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
            if quotations and vals["date_order"]:
                ordered = fields.Date.to_date(fields.Datetime.to_datetime(vals["date_order"]))
                super(SaleOrder, quotations).write({"imagepro_order_date": ordered})
        res = super().write(vals)
        if not self.env.context.get(NO_CHARGE_CTX) and "date_order" in vals:
            self._imagepro_update_service_charge()
        return res

    def action_confirm(self):
        """O3/O4/O6: an Image-Pro order (payment method set) is confirmed only when the policy accepts it."""
        for order in self.filtered("imagepro_payment_method"):
            decision = order._imagepro_decide()
            if decision.verdict != "accepted":
                raise UserError(decision.message)
        res = super().action_confirm()
        for order in self.filtered("imagepro_payment_method"):
            decision = order._imagepro_decide()
            order.write(
                {
                    "imagepro_decision": decision.verdict,
                    "imagepro_rules": ", ".join(decision.rules),
                    "imagepro_hold_reason": False,
                }
            )
        return res
