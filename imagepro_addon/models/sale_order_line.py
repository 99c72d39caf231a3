# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from .sale_order import NO_CHARGE_CTX

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

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        if not self.env.context.get(NO_CHARGE_CTX):
            orders.exists()._imagepro_update_service_charge()
        return res
