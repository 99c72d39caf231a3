# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from datetime import datetime, time

from odoo import fields
from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user


class ImageproCommon(TransactionCase):
    """Data for every Image-Pro test: products without taxes, so amounts are exact to the cent."""

    def assertRaisesRegex(self, expected_exception, expected_regex, *args, **kwargs):
        """As unittest's, but in a savepoint like Odoo's assertRaises: what the refused call wrote is undone."""
        if args or kwargs:
            return super().assertRaisesRegex(expected_exception, expected_regex, *args, **kwargs)
        return self._raises_regex(expected_exception, expected_regex)

    def _tracked_fields(self, record):
        """The fields whose changes the chatter of `record` shows (tracking is written when the request ends)."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        return record.sudo().message_ids.tracking_value_ids.field_id.mapped("name")

    @contextmanager
    def _raises_regex(self, expected_exception, expected_regex):
        with self.assertRaises(expected_exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), expected_regex)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company = cls.env.company
        if not cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "sale")], limit=1
        ):
            cls.env["account.chart.template"].try_loading("generic_coa", company=cls.company, install_demo=False)
        cls.company.partner_id.write({"street": "100 Toner Way", "city": "Chicago", "zip": "60601"})
        cls.salesman = new_test_user(
            cls.env, login="ip_sales", groups="imagepro_addon.group_imagepro_user", name="Image-Pro Sales"
        )
        # A returns clerk: Image-Pro / User, and Sales "All Documents" to find any customer's order;
        # no Invoicing rights (the settlement posts the credit note itself).
        cls.clerk = new_test_user(
            cls.env,
            login="ip_clerk",
            groups="imagepro_addon.group_imagepro_user,sales_team.group_sale_salesman_all_leads",
            name="Image-Pro Returns Clerk",
        )
        cls.manager = new_test_user(
            cls.env, login="ip_manager", groups="imagepro_addon.group_imagepro_manager", name="Image-Pro Manager"
        )
        cls.integration = new_test_user(
            cls.env, login="ip_sync", groups="imagepro_addon.group_imagepro_integration", name="Image-Pro Sync"
        )
        product = cls.env["product.product"]
        common = {"type": "consu", "taxes_id": [Command.clear()], "invoice_policy": "order"}
        cls.tn450 = product.create(
            dict(common, name="Toner TN-450", default_code="IP-TN450", list_price=24.99,
                 imagepro_is_cartridge=True, imagepro_full_weight_g=950, imagepro_empty_weight_g=700)
        )
        cls.tn420 = product.create(dict(common, name="Toner TN-420", default_code="IP-TN420", list_price=19.99))
        cls.ink18 = product.create(dict(common, name="Ink 18", default_code="IP-INK18", list_price=18.00))
        cls.tn25 = product.create(dict(common, name="Toner 25", default_code="IP-TN25", list_price=25.00))
        cls.drum = product.create(
            dict(common, name="Drum DR-630", default_code="IP-DR630", list_price=31.50,
                 imagepro_is_cartridge=True, imagepro_full_weight_g=950, imagepro_empty_weight_g=700)
        )
        cls.service_charge = cls.env.ref("imagepro_addon.product_service_charge")
        cls.freight = cls.env.ref("imagepro_addon.product_freight")
        cls.restocking = cls.env.ref("imagepro_addon.product_restocking")
        partner = cls.env["res.partner"]
        cls.approved = partner.create({"name": "Lakeside Dental", "ref": "C-1001", "email": "ap@lakeside.example"})
        cls.approved.with_user(cls.manager).action_imagepro_approve_credit()
        cls.unapproved = partner.create({"name": "Walk-in Print Shop", "ref": "C-2002"})
        cls.card_customer = partner.create({"name": "Card Customer", "ref": "C-3003"})

    @staticmethod
    def _order_doc(ref="WEB-100234", payment=None, customer=None, lines=None, order_date="2026-10-30"):
        """An order document as the worker posts it to the sync API."""
        return {
            "type": "order", "ref": ref, "channel": "web", "order_date": order_date,
            "customer": customer or {"ref": "C-1001", "name": "Lakeside Dental", "credit_approved": True},
            "lines": lines or [{"sku": "IP-TN450", "quantity": 2, "unit_price": "24.99", "discount_percent": "0"}],
            "freight": {"method": "ground", "amount": "8.50"},
            "payment": payment or {"method": "open_account"},
        }

    @classmethod
    def _order(cls, partner, lines, order_date="2026-10-30", method="open_account", brand=False, freight=0.0):
        vals_lines = [
            Command.create({"product_id": p.id, "product_uom_qty": q, "price_unit": price})
            for p, q, price in lines
        ]
        if freight:
            vals_lines.append(
                Command.create({"product_id": cls.freight.id, "product_uom_qty": 1, "price_unit": freight})
            )
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": cls.salesman.id,
                "date_order": datetime.combine(fields.Date.to_date(order_date), time(12, 0)),
                "imagepro_payment_method": method,
                "imagepro_card_brand": brand,
                "order_line": vals_lines,
            }
        )

    @classmethod
    def _invoiced_order(cls, partner, lines, order_date, ship_date, method="open_account", brand=False):
        order = cls._order(partner, lines, order_date, method, brand)
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.write(
            {
                "invoice_date": ship_date,
                "invoice_payment_term_id": cls.env.ref("account.account_payment_term_30days").id,
            }
        )
        invoice.action_post()
        if method == "card":
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": ship_date})._create_payments()
        return order, invoice

    @classmethod
    def _invoice(cls, partner, amount, invoice_date):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": cls.env.ref("account.account_payment_term_30days").id,
                "invoice_line_ids": [
                    Command.create({"product_id": cls.tn420.id, "quantity": 1, "price_unit": amount})
                ],
            }
        )
        invoice.action_post()
        return invoice
