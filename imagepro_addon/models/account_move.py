# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .chatter import integration_author
from .window_actions import RA_GROUP, new_return, open_records


class AccountMove(models.Model):
    _inherit = "account.move"

    imagepro_sync_ref = fields.Char(string="Sync Reference", copy=False, index=True, readonly=True)
    imagepro_ra_id = fields.Many2one("imagepro.return.authorization", string="Return Authorization", copy=False)

    imagepro_ra_ids = fields.One2many(
        "imagepro.return.authorization", "invoice_id", string="Returns", groups=RA_GROUP
    )
    imagepro_ra_count = fields.Integer(string="Returns Count", compute="_compute_imagepro_ra_count", groups=RA_GROUP)
    imagepro_credit_note_count = fields.Integer(string="Credit Notes Count", compute="_compute_imagepro_credit_notes")
    imagepro_sale_order_id = fields.Many2one(
        "sale.order", string="Sale Order", compute="_compute_imagepro_sale_order_id",
        help="The order this customer invoice bills, which its goods are returned on.",
    )

    _sql_constraints = [
        (
            "imagepro_sync_ref_uniq",
            "unique(company_id, imagepro_sync_ref)",
            "A synchronized document reference must be unique per company.",
        )
    ]

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        return integration_author(self, author_id, email_from, raise_on_email) or super()._message_compute_author(
            author_id, email_from, raise_on_email
        )

    # ------------------------------------------------------------------ the returns desk
    @api.depends("imagepro_ra_ids")
    def _compute_imagepro_ra_count(self):
        for move in self:
            move.imagepro_ra_count = len(move.imagepro_ra_ids)

    @api.depends("reversal_move_ids")
    def _compute_imagepro_credit_notes(self):
        for move in self:
            move.imagepro_credit_note_count = len(move._imagepro_credit_notes())

    @api.depends("invoice_line_ids.sale_line_ids")
    def _compute_imagepro_sale_order_id(self):
        for move in self:
            orders = move.invoice_line_ids.sale_line_ids.order_id if move.move_type == "out_invoice" else False
            move.imagepro_sale_order_id = orders[:1] if orders else False

    def _imagepro_credit_notes(self):
        self.ensure_one()
        return self.reversal_move_ids.filtered(lambda m: m.move_type == "out_refund")

    def _imagepro_can_return_from(self):
        """W5: goods are returned from a posted customer invoice of a sale order."""
        self.ensure_one()
        return self.move_type == "out_invoice" and self.state == "posted" and bool(self.imagepro_sale_order_id)

    def action_imagepro_return(self):
        """A new RA on the invoice's order, offering this invoice's lines (W5)."""
        self.ensure_one()
        if not self._imagepro_can_return_from():
            raise UserError(self.env._(
                "Goods are returned from a posted customer invoice of a sale order (W5); %(move)s is not one.",
                move=self.name,
            ))
        order = self.imagepro_sale_order_id
        return new_return(self.env, self.env._("Return"), {
            "default_sale_order_id": order.id, "default_partner_id": order.partner_id.id,
            "imagepro_return_invoice_id": self.id,
        })

    def action_imagepro_view_returns(self):
        return open_records(self.imagepro_ra_ids, self.env._("Returns"))

    def action_imagepro_view_credit_notes(self):
        return open_records(self._imagepro_credit_notes(), self.env._("Credit Notes"))

    def action_imagepro_view_ra(self):
        return open_records(self.imagepro_ra_id, self.env._("Return Authorization"))
