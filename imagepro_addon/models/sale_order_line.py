# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from .sale_order import NO_CHARGE_CTX, SHIPPED_QUANTITIES_CTX

POLICY_FIELDS = {"product_id", "product_uom_qty", "price_unit", "discount", "display_type", "order_id"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not self.env.context.get(NO_CHARGE_CTX):
            lines.order_id._imagepro_update_service_charge()
        return lines

    def write(self, vals):
        orders = self.order_id
        res = super().write(vals)
        if not self.env.context.get(NO_CHARGE_CTX) and POLICY_FIELDS & set(vals):
            (orders | self.order_id)._imagepro_update_service_charge()
        return res

    def _imagepro_shipped_qty(self):
        """Units of the line invoiced on posted customer invoices: shipped, since each shipment is invoiced (O7)."""
        self.ensure_one()
        invoiced = self.sudo().invoice_lines.filtered(
            lambda l: l.move_id.move_type == "out_invoice" and l.move_id.state == "posted"
        )
        return sum(l.product_uom_id._compute_quantity(l.quantity, self.product_uom) for l in invoiced)

    def _prepare_invoice_line(self, **optional_values):
        vals = super()._prepare_invoice_line(**optional_values)
        quantities = self.env.context.get(SHIPPED_QUANTITIES_CTX)
        if quantities and self.id in quantities:
            vals["quantity"] = quantities[self.id]
        return vals

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        if not self.env.context.get(NO_CHARGE_CTX):
            orders.exists()._imagepro_update_service_charge()
        return res
