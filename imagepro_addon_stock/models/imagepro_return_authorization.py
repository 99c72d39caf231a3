# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from odoo.addons.imagepro_addon.models.chatter import post_note
from odoo.addons.imagepro_addon.models.window_actions import open_records


class ImageproReturnAuthorization(models.Model):
    _inherit = "imagepro.return.authorization"

    picking_ids = fields.One2many("stock.picking", "imagepro_ra_id", string="Transfers", readonly=True)
    picking_count = fields.Integer(string="Transfer Count", compute="_compute_picking_count")

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        # sudo: the count is shown to anyone who sees the return; opening the transfers needs Inventory's rights.
        for ra in self:
            ra.picking_count = len(ra.sudo().picking_ids)

    # ------------------------------------------------------------------ actions
    def action_receive(self):
        """The dock confirms the goods arrived: they are received into the Returns location at once."""
        res = super().action_receive()
        self._imagepro_receive_goods()
        return res

    def action_inspect(self):
        """Once decided, each line's goods leave the Returns location by the sorting rule. A return inspected
        without being received first (the sync's return that comes with its inspection) is received now."""
        res = super().action_inspect()
        decided = self.filtered(lambda ra: ra.state in ("inspected", "denied"))
        decided._imagepro_receive_goods()
        decided._imagepro_sort_goods()
        return res

    def action_deny(self):
        """A return denied by hand after its goods came in: they leave the Returns location for remanufacturing,
        as a denial at inspection sends them."""
        res = super().action_deny()
        self.filtered(lambda ra: ra.sudo()._imagepro_receipts())._imagepro_sort_goods()
        return res

    def action_cancel(self):
        """Goods on the dock belong somewhere: a return whose goods are still in the Returns location is denied
        (they go to remanufacturing) or its goods moved in Inventory, not cancelled with them left behind."""
        for ra in self:
            waiting = ra.sudo().line_ids.filtered(lambda l: l._imagepro_quantities_to_sort())
            if waiting:
                raise UserError(self.env._(
                    "%(ra)s: its goods were received and are still in %(location)s. Deny the return instead "
                    "(they go to remanufacturing), or move them in Inventory first.",
                    ra=ra.name, location=", ".join(
                        loc.display_name for loc in waiting[0]._imagepro_quantities_to_sort()),
                ))
        return super().action_cancel()

    def action_view_pickings(self):
        self.ensure_one()
        return open_records(self.picking_ids, self.env._("Transfers"))

    # ------------------------------------------------------------------ receipt
    def _imagepro_warehouse(self):
        self.ensure_one()
        return self.sale_order_id.warehouse_id or self.company_id._imagepro_warehouse()

    def _imagepro_receipts(self):
        return self.picking_ids.filtered(lambda p: p.picking_type_code == "incoming" and p.state != "cancel")

    def _imagepro_receive_goods(self):
        """One done receipt per RA (per origin delivery when there were several), one move per line."""
        # The clerk's right to act on the return is checked here; the transfers are then made with the
        # warehouse's rights, for exactly the RA's lines and quantities.
        self.check_access("write")
        for ra in self:
            stock_ra = ra.sudo().with_company(ra.company_id)
            lines = stock_ra.line_ids.filtered(lambda l: l._imagepro_is_stocked())
            if not lines or stock_ra._imagepro_receipts():
                continue
            receipts = stock_ra._imagepro_create_receipts(lines)
            receipts._imagepro_validate_in_full()
            post_note(ra, self.env._(
                "Received into %(location)s: %(receipts)s.",
                location=receipts.location_dest_id[:1].display_name, receipts=", ".join(receipts.mapped("name")),
            ))

    def _imagepro_delivered_move(self, line):
        """The done delivery move the line's units left on, the invoiced order line's first."""
        self.ensure_one()
        moves = self.sale_order_id.order_line.move_ids.filtered(
            lambda m: m.state == "done" and m.product_id == line.product_id
            and m.picking_id.picking_type_code == "outgoing" and m.location_dest_id.usage == "customer"
        )
        invoiced = line.invoice_line_id.sale_line_ids.move_ids
        return (moves & invoiced)[:1] or moves[:1]

    def _imagepro_create_receipts(self, lines):
        self.ensure_one()
        returns = self.company_id._imagepro_returns_location(self._imagepro_warehouse())
        origin_moves = {line: self._imagepro_delivered_move(line) for line in lines}
        receipts = self.env["stock.picking"]
        for delivery in self.env["stock.move"].concat(*origin_moves.values()).picking_id:
            delivered = lines.filtered(lambda l, d=delivery: origin_moves[l].picking_id == d)
            receipts |= self._imagepro_return_delivery(delivery, delivered, origin_moves, returns)
        without_origin = lines.filtered(lambda l: not origin_moves[l])
        if without_origin:
            receipts |= self._imagepro_receipt_without_origin(without_origin, returns)
        return receipts

    def _imagepro_return_delivery(self, delivery, lines, origin_moves, returns):
        """Odoo's own return of the delivery, so each move keeps the delivery move it returns."""
        wizard = self.env["stock.return.picking"].with_context(
            active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids
        ).create({
            "picking_id": delivery.id,
            "imagepro_ra_id": self.id,
            "imagepro_location_dest_id": returns.id,
            "product_return_moves": [
                Command.create({
                    "product_id": line.product_id.id,
                    "quantity": line.quantity,
                    "move_id": origin_moves[line].id,
                    "imagepro_ra_line_id": line.id,
                    # The RA's own credit note settles the money: the order must not count the units as
                    # to be refunded a second time.
                    "to_refund": False,
                })
                for line in lines
            ],
        })
        receipt = wizard._create_return()
        receipt.origin = f"{self.name} ({receipt.origin})"
        return receipt

    def _imagepro_receipt_without_origin(self, lines, returns):
        customers = self.partner_id.property_stock_customer or self.env.ref("stock.stock_location_customers")
        picking_type = self._imagepro_warehouse().in_type_id
        receipt = self.env["stock.picking"].create({
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "location_id": customers.id,
            "location_dest_id": returns.id,
            "origin": self.name,
            "imagepro_ra_id": self.id,
            "company_id": self.company_id.id,
            "move_ids": [Command.create(self._prepare_stock_move_vals(line, customers, returns)) for line in lines],
        })
        receipt.action_confirm()
        return receipt

    def _prepare_stock_move_vals(self, line, source, destination):
        return {
            "name": self.name,
            "product_id": line.product_id.id,
            "product_uom_qty": line.quantity,
            "product_uom": line.product_id.uom_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "imagepro_ra_line_id": line.id,
            "company_id": self.company_id.id,
        }

    # ------------------------------------------------------------------ sorting after inspection
    def _imagepro_sort_goods(self):
        """Move each inspected line's goods from Returns: to the resale location when approved, not defective
        and resalable, else to remanufacturing; one validated internal transfer per destination."""
        self.check_access("write")
        for ra in self:
            stock_ra = ra.sudo().with_company(ra.company_id)
            warehouse = stock_ra._imagepro_warehouse()
            company = stock_ra.company_id
            resale, reman = company._imagepro_resale_location(warehouse), company._imagepro_reman_location(warehouse)
            moves_by_dest = {}
            for line in stock_ra.line_ids:
                destination = resale if line._imagepro_goes_to_resale() else reman
                for source, qty in line._imagepro_quantities_to_sort().items():
                    vals = dict(stock_ra._prepare_stock_move_vals(line, source, destination), product_uom_qty=qty)
                    moves_by_dest.setdefault((source, destination), []).append(vals)
            transfers = stock_ra.env["stock.picking"]
            for (source, destination), moves in moves_by_dest.items():
                transfers |= transfers.create({
                    "picking_type_id": warehouse.int_type_id.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "origin": ra.name,
                    "imagepro_ra_id": ra.id,
                    "company_id": company.id,
                    "move_ids": [Command.create(vals) for vals in moves],
                })
            if transfers:
                transfers.action_confirm()
                transfers._imagepro_validate_in_full()
                post_note(ra, self.env._(
                    "Inspected goods moved: %(moves)s.",
                    moves="; ".join(f"{t.name} to {t.location_dest_id.display_name}" for t in transfers),
                ))
