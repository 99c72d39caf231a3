# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from .stock_picking import DATE_DONE_CTX


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _imagepro_open_deliveries(self):
        """The transfers still to do before the goods reach the customer (pick/pack first, then the delivery)."""
        self.ensure_one()
        return self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
            and p.picking_type_code in ("internal", "outgoing")
            and not p.imagepro_ra_id
        ).sorted(lambda p: (p.picking_type_code == "outgoing", p.id))

    def _imagepro_ship(self, shipped_on, quantities=None):
        """O7: the goods the shipment invoices left on `shipped_on`; validate them, dated that day, so the stock
        moves and on-hand quantities agree with the invoice. `quantities` ({product: quantity}) is a partial
        shipment: each step (pick, then delivery) moves that much and keeps the rest as a backorder; without
        it, everything still to ship is validated."""
        self.ensure_one()
        done_at = self.company_id._imagepro_noon(shipped_on)
        handled = self.env["stock.picking"]
        left = {}  # (operation type, product): units this shipment still has to move at that step
        # One at a time, upstream first: validating a pick makes (pushes) the delivery it feeds.
        while todo := self._imagepro_open_deliveries() - handled:
            picking = todo[0].with_context(**{DATE_DONE_CTX: done_at})
            handled |= picking
            if quantities is None:
                picking._imagepro_validate_in_full()
                continue
            take = {}
            for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                key = (picking.picking_type_id, move.product_id)
                remaining = left.setdefault(key, quantities.get(move.product_id, 0.0))
                qty = min(remaining, move.product_uom_qty)
                if qty > 0:
                    take[move] = qty
                    left[key] = remaining - qty
            if take:
                picking._imagepro_validate_quantities(take)
        return handled

    def _imagepro_units_to_ship(self, quantities):
        """{product: units} of a shipment's {order line: quantity} not yet out of the warehouse: units
        delivered in Odoo before their shipment document came are not moved twice."""
        self.ensure_one()
        units = {}
        for line, qty in quantities.items():
            if line.product_id.type != "consu":
                continue
            delivered_not_invoiced = max(line.qty_delivered - line._imagepro_shipped_qty(), 0.0)
            units[line.product_id] = units.get(line.product_id, 0.0) + max(qty - delivered_not_invoiced, 0.0)
        return {product: qty for product, qty in units.items() if qty > 0}
