# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import imagepro_policy

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .imagepro_policy import to_dec
from .chatter import integration_author, post_note
from .window_actions import RA_GROUP, new_return, open_records

NO_CHARGE_CTX = "imagepro_no_service_charge"
# {sale.order.line id: quantity}: invoice exactly these lines for these quantities (one shipment's, O7).
SHIPPED_QUANTITIES_CTX = "imagepro_shipped_quantities"
HOLD_SUMMARY = "Held: O3 credit approval"
# Fields whose change can change O1's service charge: the merchandise lines and the terms in force.
SERVICE_CHARGE_FIELDS = {"order_line", "date_order", "imagepro_order_date", "company_id"}


def is_immediate(term):
    """A payment term that asks for the whole amount on the invoice date (no term, or 'Immediate Payment')."""
    if not term:
        return True
    return not term.early_discount and all(
        line.nb_days == 0 and line.delay_type == "days_after" for line in term.line_ids
    )


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "imagepro.rights.mixin"]

    imagepro_sync_ref = fields.Char(string="Sync Reference", copy=False, index=True, readonly=True)
    imagepro_order_date = fields.Date(
        string="Ordered On",
        copy=False,
        tracking=True,
        help="The date the customer placed the order, in the terms' time zone. The terms in force that day "
        "decide it, and a return counts its purchase date from it. Odoo moves the order date to the "
        "confirmation date; this stays. Once the order is confirmed only an Image-Pro manager may correct it.",
    )
    imagepro_channel = fields.Selection(
        [("web", "Online Store"), ("phone", "Phone"), ("email", "Email")],
        string="Channel", help="O5: the channel is kept on the order.",
    )
    imagepro_payment_method = fields.Selection(
        [("card", "Card"), ("open_account", "Open Account")], string="Payment Method",
        help="O3/O4. Payment terms other than immediate payment make the order open account, whatever this says.",
    )
    imagepro_card_brand = fields.Char(string="Card Brand", help="O4: visa, mastercard, discover or amex.")
    imagepro_shipped_on = fields.Date(
        string="Shipped On", copy=False, tracking=True,
        help="The day the goods shipped (R1 counts the return window from it). Set by the shipment; "
        "only an Image-Pro manager may correct it.",
    )
    imagepro_hold_reason = fields.Text(string="Hold Reason", copy=False, readonly=True)
    imagepro_decision = fields.Char(string="Policy Decision", copy=False, readonly=True)
    imagepro_rules = fields.Char(string="Policy Rules", copy=False, readonly=True)
    imagepro_origin_ra_id = fields.Many2one(
        "imagepro.return.authorization", string="Replacement for RA", copy=False, readonly=True
    )

    imagepro_ra_ids = fields.One2many(
        "imagepro.return.authorization", "sale_order_id", string="Returns", groups=RA_GROUP
    )
    imagepro_ra_count = fields.Integer(string="Returns Count", compute="_compute_imagepro_ra_count", groups=RA_GROUP)

    _sql_constraints = [
        (
            "imagepro_sync_ref_uniq",
            "unique(company_id, imagepro_sync_ref)",
            "A synchronized order reference must be unique per company.",
        )
    ]

    # ------------------------------------------------------------------ policy glue
    def _imagepro_shipped_invoice(self):
        """The posted customer invoice a return reverses: the earliest one (O7 makes one per shipment)."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        return invoices.sorted(lambda m: (m.invoice_date, m.id))[:1]

    # ------------------------------------------------------------------ shipments (O7, partial shipments)
    def _imagepro_goods_lines(self):
        """The order's merchandise lines: the goods a shipment carries (not the service charge or freight)."""
        self.ensure_one()
        charges = self.company_id._imagepro_charge_products()
        return self.order_line.filtered(
            lambda l: not l.display_type and not l.is_downpayment and l.product_id and l.product_id not in charges
        )

    def _imagepro_split_shipment(self, shipped_lines):
        """The order lines and quantities one shipment invoices (docs/terms.md, partial shipments): its
        `shipped_lines` ([{sku, quantity}], or None for everything still to ship), each SKU's units taken
        from its order lines in order; the service charge and freight go with the first shipment (O1, O2).
        Returns (policy split, {sale.order.line: quantity}); a shipment that cannot be invoiced raises."""
        self.ensure_one()
        goods = self._imagepro_goods_lines()
        ordered, shipped = {}, {}
        for line in goods:
            sku = line.product_id.default_code or str(line.product_id.id)
            ordered[sku] = ordered.get(sku, 0) + to_dec(line.product_uom_qty)
            shipped[sku] = shipped.get(sku, 0) + to_dec(line._imagepro_shipped_qty())
        lines = None if shipped_lines is None else [
            imagepro_policy.ShippedLine(item["sku"], imagepro_policy.to_decimal(item["quantity"]))
            for item in shipped_lines
        ]
        try:
            split = imagepro_policy.split_shipment(ordered, shipped, lines)
        except imagepro_policy.ShipmentError as exc:
            raise ValidationError(self.env._("%(order)s: %(why)s", order=self.name, why=str(exc))) from exc
        quantities = {}
        left = dict(split.quantities)
        for line in goods:
            sku = line.product_id.default_code or str(line.product_id.id)
            take = min(left.get(sku, 0), to_dec(line.product_uom_qty - line._imagepro_shipped_qty()))
            if take > 0:
                quantities[line] = float(take)
                left[sku] -= take
        if split.carries_charges:
            charges = self.company_id._imagepro_charge_products()
            for line in self.order_line.filtered(lambda l: l.product_id in charges):
                if line.product_uom_qty - line._imagepro_shipped_qty() > 0:
                    quantities[line] = line.product_uom_qty - line._imagepro_shipped_qty()
        return split, quantities

    def _get_invoiceable_lines(self, final=False):
        lines = super()._get_invoiceable_lines(final)
        quantities = self.env.context.get(SHIPPED_QUANTITIES_CTX)
        if quantities is None:
            return lines
        return lines.filtered(lambda l: l.id in quantities)

    def _imagepro_shipment_dates(self):
        """Every day goods of the order shipped: 'Shipped On' and its posted invoices' dates (O7)."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        return {self.imagepro_shipped_on, *invoices.mapped("invoice_date")} - {False}

    def _imagepro_shipment_date(self):
        """The day the goods shipped: the shipment's date, else the first invoice's (O7: invoice date = ship date)."""
        self.ensure_one()
        return self.imagepro_shipped_on or self._imagepro_shipped_invoice().invoice_date or False

    def _imagepro_order_date(self):
        """The date the terms judge the order by (O1-O6) and returns count its purchase from (R4, W1)."""
        self.ensure_one()
        return self.imagepro_order_date or self.company_id._imagepro_local_date(self.date_order or fields.Datetime.now())

    def _imagepro_effective_payment_method(self):
        """O3: payment terms other than immediate payment are open account, whatever the method field says.

        False when nothing says how the order is paid (immediate terms, no method): neither O3 nor O4 applies.
        """
        self.ensure_one()
        if not is_immediate(self.payment_term_id):
            return "open_account"
        return self.imagepro_payment_method or False

    def _imagepro_policy_lines(self):
        """The product lines of O1: no sections/notes, no down payments, no charge products."""
        self.ensure_one()
        charges = self.company_id._imagepro_charge_products()
        return self.order_line.filtered(
            lambda line: not line.display_type
            and not line.is_downpayment
            and line.product_id
            and line.product_id not in charges
        )

    def _imagepro_policy_order_lines(self):
        self.ensure_one()
        return tuple(
            imagepro_policy.OrderLine(
                sku=line.product_id.default_code or str(line.product_id.id),
                quantity=to_dec(line.product_uom_qty),
                unit_price=to_dec(line.price_unit),
                discount_percent=to_dec(line.discount),
            )
            for line in self._imagepro_policy_lines()
        )

    def _imagepro_policy_order(self):
        self.ensure_one()
        freight_product = self.company_id._imagepro_product("freight")
        freight = sum(
            (
                imagepro_policy.line_subtotal(
                    imagepro_policy.OrderLine("freight", to_dec(l.product_uom_qty), to_dec(l.price_unit))
                )
                for l in self.order_line.filtered(lambda l: l.product_id == freight_product)
            ),
            imagepro_policy.to_decimal("0"),
        )
        return imagepro_policy.Order(
            order_date=self._imagepro_order_date(),
            lines=self._imagepro_policy_order_lines(),
            payment_method=self._imagepro_effective_payment_method() or "card",
            card_brand=self.imagepro_card_brand or None,
            credit_approved=self.partner_id.commercial_partner_id.imagepro_credit_approved,
            freight_amount=freight,
            customer_ref=self.partner_id.commercial_partner_id.ref or "",
        )

    def _imagepro_decide(self):
        self.ensure_one()
        return imagepro_policy.decide_order(self._imagepro_policy_order(), self.company_id._imagepro_policy_book())

    # ------------------------------------------------------------------ O1: the service charge
    def _imagepro_service_charge_due(self):
        """O1: the charge the policy in force on the order date asks of these lines (0 at or above the minimum)."""
        self.ensure_one()
        policy = self.company_id._imagepro_policy_book().in_force_on(self._imagepro_order_date())
        subtotal = imagepro_policy.merchandise_subtotal(self._imagepro_policy_order_lines())
        return imagepro_policy.service_charge_for(subtotal, policy)

    def _imagepro_charge_applies(self):
        self.ensure_one()
        return self.state in ("draft", "sent") and not self.imagepro_origin_ra_id

    def _prepare_imagepro_service_charge_line_vals(self, amount):
        self.ensure_one()
        product = self.company_id._imagepro_product("service_charge")
        return {
            "order_id": self.id,
            "product_id": product.id,
            "name": self.env._("Service charge: merchandise under the order minimum (O1)"),
            "product_uom_qty": 1.0,
            "price_unit": float(amount),
            "discount": 0.0,
            "sequence": 9999,
        }

    def _imagepro_update_service_charge(self):
        """O1 on saved orders: exactly one service-charge line under the minimum, none at or above it."""
        line_model = self.env["sale.order.line"].with_context(**{NO_CHARGE_CTX: True})
        for order in self:
            if not order._imagepro_charge_applies():
                continue
            product = order.company_id._imagepro_product("service_charge")
            charge = order._imagepro_service_charge_due()
            existing = order.order_line.filtered(lambda l, p=product: l.product_id == p)
            if not charge:
                if existing:
                    existing.with_context(**{NO_CHARGE_CTX: True}).unlink()
                continue
            if not existing:
                line_model.create(order._prepare_imagepro_service_charge_line_vals(charge))
                continue
            keep, extra = existing[0], existing[1:]
            if extra:
                extra.with_context(**{NO_CHARGE_CTX: True}).unlink()
            if to_dec(keep.price_unit) != charge or keep.product_uom_qty != 1 or keep.discount:
                keep.with_context(**{NO_CHARGE_CTX: True}).write(
                    {"price_unit": float(charge), "product_uom_qty": 1.0, "discount": 0.0}
                )

    @api.onchange("order_line", "imagepro_order_date", "company_id")
    def _onchange_imagepro_service_charge(self):
        """O1 live in the form: the charge line appears, changes and goes as the quotation is edited."""
        for order in self:
            if not order._imagepro_charge_applies():
                continue
            product = order.company_id._imagepro_product("service_charge")
            charge = order._imagepro_service_charge_due()
            existing = order.order_line.filtered(lambda l, p=product: l.product_id == p)
            if not charge:
                order.order_line -= existing
                continue
            if existing:
                order.order_line -= existing[1:]
                keep = existing[0]
                if to_dec(keep.price_unit) != charge or keep.product_uom_qty != 1 or keep.discount:
                    keep.update({"price_unit": float(charge), "product_uom_qty": 1.0, "discount": 0.0})
                continue
            vals = order._prepare_imagepro_service_charge_line_vals(charge)
            vals.pop("order_id")
            order.order_line += order.order_line.new(vals)

    @api.onchange("date_order")
    def _onchange_imagepro_order_date(self):
        for order in self:
            if order.state in ("draft", "sent") and order.date_order:
                order.imagepro_order_date = order.company_id._imagepro_local_date(order.date_order)

    @api.onchange("payment_term_id")
    def _onchange_imagepro_payment_term(self):
        for order in self:
            if not is_immediate(order.payment_term_id):
                order.imagepro_payment_method = "open_account"

    # ------------------------------------------------------------------ dates are facts
    def _imagepro_check_date_rights(self, vals):
        """'Ordered On' of a confirmed order and 'Shipped On' are facts the terms count from: only a manager
        corrects them (tracked in the chatter); the sync worker's user records the shipment."""
        if self.env.su:
            return
        manager = self.env.user.has_group("imagepro_addon.group_imagepro_manager")
        if "imagepro_order_date" in vals and not manager:
            new = fields.Date.to_date(vals["imagepro_order_date"])
            if any(o.state not in ("draft", "sent") and o.imagepro_order_date != new for o in self):
                raise UserError(self.env._(
                    "'Ordered On' of a confirmed order is the day the customer ordered; the terms in force and "
                    "the 60-day and 1-year windows count from it (O1, R4, W1). Only an Image-Pro manager may correct it."
                ))
        if "imagepro_shipped_on" in vals and not self._imagepro_may_correct_facts():
            new = fields.Date.to_date(vals["imagepro_shipped_on"])
            if any(o.imagepro_shipped_on != new for o in self):
                raise UserError(self.env._(
                    "'Shipped On' is the day the goods shipped; the 30-day return window counts from it (R1). "
                    "It is set by the shipment; only an Image-Pro manager may correct it."
                ))

    @api.model_create_multi
    def create(self, vals_list):
        company_model = self.env["res.company"]
        for vals in vals_list:
            if not vals.get("imagepro_order_date"):
                company = company_model.browse(vals.get("company_id")) or self.env.company
                ordered = vals.get("date_order")
                vals["imagepro_order_date"] = (
                    company._imagepro_local_date(ordered) if ordered else company._imagepro_today()
                )
        orders = super().create(vals_list)
        if not self.env.context.get(NO_CHARGE_CTX):
            orders._imagepro_update_service_charge()
        return orders

    def write(self, vals):
        self._imagepro_check_date_rights(vals)
        if "date_order" in vals and "imagepro_order_date" not in vals and vals.get("state") != "sale":
            # A quotation's order date is edited by hand: the terms follow it. Confirming moves
            # date_order to the confirmation time (state "sale" in the same write): they do not.
            for quotation in self.filtered(lambda o: o.state in ("draft", "sent")):
                if vals["date_order"]:
                    ordered = quotation.company_id._imagepro_local_date(vals["date_order"])
                    super(SaleOrder, quotation).write({"imagepro_order_date": ordered})
        # The lines' own hooks wait for the whole write: a charge line the form updates or removes in the
        # same write must not be removed under it.
        writer = self.with_context(**{NO_CHARGE_CTX: True}) if "order_line" in vals else self
        res = super(SaleOrder, writer).write(vals)
        if not self.env.context.get(NO_CHARGE_CTX) and SERVICE_CHARGE_FIELDS & set(vals):
            self._imagepro_update_service_charge()
        return res

    # ------------------------------------------------------------------ O3/O4/O6 on confirmation
    def _imagepro_hold(self, decision):
        """O3: keep the order as a held quotation that says why, in the chatter too, and ask the managers to act."""
        self.ensure_one()
        self.write(
            {
                "imagepro_decision": decision.verdict,
                "imagepro_rules": ", ".join(decision.rules),
                "imagepro_hold_reason": decision.message,
            }
        )
        post_note(self, decision.message)
        managers = self.env.ref("imagepro_addon.group_imagepro_manager").sudo().users.filtered(
            lambda u: not u.share and u.active
        )
        open_for = self.activity_ids.filtered(lambda a: a.summary == HOLD_SUMMARY).user_id
        # sudo: the salesperson asks the managers to act on an order they may not follow. A user without an
        # e-mail address (the sync worker's) cannot send the "assigned to you" mail: the to-do is there all the same.
        scheduler = self.sudo().with_context(mail_activity_quick_update=not self.env.user.email)
        for manager in managers - open_for:
            scheduler.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=HOLD_SUMMARY,
                note=decision.message,
                user_id=manager.id,
            )

    def _imagepro_release_hold(self, note):
        """The reason for a hold is gone (credit approved): the order can be confirmed; the managers' to-dos close."""
        for order in self.filtered("imagepro_hold_reason"):
            order.write({"imagepro_hold_reason": False, "imagepro_decision": False, "imagepro_rules": False})
            post_note(order, note)
            order.activity_ids.filtered(lambda a: a.summary == HOLD_SUMMARY).sudo().action_feedback(feedback=note)

    def action_confirm(self):
        """O3/O4/O6: confirmed only when the policy accepts it. A rejected card brand (O4) is an error to fix;
        an open-account order without approved credit (O3) stays a quotation marked held, not an error."""
        self._imagepro_update_service_charge()
        held = self.browse()
        decisions = {}
        for order in self:
            if not order._imagepro_effective_payment_method():
                continue
            decision = order._imagepro_decide()
            if decision.verdict == "rejected":
                raise UserError(decision.message)
            if decision.verdict == "held":
                held |= order
            decisions[order.id] = decision
        for order in held:
            order._imagepro_hold(decisions[order.id])
        to_confirm = self - held
        res = super(SaleOrder, to_confirm).action_confirm() if to_confirm else True
        for order in to_confirm.filtered(lambda o: o.id in decisions):
            decision = decisions[order.id]
            order.write(
                {
                    "imagepro_decision": decision.verdict,
                    "imagepro_rules": ", ".join(decision.rules),
                    "imagepro_hold_reason": False,
                }
            )
            order.activity_ids.filtered(lambda a: a.summary == HOLD_SUMMARY).sudo().unlink()
        if held:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Held for staff (O3)"),
                    "message": "\n".join(held.mapped("imagepro_hold_reason")),
                    "type": "warning",
                    "sticky": True,
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return res

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        return integration_author(self, author_id, email_from, raise_on_email) or super()._message_compute_author(
            author_id, email_from, raise_on_email
        )

    # ------------------------------------------------------------------ the returns desk
    @api.depends("imagepro_ra_ids")
    def _compute_imagepro_ra_count(self):
        for order in self:
            order.imagepro_ra_count = len(order.imagepro_ra_ids)

    def _imagepro_can_return_from(self):
        """W5: goods are returned from a confirmed order once it has a posted invoice."""
        self.ensure_one()
        return self.state == "sale" and bool(self._imagepro_shipped_invoice())

    def action_imagepro_return(self):
        """A new RA on this order, holding what was invoiced and is still returnable (W5)."""
        self.ensure_one()
        if not self._imagepro_can_return_from():
            raise UserError(self.env._(
                "%(order)s has no posted invoice yet: goods are returned from what was invoiced (W5).",
                order=self.name,
            ))
        return new_return(self.env, self.env._("Return"), {
            "default_sale_order_id": self.id, "default_partner_id": self.partner_id.id,
        })

    def action_imagepro_view_returns(self):
        return open_records(self.imagepro_ra_ids, self.env._("Returns"))
