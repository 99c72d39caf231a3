# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time

import pytz

from odoo import fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    imagepro_returns_location_id = fields.Many2one(
        "stock.location", string="Returns Location", check_company=True, domain="[('usage', '=', 'internal')]",
        help="Where the goods of a Return Authorization are received, waiting for their inspection. "
        "Empty: the warehouse's 'Returns' location.",
    )
    imagepro_resale_location_id = fields.Many2one(
        "stock.location", string="Resale Location", check_company=True, domain="[('usage', '=', 'internal')]",
        help="Where inspected goods go when they are approved, not defective and resalable. "
        "Empty: the warehouse's stock.",
    )
    imagepro_reman_location_id = fields.Many2one(
        "stock.location", string="Remanufacturing Location", check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where every other inspected return goes: defective, not resalable or denied. "
        "Empty: the warehouse's 'Remanufacturing' location.",
    )

    def _imagepro_noon(self, day):
        """Noon of `day` in the terms' time zone, as Odoo stores a datetime (naive UTC)."""
        self.ensure_one()
        local = pytz.timezone(self.imagepro_time_zone).localize(datetime.combine(day, time(12, 0)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _imagepro_warehouse(self):
        self.ensure_one()
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.id)], limit=1)
        if not warehouse:
            raise UserError(self.env._("%(company)s has no warehouse to receive returns in.", company=self.name))
        return warehouse

    def _imagepro_returns_location(self, warehouse):
        self.ensure_one()
        return self.imagepro_returns_location_id or self._imagepro_warehouse_location(
            warehouse, "stock_location_returns", self.env._("Returns")
        )

    def _imagepro_resale_location(self, warehouse):
        self.ensure_one()
        return self.imagepro_resale_location_id or warehouse.lot_stock_id

    def _imagepro_reman_location(self, warehouse):
        self.ensure_one()
        return self.imagepro_reman_location_id or self._imagepro_warehouse_location(
            warehouse, "stock_location_remanufacturing", self.env._("Remanufacturing")
        )

    def _imagepro_warehouse_location(self, warehouse, xml_id, name):
        """The module's location for the main warehouse; another warehouse gets its own, made the first time."""
        location = self.env.ref(f"imagepro_addon_stock.{xml_id}", raise_if_not_found=False)
        if location and location.warehouse_id == warehouse:
            return location
        # sudo: locations are Inventory configuration; this one is made once, under the warehouse.
        locations = self.env["stock.location"].sudo()
        domain = [("location_id", "=", warehouse.view_location_id.id), ("name", "=", name), ("usage", "=", "internal")]
        location = locations.search(domain, limit=1) or locations.create(
            {"name": name, "usage": "internal", "location_id": warehouse.view_location_id.id, "company_id": self.id}
        )
        return location.sudo(False)
