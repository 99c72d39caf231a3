# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The returns desk: a return from the order, the invoice or the customer; the links between them;
reason codes; decisions that finish themselves; the customer told at each step; R7's trace."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import ImageproCommon


@freeze_time("2026-11-20 12:00:00")  # noon in Chicago
@tagged("post_install", "-at_install")
class TestReturnsDesk(ImageproCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.older = cls._invoice(cls.approved, 10.00, "2026-10-01")  # the customer's oldest open invoice
        cls.order, cls.invoice = cls._invoiced_order(
            cls.approved, [(cls.tn450, 2, 24.99), (cls.ink18, 1, 18.00)], "2026-11-10", "2026-11-12"
        )
        cls.card_order, cls.card_invoice = cls._invoiced_order(
            cls.card_customer, [(cls.drum, 1, 31.50)], "2026-03-10", "2026-03-11", method="card", brand="visa"
        )
        cls.reasons = cls.env["imagepro.return.reason"]
        cls.ra_model = cls.env["imagepro.return.authorization"]

    def _form_from(self, action, user=None):
        """The RA form the button opens, as the web client opens it: its context's defaults and onchanges."""
        self.assertEqual(action["res_model"], "imagepro.return.authorization")
        return Form(self.ra_model.with_user(user or self.clerk).with_context(**action["context"]))

    @staticmethod
    def _through_every_step(ra):
        """Authorize, receive, inspect (the line as the form leaves it) and settle, as the clerk's buttons do."""
        ra.action_authorize()
        ra.action_receive()
        ra.action_inspect()
        ra.action_settle()

    def _settled_card_return(self, user):
        """The defective drum of the card order returned by `user`, from request to card refund (W3: 36 % left)."""
        ra = self.ra_model.with_user(user).create({
            "sale_order_id": self.card_order.id, "reason": "defective",
            "line_ids": [Command.create({"product_id": self.drum.id, "quantity": 1, "measured_weight_g": 790})],
        })
        ra.action_authorize()
        ra.action_inspect()
        ra.action_settle()
        return ra

    def _line_values(self, form, fname):
        values = []
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                values.append(getattr(line, fname))
        return values

    def _mails(self, ra):
        """The e-mails to the customer in the RA's chatter, oldest first."""
        return ra.message_ids.filtered(
            lambda m: m.message_type == "comment" and ra.partner_id in m.partner_ids
        ).sorted("id")

    # ------------------------------------------------------------------ return from where the clerk is
    def test_from_the_order_button_to_a_settled_credit_memo_without_typing_a_price_or_date(self):
        form = self._form_from(self.order.with_user(self.clerk).action_imagepro_return())
        self.assertEqual(form.partner_id, self.approved)
        self.assertEqual(str(form.purchase_date), "2026-11-10")
        self.assertEqual(str(form.shipment_date), "2026-11-12")
        self.assertEqual(str(form.requested_on), "2026-11-20")
        offered = self._line_values(form, "product_id")
        self.assertEqual(set(offered), {self.tn450, self.ink18})
        form.line_ids.remove(offered.index(self.ink18))
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.quantity, 2.0)  # still returnable
            self.assertAlmostEqual(line.unit_price_paid, 24.99, places=2)  # as invoiced
        form.reason_id = self.env.ref("imagepro_addon.return_reason_wrong_item")
        ra = form.save()
        self._through_every_step(ra)
        self.assertEqual(ra.state, "settled")
        self.assertAlmostEqual(ra.credit_note_id.amount_untaxed, 42.48, places=2)  # 49.98 less 15 % (R5)
        # links every way
        self.assertEqual(self.order.with_user(self.clerk).imagepro_ra_count, 1)
        self.assertEqual(self.invoice.with_user(self.clerk).imagepro_ra_count, 1)
        self.assertEqual(self.invoice.imagepro_credit_note_count, 1)
        self.assertEqual(ra.credit_note_id.imagepro_ra_id, ra)
        self.assertEqual(ra.credit_note_id.reversed_entry_id, self.invoice)
        self.assertEqual(self.order.with_user(self.clerk).action_imagepro_view_returns()["res_id"], ra.id)
        self.assertEqual(self.invoice.action_imagepro_view_credit_notes()["res_id"], ra.credit_note_id.id)
        self.assertEqual(ra.credit_note_id.with_user(self.clerk).action_imagepro_view_ra()["res_id"], ra.id)
        for method, record in [
            ("action_view_sale_order", self.order), ("action_view_invoice", self.invoice),
            ("action_view_credit_note", ra.credit_note_id),
        ]:
            action = getattr(ra.with_user(self.clerk), method)()
            self.assertEqual((action["res_model"], action["res_id"]), (record._name, record.id), method)

    def test_from_the_invoice_button_offers_that_invoices_lines(self):
        order = self._order(self.approved, [(self.tn450, 1, 24.99)], "2026-11-10")
        order.action_confirm()
        first = order._create_invoices()
        first.action_post()
        order.order_line = [Command.create({"product_id": self.ink18.id, "product_uom_qty": 3, "price_unit": 18.0})]
        second = order._create_invoices()
        second.action_post()
        form = self._form_from(second.with_user(self.clerk).action_imagepro_return())
        self.assertEqual(len(form.line_ids), 1)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.product_id, self.ink18)
            self.assertEqual(line.quantity, 3.0)
        form.reason_id = self.env.ref("imagepro_addon.return_reason_not_needed")
        ra = form.save()
        self.assertEqual(ra.line_ids.invoice_line_id.move_id, second)

    def test_from_the_customer_the_clerk_picks_the_order(self):
        action = self.approved.with_user(self.clerk).action_imagepro_return()
        form = self._form_from(action)
        self.assertEqual(form.partner_id, self.approved)
        form.sale_order_id = self.order
        self.assertEqual(len(form.line_ids), 2)
        form.reason = "Leaking cartridge"
        ra = form.save()
        self.assertEqual(ra.reason_id, self.env.ref("imagepro_addon.return_reason_leaking"))
        self.assertEqual(self.approved.with_user(self.clerk).imagepro_ra_count, 1)

    def test_no_return_button_result_before_the_invoice(self):
        order = self._order(self.approved, [(self.tn450, 1, 24.99)], "2026-11-10")
        order.action_confirm()
        with self.assertRaisesRegex(UserError, "W5"):
            order.with_user(self.clerk).action_imagepro_return()

    # ------------------------------------------------------------------ reason codes
    def test_reason_text_maps_to_a_code_else_other_with_the_text_kept(self):
        leaking = self.env.ref("imagepro_addon.return_reason_leaking")
        other = self.env.ref("imagepro_addon.return_reason_other")
        self.assertEqual(self.reasons._imagepro_match("  LEAKING cartridge! "), leaking)
        self.assertEqual(self.reasons._imagepro_match("leaking"), leaking)
        self.assertEqual(self.reasons._imagepro_match("Streaks on every page"), other)
        ra = self.ra_model.with_user(self.clerk).create({
            "sale_order_id": self.order.id, "reason": "Streaks on every page",
            "line_ids": [Command.create({"product_id": self.tn450.id, "quantity": 1})],
        })
        self.assertEqual((ra.reason_id, ra.reason), (other, "Streaks on every page"))

    def test_the_workers_reason_text_takes_its_code_and_the_channel_says_sync(self):
        sync = self.env["imagepro.sync"].with_user(self.integration)
        doc = {
            "type": "return", "ref": "RAREQ-LEAK", "order_ref": "", "customer": {"ref": "C-1001"},
            "requested_on": "2026-11-20", "purchase_date": "2026-11-10", "shipment_date": "2026-11-12",
            "reason": "Leaking cartridge", "payment_method": "open_account", "remedy": "credit",
            "lines": [{"sku": "IP-TN450", "quantity": 1, "unit_price_paid": "24.99", "defective": True}],
        }
        self.order.imagepro_sync_ref = "WEB-LEAK"
        result = sync.sync_returns([dict(doc, order_ref="WEB-LEAK")])[0]
        ra = self.ra_model.browse(result["ids"]["ra_id"])
        self.assertEqual(result["status"], "created", result)
        self.assertEqual((ra.reason_id, ra.reason, ra.channel),
                         (self.env.ref("imagepro_addon.return_reason_leaking"), "Leaking cartridge", "sync"))
        self.assertTrue(ra.line_ids.defective)

    def test_the_reason_sets_whether_lines_start_as_defective(self):
        form = self._form_from(self.order.with_user(self.clerk).action_imagepro_return())
        form.reason_id = self.env.ref("imagepro_addon.return_reason_defective")
        self.assertEqual(self._line_values(form, "defective"), [True, True])
        form.reason_id = self.env.ref("imagepro_addon.return_reason_wrong_item")
        self.assertEqual(self._line_values(form, "defective"), [False, False])

    def test_other_without_detail_is_refused_r6(self):
        ra = self.ra_model.with_user(self.clerk).create({
            "sale_order_id": self.order.id,
            "reason_id": self.env.ref("imagepro_addon.return_reason_other").id,
            "line_ids": [Command.create({"product_id": self.tn450.id, "quantity": 1})],
        })
        with self.assertRaisesRegex(UserError, "R6"):
            ra.action_authorize()

    def test_managers_maintain_the_reasons_and_the_analysis_groups_by_code(self):
        with self.assertRaises(AccessError):
            self.reasons.with_user(self.clerk).create({"name": "Toner spilled", "code": "spilled"})
        spilled = self.reasons.with_user(self.manager).create(
            {"name": "Toner spilled", "code": "spilled", "defective": True}
        )
        for text in ("Toner spilled", "toner SPILLED", "Streaks", "Ordered the wrong model"):
            self.ra_model.create({
                "sale_order_id": self.order.id, "reason": text,
                "line_ids": [Command.create({"product_id": self.ink18.id, "quantity": 1})],
            }).action_cancel()  # cancelled: the units stay returnable for the next one
        groups = dict(self.env["imagepro.return.authorization.line"]._read_group(
            [("ra_id.sale_order_id", "=", self.order.id)], ["reason_id"], ["__count"]
        ))
        self.assertEqual(groups, {spilled: 2, self.env.ref("imagepro_addon.return_reason_other"): 2})
        with self.assertRaisesRegex(UserError, "reason"):
            self.ra_model.search([("reason_id", "=", spilled.id)], limit=1).write(
                {"reason_id": self.env.ref("imagepro_addon.return_reason_other").id}
            )

    # ------------------------------------------------------------------ decisions and the customer
    def test_the_customer_hears_at_each_step(self):
        form = self._form_from(self.order.with_user(self.clerk).action_imagepro_return())
        form.reason_id = self.env.ref("imagepro_addon.return_reason_wrong_item")
        ra = form.save()
        self._through_every_step(ra)
        mails = self._mails(ra)
        self.assertEqual(len(mails), 4, mails.mapped("subject"))
        issued, received, decided, settled = mails
        self.assertIn(ra.name, issued.subject)
        self.assertTrue(issued.attachment_ids, "the RA document goes with the RA number")
        self.assertIn("received", received.subject)
        self.assertIn("decision", decided.subject)
        self.assertIn("(R5)", decided.body)  # the clause of the restocking charge
        self.assertIn("settled", settled.subject)
        self.assertIn(ra.credit_note_id.name, settled.body)
        self.assertTrue(settled.attachment_ids, "the credit memo goes with the settlement")
        self.assertEqual(settled.author_id, self.clerk.partner_id)

    def test_a_warranty_claim_denied_at_inspection_is_denied_and_told_at_once(self):
        ra = self.ra_model.with_user(self.clerk).create({
            "sale_order_id": self.card_order.id, "reason_id": self.env.ref("imagepro_addon.return_reason_defective").id,
            "line_ids": [Command.create({"product_id": self.drum.id, "quantity": 1})],
        })
        self.assertTrue(ra.line_ids.defective)
        ra.action_authorize()
        ra.line_ids.write({"measured_weight_g": 720})  # 8 % left: W3
        ra.action_inspect()
        self.assertEqual(ra.state, "denied")
        self.assertFalse(ra.credit_note_id)
        told = self._mails(ra)[-1]
        self.assertIn("cannot be accepted", told.body)
        self.assertIn("(W3)", told.body)

    def test_a_customer_without_an_email_and_a_user_without_one_do_not_stop_a_return(self):
        self.clerk.partner_id.email = False
        self.env.company.email = False
        self.card_customer.email = False
        self.assertEqual(self._settled_card_return(self.integration).state, "settled")

    # ------------------------------------------------------------------ R7 leaves a trace
    def test_r7_says_where_the_credit_went(self):
        ra = self.ra_model.with_user(self.clerk).create({
            "sale_order_id": self.order.id, "reason": "wrong_item",
            "line_ids": [Command.create({"product_id": self.ink18.id, "quantity": 1})],
        })
        ra.action_authorize()
        ra.action_inspect()
        ra.action_settle()
        credit_note = ra.credit_note_id  # 18.00 less 2.70 restocking = 15.30: 10.00 to the older invoice
        self.assertAlmostEqual(credit_note.amount_total, 15.30, places=2)

        def notes(move):
            return " ".join(move.message_ids.mapped("body"))

        self.assertIn(f"{self.older.name} $10.00", notes(credit_note))
        self.assertIn(f"{self.invoice.name} $5.30", notes(credit_note))
        self.assertIn(credit_note.name, notes(self.older))
        self.assertIn("$10.00 paid by credit note", notes(self.older))
        self.assertIn("$5.30 paid by credit note", notes(self.invoice))

    def test_r7_card_refund_is_noted_on_the_credit_note_and_the_invoice(self):
        ra = self._settled_card_return(self.clerk)
        for move in (ra.credit_note_id, self.card_invoice):
            self.assertIn(ra.sudo().payment_id.name, " ".join(move.message_ids.mapped("body")))
