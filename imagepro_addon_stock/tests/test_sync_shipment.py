# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ImageproStockCommon


@freeze_time("2026-12-10 12:00:00")
@tagged("post_install", "-at_install")
class TestSyncShipmentValidatesDelivery(ImageproStockCommon):
    def _synced_order(self, ref):
        res = self.sync.sync_orders([self._order_doc(ref)])[0]
        self.assertEqual(res["status"], "created", res)
        return self.env["sale.order"].browse(res["ids"]["sale_order_id"])

    def test_shipment_validates_the_delivery_then_invoices(self):
        order = self._synced_order("WEB-STK-1")
        delivery = order.picking_ids
        self.assertEqual(delivery.state, "assigned")
        ship = {"type": "shipment", "ref": "SHIP-STK-1", "order_ref": "WEB-STK-1", "shipped_on": "2026-11-02"}
        res = self.sync.sync_shipments([ship])[0]
        self.assertEqual(res["status"], "created", res)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.move_ids.quantity, 2.0)
        self.assertEqual(delivery.date_done, datetime(2026, 11, 2, 18, 0))  # noon in Chicago (CST)
        self.assertFalse(order.picking_ids - delivery, "no backorder")
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0)
        self.assertEqual(order.imagepro_shipped_on, date(2026, 11, 2))
        invoice = self.env["account.move"].browse(res["ids"]["invoice_id"])
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_date, date(2026, 11, 2))
        self.assertEqual(order.order_line.filtered(lambda l: l.product_id == self.tn450).qty_delivered, 2.0)

        again = self.sync.sync_shipments([ship])[0]
        self.assertEqual(again["status"], "already_present")
        self.assertEqual(again["ids"], res["ids"])
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0)

    def test_a_delivery_validated_in_odoo_is_only_invoiced(self):
        order = self._synced_order("WEB-STK-2")
        with freeze_time("2026-11-03 16:00:00"):
            delivery = self._deliver(order)
        self.assertEqual(order.imagepro_shipped_on, date(2026, 11, 3))
        ship = {"type": "shipment", "ref": "SHIP-STK-2", "order_ref": "WEB-STK-2", "shipped_on": "2026-11-03"}
        res = self.sync.sync_shipments([ship])[0]
        self.assertEqual(res["status"], "created", res)
        self.assertEqual(order.picking_ids, delivery)
        self.assertEqual(delivery.date_done, datetime(2026, 11, 3, 16, 0))
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0)
        self.assertTrue(res["ids"]["invoice_id"])

    def test_a_two_step_delivery_is_picked_then_shipped(self):
        self.env.user.groups_id += self.env.ref("stock.group_adv_location")
        self.warehouse.delivery_steps = "pick_ship"
        order = self._synced_order("WEB-STK-3")
        self.assertEqual(order.picking_ids.picking_type_code, "internal")  # the delivery is pushed by the pick
        ship = {"type": "shipment", "ref": "SHIP-STK-3", "order_ref": "WEB-STK-3", "shipped_on": "2026-11-02"}
        res = self.sync.sync_shipments([ship])[0]
        self.assertEqual(res["status"], "created", res)
        self.assertEqual(sorted(order.picking_ids.mapped("picking_type_code")), ["internal", "outgoing"])
        self.assertEqual(set(order.picking_ids.mapped("state")), {"done"})
        self.assertEqual(order.imagepro_shipped_on, date(2026, 11, 2))
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0)
        self.assertEqual(self._on_hand(self.tn450, self.warehouse.wh_output_stock_loc_id), 0.0)

    def _two_product_order(self, ref):
        lines = [{"sku": "IP-TN450", "quantity": 4, "unit_price": "20.00", "discount_percent": "0"},
                 {"sku": "IP-DR630", "quantity": 1, "unit_price": "31.50", "discount_percent": "0"}]
        res = self.sync.sync_orders([self._order_doc(ref, lines=lines)])[0]
        self.assertEqual(res["status"], "created", res)
        return self.env["sale.order"].browse(res["ids"]["sale_order_id"])

    def test_a_partial_shipment_validates_what_shipped_and_keeps_the_rest_as_a_backorder(self):
        order = self._two_product_order("WEB-STK-4")
        first = {"type": "shipment", "ref": "SHIP-STK-4a", "order_ref": "WEB-STK-4", "shipped_on": "2026-11-02",
                 "lines": [{"sku": "IP-TN450", "quantity": 3}]}
        res = self.sync.sync_shipments([first])[0]
        self.assertEqual(res["status"], "created", res)
        done = order.picking_ids.filtered(lambda p: p.state == "done")
        backorder = order.picking_ids - done
        self.assertEqual(done.move_ids.filtered("quantity").mapped(lambda m: (m.product_id, m.quantity)),
                         [(self.tn450, 3.0)])
        self.assertEqual(backorder.backorder_id, done)
        self.assertEqual(sorted(backorder.move_ids.mapped(lambda m: (m.product_id.default_code, m.product_uom_qty))),
                         [("IP-DR630", 1.0), ("IP-TN450", 1.0)])
        self.assertEqual(self._on_hand(self.tn450, self.stock), 7.0)
        self.assertEqual(self._on_hand(self.drum, self.stock), 10.0)
        invoice = self.env["account.move"].browse(res["ids"]["invoice_id"])
        self.assertEqual(invoice.invoice_line_ids.filtered(lambda l: l.product_id == self.tn450).quantity, 3.0)
        self.assertNotIn(self.drum, invoice.invoice_line_ids.product_id)

        rest = {"type": "shipment", "ref": "SHIP-STK-4b", "order_ref": "WEB-STK-4", "shipped_on": "2026-11-09"}
        res = self.sync.sync_shipments([rest])[0]
        self.assertEqual(res["status"], "created", res)
        self.assertEqual(backorder.state, "done")
        self.assertEqual(backorder.date_done, datetime(2026, 11, 9, 18, 0))
        self.assertEqual(self._on_hand(self.tn450, self.stock), 6.0)
        self.assertEqual(self._on_hand(self.drum, self.stock), 9.0)
        self.assertEqual(order.imagepro_shipped_on, date(2026, 11, 2))
        self.assertEqual(len(order.invoice_ids), 2)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_units_the_warehouse_delivered_first_are_not_moved_again(self):
        order = self._two_product_order("WEB-STK-5")
        delivered = order.picking_ids.with_user(self.stock_user)  # 2 toners done in Inventory, the rest a backorder
        for move in delivered.move_ids:
            move.quantity = 2.0 if move.product_id == self.tn450 else 0.0
        delivered.move_ids.filtered("quantity").picked = True
        delivered.with_context(skip_backorder=True).button_validate()
        ship = {"type": "shipment", "ref": "SHIP-STK-5", "order_ref": "WEB-STK-5", "shipped_on": "2026-11-03",
                "lines": [{"sku": "IP-TN450", "quantity": 3}]}
        res = self.sync.sync_shipments([ship])[0]
        self.assertEqual(res["status"], "created", res)
        # Two toners had left already: the shipment of three moves one more from the backorder.
        self.assertEqual(self._on_hand(self.tn450, self.stock), 7.0)
        self.assertEqual(delivered.move_ids.filtered(lambda m: m.product_id == self.tn450).quantity, 2.0)
        tn_line = order.order_line.filtered(lambda l: l.product_id == self.tn450)
        self.assertEqual((tn_line.qty_delivered, tn_line.qty_invoiced), (3.0, 3.0))
