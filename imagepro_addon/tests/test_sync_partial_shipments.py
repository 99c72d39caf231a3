# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ImageproCommon

LINES = [
    {"sku": "IP-TN450", "quantity": 4, "unit_price": "20.00", "discount_percent": "0"},
    {"sku": "IP-DR630", "quantity": 1, "unit_price": "10.00", "discount_percent": "0"},
]


def _ship(ref, shipped_on, lines=None):
    doc = {"type": "shipment", "ref": ref, "order_ref": "WEB-PART", "shipped_on": shipped_on}
    if lines is not None:
        doc["lines"] = lines
    return doc


@freeze_time("2026-12-01 12:00:00")
@tagged("post_install", "-at_install")
class TestSyncPartialShipments(ImageproCommon):
    """docs/terms.md, "Partial shipments": O7 per shipment, O1/O2 on the first invoice, R1 per shipment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sync = cls.env["imagepro.sync"].with_user(cls.integration)

    def _order(self):
        doc = self._order_doc("WEB-PART", lines=LINES, order_date="2026-10-20")
        doc["freight"]["amount"] = "9.00"
        res = self.sync.sync_orders([doc])[0]
        self.assertEqual(res["status"], "created", res)
        return self.env["sale.order"].browse(res["ids"]["sale_order_id"])

    def _invoice(self, res):
        self.assertEqual(res["status"], "created", res)
        return self.env["account.move"].browse(res["ids"]["invoice_id"])

    def test_each_shipment_invoices_what_it_carried_and_the_charges_go_on_the_first(self):
        order = self._order()
        first = self._invoice(self.sync.sync_shipments([_ship("S-1", "2026-10-21", [
            {"sku": "IP-TN450", "quantity": 2}])])[0])
        self.assertEqual(first.invoice_date, date(2026, 10, 21))
        self.assertEqual(first.invoice_date_due, date(2026, 11, 20))
        self.assertAlmostEqual(first.amount_untaxed, 2 * 20.00 + 9.00, places=2)
        self.assertIn(self.freight, first.invoice_line_ids.product_id)
        self.assertEqual(order.imagepro_shipped_on, date(2026, 10, 21))

        second = self._invoice(self.sync.sync_shipments([_ship("S-2", "2026-11-05")])[0])
        self.assertEqual(second.invoice_date, date(2026, 11, 5))
        self.assertAlmostEqual(second.amount_untaxed, 2 * 20.00 + 10.00, places=2)
        self.assertNotIn(self.freight, second.invoice_line_ids.product_id)
        self.assertEqual(order.imagepro_shipped_on, date(2026, 10, 21), "R1's order date stays the first shipment")
        self.assertEqual(order.invoice_status, "invoiced")

        # A unit ships once (O7): nothing is left, and the answer names the field and the rule.
        again = self.sync.sync_shipments([_ship("S-3", "2026-11-06", [{"sku": "IP-TN450", "quantity": 1}])])[0]
        self.assertEqual((again["status"], again["error_class"]), ("error", "permanent"), again)
        self.assertIn("lines[0].quantity", again["message"])
        self.assertIn("(O7)", again["message"])
        self.assertEqual(len(order.invoice_ids), 2)

    def test_two_shipments_of_one_order_in_one_batch_are_invoiced_apart(self):
        order = self._order()
        results = self.sync.sync_shipments([
            _ship("S-A", "2026-10-21", [{"sku": "IP-TN450", "quantity": 3}]),
            _ship("S-B", "2026-10-22"),
            _ship("S-C", "2026-10-23", [{"sku": "IP-DR630", "quantity": 1}]),
        ])
        first, rest = self._invoice(results[0]), self._invoice(results[1])
        self.assertEqual(results[2]["status"], "error", results[2])
        self.assertEqual(first.invoice_line_ids.filtered(lambda l: l.product_id == self.tn450).quantity, 3)
        self.assertEqual(sorted(rest.invoice_line_ids.mapped("product_id.default_code")), ["IP-DR630", "IP-TN450"])
        self.assertEqual(rest.invoice_line_ids.filtered(lambda l: l.product_id == self.tn450).quantity, 1)
        self.assertEqual(order.order_line.filtered(lambda l: l.product_id == self.tn450).qty_invoiced, 4)

    def test_a_return_counts_r1_from_the_shipment_that_carried_its_units(self):
        self._order()
        self.sync.sync_shipments([_ship("S-1", "2026-10-21", [{"sku": "IP-TN450", "quantity": 2}])])
        self.sync.sync_shipments([_ship("S-2", "2026-11-05")])
        ret = {
            "type": "return", "ref": "R-PART", "order_ref": "WEB-PART", "customer": {"ref": "C-1001"},
            "requested_on": "2026-12-01", "purchase_date": "2026-10-20", "shipment_date": "2026-11-05",
            "reason": "No longer needed", "payment_method": "open_account",
            "lines": [{"sku": "IP-TN450", "quantity": 3, "unit_price_paid": "20.00", "defective": False},
                      {"sku": "IP-DR630", "quantity": 1, "unit_price_paid": "10.00", "defective": False}],
        }
        res = self.sync.sync_returns([ret])[0]
        ra = self.env["imagepro.return.authorization"].browse(res["ids"]["ra_id"])
        self.assertEqual(ra.shipment_date, date(2026, 10, 21), "the RA keeps the order's first shipment")
        # The request names the second shipment: its two toners first, the third from the first shipment.
        by_date = sorted((str(line.shipment_date), line.product_id.default_code, line.quantity)
                         for line in ra.line_ids)
        self.assertEqual(by_date, [("2026-10-21", "IP-TN450", 1.0), ("2026-11-05", "IP-DR630", 1.0),
                                   ("2026-11-05", "IP-TN450", 2.0)])
        # 26 days after the second shipment is inside R1; 41 after the first is not.
        ra.action_inspect()
        decisions = {(str(l.shipment_date), l.product_id.default_code): l.decision for l in ra.line_ids}
        self.assertEqual(decisions[("2026-11-05", "IP-TN450")], "approved")
        self.assertEqual(decisions[("2026-11-05", "IP-DR630")], "approved")
        self.assertEqual(decisions[("2026-10-21", "IP-TN450")], "denied")
