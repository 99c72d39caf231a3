# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync API for the receiving dock's inspections of an RA already issued."""

from odoo import api, models
from odoo.exceptions import ValidationError

from .imagepro_sync import MissingDependency


class ImageproSyncInspection(models.AbstractModel):
    _name = "imagepro.sync.inspection"
    _inherit = "imagepro.sync"
    _description = "Image-Pro Sync API: inspections"

    @api.model
    def _sync_batch(self, docs):
        return self._run_batch(docs, "inspection", self._sync_inspection)

    @api.model
    def _sync_inspection(self, doc):
        ref = doc["ref"]
        company = self._company()
        ra_model = self.env["imagepro.return.authorization"]
        existing = ra_model.search(
            [("imagepro_inspection_ref", "=", ref), ("company_id", "=", company.id)], limit=1
        )
        if existing:
            return self._ra_result(doc, "inspection", existing, "already_present")
        ra = ra_model.search([("name", "=", doc["ra_number"]), ("company_id", "=", company.id)], limit=1)
        if not ra:
            raise MissingDependency(self.env._("RA %(ra)s is not in the ERP yet.", ra=doc["ra_number"]))
        if ra.state not in ("authorized", "received"):
            raise ValidationError(self.env._("RA %(ra)s is %(state)s; only an authorized or received RA can be inspected.",
                                    ra=ra.name, state=ra.state))
        remaining = ra.line_ids
        for line in doc["lines"]:
            product = self._product_by_sku(line["sku"])
            match = remaining.filtered(lambda l, p=product: l.product_id == p)[:1]
            if not match:
                raise ValidationError(self.env._("RA %(ra)s has no line for %(sku)s.", ra=ra.name, sku=line["sku"]))
            match.write(self._inspection_vals(line))
            remaining -= match
        ra.imagepro_inspection_ref = ref
        ra._imagepro_inspect_and_settle()
        return self._ra_result(doc, "inspection", ra, "created")
