# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    imagepro_credit_approved = fields.Boolean(
        string="Credit Approved", readonly=True, copy=False, tracking=True,
        help="O3: open account (Net 30) only for customers whose credit is approved.",
    )
    imagepro_credit_approved_by = fields.Many2one("res.users", string="Credit Approved By", readonly=True, copy=False)
    imagepro_credit_approved_on = fields.Date(string="Credit Approved On", readonly=True, copy=False)

    def _imagepro_check_manager(self):
        if not self.env.user.has_group("imagepro_addon.group_imagepro_manager"):
            raise AccessError(self.env._("Only Image-Pro managers can approve or revoke customer credit (O3)."))

    def action_imagepro_approve_credit(self):
        self._imagepro_check_manager()
        for partner in self:
            company = partner.company_id or self.env.company
            term = company._imagepro_net30_term()
            if not term:
                raise UserError(self.env._("The Net 30 payment term is missing."))
            # sudo after the manager check above: a credit approver need not hold contact-edit or
            # accounting rights; only these four fields are written.
            partner.sudo().write(
                {
                    "imagepro_credit_approved": True,
                    "imagepro_credit_approved_by": self.env.user.id,
                    "imagepro_credit_approved_on": fields.Date.context_today(self),
                    "property_payment_term_id": term.id,
                }
            )
        return True

    def action_imagepro_revoke_credit(self):
        self._imagepro_check_manager()
        self.sudo().write(  # sudo: see action_imagepro_approve_credit
            {
                "imagepro_credit_approved": False,
                "imagepro_credit_approved_by": False,
                "imagepro_credit_approved_on": False,
            }
        )
        return True
