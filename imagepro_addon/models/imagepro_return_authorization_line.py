# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import imagepro_policy

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .imagepro_policy import to_dec
from .imagepro_return_authorization import DECISIONS, invoiced_unit_price

# What is returned and at what price: fixed once the RA leaves draft (W5).
RETURNED_FIELDS = {"product_id", "quantity", "unit_price_paid", "invoice_line_id", "ra_id"}

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
    reason_id = fields.Many2one(related="ra_id.reason_id", store=True, string="Reason")
    ra_state = fields.Selection(related="ra_id.state", store=True, string="RA Status")
    requested_on = fields.Date(related="ra_id.requested_on", store=True)
    invoice_line_id = fields.Many2one(
        "account.move.line", string="Invoiced On", index=True, ondelete="restrict",
        compute="_compute_invoice_line_id", store=True, readonly=False, precompute=True,
        help="W5: the invoice line the returned units were bought on; the price paid and the taxes come from it.",
    )
    shipment_date = fields.Date(
        string="Shipped On", compute="_compute_shipment_date", store=True,
        help="R1 counts this line's return window from it: the day the shipment that carried its units left, "
        "its invoice's date (O7) when the order shipped in parts; else the return's shipment date.",
    )
    product_id = fields.Many2one("product.product", required=True, check_company=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    unit_price_paid = fields.Monetary(
        required=True, compute="_compute_unit_price_paid", store=True, readonly=False, precompute=True,
        help="W5: what was paid for one unit before tax, after discount, as invoiced; never more.",
    )
    defective = fields.Boolean(
        help="Defective goods are decided by the warranty (W1-W6), others by the non-defective return window "
        "(R4). Starts as the reason's default.",
    )
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

    @api.depends("product_id", "ra_id.sale_order_id")
    def _compute_invoice_line_id(self):
        """The order's invoice line for the product with the most units left to return."""
        for line in self:
            ra = line.ra_id
            if not ra.sale_order_id or not line.product_id:
                line.invoice_line_id = False
                continue
            candidates = ra._imagepro_invoiced_lines().filtered(lambda l, p=line.product_id: l.product_id == p)
            if line.invoice_line_id in candidates:
                continue
            line.invoice_line_id = max(
                candidates, key=lambda l: l.quantity - ra._imagepro_returned_quantity(l), default=False
            )

    @api.depends("invoice_line_id", "ra_id.shipment_date")
    def _compute_shipment_date(self):
        """Units invoiced after the order's first invoice left on a later shipment, dated by its invoice (O7)."""
        for line in self:
            invoice = line.invoice_line_id.sudo().move_id
            order = line.ra_id.sale_order_id.sudo()
            first = order._imagepro_shipped_invoice() if order else invoice
            later = invoice and invoice != first and invoice.invoice_date
            line.shipment_date = later or line.ra_id.shipment_date

    @api.depends("invoice_line_id")
    def _compute_unit_price_paid(self):
        for line in self:
            if line.invoice_line_id:
                line.unit_price_paid = float(invoiced_unit_price(line.invoice_line_id.sudo()))
            elif not line.unit_price_paid:
                line.unit_price_paid = 0.0

    @api.constrains(*RETURNED_FIELDS)
    def _check_w5_invoiced(self):
        """W5: only what was invoiced on the origin order, never more units than are left, never above the price."""
        for line in self:
            ra = line.ra_id
            if line.quantity <= 0:
                raise ValidationError(self.env._("%(product)s: the quantity returned must be positive.",
                                                 product=line.product_id.display_name))
            if not ra.sale_order_id:
                continue  # the manager's prices, confirmed when the RA is authorized
            order = ra.sale_order_id.sudo()
            invoice_line = line.invoice_line_id.sudo()
            if invoice_line not in ra._imagepro_invoiced_lines() or invoice_line.product_id != line.product_id:
                raise ValidationError(self.env._(
                    "%(product)s was not invoiced on order %(order)s: only goods invoiced on the order can be "
                    "returned on it (W5).", product=line.product_id.display_name, order=order.name,
                ))
            paid = invoiced_unit_price(invoice_line)
            if ra.currency_id.compare_amounts(line.unit_price_paid, float(paid)) > 0:
                raise ValidationError(self.env._(
                    "%(product)s was invoiced at %(paid)s a unit on %(invoice)s; a return cannot credit more than "
                    "was paid (W5).", product=line.product_id.display_name, paid=paid,
                    invoice=invoice_line.move_id.name,
                ))
            returned = ra._imagepro_returned_quantity(invoice_line, exclude_lines=line)
            left = invoice_line.quantity - returned
            if line.ra_id.state not in ("cancelled", "denied") and line.decision != "denied" and line.quantity > left:
                raise ValidationError(self.env._(
                    "Only %(left)s of %(product)s can still be returned on order %(order)s: %(invoiced)s invoiced on "
                    "%(invoice)s, %(returned)s on other returns (W5).",
                    left=f"{max(left, 0):g}", product=line.product_id.display_name, order=order.name,
                    invoiced=f"{invoice_line.quantity:g}", invoice=invoice_line.move_id.name,
                    returned=f"{returned:g}",
                ))

    def _imagepro_check_draft(self):
        if any(line.ra_id.state != "draft" for line in self):
            raise UserError(self.env._(
                "What a return holds and at what price is fixed once it is authorized (W5); cancel it and reset "
                "it to draft to change it."
            ))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "defective" not in vals and vals.get("ra_id"):
                vals["defective"] = self.env["imagepro.return.authorization"].browse(vals["ra_id"]).reason_id.defective
        lines = super().create(vals_list)
        lines._imagepro_check_draft()
        return lines

    def write(self, vals):
        if RETURNED_FIELDS & set(vals):
            self._imagepro_check_draft()
        return super().write(vals)

    def unlink(self):
        self._imagepro_check_draft()
        return super().unlink()

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
            shipment_date=self.shipment_date or None,
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
