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

    def _imagepro_ship(self, shipped_on):
        """O7: the goods the shipment invoices left on `shipped_on`; validate what remains to ship, dated that
        day, so the stock moves and on-hand quantities agree with the invoice."""
        self.ensure_one()
        done_at = self.company_id._imagepro_noon(shipped_on)
        validated = self.env["stock.picking"]
        # One at a time, upstream first: validating a pick makes (pushes) the delivery it feeds.
        while todo := self._imagepro_open_deliveries() - validated:
            todo[0].with_context(**{DATE_DONE_CTX: done_at})._imagepro_validate_in_full()
            validated |= todo[0]
        return validated
