# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import imagepro_policy

from odoo import api, fields, models

from .imagepro_policy import to_dec
from .imagepro_return_authorization import DECISIONS

DAMAGES = [
    ("none", "None"),
    ("freight", "Freight Damage"),
    ("improper_installation", "Improper Installation"),
    ("storage", "Improper Storage"),
    ("abuse", "Abuse"),
]


class ImageproReturnAuthorizationLine(models.Model):
    _name = "imagepro.return.authorization.line"
    _description = "Return Authorization Line"
    _order = "ra_id, sequence, id"
    _check_company_auto = True

    ra_id = fields.Many2one(
        "imagepro.return.authorization", string="Return Authorization", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="ra_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="ra_id.currency_id")
    partner_id = fields.Many2one(related="ra_id.partner_id", store=True)
    reason = fields.Char(related="ra_id.reason", store=True)
    ra_state = fields.Selection(related="ra_id.state", store=True, string="RA Status")
    requested_on = fields.Date(related="ra_id.requested_on", store=True)
    product_id = fields.Many2one("product.product", required=True, check_company=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    unit_price_paid = fields.Monetary(required=True, help="W5: capped at the invoiced unit price.")
    defective = fields.Boolean()
    inspected = fields.Boolean(readonly=True, copy=False)
    measured_weight_g = fields.Float(string="Measured Weight (g)", digits=(16, 1))
    full_weight_g = fields.Float(
        string="Full Weight (g)", digits=(16, 1), compute="_compute_weights", store=True, readonly=False
    )
    empty_weight_g = fields.Float(
        string="Empty Weight (g)", digits=(16, 1), compute="_compute_weights", store=True, readonly=False
    )
    labels_intact = fields.Boolean(default=True)
    original_packaging = fields.Boolean(default=True)
    resalable = fields.Boolean(default=True)
    damage = fields.Selection(DAMAGES, default="none", required=True)
    decision = fields.Selection(DECISIONS, copy=False, readonly=True)
    rules = fields.Char(copy=False, readonly=True)
    message = fields.Text(copy=False, readonly=True)
    paid = fields.Monetary(copy=False, readonly=True)
    credit = fields.Monetary(copy=False, readonly=True)
    restocking_fee = fields.Monetary(copy=False, readonly=True)
    remaining_percent = fields.Float(copy=False, readonly=True, digits=(16, 2))

    @api.depends("product_id")
    def _compute_weights(self):
        for line in self:
            line.full_weight_g = line.product_id.imagepro_full_weight_g
            line.empty_weight_g = line.product_id.imagepro_empty_weight_g

    def _imagepro_inspection(self):
        """The W3/W4/W6/R4 facts of the dock, weights from the line (defaulted from the product)."""
        self.ensure_one()

        def grams(value):
            return to_dec(value) if value else None

        return imagepro_policy.Inspection(
            labels_intact=self.labels_intact,
            original_packaging=self.original_packaging,
            resalable=self.resalable,
            damage=self.damage,
            measured_weight_g=grams(self.measured_weight_g),
            full_weight_g=grams(self.full_weight_g),
            empty_weight_g=grams(self.empty_weight_g),
        )

    def _imagepro_return_line(self, with_inspection=True):
        self.ensure_one()
        return imagepro_policy.ReturnLine(
            sku=self.product_id.default_code or str(self.product_id.id),
            quantity=to_dec(self.quantity),
            unit_price_paid=to_dec(self.unit_price_paid),
            defective=self.defective,
            inspection=self._imagepro_inspection() if with_inspection and self.inspected else None,
            already_credited=self._imagepro_already_credited(),
        )

    def _imagepro_already_credited(self):
        """W5: the part of earlier credits for this product of the same order that eats into this line.

        Credit for a product of an order never exceeds what was paid for it over all its returns:
        this line may credit at most min(its paid, order paid - credited before), which the policy
        reads as `paid - already_credited`.
        """
        self.ensure_one()
        order = self.ra_id.sale_order_id
        if not order:
            return to_dec(0)
        earlier = self.search(
            [
                ("id", "!=", self.id),
                ("ra_id", "!=", self.ra_id.id),
                ("ra_id.sale_order_id", "=", order.id),
                ("ra_id.state", "=", "settled"),
                ("product_id", "=", self.product_id.id),
            ]
        )
        credited = to_dec(sum(earlier.mapped("credit")))
        if not credited:
            return to_dec(0)
        order_lines = order.order_line.filtered(lambda l: l.product_id == self.product_id)
        order_paid = to_dec(sum(order_lines.mapped("price_subtotal")))
        line_paid = imagepro_policy.round_cent(to_dec(self.quantity) * to_dec(self.unit_price_paid))
        return max(credited - (order_paid - line_paid), to_dec(0))

    def _prepare_decision_vals(self, line_decision):
        return {
            "decision": line_decision.verdict,
            "rules": ", ".join(line_decision.rules),
            "message": line_decision.message,
            "paid": float(line_decision.paid),
            "credit": float(line_decision.credit),
            "restocking_fee": float(line_decision.restocking_fee),
            "remaining_percent": float(line_decision.remaining_percent or 0),
        }
