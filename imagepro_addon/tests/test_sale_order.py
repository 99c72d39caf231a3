# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import ImageproCommon


@tagged("post_install", "-at_install")
class TestSaleOrder(ImageproCommon):
    def _charge_lines(self, order):
        return order.order_line.filtered(lambda line: line.product_id == self.service_charge)

    def test_service_charge_added_under_minimum_example_1(self):
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.card_customer
        form.imagepro_payment_method = "card"
        form.imagepro_card_brand = "visa"
        with form.order_line.new() as line:
            line.product_id = self.tn450
        with form.order_line.new() as line:
            line.product_id = self.tn420
        with form.order_line.new() as line:
            line.product_id = self.freight
            line.price_unit = 8.50
        order = form.save()
        charge = self._charge_lines(order)
        self.assertEqual(len(charge), 1)
        self.assertAlmostEqual(charge.price_unit, 3.00, places=2)
        self.assertAlmostEqual(order.amount_untaxed, 56.48, places=2)  # 44.98 + 3.00 + 8.50
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.imagepro_rules, "O1, O2, O4, O6")

    def test_service_charge_removed_at_minimum_example_2(self):
        order = self._order(self.card_customer, [(self.tn25, 1, 25.00)], method="card", brand="visa")
        self.assertEqual(len(self._charge_lines(order)), 1)
        with Form(order.with_user(self.salesman)) as form:
            with form.order_line.edit(0) as line:
                line.product_uom_qty = 2
        self.assertFalse(self._charge_lines(order))
        self.assertAlmostEqual(order.amount_untaxed, 50.00, places=2)

    def test_exactly_one_charge_line_after_edits_example_3(self):
        order = self._order(self.card_customer, [(self.ink18, 3, 18.00)], method="card", brand="visa")
        order.order_line.filtered(lambda line: line.product_id == self.ink18).discount = 10.0
        self.assertEqual(len(self._charge_lines(order)), 1)
        self.assertAlmostEqual(order.amount_untaxed, 51.60, places=2)  # 48.60 + 3.00
        ink = order.order_line.filtered(lambda line: line.product_id == self.ink18)
        ink.product_uom_qty = 1
        ink.product_uom_qty = 2
        self._charge_lines(order).copy({"order_id": order.id})  # a second charge line is folded back to one
        self.assertEqual(len(self._charge_lines(order)), 1)
        self._charge_lines(order).price_unit = 9.0  # a hand-edited charge comes back to the policy amount
        self.assertAlmostEqual(self._charge_lines(order).price_unit, 3.00, places=2)
        ink.unlink()
        self.assertEqual(len(self._charge_lines(order)), 1)  # nothing bought, still under the minimum

    def test_credit_hold_o3_example_5(self):
        order = self._order(self.unapproved, [(self.tn25, 2, 25.00)])
        with self.assertRaisesRegex(UserError, r"\(O3\)"):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        approved = self._order(self.approved, [(self.tn25, 2, 25.00)])
        approved.with_user(self.salesman).action_confirm()
        self.assertEqual(approved.state, "sale")

    def test_card_brand_rejected_o4_example_4(self):
        order = self._order(self.card_customer, [(self.tn25, 2, 25.00)], method="card", brand="dinersclub")
        with self.assertRaisesRegex(UserError, r"not accepted.*\(O4\)"):
            order.with_user(self.salesman).action_confirm()

    def test_credit_approval_sets_net30_and_needs_manager(self):
        self.assertTrue(self.approved.imagepro_credit_approved)
        self.assertEqual(self.approved.imagepro_credit_approved_by, self.manager)
        self.assertEqual(self.approved.property_payment_term_id, self.env.ref("account.account_payment_term_30days"))
        with self.assertRaises(AccessError):
            self.unapproved.with_user(self.salesman).action_imagepro_approve_credit()

    def test_effective_dated_policy_versions(self):
        self.env["imagepro.policy"].with_user(self.manager).create(
            {"company_id": self.company.id, "effective_from": "2026-11-01", "minimum_order": 60.0,
             "service_charge": 4.0}
        )
        before = self._order(self.card_customer, [(self.tn25, 2, 25.00)], "2026-10-31", "card", "visa")
        after = self._order(self.card_customer, [(self.tn25, 2, 25.00)], "2026-11-01", "card", "visa")
        self.assertFalse(self._charge_lines(before))  # 50.00 meets the 50.00 minimum in force then
        self.assertAlmostEqual(self._charge_lines(after).price_unit, 4.00, places=2)
        book = self.company._imagepro_policy_book()
        self.assertEqual([str(v.minimum_order) for v in book.versions], ["50.00", "60.00"])
