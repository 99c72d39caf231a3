# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools.float_utils import float_compare


class ImageproReturnAuthorizationLine(models.Model):
    _inherit = "imagepro.return.authorization.line"

    imagepro_move_ids = fields.One2many("stock.move", "imagepro_ra_line_id", string="Stock Moves", readonly=True)

    def _imagepro_is_stocked(self):
        """Goods (not a service) in a quantity worth a move."""
        self.ensure_one()
        rounding = self.product_id.uom_id.rounding
        return self.product_id.type == "consu" and float_compare(self.quantity, 0, precision_rounding=rounding) > 0

    def _imagepro_goes_to_resale(self):
        """The sorting rule after inspection: only goods approved, not defective and resalable are sold again;
        nothing of a return denied as a whole."""
        self.ensure_one()
        return self.ra_id.state != "denied" and self.decision == "approved" and not self.defective and self.resalable

    def _imagepro_received_moves(self):
        return self.imagepro_move_ids.filtered(
            lambda m: m.state == "done" and m.picking_id.picking_type_code == "incoming"
        )

    def _imagepro_quantities_to_sort(self):
        """{location: quantity} of this line's goods still where they were received (the Returns location)."""
        self.ensure_one()
        left = {}
        for move in self._imagepro_received_moves():
            left[move.location_dest_id] = left.get(move.location_dest_id, 0.0) + move.product_qty
        sorted_moves = self.imagepro_move_ids.filtered(
            lambda m: m.state == "done" and m.picking_id.picking_type_code == "internal"
        )
        for move in sorted_moves:
            if move.location_id in left:
                left[move.location_id] -= move.product_qty
        rounding = self.product_id.uom_id.rounding
        return {loc: qty for loc, qty in left.items() if float_compare(qty, 0, precision_rounding=rounding) > 0}
