# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""My Returns and the return request in the customer portal, through HTTP as a customer's browser sends it."""

import re
from datetime import timedelta

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import ImageproCommon


@tagged("post_install", "-at_install")
class TestPortalReturns(ImageproCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.company._imagepro_today()
        cls.company.email = "returns@imagepro.example"
        cls.customer = cls.approved
        cls.portal_user = new_test_user(
            cls.env, login="ip_portal", password="ip_portal-pw", groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        days = lambda n: str(today - timedelta(days=n))  # noqa: E731
        cls.recent, cls.recent_invoice = cls._invoiced_order(cls.customer, [(cls.tn450, 2, 24.99)], days(10), days(9))
        cls.old, cls.old_invoice = cls._invoiced_order(cls.customer, [(cls.tn420, 1, 19.99)], days(70), days(69))
        cls.other_order, cls.other_invoice = cls._invoiced_order(
            cls.card_customer, [(cls.tn450, 1, 24.99)], days(10), days(9), method="card", brand="visa"
        )
        cls.ra_model = cls.env["imagepro.return.authorization"]

    def setUp(self):
        super().setUp()
        self.authenticate("ip_portal", "ip_portal-pw")

    def _form(self, url):
        """The request page, and the CSRF token of its form (as the browser would send it back)."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, response.text[:500])
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        return response, token.group(1) if token else ""

    def _line_id(self, invoice):
        return invoice.invoice_line_ids.filtered(lambda l: l.product_id and l.display_type == "product")[:1].id

    def _request(self, invoice, quantity, defective=False, reason=None, description="", line_id=None, token=None):
        url = f"/my/returns/request/invoice/{invoice.id}"
        _page, form_token = self._form(url)
        line_id = line_id or self._line_id(invoice)
        data = {
            "csrf_token": form_token if token is None else token,
            f"qty_{line_id}": str(quantity),
            "reason_id": (reason or self.env.ref("imagepro_addon.return_reason_wrong_item")).id,
            "description": description,
        }
        if defective:
            data[f"defective_{line_id}"] = "on"
        return self.url_open(url, data=data)

    def _portal_ras(self):
        return self.ra_model.search([("partner_id", "=", self.customer.id), ("channel", "=", "portal")])

    # ------------------------------------------------------------------ list and detail
    def test_list_and_detail_show_the_customers_own_returns(self):
        mine = self.ra_model.create({
            "sale_order_id": self.recent.id, "reason": "wrong_item",
            "line_ids": [Command.create({"product_id": self.tn450.id, "quantity": 1})],
        })
        mine.action_authorize()
        mine.action_inspect()  # approved, less the restocking charge: each line says so with its clause
        theirs = self.ra_model.create({
            "sale_order_id": self.other_order.id, "reason": "wrong_item",
            "line_ids": [Command.create({"product_id": self.tn450.id, "quantity": 1})],
        })
        theirs.action_authorize()
        listing = self.url_open("/my/returns")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(mine.name, listing.text)
        self.assertNotIn(theirs.name, listing.text)
        detail = self.url_open(f"/my/returns/{mine.id}")
        self.assertEqual(detail.status_code, 200)
        for seen in (mine.name, "Toner TN-450", "Shipping instructions", "100 Toner Way", "(R5)", "o_portal_chatter"):
            self.assertIn(seen, detail.text)
        pdf = self.url_open(f"/my/returns/{mine.id}?report_type=pdf&download=1")
        self.assertEqual(pdf.status_code, 200)
        self.assertIn(mine.name, pdf.text)  # test mode renders the report as HTML
        self.assertEqual(self.url_open(f"/my/returns/{theirs.id}").status_code, 404)
        self.logout()
        self.assertIn("/web/login", self.url_open(f"/my/returns/{mine.id}").url)  # not logged in: log in first
        self.assertEqual(self.url_open(f"{mine.get_portal_url()}").status_code, 200)  # the e-mailed link's token
        self.authenticate("ip_portal", "ip_portal-pw")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["return_count"]})
        self.assertEqual(counters["return_count"], 1)

    # ------------------------------------------------------------------ the request
    def test_a_request_whose_dates_pass_is_authorized_and_emailed(self):
        response = self._request(self.recent_invoice, 1, defective=True,
                                 reason=self.env.ref("imagepro_addon.return_reason_defective"),
                                 description="Streaks on every page")
        ra = self._portal_ras()
        self.assertEqual(len(ra), 1, response.text[:1000])
        self.assertIn(f"/my/returns/{ra.id}", response.url)
        self.assertEqual(ra.state, "authorized")
        self.assertRegex(ra.name, r"^RA/\d{4}/\d{5}$")
        self.assertIn(ra.name, response.text)
        self.assertEqual((ra.line_ids.quantity, ra.line_ids.defective), (1.0, True))
        self.assertAlmostEqual(ra.line_ids.unit_price_paid, 24.99, places=2)
        self.assertEqual(ra.reason, "Streaks on every page")
        mail = ra.message_ids.filtered(lambda m: m.message_type == "comment" and self.customer in m.partner_ids)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.author_id, self.company.partner_id)
        self.assertTrue(mail.attachment_ids)

    def test_a_request_that_fails_the_dates_is_refused_with_the_clause_and_nothing_is_made(self):
        line = self._line_id(self.old_invoice)
        response = self._request(self.old_invoice, 1, line_id=line)
        self.assertEqual(response.status_code, 200)
        self.assertIn("(R4)", response.text)
        self.assertIn("ra_request_error", response.text)
        self.assertFalse(self._portal_ras())

    def test_quantities_and_lines_are_checked_on_the_server(self):
        too_many = self._request(self.recent_invoice, 3)
        self.assertIn("At most 2", too_many.text)
        not_theirs = self._request(self.recent_invoice, 1, line_id=self._line_id(self.other_invoice))
        self.assertIn("(W5)", not_theirs.text)
        nothing = self._request(self.recent_invoice, 0)
        self.assertIn("Pick at least one", nothing.text)
        self.assertFalse(self._portal_ras())

    def test_another_customers_invoice_and_order_answer_404(self):
        for url in (f"/my/returns/request/invoice/{self.other_invoice.id}",
                    f"/my/returns/request/order/{self.other_order.id}",
                    "/my/returns/request/invoice/999999"):
            self.assertEqual(self.url_open(url).status_code, 404, url)
        self.assertEqual(self.url_open(f"/my/returns/request/invoice/{self.other_invoice.id}", data={
            "csrf_token": self._form(f"/my/returns/request/invoice/{self.recent_invoice.id}")[1],
            f"qty_{self._line_id(self.other_invoice)}": "1",
        }).status_code, 404)

    def test_a_post_without_the_forms_csrf_token_is_refused(self):
        with self.assertLogs("odoo.http", "WARNING") as logged:
            response = self._request(self.recent_invoice, 1, token="forged")
        self.assertIn("CSRF validation failed", logged.output[0])
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._portal_ras())

    def test_the_company_may_have_a_clerk_authorize_portal_requests(self):
        self.company.imagepro_portal_authorize = False
        self._request(self.recent_invoice, 1, description="Ordered the wrong model",
                      reason=self.env.ref("imagepro_addon.return_reason_other"))
        ra = self._portal_ras()
        self.assertEqual(ra.state, "draft")
        self.assertEqual(ra.reason_id, self.env.ref("imagepro_addon.return_reason_other"))
        self.assertTrue(ra.activity_ids)

    def test_the_order_page_offers_a_return_and_the_request_from_the_order(self):
        page = self.url_open(self.recent.get_portal_url())
        self.assertIn("imagepro_request_return", page.text)
        _response, token = self._form(f"/my/returns/request/order/{self.recent.id}")
        self.assertTrue(token)

    def test_tour_a_customer_requests_a_return_in_the_browser(self):
        self.start_tour(self.recent_invoice.get_portal_url(), "imagepro_portal_return_request", login="ip_portal")
        ra = self._portal_ras()
        self.assertEqual(ra.state, "authorized")
        self.assertTrue(ra.line_ids.defective)
