# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

import imagepro_policy

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import _tz_get


class ResCompany(models.Model):
    _inherit = "res.company"

    imagepro_portal_authorize = fields.Boolean(
        string="Authorize Portal Returns at Once", default=True,
        help="A return a customer requests in the portal whose dates pass the terms (R1, R4, W1) gets its RA "
        "number at once; unticked, it waits as a draft for a returns clerk.",
    )
    imagepro_time_zone = fields.Selection(
        _tz_get,
        string="Terms Time Zone",
        default=imagepro_policy.DEFAULT_TIME_ZONE,
        required=True,
        help="The calendar date of every time the terms count from (order, shipment, return request) is "
        "the date in this time zone, whoever enters it and wherever the server runs.",
    )

    def _imagepro_local_date(self, instant):
        """The calendar date of a UTC datetime (as Odoo stores it) in the terms' time zone."""
        self.ensure_one()
        return imagepro_policy.local_date(fields.Datetime.to_datetime(instant), self.imagepro_time_zone)

    def _imagepro_today(self):
        """Today in the terms' time zone (not the user's, nor the server's)."""
        self.ensure_one()
        return self._imagepro_local_date(datetime.utcnow())

    def _imagepro_policy_book(self):
        """The company's effective-dated policy versions as an imagepro_policy.PolicyBook.

        A company without any version is judged by the T&C defaults (imagepro_policy.DEFAULT_POLICY).
        """
        self.ensure_one()
        records = (
            self.env["imagepro.policy"]
            .sudo()
            .search([("company_id", "=", self.id)], order="effective_from")
        )
        if not records:
            return imagepro_policy.DEFAULT_POLICY
        try:
            return imagepro_policy.PolicyBook(tuple(r._to_policy_version() for r in records))
        except imagepro_policy.PolicyError as exc:
            raise UserError(self.env._("Image-Pro policy of %(company)s: %(error)s", company=self.name, error=exc)) from exc

    def _imagepro_product(self, key):
        """One of the Image-Pro charge products: 'service_charge', 'freight' or 'restocking'."""
        product = self.env.ref(f"imagepro_addon.product_{key}", raise_if_not_found=False)
        if not product:
            raise UserError(self.env._("The Image-Pro product %(key)s is missing; reinstall imagepro_addon.", key=key))
        return product

    def _imagepro_charge_products(self):
        """The service-charge, freight and restocking products (not merchandise for O1)."""
        products = self.env["product.product"]
        for key in ("service_charge", "freight", "restocking"):
            products |= self.env.ref(f"imagepro_addon.product_{key}", raise_if_not_found=False) or products.browse()
        return products

    def _imagepro_net30_term(self):
        return self.env.ref("account.account_payment_term_30days", raise_if_not_found=False)

    def _imagepro_sale_journal(self):
        self.ensure_one()
        return self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(self), ("type", "=", "sale")], limit=1
        )

    def _imagepro_card_journal(self, create=True):
        """The bank-type journal 'Card Payments' (code CARD) of the company, made when missing."""
        self.ensure_one()
        journal_model = self.env["account.journal"]
        journal = journal_model.search([("company_id", "=", self.id), ("code", "=", "CARD")], limit=1)
        if not journal and create:
            # sudo: creating a journal (and its bank account) needs Accounting/Administrator rights,
            # which the integration user must not hold; this is the only record made that way.
            journal = journal_model.sudo().create(
                {"name": "Card Payments", "code": "CARD", "type": "bank", "company_id": self.id}
            )
            # Outstanding accounts on the card methods, so a card payment posts a journal entry and
            # reconciles the invoice (Odoo 18 otherwise keeps account-less payments "in process").
            payment_model = self.env["account.payment"].with_company(self).sudo()
            payment_model = payment_model.new({"company_id": self.id})
            journal.inbound_payment_method_line_ids.payment_account_id = payment_model._get_outstanding_account("inbound")
            journal.outbound_payment_method_line_ids.payment_account_id = payment_model._get_outstanding_account(
                "outbound"
            )
            journal = journal.sudo(False)
        return journal

    def _imagepro_ra_sequence(self):
        """The RA sequence of the company (RA/%(year)s/ padding 5), copied from the template when missing."""
        self.ensure_one()
        seq_model = self.env["ir.sequence"].sudo()  # sequences are admin records; read/copy only
        seq = seq_model.search([("code", "=", "imagepro.return.authorization"), ("company_id", "=", self.id)], limit=1)
        if not seq:
            template = self.env.ref("imagepro_addon.seq_imagepro_return_authorization").sudo()
            if not template.company_id or template.company_id == self:
                if not template.company_id:
                    template.company_id = self
                seq = template
            else:
                seq = template.copy({"company_id": self.id, "number_next": 1})
        return seq
