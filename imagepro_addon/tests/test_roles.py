# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Roles that fit the work (readme/CONFIGURE.md, Roles): a returns clerk settles without Invoicing rights; Image-Pro /
User does not widen what a salesperson sees."""

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import ImageproCommon


@freeze_time("2026-11-20 12:00:00")  # noon in Chicago
@tagged("post_install", "-at_install")
class TestRoles(ImageproCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_docs = new_test_user(
            cls.env, login="ip_own", groups="imagepro_addon.group_imagepro_user", name="Own Documents Salesperson"
        )
        cls.card_order, cls.card_invoice = cls._invoiced_order(
            cls.card_customer, [(cls.drum, 1, 31.50)], "2026-03-10", "2026-03-11", method="card", brand="visa"
        )
        cls.account_order, cls.account_invoice = cls._invoiced_order(
            cls.approved, [(cls.tn450, 2, 24.99)], "2026-11-10", "2026-11-12"
        )

    def _clerk_ra(self, order):
        form = Form(self.env["imagepro.return.authorization"].with_user(self.clerk))
        form.sale_order_id = order
        form.reason = "Streaks on every page"
        with form.line_ids.edit(0) as line:
            line.defective = True
        return form.save().with_user(self.clerk)

    def test_a_clerk_without_invoicing_rights_settles_to_the_card_and_to_the_account(self):
        self.assertFalse(self.clerk.has_group("account.group_account_invoice"))
        card_ra = self._clerk_ra(self.card_order)
        card_ra.action_authorize()
        card_ra.action_receive()
        card_ra.line_ids.measured_weight_g = 790
        card_ra.action_inspect()
        card_ra.action_settle()
        self.assertEqual(card_ra.state, "settled")
        self.assertEqual(card_ra.sudo().credit_note_id.state, "posted")
        self.assertAlmostEqual(card_ra.sudo().payment_id.amount, 31.50, places=2)
        self.assertEqual(card_ra.sudo().credit_note_id.create_uid, self.clerk)  # made as the clerk, for the audit
        Form(card_ra)  # the settled RA opens for the clerk (credit note and refund shown)

        account_ra = self._clerk_ra(self.account_order)
        account_ra.action_authorize()
        account_ra.line_ids.measured_weight_g = 790
        account_ra.action_inspect()
        account_ra.action_settle()
        self.assertAlmostEqual(account_ra.sudo().credit_note_id.amount_total, 49.98, places=2)
        self.assertAlmostEqual(self.account_invoice.amount_residual, 52.98 - 49.98, places=2)  # R7

    def test_settle_needs_the_ra_rights(self):
        ra = self._clerk_ra(self.card_order)
        ra.action_authorize()
        ra.line_ids.measured_weight_g = 790
        ra.action_inspect()
        accountant = new_test_user(self.env, login="ip_acc", groups="account.group_account_invoice")
        with self.assertRaises(AccessError):
            ra.with_user(accountant).action_settle()

    def test_image_pro_user_does_not_widen_sales_access(self):
        self.assertFalse(self.own_docs.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertTrue(self.own_docs.has_group("sales_team.group_sale_salesman"))
        other = self._order(self.approved, [(self.tn25, 2, 25.00)])
        other.user_id = self.salesman
        self.assertFalse(self.env["sale.order"].with_user(self.own_docs).search([("id", "=", other.id)]))
        mine = self._order(self.approved, [(self.tn25, 2, 25.00)])
        mine.user_id = self.own_docs
        self.assertTrue(self.env["sale.order"].with_user(self.own_docs).search([("id", "=", mine.id)]))
        self.assertTrue(self.manager.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertTrue(self.integration.has_group("sales_team.group_sale_salesman_all_leads"))

    def test_only_a_manager_denies_by_hand(self):
        ra = self._clerk_ra(self.card_order)
        with self.assertRaises(AccessError):
            ra.action_deny()
        ra.with_user(self.manager).action_deny()
        self.assertEqual(ra.state, "denied")
