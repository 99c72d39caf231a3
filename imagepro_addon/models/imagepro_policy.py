# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

import imagepro_policy

from odoo import api, fields, models
from odoo.exceptions import ValidationError

CARD_FIELDS = {
    "visa": "accept_visa",
    "mastercard": "accept_mastercard",
    "discover": "accept_discover",
    "amex": "accept_amex",
}


def to_dec(value):
    """A float the ORM holds, as the exact Decimal a person typed (24.99 -> Decimal('24.99'))."""
    return Decimal(str(value or 0))


def to_money(value):
    """A monetary float as a Decimal with cents (50.0 -> Decimal('50.00'))."""
    return to_dec(value).quantize(Decimal("0.01"))


def to_plain(value):
    """A percentage float without a spurious '.0' (15.0 -> Decimal('15'), 12.5 -> Decimal('12.5'))."""
    dec = to_dec(value)
    return dec.quantize(Decimal(1)) if dec == dec.to_integral_value() else dec


class ImageproPolicy(models.Model):
    _name = "imagepro.policy"
    _description = "Image-Pro Policy Version"
    _order = "company_id, effective_from desc"

    name = fields.Char(compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    effective_from = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Orders are judged by the version in force on their order date; "
        "returns and warranty claims by the version in force on the purchase date.",
    )
    minimum_order = fields.Monetary(default=50.0, help="O1: minimum merchandise subtotal.")
    service_charge = fields.Monetary(default=3.0, help="O1: charge under the minimum.")
    net_days = fields.Integer(default=30, help="O3, O7: open account due days.")
    accept_visa = fields.Boolean(string="Visa", default=True)
    accept_mastercard = fields.Boolean(string="MasterCard", default=True)
    accept_discover = fields.Boolean(string="Discover", default=True)
    accept_amex = fields.Boolean(string="American Express", default=True)
    return_window_days = fields.Integer(default=30, help="R1: days after shipment.")
    nondefective_max_age_days = fields.Integer(
        string="Non-defective Max Age (days)", default=60, help="R4: days after purchase."
    )
    restocking_percent = fields.Float(default=15.0, help="R5")
    warranty_months = fields.Integer(default=12, help="W1")
    toner_threshold_percent = fields.Float(default=10.0, help="W3")

    _sql_constraints = [
        (
            "company_effective_from_uniq",
            "unique(company_id, effective_from)",
            "Two policy versions of a company cannot start on the same date.",
        )
    ]

    @api.depends("effective_from")
    def _compute_name(self):
        for rec in self:
            rec.name = f"Policy from {rec.effective_from}" if rec.effective_from else "Policy"

    def _prepare_policy_mapping(self):
        """The values of imagepro_policy.PolicyVersion (keys are its dataclass field names)."""
        self.ensure_one()
        return {
            "effective_from": self.effective_from.isoformat(),
            "minimum_order": to_money(self.minimum_order),
            "service_charge": to_money(self.service_charge),
            "net_days": self.net_days,
            "accepted_card_brands": [b for b, fname in CARD_FIELDS.items() if self[fname]],
            "return_window_days": self.return_window_days,
            "nondefective_max_age_days": self.nondefective_max_age_days,
            "restocking_percent": to_plain(self.restocking_percent),
            "warranty_months": self.warranty_months,
            "toner_threshold_percent": to_plain(self.toner_threshold_percent),
        }

    def _to_policy_version(self):
        self.ensure_one()
        try:
            return imagepro_policy.PolicyVersion.from_mapping(self._prepare_policy_mapping())
        except imagepro_policy.PolicyError as exc:
            raise ValidationError(str(exc)) from exc

    @api.constrains(
        "minimum_order",
        "service_charge",
        "net_days",
        "return_window_days",
        "nondefective_max_age_days",
        "restocking_percent",
        "warranty_months",
        "toner_threshold_percent",
    )
    def _check_policy_values(self):
        for rec in self:
            rec._to_policy_version()

    @api.model
    def _imagepro_update_open_quotations(self, companies, since):
        """O1 follows the terms: quotations of `companies` ordered on or after `since` get their charge redone."""
        self.env["sale.order"].search(
            [
                ("company_id", "in", companies.ids),
                ("state", "in", ("draft", "sent")),
                ("imagepro_order_date", ">=", since),
            ]
        )._imagepro_update_service_charge()

    @api.model_create_multi
    def create(self, vals_list):
        versions = super().create(vals_list)
        if versions:
            self._imagepro_update_open_quotations(versions.company_id, min(versions.mapped("effective_from")))
        return versions

    def write(self, vals):
        changed = {"effective_from", "minimum_order", "service_charge", "active", "company_id"} & set(vals)
        old_start = min(self.mapped("effective_from"), default=None)
        companies = self.company_id
        res = super().write(vals)
        if changed and self:
            self._imagepro_update_open_quotations(companies | self.company_id, min(old_start, *self.mapped("effective_from")))
        return res
