# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    imagepro_ra_line_id = fields.Many2one(
        "imagepro.return.authorization.line", string="Return Authorization Line", copy=False, readonly=True,
        index="btree_not_null",
    )
