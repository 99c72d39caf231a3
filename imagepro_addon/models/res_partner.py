# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from .chatter import post_note
from .sale_order import is_immediate
from .window_actions import RA_GROUP, new_return, open_records


class ResPartner(models.Model):
    _inherit = "res.partner"

    imagepro_credit_approved = fields.Boolean(
        string="Credit Approved", readonly=True, copy=False, tracking=True,
        help="O3: open account (Net 30) only for customers whose credit is approved.",
    )
    imagepro_credit_approved_by = fields.Many2one("res.users", string="Credit Approved By", readonly=True, copy=False)
    imagepro_credit_approved_on = fields.Date(string="Credit Approved On", readonly=True, copy=False)

    imagepro_ra_count = fields.Integer(string="Returns Count", compute="_compute_imagepro_ra_count", groups=RA_GROUP)

    def _imagepro_check_manager(self):
        if not self.env.user.has_group("imagepro_addon.group_imagepro_manager"):
            raise AccessError(self.env._("Only Image-Pro managers can approve or revoke customer credit (O3)."))

    def _imagepro_open_quotations(self):
        """Draft and sent orders of these customers (their contacts included), for every company."""
        return self.env["sale.order"].sudo().search(
            [
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("state", "in", ("draft", "sent")),
            ]
        )

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
                    "imagepro_credit_approved_on": company._imagepro_today(),
                    "property_payment_term_id": term.id,
                }
            )
        self._imagepro_open_quotations()._imagepro_release_hold(
            self.env._("Credit approved by %(user)s: the order can be confirmed on open account (O3).",
                       user=self.env.user.name)
        )
        return True

    def action_imagepro_revoke_credit(self):
        """O3: no more open account: Net 30 goes from the customer and from its open quotations."""
        self._imagepro_check_manager()
        self.sudo().write(  # sudo: see action_imagepro_approve_credit
            {
                "imagepro_credit_approved": False,
                "imagepro_credit_approved_by": False,
                "imagepro_credit_approved_on": False,
                "property_payment_term_id": False,
            }
        )
        for order in self._imagepro_open_quotations().filtered(lambda o: not is_immediate(o.payment_term_id)):
            order.payment_term_id = False
            post_note(order, self.env._("Credit revoked by %(user)s: payment terms removed; the order needs "
                                        "approved credit or a card payment (O3).", user=self.env.user.name))
        return True

    # ------------------------------------------------------------------ the returns desk
    def _imagepro_returns_domain(self):
        """The returns of these customers' companies, their contacts' included."""
        return [("partner_id", "child_of", self.commercial_partner_id.ids)]

    def _compute_imagepro_ra_count(self):
        counts = dict(self.env["imagepro.return.authorization"]._read_group(
            self._imagepro_returns_domain(), ["partner_id"], ["__count"]
        ))
        for partner in self:
            partner.imagepro_ra_count = sum(
                count for p, count in counts.items() if p.commercial_partner_id == partner.commercial_partner_id
            )

    def action_imagepro_view_returns(self):
        self.ensure_one()
        ras = self.env["imagepro.return.authorization"].search(self._imagepro_returns_domain())
        action = open_records(ras, self.env._("Returns"))
        action["context"] = {"default_partner_id": self.id}
        if len(ras) != 1:
            action["domain"] = self._imagepro_returns_domain()
        return action

    def action_imagepro_return(self):
        """A new RA for this customer: the clerk picks the order (its invoiced lines follow)."""
        self.ensure_one()
        return new_return(self.env, self.env._("Return"), {"default_partner_id": self.id})
