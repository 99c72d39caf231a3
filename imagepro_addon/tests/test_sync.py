# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ImageproCommon


def _no_none(value):
    if isinstance(value, dict):
        return all(_no_none(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_no_none(v) for v in value)
    return value is not None


@freeze_time("2026-12-10 12:00:00")
@tagged("post_install", "-at_install")
class TestSync(ImageproCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sync = cls.env["imagepro.sync"].with_user(cls.integration)

    def test_held_order_logged_by_a_user_without_email(self):
        self.integration.partner_id.email = False
        res = self.sync.sync_orders([self._order_doc("WEB-H", customer={"ref": "C-2002"})])[0]
        self.assertEqual(res["status"], "held", res)
        order = self.env["sale.order"].browse(res["ids"]["sale_order_id"])
        self.assertEqual(order.state, "draft")
        self.assertIn("(O3)", order.message_ids[0].body)
        self.assertIn("(O3)", order.imagepro_hold_reason)

    def test_sync_info(self):
        info = self.sync.sync_info()
        self.assertEqual(info["module_version"], "18.0.1.0.0")
        self.assertEqual(info["currency"], "USD")
        self.assertEqual(info["policy_versions"][0]["minimum_order"], "50.00")
        self.assertEqual(info["policy_versions"][0]["restocking_percent"], "15")
        checks = {c["name"]: c["ok"] for c in info["checks"]}
        for name in ("product_service_charge", "product_freight", "product_restocking", "payment_term_net30",
                     "sale_journal", "sync_rights"):
            self.assertTrue(checks[name], name)
        self.assertIn("card_journal", checks)
        self.assertTrue(_no_none(info))
        with self.assertRaises(AccessError):
            self.env["imagepro.sync"].with_user(self.salesman).sync_orders([])

    def test_orders_idempotent_held_rejected(self):
        docs = [
            self._order_doc(),
            self._order_doc("WEB-2", customer={"ref": "C-NEW", "name": "New Co"}),
            self._order_doc("WEB-3", payment={"method": "card", "card_brand": "Diners Club"}),
            self._order_doc("WEB-4", lines=[{"sku": "NOPE", "quantity": 1, "unit_price": "1.00"}]),
        ]
        first = self.sync.sync_orders(docs)
        self.assertEqual([r["status"] for r in first], ["created", "held", "rejected", "error"])
        self.assertTrue(_no_none(first))
        order = self.env["sale.order"].browse(first[0]["ids"]["sale_order_id"])
        self.assertEqual(order.state, "sale")
        self.assertAlmostEqual(order.amount_untaxed, 49.98 + 3.00 + 8.50, places=2)
        self.assertEqual(first[0]["rules"], ["O1", "O2", "O3", "O6"])
        self.assertEqual(order.payment_term_id, self.env.ref("account.account_payment_term_30days"))
        self.assertEqual(order.imagepro_channel, "web")
        self.assertIn("(O3)", first[1]["message"])
        self.assertIn("(O4)", first[2]["message"])
        self.assertEqual(first[2]["ids"]["sale_order_id"], 0)
        self.assertEqual(first[3]["error_class"], "permanent")
        second = self.sync.sync_orders(docs[:2])
        self.assertEqual([r["status"] for r in second], ["already_present", "already_present"])
        self.assertEqual(second[0]["ids"], first[0]["ids"])
        self.assertEqual(second[1]["ids"], first[1]["ids"])
        self.assertEqual(self.env["sale.order"].search_count([("imagepro_sync_ref", "=", "WEB-100234")]), 1)

    def test_shipment_return_inspection_flow(self):
        self.sync.sync_orders([self._order_doc()])
        self.sync.sync_orders([self._order_doc("WEB-CARD", customer={"ref": "C-3003"}, order_date="2026-03-10",
                                               payment={"method": "card", "card_brand": "visa"},
                                               lines=[{"sku": "IP-DR630", "quantity": 1, "unit_price": "31.50"}])])
        ships = [
            {"type": "shipment", "ref": "SHIP-1", "order_ref": "WEB-100234", "shipped_on": "2026-11-02"},
            {"type": "shipment", "ref": "SHIP-2", "order_ref": "WEB-CARD", "shipped_on": "2026-03-11"},
            {"type": "shipment", "ref": "SHIP-3", "order_ref": "WEB-UNKNOWN", "shipped_on": "2026-03-11"},
        ]
        first = self.sync.sync_shipments(ships)
        self.assertEqual([r["status"] for r in first], ["created", "created", "error"])
        self.assertEqual(first[2]["error_class"], "missing_dependency")
        invoice = self.env["account.move"].browse(first[0]["ids"]["invoice_id"])
        self.assertEqual(str(invoice.invoice_date), "2026-11-02")
        self.assertEqual(str(invoice.invoice_date_due), "2026-12-02")
        card_invoice = self.env["account.move"].browse(first[1]["ids"]["invoice_id"])
        self.assertEqual(card_invoice.payment_state, "paid")
        self.assertTrue(first[1]["ids"]["payment_id"])
        again = self.sync.sync_shipments(ships[:2])
        self.assertEqual([r["status"] for r in again], ["already_present", "already_present"])
        self.assertEqual([r["ids"] for r in again], [r["ids"] for r in first[:2]])

        ret = {
            "type": "return", "ref": "RAREQ-6", "order_ref": "WEB-100234", "customer": {"ref": "C-1001"},
            "requested_on": "2026-11-30", "purchase_date": "2026-10-30", "shipment_date": "2026-11-02",
            "reason": "Ordered the wrong model", "payment_method": "open_account", "remedy": "credit",
            "lines": [{"sku": "IP-TN450", "quantity": 2, "unit_price_paid": "30.00", "defective": False,
                       "inspection": {"labels_intact": True, "original_packaging": True, "resalable": True,
                                      "damage": "none"}}],
        }
        late = dict(ret, ref="RAREQ-7", requested_on="2026-12-03")
        denied = self.sync.sync_returns([late])[0]
        self.assertEqual(denied["status"], "denied")
        self.assertIn("R1", denied["rules"])
        res = self.sync.sync_returns([ret])[0]
        self.assertEqual(res["status"], "created", res)
        self.assertEqual(res["decision"], "approved")
        self.assertEqual(res["rules"], ["R1", "R4", "R5", "R7"])
        self.assertRegex(res["ra_number"], r"^RA/2026/\d{5}$")
        note = self.env["account.move"].browse(res["ids"]["credit_note_id"])
        self.assertAlmostEqual(note.amount_untaxed, 42.48, places=2)  # 30.00 capped at 24.99 (W5)
        self.assertAlmostEqual(invoice.amount_residual, 61.48 - 42.48, places=2)
        self.assertEqual(self.sync.sync_returns([ret])[0]["ids"], res["ids"])
        self.assertEqual(self.sync.sync_returns([ret])[0]["status"], "already_present")

        card_ret = {
            "type": "return", "ref": "RAREQ-9", "order_ref": "WEB-CARD", "customer": {"ref": "C-3003"},
            "requested_on": "2026-11-20", "purchase_date": "2026-03-10", "shipment_date": "2026-03-11",
            "reason": "Streaks on every page", "payment_method": "card", "remedy": "credit",
            "lines": [{"sku": "IP-DR630", "quantity": 1, "unit_price_paid": "31.50", "defective": True}],
        }
        pending = self.sync.sync_returns([card_ret])[0]
        self.assertEqual(pending["decision"], "pending_inspection")
        insp = {"type": "inspection", "ref": "DOCK-1", "ra_number": pending["ra_number"],
                "lines": [{"sku": "IP-DR630", "quantity": 1, "measured_weight_g": 790, "labels_intact": True,
                           "original_packaging": True, "resalable": False, "damage": "none"}]}
        done = self.sync.sync_inspections([insp, dict(insp, ref="DOCK-X", ra_number="RA/2026/99999")])
        self.assertEqual(done[0]["status"], "created", done[0])
        self.assertEqual(done[0]["decision"], "approved")
        self.assertEqual(done[1]["error_class"], "missing_dependency")
        self.assertTrue(done[0]["ids"]["payment_id"])
        payment = self.env["account.payment"].browse(done[0]["ids"]["payment_id"])
        self.assertAlmostEqual(payment.amount, 31.50, places=2)
        twice = self.sync.sync_inspections([insp])[0]
        self.assertEqual(twice["status"], "already_present")
        self.assertEqual(twice["ids"], done[0]["ids"])
        self.assertTrue(_no_none([res, denied, pending, done, twice]))

    def test_the_flow_by_an_integration_user_without_email(self):
        # Odoo's own "Invoice ... paid" note on the order needs an author's address; the worker's user has none.
        self.integration.partner_id.email = False
        self.env.company.email = False
        self.test_shipment_return_inspection_flow()
        order = self.env["sale.order"].search([("imagepro_sync_ref", "=", "WEB-CARD")])
        self.assertTrue(order.message_ids.filtered(lambda m: "paid" in (m.body or "")))

    def test_a_return_waits_for_its_orders_invoice(self):
        self.sync.sync_orders([self._order_doc("WEB-NOTSHIPPED")])
        ret = {
            "type": "return", "ref": "RAREQ-EARLY", "order_ref": "WEB-NOTSHIPPED", "customer": {"ref": "C-1001"},
            "requested_on": "2026-11-05", "purchase_date": "2026-10-30", "shipment_date": "2026-11-02",
            "reason": "Ordered the wrong model", "payment_method": "open_account",
            "lines": [{"sku": "IP-TN450", "quantity": 1, "unit_price_paid": "24.99", "defective": False}],
        }
        res = self.sync.sync_returns([ret])[0]
        self.assertEqual((res["status"], res["error_class"]), ("error", "missing_dependency"), res)
        self.assertIn("not invoiced yet", res["message"])
        self.assertFalse(self.env["imagepro.return.authorization"].search([("imagepro_sync_ref", "=", "RAREQ-EARLY")]))
        self.sync.sync_shipments([{"type": "shipment", "ref": "SHIP-LATE", "order_ref": "WEB-NOTSHIPPED",
                                   "shipped_on": "2026-11-02"}])
        res = self.sync.sync_returns([ret])[0]
        self.assertEqual(res["status"], "created", res)
        ra = self.env["imagepro.return.authorization"].browse(res["ids"]["ra_id"])
        self.assertEqual(ra.invoice_id.imagepro_sync_ref, "SHIP-LATE")

    def _fail_when_together(self, method):
        """Patch `method` of its imagepro.sync kind so it fails for more than one document, as a bad batch would."""
        kind = {"_create_orders": "imagepro.sync.order", "_invoice_shipments": "imagepro.sync.shipment"}[method]
        sync_class = type(self.env[kind])
        real = getattr(sync_class, method)

        def only_alone(this, items):
            if len(items) > 1:
                raise UserError(this.env._("the batch cannot be done together"))
            return real(this, items)

        return patch.object(sync_class, method, only_alone)

    def test_orders_that_cannot_be_created_together_are_created_one_by_one(self):
        docs = [self._order_doc("WEB-T1"), self._order_doc("WEB-T2", customer={"ref": "C-2002"})]
        with self._fail_when_together("_create_orders"):
            results = self.sync.sync_orders(docs)
        self.assertEqual([r["status"] for r in results], ["created", "held"], results)
        first = self.env["sale.order"].browse(results[0]["ids"]["sale_order_id"])
        self.assertEqual(first.state, "sale")
        self.assertEqual(str(first.imagepro_order_date), "2026-10-30")  # not the day it was confirmed
        self.assertAlmostEqual(first.amount_untaxed, 61.48, places=2)  # 49.98 + 3.00 service charge + 8.50

    def test_shipments_that_cannot_be_invoiced_together_are_invoiced_one_by_one(self):
        self.sync.sync_orders([self._order_doc("WEB-S1"), self._order_doc("WEB-S2")])
        ships = [{"type": "shipment", "ref": f"SHIP-S{n}", "order_ref": f"WEB-S{n}", "shipped_on": "2026-11-02"}
                 for n in (1, 2)]
        with self._fail_when_together("_invoice_shipments"):
            results = self.sync.sync_shipments(ships)
        self.assertEqual([r["status"] for r in results], ["created", "created"], results)
        invoices = self.env["account.move"].browse([r["ids"]["invoice_id"] for r in results])
        self.assertEqual(len(invoices), 2)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertEqual(invoices.mapped("imagepro_sync_ref"), ["SHIP-S1", "SHIP-S2"])

    def test_a_confirmed_order_keeps_the_day_it_was_ordered(self):
        res = self.sync.sync_orders([self._order_doc("WEB-DATED", order_date="2026-09-15")])[0]
        order = self.env["sale.order"].browse(res["ids"]["sale_order_id"])
        self.assertEqual(order.state, "sale")
        self.assertEqual(str(order.date_order.date()), "2026-12-10")  # Odoo: the confirmation date
        self.assertEqual(str(order._imagepro_order_date()), "2026-09-15")  # the terms: the order date
