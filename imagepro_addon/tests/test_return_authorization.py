# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import ImageproCommon


@freeze_time("2026-12-10 12:00:00")  # noon in Chicago
@tagged("post_install", "-at_install")
class TestReturnAuthorization(ImageproCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Example 6: bought 2026-10-30, shipped 2026-11-02, 2 x 24.99, open account.
        cls.older = cls._invoice(cls.approved, 10.00, "2026-10-01")  # due 2026-10-31: oldest
        cls.order6, cls.invoice6 = cls._invoiced_order(
            cls.approved, [(cls.tn450, 2, 24.99)], "2026-10-30", "2026-11-02"
        )
        cls.newer = cls._invoice(cls.approved, 15.00, "2026-11-10")  # due 2026-12-10: newest
        # Example 9: a drum bought 2026-03-10 by Visa.
        cls.order9, cls.invoice9 = cls._invoiced_order(
            cls.card_customer, [(cls.drum, 1, 31.50), (cls.tn25, 2, 25.00)], "2026-03-10", "2026-03-11",
            method="card", brand="visa",
        )

    def _ra_form(self, order, requested_on, lines, remedy="credit"):
        """The clerk's RA, as made in the form on the day it is requested: pick the order, and of the invoiced
        lines it offers keep `lines` [(product, quantity, price expected, defective)]."""
        with freeze_time(f"{requested_on} 12:00:00"):
            form = Form(self.env["imagepro.return.authorization"].with_user(self.clerk))
            form.sale_order_id = order
            form.reason = "Ordered the wrong model"
            form.remedy = remedy
            wanted = {product: (qty, price, defective) for product, qty, price, defective in lines}
            for index in reversed(range(len(form.line_ids))):
                with form.line_ids.edit(index) as line:
                    keep = wanted.get(line.product_id)
                    if keep:
                        self.assertAlmostEqual(line.unit_price_paid, keep[1], places=2)  # as invoiced (W5)
                        line.quantity = keep[0]
                        line.defective = keep[2]
                if not keep:
                    form.line_ids.remove(index)
            return form.save()

    def test_example_6_open_account_credit_oldest_first(self):
        ra = self._ra_form(self.order6, "2026-11-30", [(self.tn450, 2, 24.99, False)])
        self.assertEqual(ra.name, "New")
        # The purchase date is the day the customer ordered, not the day the order was confirmed.
        self.assertEqual(str(ra.purchase_date), "2026-10-30")
        ra.action_authorize()
        self.assertEqual(ra.state, "authorized")
        self.assertRegex(ra.name, r"^RA/2026/\d{5}$")
        self.assertEqual(ra.invoice_id, self.invoice6)
        ra.action_receive()
        ra.line_ids.write({"resalable": True, "original_packaging": True, "labels_intact": True})
        ra.action_inspect()
        self.assertEqual(ra.state, "inspected")
        self.assertEqual(ra.decision, "approved")
        self.assertAlmostEqual(ra.amount_restocking, 7.50, places=2)
        self.assertAlmostEqual(ra.amount_credit, 42.48, places=2)
        self.assertEqual(ra.line_ids.rules, "R1, R4, R5")
        ra.action_settle()
        self.assertEqual(ra.state, "settled")
        self.assertEqual(ra.decision_rules, "R1, R4, R5, R7")
        note = ra.credit_note_id
        self.assertEqual(note.move_type, "out_refund")
        self.assertEqual(note.state, "posted")
        self.assertEqual(note.reversed_entry_id, self.invoice6)
        self.assertAlmostEqual(note.amount_untaxed, 42.48, places=2)
        restock = note.invoice_line_ids.filtered(lambda line: line.product_id == self.restocking)
        self.assertAlmostEqual(restock.price_unit, -7.50, places=2)
        self.assertFalse(note.invoice_line_ids.filtered(lambda l: l.product_id in (self.service_charge | self.freight)))
        # R7: the oldest invoice (10.00) is paid first, the rest (32.48) goes to the next one.
        self.assertAlmostEqual(self.older.amount_residual, 0.0, places=2)
        self.assertIn(self.older.payment_state, ("paid", "reversed"))  # Odoo says "reversed" when a credit note paid it
        self.assertAlmostEqual(self.invoice6.amount_residual, 52.98 - 32.48, places=2)
        self.assertAlmostEqual(self.newer.amount_residual, 15.00, places=2)
        self.assertEqual(note.payment_state, "paid")

    def test_account_credit_rest_stays_outstanding(self):
        partner = self.env["res.partner"].create({"name": "Small Account", "ref": "C-4004"})
        partner.with_user(self.manager).action_imagepro_approve_credit()
        order, invoice = self._invoiced_order(partner, [(self.tn450, 2, 24.99)], "2026-10-30", "2026-11-02")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 40.00, "payment_date": "2026-11-05"})._create_payments()
        ra = self._ra_form(order, "2026-11-30", [(self.tn450, 2, 24.99, False)])
        ra.action_authorize()
        ra.action_inspect()
        ra.action_settle()
        self.assertAlmostEqual(invoice.amount_residual, 0.0, places=2)  # 12.98 left on it was taken from the credit
        self.assertAlmostEqual(ra.credit_note_id.amount_residual, 42.48 - 12.98, places=2)

    def test_example_9_card_refund(self):
        ra = self._ra_form(self.order9, "2026-11-20", [(self.drum, 1, 31.50, True)])
        self.assertEqual(ra.payment_method, "card")
        ra.action_authorize()
        ra.line_ids.measured_weight_g = 790
        ra.action_inspect()
        self.assertEqual(ra.decision, "approved")
        self.assertAlmostEqual(ra.line_ids.remaining_percent, 36.0, places=2)
        ra.action_settle()
        self.assertEqual(ra.settlement, "card_refund")
        self.assertAlmostEqual(ra.credit_note_id.amount_total, 31.50, places=2)
        self.assertFalse(ra.credit_note_id.invoice_line_ids.filtered(lambda l: l.product_id == self.restocking))
        payment = ra.sudo().payment_id  # the clerk settles without Invoicing rights; the accountant sees it
        self.assertEqual(payment.journal_id.code, "CARD")
        self.assertEqual(payment.payment_type, "outbound")
        self.assertAlmostEqual(payment.amount, 31.50, places=2)
        self.assertIn("Visa", payment.memo)
        self.assertEqual(ra.credit_note_id.payment_state, "paid")
        self.assertEqual(ra.decision_rules, "W1, W2, W3, R7")

    def test_restocking_keeps_the_tax_on_the_fee(self):
        tax = self.env["account.tax"].create(
            {"name": "Sales tax 10 %", "amount": 10.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        taxed = self.env["product.product"].create(
            {"name": "Taxed toner", "default_code": "IP-TAXED", "type": "consu", "list_price": 24.99,
             "taxes_id": [(6, 0, tax.ids)], "invoice_policy": "order"}
        )
        order, invoice = self._invoiced_order(self.approved, [(taxed, 2, 24.99)], "2026-10-30", "2026-11-02")
        self.assertAlmostEqual(invoice.amount_total, 57.98, places=2)  # 49.98 + 5.00 tax + 3.00 service charge (O1)
        ra = self._ra_form(order, "2026-11-30", [(taxed, 2, 24.99, False)])
        ra.action_authorize()
        ra.action_inspect()
        ra.action_settle()
        note = ra.credit_note_id
        self.assertAlmostEqual(note.amount_untaxed, 42.48, places=2)  # 49.98 less 7.50 restocking (R5)
        self.assertAlmostEqual(note.amount_tax, 4.25, places=2)  # tax refunded on what is credited only
        restock = note.invoice_line_ids.filtered(lambda line: line.product_id == self.restocking)
        self.assertEqual(restock.tax_ids, tax)

    def test_w5_units_returned_once_are_not_returned_again(self):
        first = self._ra_form(self.order9, "2026-11-20", [(self.drum, 1, 31.50, True)])
        first.action_authorize()
        first.line_ids.measured_weight_g = 790
        first.action_inspect()
        first.action_settle()
        self.assertAlmostEqual(first.credit_note_id.amount_total, 31.50, places=2)
        with freeze_time("2026-11-25 12:00:00"):
            form = Form(self.env["imagepro.return.authorization"].with_user(self.clerk))
            form.sale_order_id = self.order9
            form.reason = "Streaks on every page"
            again = form.save()
        # the drum is returned already; only the two toners are left to pick from
        self.assertEqual([(l.product_id, l.quantity) for l in again.line_ids], [(self.tn25, 2.0)])

    def test_nothing_to_return_before_the_invoice(self):
        order = self._order(self.approved, [(self.tn450, 2, 24.99)], "2026-10-30")
        order.action_confirm()
        with freeze_time("2026-11-30 12:00:00"):
            form = Form(self.env["imagepro.return.authorization"].with_user(self.clerk))
            form.sale_order_id = order
            self.assertEqual(len(form.line_ids), 0)  # nothing invoiced, nothing to pick (W5)
        with self.assertRaisesRegex(ValidationError, r"not invoiced on order .*\(W5\)"):
            self.env["imagepro.return.authorization"].with_user(self.manager).create(
                {
                    "sale_order_id": order.id,
                    "reason": "Ordered the wrong model",
                    "shipment_date": "2026-11-02",
                    "line_ids": [Command.create({"product_id": self.tn450.id, "unit_price_paid": 24.99})],
                }
            )

    def test_example_7_denied_r1(self):
        ra = self._ra_form(self.order6, "2026-12-03", [(self.tn450, 2, 24.99, False)])
        ra.action_authorize()
        self.assertEqual(ra.state, "denied")
        self.assertEqual(ra.decision, "denied")
        self.assertIn("R1", ra.decision_rules)
        self.assertEqual(ra.name, "New")
        self.assertIn("(R1)", ra.message_ids[0].body)

    def test_example_10_denied_w3_and_threshold(self):
        ra = self._ra_form(
            self.order9, "2026-11-20", [(self.drum, 1, 31.50, True), (self.tn25, 1, 25.00, True)]
        )
        ra.action_authorize()
        ra.line_ids[0].measured_weight_g = 720  # 8 %
        ra.line_ids[1].write({"measured_weight_g": 725, "full_weight_g": 950, "empty_weight_g": 700})  # 10 %
        ra.action_inspect()
        self.assertEqual(ra.line_ids[0].decision, "denied")
        self.assertEqual(ra.line_ids[0].rules, "W3")
        self.assertEqual(ra.line_ids[1].decision, "approved")
        self.assertEqual(ra.decision, "partial")
        ra.action_settle()
        self.assertAlmostEqual(ra.credit_note_id.amount_untaxed, 25.00, places=2)
        notes = ra.message_ids.filtered(lambda m: m.subtype_id == self.env.ref("mail.mt_note"))
        self.assertIn("(W3)", notes[0].body)  # what settling did names the denied line's clause

    def test_all_denied_after_inspection_produces_nothing(self):
        ra = self._ra_form(self.order9, "2026-11-20", [(self.drum, 1, 31.50, True)])
        ra.action_authorize()
        ra.line_ids.write({"measured_weight_g": 900, "labels_intact": False})
        ra.action_inspect()
        self.assertEqual(ra.state, "denied")  # decided at once: nobody has to press Settle
        self.assertFalse(ra.credit_note_id)
        self.assertIn("(W6)", ra.decision_message)

    def test_replacement_remedy(self):
        ra = self._ra_form(self.order9, "2026-11-20", [(self.drum, 1, 31.50, True)], remedy="replace")
        ra.action_authorize()
        ra.line_ids.measured_weight_g = 800
        ra.action_inspect()
        ra.action_settle()
        order = ra.replacement_order_id
        self.assertEqual(order.state, "sale")
        self.assertAlmostEqual(order.amount_total, 0.0, places=2)
        self.assertEqual(order.order_line.product_id, self.drum)
        self.assertFalse(ra.credit_note_id)

    def test_reason_required_r6(self):
        ra = self._ra_form(self.order6, "2026-11-30", [(self.tn450, 1, 24.99, False)])
        ra.reason = "  "
        with self.assertRaisesRegex(UserError, "R6"):
            ra.action_authorize()

    def test_ra_document_renders(self):
        ra = self._ra_form(self.order6, "2026-11-30", [(self.tn450, 1, 24.99, False)])
        ra.action_authorize()
        html = self.env["ir.actions.report"]._render_qweb_html(
            "imagepro_addon.action_report_imagepro_return_authorization", ra.ids
        )[0].decode()
        self.assertIn(ra.name, html)
        self.assertIn("100 Toner Way", html)
        self.assertIn("outside of the box", html)
        action = ra.with_user(self.clerk).action_send_ra()
        self.assertEqual(action["res_model"], "mail.compose.message")
