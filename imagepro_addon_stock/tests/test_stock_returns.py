# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import ImageproStockCommon


@freeze_time("2026-11-30 12:00:00")
@tagged("post_install", "-at_install")
class TestStockReturns(ImageproStockCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # TERMS example 6: bought 2026-10-30, shipped 2026-11-02, returned 2026-11-30.
        cls.order = cls._order(
            cls.approved, [(cls.tn450, 2, 24.99), (cls.tn420, 3, 19.99), (cls.drum, 1, 31.50)], "2026-10-30"
        )
        cls.order.action_confirm()
        cls.delivery = cls.order.picking_ids
        with freeze_time("2026-11-02 15:00:00"):
            cls.delivery._imagepro_validate_in_full()
        invoice = cls.order._create_invoices()
        invoice.write({"invoice_date": "2026-11-02"})
        invoice.action_post()

    def _ra(self, lines, order=None, user=None):
        """An authorized RA of `lines` [(product, quantity, defective)] made by the returns clerk."""
        ra = self.env["imagepro.return.authorization"].with_user(user or self.clerk).create({
            "sale_order_id": (order or self.order).id,
            "reason": "Ordered the wrong model",
            "line_ids": [Command.create({"product_id": p.id, "quantity": q, "defective": d}) for p, q, d in lines],
        })
        ra.action_authorize()
        self.assertEqual(ra.state, "authorized", ra.decision_message)
        return ra

    def test_receive_returns_the_delivery_into_returns(self):
        ra = self._ra([(self.tn450, 2, False), (self.tn420, 1, False)])
        ra.action_receive()
        self.assertEqual(ra.state, "received")
        receipt = ra.picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.picking_type_code, "incoming")
        self.assertEqual(receipt.return_id, self.delivery)
        self.assertEqual(receipt.location_dest_id, self.returns)
        self.assertEqual(len(receipt.move_ids), 2)
        for line in ra.line_ids:
            move = receipt.move_ids.filtered(lambda m, l=line: m.imagepro_ra_line_id == l)
            self.assertEqual(move.quantity, line.quantity)
            self.assertEqual(move.origin_returned_move_id.picking_id, self.delivery)
            self.assertEqual(move.origin_returned_move_id.product_id, line.product_id)
            self.assertFalse(move.to_refund, "the RA's credit note refunds; the order does not count it again")
        self.assertEqual(self._on_hand(self.tn450, self.returns), 2.0)
        self.assertEqual(self._on_hand(self.tn420, self.returns), 1.0)
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0)

    def test_inspection_sorts_the_goods_by_the_rule(self):
        ra = self._ra([(self.tn450, 2, False), (self.tn420, 3, False), (self.drum, 1, True)])
        ra.action_receive()
        tn450, tn420, drum = ra.line_ids
        tn420.resalable = False  # R4 denies it
        drum.write({"measured_weight_g": 790, "resalable": False})  # defective, under warranty
        ra.action_inspect()
        self.assertEqual(ra.state, "inspected")
        self.assertEqual((tn450.decision, tn420.decision, drum.decision), ("approved", "denied", "approved"))
        self.assertEqual(self._on_hand(self.tn450, self.stock), 10.0)
        self.assertEqual(self._on_hand(self.tn450, self.returns), 0.0)
        self.assertEqual(self._on_hand(self.tn420, self.reman), 3.0)
        self.assertEqual(self._on_hand(self.tn420, self.stock), 7.0)
        self.assertEqual(self._on_hand(self.drum, self.reman), 1.0)
        self.assertEqual(self._on_hand(self.drum, self.stock), 9.0)
        transfers = ra.picking_ids.filtered(lambda p: p.picking_type_code == "internal")
        self.assertEqual(len(transfers), 2)
        self.assertEqual(set(transfers.mapped("state")), {"done"})
        self.assertEqual(transfers.location_id, self.returns)
        self.assertEqual(transfers.location_dest_id, self.stock | self.reman)

    def test_a_denied_return_goes_to_remanufacturing(self):
        ra = self._ra([(self.tn420, 1, False)])
        ra.action_receive()
        ra.line_ids.original_packaging = False
        ra.action_inspect()
        self.assertEqual(ra.state, "denied")
        self.assertEqual(self._on_hand(self.tn420, self.reman), 1.0)
        self.assertEqual(self._on_hand(self.tn420, self.returns), 0.0)

    def test_a_return_denied_by_hand_after_receipt_sends_its_goods_to_remanufacturing(self):
        ra = self._ra([(self.tn450, 1, False)])
        ra.action_receive()
        ra.with_user(self.manager).action_deny()
        self.assertEqual(ra.state, "denied")
        self.assertEqual(self._on_hand(self.tn450, self.returns), 0.0)
        self.assertEqual(self._on_hand(self.tn450, self.reman), 1.0)
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0, "a denied return is not sold again")

    def test_a_received_return_cannot_be_cancelled_with_its_goods_on_the_dock(self):
        ra = self._ra([(self.tn450, 1, False)])
        ra.action_receive()
        with self.assertRaisesRegex(UserError, "Deny the return instead"):
            ra.with_user(self.clerk).action_cancel()
        self.assertEqual(self._on_hand(self.tn450, self.returns), 1.0)
        untouched = self._ra([(self.tn420, 1, False)])
        untouched.with_user(self.clerk).action_cancel()
        self.assertEqual(untouched.state, "cancelled")

    def test_sorting_follows_the_companys_locations(self):
        scrap_shelf = self.env["stock.location"].create(
            {"name": "Scrap Shelf", "usage": "internal", "location_id": self.warehouse.view_location_id.id}
        )
        self.company.imagepro_reman_location_id = scrap_shelf
        ra = self._ra([(self.tn420, 1, False)])
        ra.action_receive()
        ra.line_ids.resalable = False
        ra.action_inspect()
        self.assertEqual(self._on_hand(self.tn420, scrap_shelf), 1.0)
        self.assertEqual(self._on_hand(self.tn420, self.reman), 0.0)

    def test_inspected_without_receiving_is_received_first(self):
        ra = self._ra([(self.tn450, 1, False)])
        ra.action_inspect()
        self.assertEqual(ra.state, "inspected")
        receipt = ra.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(receipt.state, "done")
        self.assertEqual(self._on_hand(self.tn450, self.stock), 9.0)
        self.assertEqual(self._on_hand(self.tn450, self.returns), 0.0)

    def test_a_return_without_origin_order_is_received_from_the_customer(self):
        ra = self.env["imagepro.return.authorization"].with_user(self.manager).create({
            "partner_id": self.approved.id,
            "purchase_date": "2026-11-10", "shipment_date": "2026-11-12", "payment_method": "open_account",
            "reason": "Ordered the wrong model",
            "line_ids": [Command.create({"product_id": self.tn420.id, "quantity": 2, "unit_price_paid": 19.99})],
        })
        ra.action_authorize()
        ra.with_user(self.clerk).action_receive()
        receipt = ra.picking_ids
        self.assertEqual(receipt.state, "done")
        self.assertFalse(receipt.return_id)
        self.assertFalse(receipt.move_ids.origin_returned_move_id)
        self.assertEqual(receipt.move_ids.imagepro_ra_line_id, ra.line_ids)
        self.assertEqual(receipt.location_id, self.approved.property_stock_customer)
        self.assertEqual(self._on_hand(self.tn420, self.returns), 2.0)

    def test_receipts_smart_button(self):
        ra = self._ra([(self.tn450, 1, False)])
        self.assertEqual(ra.picking_count, 0)
        ra.action_receive()
        ra.action_inspect()
        self.assertEqual(ra.picking_count, 2)
        action = ra.action_view_pickings()
        self.assertEqual(action["res_model"], "stock.picking")
        self.assertEqual(action["domain"], [("id", "in", ra.picking_ids.ids)])
        ra.picking_ids[1:].imagepro_ra_id = False
        self.assertEqual(ra.action_view_pickings()["res_id"], ra.picking_ids.id)
        arch = ra.with_user(self.clerk).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_view_pickings"', arch)


