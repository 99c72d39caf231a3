# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.imagepro_addon.models.sale_order import HOLD_SUMMARY

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

    def _hold_activities(self, order):
        return order.activity_ids.filtered(lambda a: a.summary == HOLD_SUMMARY)

    def test_credit_hold_o3_example_5(self):
        order = self._order(self.unapproved, [(self.tn25, 2, 25.00)])
        action = order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("(O3)", order.imagepro_hold_reason)
        self.assertEqual(order.imagepro_rules, "O3, O6")
        self.assertIn("(O3)", order.message_ids[0].body)
        self.assertIn(self.manager, self._hold_activities(order).user_id)
        approved = self._order(self.approved, [(self.tn25, 2, 25.00)])
        approved.with_user(self.salesman).action_confirm()
        self.assertEqual(approved.state, "sale")

    def test_o3_blank_payment_method_on_net30_terms_is_held(self):
        order = self._order(self.unapproved, [(self.tn25, 2, 25.00)], method=False)
        order.with_user(self.salesman).payment_term_id = self.env.ref("account.account_payment_term_30days")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertIn("(O3)", order.imagepro_hold_reason)
        # card chosen, but terms still Net 30: open account all the same
        order.with_user(self.salesman).write({"imagepro_payment_method": "card", "imagepro_card_brand": "visa"})
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        # immediate terms with a card: accepted
        order.with_user(self.salesman).payment_term_id = self.env.ref("account.account_payment_term_immediate")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.imagepro_hold_reason)
        self.assertFalse(self._hold_activities(order))

    def test_approving_credit_releases_the_held_order(self):
        customer = self.env["res.partner"].create({"name": "New Account", "ref": "C-5005"})
        order = self._order(customer, [(self.tn25, 2, 25.00)])
        order.with_user(self.salesman).action_confirm()
        self.assertTrue(order.imagepro_hold_reason)
        customer.with_user(self.manager).action_imagepro_approve_credit()
        self.assertFalse(order.imagepro_hold_reason)
        self.assertFalse(self._hold_activities(order))
        self.assertIn("Credit approved by Image-Pro Manager", order.message_ids[0].body)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_revoking_credit_removes_net30_from_customer_and_open_quotations(self):
        customer = self.env["res.partner"].create({"name": "Lapsed Account", "ref": "C-6006"})
        customer.with_user(self.manager).action_imagepro_approve_credit()
        quotation = self._order(customer, [(self.tn25, 2, 25.00)], method=False)
        self.assertEqual(quotation.payment_term_id, self.env.ref("account.account_payment_term_30days"))
        customer.with_user(self.manager).action_imagepro_revoke_credit()
        self.assertFalse(customer.imagepro_credit_approved)
        self.assertFalse(customer.property_payment_term_id)
        self.assertFalse(quotation.payment_term_id)
        quotation.imagepro_payment_method = "open_account"
        quotation.with_user(self.salesman).action_confirm()
        self.assertEqual(quotation.state, "draft")
        self.assertIn("(O3)", quotation.imagepro_hold_reason)

    def test_ordered_on_is_the_company_date_at_the_day_boundary(self):
        # 22:27 in Chicago on 25 November is 04:27 UTC on the 26th (TERMS.md: America/Chicago)
        late = self._order(self.card_customer, [(self.tn25, 2, 25.00)], method="card", brand="visa")
        late.date_order = datetime(2026, 11, 26, 4, 27)
        self.assertEqual(str(late.imagepro_order_date), "2026-11-25")
        midnight = self._order(self.card_customer, [(self.tn25, 2, 25.00)], method="card", brand="visa")
        midnight.date_order = datetime(2026, 11, 26, 6, 0)  # 00:00 CST
        self.assertEqual(str(midnight.imagepro_order_date), "2026-11-26")
        with freeze_time("2026-11-26 04:27:00"):  # 22:27 on the 25th in Chicago
            form = Form(self.env["sale.order"].with_user(self.salesman))
            form.partner_id = self.card_customer
            with form.order_line.new() as line:
                line.product_id = self.tn25
            order = form.save()
            self.assertEqual(str(order.imagepro_order_date), "2026-11-25")
            self.assertEqual(str(self.company._imagepro_today()), "2026-11-25")
        self.company.imagepro_time_zone = "UTC"
        self.assertEqual(str(self.company._imagepro_local_date(datetime(2026, 11, 26, 4, 27))), "2026-11-26")

    def test_ordered_on_of_a_confirmed_order_is_a_managers_correction(self):
        order = self._order(self.approved, [(self.tn25, 2, 25.00)], "2026-10-30")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        with self.assertRaisesRegex(UserError, r"Only an Image-Pro manager may correct it"):
            order.with_user(self.salesman).imagepro_order_date = "2026-11-20"
        with self.assertRaisesRegex(UserError, r"\(R1\)"):
            order.with_user(self.salesman).imagepro_shipped_on = "2026-11-20"
        order.with_context(tracking_disable=False, mail_notrack=False).with_user(self.manager).imagepro_order_date = (
            "2026-10-29"
        )
        self.assertEqual(str(order.imagepro_order_date), "2026-10-29")
        self.assertIn("imagepro_order_date", self._tracked_fields(order))
        quotation = self._order(self.approved, [(self.tn25, 2, 25.00)], "2026-10-30")
        quotation.with_user(self.salesman).imagepro_order_date = "2026-10-31"  # a quotation's date is free

    def test_service_charge_follows_a_new_order_date_and_policy(self):
        self.env["imagepro.policy"].with_user(self.manager).create(
            {"company_id": self.company.id, "effective_from": "2026-11-01", "minimum_order": 60.0,
             "service_charge": 4.0}
        )
        order = self._order(self.card_customer, [(self.tn25, 2, 25.00)], "2026-10-31", "card", "visa")
        self.assertFalse(self._charge_lines(order))
        order.with_user(self.salesman).imagepro_order_date = "2026-11-02"  # now the 60.00 minimum applies
        self.assertAlmostEqual(self._charge_lines(order).price_unit, 4.00, places=2)
        order.with_user(self.salesman).imagepro_order_date = "2026-10-31"
        self.assertFalse(self._charge_lines(order))

    def test_service_charge_is_live_in_the_form(self):
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.card_customer
        with form.order_line.new() as line:
            line.product_id = self.tn25
            line.price_unit = 25.00
        self.assertEqual(len(form.order_line), 2)  # before save: 25.00 is under the minimum (O1)
        self.assertAlmostEqual(form.tax_totals["base_amount_currency"], 28.00, places=2)
        with form.order_line.new() as line:
            line.product_id = self.tn25
            line.price_unit = 25.00
        self.assertAlmostEqual(form.tax_totals["base_amount_currency"], 50.00, places=2)  # met: the charge goes
        order = form.save()
        self.assertFalse(self._charge_lines(order))
        self.assertAlmostEqual(order.amount_untaxed, 50.00, places=2)

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
