# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    imagepro_is_cartridge = fields.Boolean(string="Cartridge", help="W1: warranted cartridge.")
    imagepro_full_weight_g = fields.Float(string="Full Weight (g)", digits=(16, 1), help="W3")
    imagepro_empty_weight_g = fields.Float(string="Empty Weight (g)", digits=(16, 1), help="W3")