@freeze_time("2026-12-10 12:00:00")
@tagged("post_install", "-at_install")
class TestSyncReturnStock(ImageproStockCommon):
    def test_sync_return_with_inspection_leaves_stock_right(self):
        self.sync.sync_orders([self._order_doc("WEB-RET-1")])
        ship = {"type": "shipment", "ref": "SHIP-RET-1", "order_ref": "WEB-RET-1", "shipped_on": "2026-11-02"}
        self.assertEqual(self.sync.sync_shipments([ship])[0]["status"], "created")
        self.assertEqual(self._on_hand(self.tn450, self.stock), 8.0)
        ret = {
            "type": "return", "ref": "RAREQ-STK-1", "order_ref": "WEB-RET-1", "customer": {"ref": "C-1001"},
            "requested_on": "2026-11-30", "purchase_date": "2026-10-30", "shipment_date": "2026-11-02",
            "reason": "Ordered the wrong model", "payment_method": "open_account", "remedy": "credit",
            "lines": [{"sku": "IP-TN450", "quantity": 2, "unit_price_paid": "24.99", "defective": False,
                       "inspection": {"labels_intact": True, "original_packaging": True, "resalable": True,
                                      "damage": "none"}}],
        }
        res = self.sync.sync_returns([ret])[0]
        self.assertEqual(res["status"], "created", res)
        ra = self.env["imagepro.return.authorization"].browse(res["ids"]["ra_id"])
        self.assertEqual(ra.state, "settled")
        self.assertEqual(set(ra.picking_ids.mapped("state")), {"done"})
        receipt = ra.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(receipt.move_ids.origin_returned_move_id.picking_id.picking_type_code, "outgoing")
        self.assertEqual(self._on_hand(self.tn450, self.stock), 10.0)
        self.assertEqual(self._on_hand(self.tn450, self.returns), 0.0)
        again = self.sync.sync_returns([ret])[0]
        self.assertEqual(again["status"], "already_present")
        self.assertEqual(len(ra.picking_ids), 2)

    def test_dock_inspection_of_a_received_return(self):
        self.sync.sync_orders([self._order_doc("WEB-RET-2", lines=[
            {"sku": "IP-DR630", "quantity": 1, "unit_price": "31.50"},
            {"sku": "IP-TN420", "quantity": 3, "unit_price": "19.99"},
        ])])
        ship = {"type": "shipment", "ref": "SHIP-RET-2", "order_ref": "WEB-RET-2", "shipped_on": "2026-11-02"}
        self.sync.sync_shipments([ship])
        ret = {
            "type": "return", "ref": "RAREQ-STK-2", "order_ref": "WEB-RET-2", "customer": {"ref": "C-1001"},
            "requested_on": "2026-11-20", "purchase_date": "2026-10-30", "shipment_date": "2026-11-02",
            "reason": "Streaks on every page", "payment_method": "open_account", "remedy": "credit",
            "lines": [{"sku": "IP-DR630", "quantity": 1, "unit_price_paid": "31.50", "defective": True}],
        }
        pending = self.sync.sync_returns([ret])[0]
        ra = self.env["imagepro.return.authorization"].browse(pending["ids"]["ra_id"])
        ra.with_user(self.clerk).action_receive()
        self.assertEqual(self._on_hand(self.drum, self.returns), 1.0)
        insp = {"type": "inspection", "ref": "DOCK-STK-2", "ra_number": pending["ra_number"],
                "lines": [{"sku": "IP-DR630", "quantity": 1, "measured_weight_g": 790, "labels_intact": True,
                           "original_packaging": True, "resalable": False, "damage": "none"}]}
        done = self.sync.sync_inspections([insp])[0]
        self.assertEqual(done["status"], "created", done)
        self.assertEqual(self._on_hand(self.drum, self.returns), 0.0)
        self.assertEqual(self._on_hand(self.drum, self.reman), 1.0)
        self.assertEqual(self._on_hand(self.drum, self.stock), 9.0)
