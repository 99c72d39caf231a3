# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .chatter import integration_author


class AccountMove(models.Model):
    _inherit = "account.move"

    imagepro_sync_ref = fields.Char(string="Sync Reference", copy=False, index=True, readonly=True)
    imagepro_ra_id = fields.Many2one("imagepro.return.authorization", string="Return Authorization", copy=False)

    _sql_constraints = [
        (
            "imagepro_sync_ref_uniq",
            "unique(company_id, imagepro_sync_ref)",
            "A synchronized document reference must be unique per company.",
        )
    ]

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        return integration_author(self, author_id, email_from, raise_on_email) or super()._message_compute_author(
            author_id, email_from, raise_on_email
        )
