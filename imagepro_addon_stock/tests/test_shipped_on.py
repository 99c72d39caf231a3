# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ImageproStockCommon


@tagged("post_install", "-at_install")
class TestShippedOnFromDelivery(ImageproStockCommon):
    def test_first_delivery_sets_shipped_on_in_the_terms_time_zone(self):
        order = self._order(self.approved, [(self.tn450, 2, 24.99)], order_date="2026-11-20")
        order.action_confirm()
        self.assertFalse(order.imagepro_shipped_on)
        with freeze_time("2026-11-26 03:00:00"):  # 21:00 on 11/25 in Chicago
            delivery = self._deliver(order, quantity=1)
        self.assertEqual(delivery.date_done, datetime(2026, 11, 26, 3, 0))
        self.assertEqual(order.imagepro_shipped_on, date(2026, 11, 25))
        self.assertEqual(self._on_hand(self.tn450, self.stock), 9.0)
        # The backorder ships later: R1 still counts from the first shipment.
        with freeze_time("2026-11-28 15:00:00"):
            self._deliver(order)
        self.assertEqual(order.imagepro_shipped_on, date(2026, 11, 25))
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0)

    def test_a_receipt_does_not_set_shipped_on(self):
        order = self._order(self.approved, [(self.tn450, 3, 24.99)], order_date="2026-11-20")
        order.action_confirm()
        receipt = self.env["stock.picking"].create({
            "picking_type_id": self.warehouse.in_type_id.id,
            "location_id": self.env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": self.stock.id,
            "move_ids": [(0, 0, {"name": "in", "product_id": self.tn450.id, "product_uom_qty": 1,
                                 "location_id": self.env.ref("stock.stock_location_suppliers").id,
                                 "location_dest_id": self.stock.id})],
        })
        receipt.action_confirm()
        receipt._imagepro_validate_in_full()
        self.assertEqual(receipt.state, "done")
        self.assertFalse(order.imagepro_shipped_on)
