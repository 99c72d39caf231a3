# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.imagepro_addon.models.chatter import integration_author

# A datetime (naive UTC) to date the transfers validated in this context at, rather than now.
DATE_DONE_CTX = "imagepro_date_done"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    imagepro_ra_id = fields.Many2one(
        "imagepro.return.authorization", string="Return Authorization", copy=False, readonly=True,
        index="btree_not_null", check_company=True,
    )

    def _action_done(self):
        res = super()._action_done()
        done = self.filtered(lambda p: p.state == "done")
        done_at = self.env.context.get(DATE_DONE_CTX)
        if done_at:
            done.write({"date_done": done_at})
            done.move_ids.filtered(lambda m: m.state == "done").write({"date": done_at})
            done.move_line_ids.write({"date": done_at})
        done._imagepro_record_shipment()
        return res

    def _imagepro_record_shipment(self):
        """R1 counts the return window from the day the goods shipped: the order's first delivery sets it,
        as the calendar day in the terms' time zone."""
        deliveries = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.sale_id and p.date_done)
        for picking in deliveries.sorted("date_done"):
            order = picking.sale_id
            if not order.imagepro_shipped_on:
                # sudo: validating the delivery is the shipment; only a manual correction of 'Shipped On'
                # needs an Image-Pro manager (the base's write guard).
                order.sudo().imagepro_shipped_on = picking.company_id._imagepro_local_date(picking.date_done)

    def _imagepro_validate_in_full(self):
        """Validate every open move for its whole demand, without the backorder wizard."""
        for picking in self:
            moves = picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            for move in moves:
                move.quantity = move.product_uom_qty
            moves.picked = True
            picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()
            if picking.state != "done":
                raise UserError(self.env._(
                    "%(picking)s could not be validated in full; validate it in Inventory.", picking=picking.name
                ))
        return True

    def _imagepro_validate_quantities(self, quantities):
        """Validate `quantities` ({move: quantity}) of this transfer; what is left of each move stays open in
        a backorder (a partial shipment)."""
        self.ensure_one()
        for move, qty in quantities.items():
            move.quantity = qty
        moves = self.env["stock.move"].concat(*quantities)
        moves.picked = True
        (self.move_ids.filtered(lambda m: m.state not in ("done", "cancel")) - moves).quantity = 0
        self.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
        if self.state != "done":
            raise UserError(self.env._("%(picking)s could not be validated; validate it in Inventory.",
                                       picking=self.name))
        return True

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        return integration_author(self, author_id, email_from, raise_on_email) or super()._message_compute_author(
            author_id, email_from, raise_on_email
        )
