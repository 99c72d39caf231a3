# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""W5 on every path: an RA returns what was invoiced on its order, at the price paid, never more units
than are left; its dates and payment come from the order. Through the form, the ORM as each role
(as XML-RPC create/write would), and the sync API."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import ImageproCommon


@freeze_time("2026-11-20 12:00:00")  # noon in Chicago
@tagged("post_install", "-at_install")
class TestRaInvoicedLines(ImageproCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One drum invoiced at 31.50 (example 9), one TN-450 at 24.99 on another order.
        cls.drum_order, cls.drum_invoice = cls._invoiced_order(
            cls.card_customer, [(cls.drum, 1, 31.50)], "2026-03-10", "2026-03-11", method="card", brand="visa"
        )
        cls.toner_order, cls.toner_invoice = cls._invoiced_order(
            cls.approved, [(cls.tn450, 1, 24.99)], "2026-11-10", "2026-11-12"
        )
        cls.ra_model = cls.env["imagepro.return.authorization"]

    def _vals(self, order, lines, **extra):
        return dict(
            {
                "sale_order_id": order.id,
                "reason": "Streaks on every page",
                "line_ids": [Command.create(dict({"defective": True}, **line)) for line in lines],
            },
            **extra,
        )

    def test_form_offers_the_invoiced_lines_at_the_price_paid(self):
        form = Form(self.ra_model.with_user(self.clerk))
        form.sale_order_id = self.drum_order
        self.assertEqual(form.partner_id, self.card_customer)
        self.assertEqual(str(form.purchase_date), "2026-03-10")
        self.assertEqual(str(form.shipment_date), "2026-03-11")
        self.assertEqual(form.payment_method, "card")
        self.assertEqual(len(form.line_ids), 1)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.product_id, self.drum)
            self.assertEqual(line.quantity, 1.0)
            self.assertAlmostEqual(line.unit_price_paid, 31.50, places=2)
            with self.assertRaises(AssertionError):  # read-only in the form when the RA has an order
                line.unit_price_paid = 35.00
            line.defective = True
        form.reason = "Streaks on every page"
        ra = form.save()
        self.assertEqual(ra.invoice_id, self.drum_invoice)
        self.assertEqual(ra.line_ids.invoice_line_id.move_id, self.drum_invoice)
        ra.action_authorize()
        ra.line_ids.measured_weight_g = 790
        ra.action_inspect()
        ra.action_settle()
        self.assertAlmostEqual(ra.credit_note_id.amount_total, 31.50, places=2)  # example 9, to the cent
        self.assertAlmostEqual(ra.sudo().payment_id.amount, 31.50, places=2)

    def test_price_above_what_was_invoiced_is_refused_for_every_role(self):
        for user in (self.clerk, self.manager, self.integration):
            with self.subTest(user=user.login), self.assertRaisesRegex(ValidationError, r"31\.50 a unit.*\(W5\)"):
                self.ra_model.with_user(user).create(
                    self._vals(self.drum_order, [{"product_id": self.drum.id, "unit_price_paid": 35.00}])
                )
        ra = self.ra_model.with_user(self.clerk).create(
            self._vals(self.drum_order, [{"product_id": self.drum.id}])
        )
        self.assertAlmostEqual(ra.line_ids.unit_price_paid, 31.50, places=2)
        with self.assertRaisesRegex(ValidationError, r"\(W5\)"):
            ra.line_ids.with_user(self.clerk).write({"unit_price_paid": 35.00})
        with self.assertRaisesRegex(ValidationError, r"\(W5\)"):
            ra.line_ids.sudo().write({"unit_price_paid": 35.00})  # not even the superuser credits more than paid

    def test_more_units_than_invoiced_or_a_product_not_on_the_order_are_refused(self):
        clerk_model = self.ra_model.with_user(self.clerk)
        with self.assertRaisesRegex(ValidationError, r"Only 1 of .*TN-450.* 1 invoiced.*\(W5\)"):
            clerk_model.create(self._vals(self.toner_order, [{"product_id": self.tn450.id, "quantity": 5}]))
        with self.assertRaisesRegex(ValidationError, r"Toner TN-420 was not invoiced on order .*\(W5\)"):
            clerk_model.create(
                self._vals(self.toner_order, [{"product_id": self.tn450.id}, {"product_id": self.tn420.id}])
            )
        ra = clerk_model.create(self._vals(self.toner_order, [{"product_id": self.tn450.id}]))
        with self.assertRaisesRegex(ValidationError, r"\(W5\)"):
            ra.line_ids.with_user(self.clerk).write({"quantity": 2})
        with self.assertRaisesRegex(ValidationError, r"\(W5\)"):
            ra.line_ids.with_user(self.clerk).write({"product_id": self.tn420.id})

    def test_units_on_one_ra_are_not_returnable_on_another_until_it_is_cancelled(self):
        clerk_model = self.ra_model.with_user(self.clerk)
        first = clerk_model.create(self._vals(self.toner_order, [{"product_id": self.tn450.id}]))
        with self.assertRaisesRegex(ValidationError, r"Only 0 of .* 1 on other returns \(W5\)"):
            clerk_model.create(self._vals(self.toner_order, [{"product_id": self.tn450.id}]))
        first.with_user(self.clerk).action_cancel()
        second = clerk_model.create(self._vals(self.toner_order, [{"product_id": self.tn450.id}]))
        with self.assertRaisesRegex(ValidationError, r"\(W5\)"):
            first.with_user(self.clerk).action_draft()  # the unit went back on the second RA meanwhile
        self.assertEqual(second.state, "draft")

    def test_lines_are_fixed_once_authorized(self):
        ra = self.ra_model.with_user(self.clerk).create(self._vals(self.toner_order, [{"product_id": self.tn450.id}]))
        ra.with_user(self.clerk).action_authorize()
        self.assertEqual(ra.state, "authorized")
        with self.assertRaisesRegex(UserError, r"fixed once it is authorized \(W5\)"):
            ra.line_ids.with_user(self.clerk).write({"quantity": 0.5})
        with self.assertRaisesRegex(UserError, r"\(W5\)"):
            ra.line_ids.with_user(self.clerk).unlink()
        with self.assertRaises(UserError):
            ra.with_user(self.clerk).write({"sale_order_id": self.drum_order.id})
        ra.line_ids.with_user(self.clerk).write({"measured_weight_g": 800, "resalable": False})  # the dock's facts

    def test_a_return_without_its_order_is_a_managers_with_a_confirmed_price(self):
        vals = {
            "partner_id": self.approved.id,
            "reason": "Bought before we used Odoo",
            "purchase_date": "2026-10-01",
            "shipment_date": "2026-10-02",
            "payment_method": "open_account",
            "line_ids": [Command.create({"product_id": self.tn420.id, "unit_price_paid": 19.99, "defective": True})],
        }
        with self.assertRaisesRegex(ValidationError, r"needs its origin order.*\(W5\)"):
            self.ra_model.with_user(self.clerk).create(vals)
        with self.assertRaisesRegex(ValidationError, r"needs its origin order"):
            self.ra_model.with_user(self.integration).create(vals)
        ra = self.ra_model.with_user(self.manager).create(vals)
        ra.line_ids.with_user(self.clerk).write({"unit_price_paid": 99.0})  # a clerk may touch it in draft...
        with self.assertRaisesRegex(AccessError, r"manager must confirm the prices paid.*\(W5\)"):
            ra.with_user(self.clerk).action_authorize()  # ...but not authorize it
        ra.line_ids.with_user(self.manager).write({"unit_price_paid": 19.99})
        ra.with_user(self.manager).action_authorize()
        self.assertEqual(ra.state, "authorized")
        self.assertIn("Prices paid confirmed by Image-Pro Manager", " ".join(ra.message_ids.mapped("body")))

    def test_dates_and_payment_come_from_the_order(self):
        clerk_model = self.ra_model.with_user(self.clerk)
        for field, value in (
            ("shipment_date", "2026-11-19"),
            ("purchase_date", "2026-11-19"),
            ("payment_method", "card"),
        ):
            with self.subTest(field=field), self.assertRaisesRegex(ValidationError, r"only an Image-Pro manager"):
                clerk_model.create(self._vals(self.toner_order, [{"product_id": self.tn450.id}], **{field: value}))
        with self.assertRaisesRegex(ValidationError, r"requested on the day it is entered \(2026-11-20\)"):
            clerk_model.create(
                self._vals(self.toner_order, [{"product_id": self.tn450.id}], requested_on="2026-11-13")
            )
        ra = clerk_model.create(self._vals(self.toner_order, [{"product_id": self.tn450.id}]))
        self.assertEqual((str(ra.purchase_date), str(ra.shipment_date)), ("2026-11-10", "2026-11-12"))
        self.assertEqual(str(ra.requested_on), "2026-11-20")
        with self.assertRaises(ValidationError):
            ra.with_user(self.clerk).write({"shipment_date": "2026-11-19"})
        tracked_ra = ra.with_context(tracking_disable=False, mail_notrack=False).with_user(self.manager)
        tracked_ra.write({"shipment_date": "2026-11-14"})  # a manager corrects it, tracked
        tracked_ra.write({"requested_on": "2026-11-19"})
        tracked = self._tracked_fields(ra)
        self.assertIn("shipment_date", tracked)
        self.assertIn("requested_on", tracked)

    def test_the_sync_api_meets_the_same_rule(self):
        self.toner_order.imagepro_sync_ref = "WEB-W5"
        doc = {
            "type": "return", "ref": "RAREQ-W5", "order_ref": "WEB-W5", "customer": {"ref": "C-1001"},
            "requested_on": "2026-11-20", "purchase_date": "2026-11-10", "shipment_date": "2026-11-12",
            "reason": "Streaks", "payment_method": "open_account",
            "lines": [{"sku": "IP-TN450", "quantity": 5, "unit_price_paid": "35.00", "defective": True}],
        }
        res = self.env["imagepro.sync"].with_user(self.integration).sync_returns([doc])[0]
        self.assertEqual((res["status"], res["error_class"]), ("error", "permanent"), res)
        self.assertIn("(W5)", res["message"])
        doc["lines"][0]["quantity"] = 1
        res = self.env["imagepro.sync"].with_user(self.integration).sync_returns([doc])[0]
        self.assertEqual(res["status"], "created", res)
        ra = self.ra_model.browse(res["ids"]["ra_id"])
        self.assertAlmostEqual(ra.line_ids.unit_price_paid, 24.99, places=2)  # 35.00 capped at the invoice (W5)
