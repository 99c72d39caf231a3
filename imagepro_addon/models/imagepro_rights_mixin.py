# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ImageproRightsMixin(models.AbstractModel):
    """Who may correct the facts the terms count from (order, shipment and request dates, how it was paid)."""

    _name = "imagepro.rights.mixin"
    _description = "Image-Pro: who may correct the terms' facts"

    imagepro_user_is_manager = fields.Boolean(compute="_compute_imagepro_user_is_manager")

    @api.depends_context("uid")
    def _compute_imagepro_user_is_manager(self):
        self.imagepro_user_is_manager = self.env.user.has_group("imagepro_addon.group_imagepro_manager")

    def _imagepro_may_correct_facts(self):
        """A manager corrects a fact by hand; the sync worker's user records the facts the desk and dock send."""
        user = self.env.user
        return (
            self.env.su
            or user.has_group("imagepro_addon.group_imagepro_manager")
            or user.has_group("imagepro_addon.group_imagepro_integration")
        )
