# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import new_test_user

from odoo.addons.imagepro_addon.tests.common import ImageproCommon


class ImageproStockCommon(ImageproCommon):
    """The base's data, with storable goods on hand in the main warehouse."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock = cls.warehouse.lot_stock_id
        cls.returns = cls.env.ref("imagepro_addon_stock.stock_location_returns")
        cls.reman = cls.env.ref("imagepro_addon_stock.stock_location_remanufacturing")
        cls.storable = cls.tn450 | cls.tn420 | cls.drum
        cls.storable.write({"is_storable": True})
        for product in cls.storable:
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock, 10.0)
        cls.stock_user = new_test_user(
            cls.env, login="ip_warehouse", groups="stock.group_stock_user", name="Image-Pro Warehouse"
        )
        cls.sync = cls.env["imagepro.sync"].with_user(cls.integration)

    def _on_hand(self, product, location):
        return product.with_context(location=location.id).qty_available

    def _deliver(self, order, user=None, quantity=None):
        """The warehouse validates the order's delivery (all of it, or `quantity` of each move and a backorder)."""
        delivery = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state != "done")
        delivery = delivery.with_user(user or self.stock_user)
        for move in delivery.move_ids:
            move.quantity = quantity if quantity is not None else move.product_uom_qty
        delivery.move_ids.picked = True
        delivery.with_context(skip_backorder=True).button_validate()
        self.assertEqual(delivery.state, "done")
        return delivery
