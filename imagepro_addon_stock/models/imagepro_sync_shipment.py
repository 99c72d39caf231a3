# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from odoo.addons.imagepro_addon.models.imagepro_sync import _date
from odoo.addons.imagepro_addon.models.imagepro_sync_shipment import ShipmentToInvoice


class ImageproSyncShipment(models.AbstractModel):
    _inherit = "imagepro.sync.shipment"

    @api.model
    def _prepare_shipment(self, doc):
        """The worker's shipment is the warehouse's word that the order left: its open deliveries are
        validated before the base invoices it. A delivery validated in Odoo already is left as it is."""
        prepared = super()._prepare_shipment(doc)
        if isinstance(prepared, ShipmentToInvoice):
            order = prepared.order
            # sudo: the worker's user records shipments, not warehouse operations; the base checked its
            # rights and the order, and the deliveries are validated exactly as ordered.
            stock_order = order.sudo().with_company(order.company_id)
            whole = prepared.doc.get("lines") is None
            stock_order._imagepro_ship(
                _date(prepared.doc["shipped_on"]),
                None if whole else stock_order._imagepro_units_to_ship(prepared.quantities),
            )
        return prepared
