# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's return of a delivery, made for a Return Authorization: into its Returns location, linked to it."""

from odoo import fields, models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    imagepro_ra_id = fields.Many2one("imagepro.return.authorization", string="Return Authorization")
    imagepro_location_dest_id = fields.Many2one("stock.location", string="Receive Into")

    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        if self.imagepro_ra_id:
            vals["imagepro_ra_id"] = self.imagepro_ra_id.id
        if self.imagepro_location_dest_id:
            vals["location_dest_id"] = self.imagepro_location_dest_id.id
        return vals


class StockReturnPickingLine(models.TransientModel):
    _inherit = "stock.return.picking.line"

    imagepro_ra_line_id = fields.Many2one("imagepro.return.authorization.line", string="Return Authorization Line")

    def _prepare_move_default_values(self, new_picking):
        vals = super()._prepare_move_default_values(new_picking)
        if self.imagepro_ra_line_id:
            vals["imagepro_ra_line_id"] = self.imagepro_ra_line_id.id
        return vals
