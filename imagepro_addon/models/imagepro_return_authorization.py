# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import imagepro_policy

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command

from .chatter import integration_author, post_note
from .imagepro_policy import to_dec
from .window_actions import open_records

DECISIONS = [
    ("pending_inspection", "Pending Inspection"),
    ("approved", "Approved"),
    ("partial", "Partly Approved"),
    ("denied", "Denied"),
]


def invoiced_unit_price(invoice_line):
    """W5: what the customer paid for one unit of an invoice line, before tax, after its discount.

    O1's line subtotal of one unit, rounded as the terms round.
    """
    return imagepro_policy.line_subtotal(
        imagepro_policy.OrderLine(
            sku=invoice_line.product_id.default_code or "",
            quantity=imagepro_policy.to_decimal(1),
            unit_price=imagepro_policy.to_decimal(str(invoice_line.price_unit)),
            discount_percent=imagepro_policy.to_decimal(str(invoice_line.discount)),
        )
    )


SETTLEMENTS = [
    ("none", "None"),
    ("card_refund", "Refund to Card"),
    ("account_credit", "Credit to Account"),
    ("replacement", "Replacement"),
]


# What the terms count from and how the money goes back: taken from the origin order, corrected by a manager only.
FACT_FIELDS = ("purchase_date", "shipment_date", "payment_method", "card_brand")


class ImageproReturnAuthorization(models.Model):
    _name = "imagepro.return.authorization"
    _description = "Return Authorization"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "imagepro.rights.mixin"]
    _order = "id desc"
    _mail_post_access = "read"  # the customer writes on the RA from the portal
    _check_company_auto = True

    name = fields.Char(string="RA Number", required=True, copy=False, readonly=True, default="New", index=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("authorized", "Authorized"),
            ("received", "Received"),
            ("inspected", "Inspected"),
            ("settled", "Settled"),
            ("denied", "Denied"),
            ("cancelled", "Cancelled"),
        ],
        default="draft", required=True, copy=False, tracking=True, index=True,
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    sale_order_id = fields.Many2one(
        "sale.order", string="Origin Order", check_company=True, tracking=True, index=True,
        domain="[('state', '=', 'sale')]",
        help="The order the goods were bought on: the lines, prices and dates of the return come from its invoices. "
        "Only an Image-Pro manager may make a return without one.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, tracking=True, check_company=True,
        compute="_compute_order_facts", store=True, readonly=False, precompute=True,
    )
    invoice_id = fields.Many2one(
        "account.move", string="Origin Invoice", check_company=True, readonly=True,
        compute="_compute_order_facts", store=True, precompute=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    purchase_date = fields.Date(
        required=True, tracking=True, compute="_compute_order_facts", store=True, readonly=False, precompute=True,
        help="The day the customer ordered (R4, W1 count from it): the origin order's 'Ordered On'.",
    )
    shipment_date = fields.Date(
        required=True, tracking=True, compute="_compute_order_facts", store=True, readonly=False, precompute=True,
        help="The day the goods shipped (R1 counts from it): the origin order's 'Shipped On', else its invoice date.",
    )
    requested_on = fields.Date(
        required=True, tracking=True, default=lambda self: self.env.company._imagepro_today(),
        help="The day the customer asked for the return (R1, R4, W1 count to it), in the terms' time zone.",
    )
    reason_id = fields.Many2one(
        "imagepro.return.reason", required=True, tracking=True, index=True,
        compute="_compute_reason_id", store=True, readonly=False, precompute=True, ondelete="restrict",
        help="R6: every return states its reason. A reason typed without a code (the sync worker's text) takes "
        "the code it names, else the catch-all 'Other'.",
    )
    reason_is_other = fields.Boolean(related="reason_id.is_other")
    reason = fields.Char(string="Reason Detail", tracking=True, help="The customer's own words.")
    payment_method = fields.Selection(
        [("card", "Card"), ("open_account", "Open Account")], required=True, tracking=True,
        compute="_compute_order_facts", store=True, readonly=False, precompute=True,
        help="R7: how the customer paid the origin order; a card is refunded, an account credited.",
    )
    card_brand = fields.Char(compute="_compute_order_facts", store=True, readonly=False, precompute=True)
    remedy = fields.Selection([("credit", "Credit"), ("replace", "Replace")], required=True, default="credit")
    channel = fields.Selection(
        [("desk", "Returns Desk"), ("sync", "Sync Worker"), ("portal", "Customer Portal")],
        default="desk", required=True, readonly=True, copy=False, index=True,
        help="Where the request came from: a clerk, the sync worker (web store, phone/e-mail desk, dock) or the "
        "customer in the portal.",
    )
    imagepro_sync_ref = fields.Char(string="Sync Reference", copy=False, index=True, readonly=True)
    imagepro_inspection_ref = fields.Char(string="Inspection Reference", copy=False, index=True, readonly=True)
    line_ids = fields.One2many("imagepro.return.authorization.line", "ra_id", string="Lines", copy=True)
    decision = fields.Selection(DECISIONS, copy=False, readonly=True, tracking=True)
    decision_rules = fields.Char(string="Rules", copy=False, readonly=True)
    decision_message = fields.Text(copy=False, readonly=True)
    settlement = fields.Selection(SETTLEMENTS, copy=False, readonly=True)
    amount_paid = fields.Monetary(compute="_compute_amounts", store=True)
    amount_credit = fields.Monetary(string="Credit", compute="_compute_amounts", store=True)
    amount_restocking = fields.Monetary(string="Restocking Fee", compute="_compute_amounts", store=True)
    credit_note_id = fields.Many2one("account.move", copy=False, readonly=True)
    payment_id = fields.Many2one("account.payment", string="Card Refund", copy=False, readonly=True)
    replacement_order_id = fields.Many2one("sale.order", copy=False, readonly=True)

    _sql_constraints = [
        (
            "imagepro_sync_ref_uniq",
            "unique(company_id, imagepro_sync_ref)",
            "A synchronized return reference must be unique per company.",
        ),
        (
            "imagepro_inspection_ref_uniq",
            "unique(company_id, imagepro_inspection_ref)",
            "A synchronized inspection reference must be unique per company.",
        ),
    ]

    def _compute_access_url(self):
        for ra in self:
            ra.access_url = f"/my/returns/{ra.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Return %(name)s", name=self.name)

    @api.depends("reason")
    def _compute_reason_id(self):
        reasons = self.env["imagepro.return.reason"]
        for ra in self:
            if not ra.reason_id or ra.reason_id.is_other:  # a code the text names wins over the catch-all
                match = reasons._imagepro_match(ra.reason)
                if match != ra.reason_id:
                    ra.reason_id = match

    @api.depends("line_ids.quantity", "line_ids.unit_price_paid", "line_ids.credit", "line_ids.restocking_fee")
    def _compute_amounts(self):
        for ra in self:
            # What was paid for the returned units, shown from the start (the decision adds credit and fee).
            ra.amount_paid = float(sum(
                (imagepro_policy.round_cent(to_dec(l.quantity) * to_dec(l.unit_price_paid)) for l in ra.line_ids),
                imagepro_policy.to_decimal("0"),
            ))
            ra.amount_credit = sum(ra.line_ids.mapped("credit"))
            ra.amount_restocking = sum(ra.line_ids.mapped("restocking_fee"))

    @api.depends("sale_order_id", "line_ids.invoice_line_id")
    def _compute_order_facts(self):
        """The customer, invoice, dates and payment of the origin order; a return without one keeps what the
        manager typed. The invoice is the one the first line was invoiced on (the credit note reverses it)."""
        for ra in self:
            order = ra.sale_order_id.sudo()  # facts of the order, whoever may read its invoices
            if not order:
                ra.invoice_id = False
                continue
            ra.invoice_id = ra.line_ids.sudo().invoice_line_id.move_id[:1] or order._imagepro_shipped_invoice()
            ra.partner_id = order.partner_id
            ra.purchase_date = order._imagepro_order_date()
            ra.shipment_date = order._imagepro_shipment_date()
            ra.payment_method = "card" if order._imagepro_effective_payment_method() == "card" else "open_account"
            ra.card_brand = order.imagepro_card_brand

    @api.onchange("sale_order_id")
    def _onchange_sale_order_id(self):
        """W5: the lines are what was invoiced on the order and is still returnable, for the clerk to pick from."""
        if self.sale_order_id:
            self.line_ids = [Command.clear()] + [
                Command.create(vals) for vals in self._prepare_invoiced_line_vals()
            ]

    @api.onchange("reason_id")
    def _onchange_reason_id(self):
        """The lines start as defective or not as the reason says; the clerk may still tick each line."""
        for line in self.line_ids:
            line.defective = self.reason_id.defective

    # ------------------------------------------------------------------ W5: what was invoiced
    def _imagepro_invoiced_lines(self):
        """The product lines of the origin order's posted customer invoices (no service charge, freight...)."""
        self.ensure_one()
        order = self.sale_order_id.sudo()
        charges = self.company_id._imagepro_charge_products()
        invoices = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        return invoices.invoice_line_ids.filtered(
            lambda l: l.display_type == "product" and l.product_id and l.product_id not in charges
            and order in l.sale_line_ids.order_id
        ).sorted(lambda l: (l.move_id.invoice_date, l.move_id.id, l.sequence, l.id))

    def _imagepro_returned_quantity(self, invoice_line, exclude_lines=None):
        """Units of `invoice_line` on returns that still count: not cancelled or denied, line not denied."""
        lines = self.env["imagepro.return.authorization.line"].sudo().search(
            [
                ("invoice_line_id", "=", invoice_line.id),
                ("ra_id.state", "not in", ("cancelled", "denied")),
                ("decision", "!=", "denied"),
                ("id", "not in", (exclude_lines or self.env["imagepro.return.authorization.line"]).ids),
            ]
        )
        return sum(lines.mapped("quantity"))

    def _prepare_invoiced_line_vals(self):
        """One line per invoiced product line with units left to return, at the price paid for it."""
        self.ensure_one()
        rounding = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        vals_list = []
        invoice_lines = self._imagepro_invoiced_lines()
        only_invoice = self.env.context.get("imagepro_return_invoice_id")
        if only_invoice:  # the Return button of an invoice offers that invoice's lines
            invoice_lines = invoice_lines.filtered(lambda l: l.move_id.id == only_invoice)
        for invoice_line in invoice_lines:
            left = round(invoice_line.quantity - self._imagepro_returned_quantity(invoice_line), rounding)
            if left > 0:
                vals_list.append(
                    {
                        "invoice_line_id": invoice_line.id,
                        "product_id": invoice_line.product_id.id,
                        "quantity": left,
                        "unit_price_paid": float(invoiced_unit_price(invoice_line)),
                        "defective": self.reason_id.defective,
                    }
                )
        return vals_list

    # ------------------------------------------------------------------ guards
    @api.constrains("sale_order_id", "partner_id")
    def _check_origin_order(self):
        for ra in self:
            if not ra.sale_order_id:
                if not (self.env.su or self.env.user.has_group("imagepro_addon.group_imagepro_manager")):
                    raise ValidationError(self.env._(
                        "A return needs its origin order: its lines, prices and dates come from what was invoiced "
                        "(W5). Only an Image-Pro manager may take a return without one."
                    ))
            elif ra.partner_id.commercial_partner_id != ra.sale_order_id.sudo().partner_id.commercial_partner_id:
                raise ValidationError(self.env._(
                    "%(ra)s: the customer must be the one who bought on %(order)s.",
                    ra=ra.name, order=ra.sale_order_id.name,
                ))

    @api.constrains(*FACT_FIELDS)
    def _check_facts(self):
        """The dates the windows count and how the money goes back are facts, not free text (R1, R4, R7, W1)."""
        if self._imagepro_may_correct_facts():
            return
        for ra in self:
            order = ra.sale_order_id.sudo()
            if not order:
                continue
            facts = {
                "purchase_date": order._imagepro_order_date(),
                "shipment_date": order._imagepro_shipment_date(),
                "payment_method": "card" if order._imagepro_effective_payment_method() == "card" else "open_account",
                "card_brand": order.imagepro_card_brand or False,
            }
            for fname, value in facts.items():
                if (ra[fname] or False) != (value or False):
                    raise ValidationError(self.env._(
                        "%(field)s of a return comes from its order %(order)s (%(value)s); only an Image-Pro manager "
                        "may correct it (R1, R4, R7, W1).",
                        field=ra._fields[fname].string, order=order.name, value=value or "-",
                    ))

    def _imagepro_check_requested_on(self, requested_on, company):
        if requested_on and not self._imagepro_may_correct_facts():
            today = company._imagepro_today()
            if fields.Date.to_date(requested_on) != today:
                raise ValidationError(self.env._(
                    "A return is requested on the day it is entered (%(today)s); only an Image-Pro manager may "
                    "record another request date (R1, R4, W1).", today=today,
                ))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            self._imagepro_check_requested_on(vals.get("requested_on"), company)
        return super().create(vals_list)

    def write(self, vals):
        locked = {"sale_order_id", "partner_id", "company_id", "reason_id"} & set(vals)
        if locked and any(ra.state != "draft" for ra in self):
            raise UserError(self.env._("Only a draft return can change its order, customer or reason."))
        if "requested_on" in vals:
            for ra in self.filtered(lambda r: r.requested_on != fields.Date.to_date(vals["requested_on"])):
                ra._imagepro_check_requested_on(vals["requested_on"], ra.company_id)
        return super().write(vals)

    # ------------------------------------------------------------------ policy glue
    def _imagepro_return_request(self, with_inspection=True):
        self.ensure_one()
        return imagepro_policy.ReturnRequest(
            requested_on=self.requested_on,
            purchase_date=self.purchase_date,
            shipment_date=self.shipment_date,
            payment_method=self.payment_method,
            remedy=self.remedy,
            lines=tuple(line._imagepro_return_line(with_inspection) for line in self.line_ids),
        )

    def _imagepro_decide(self, with_inspection=True):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Add at least one line to the return %(name)s.", name=self.name))
        return imagepro_policy.decide_return(
            self._imagepro_return_request(with_inspection), self.company_id._imagepro_policy_book()
        )

    def _imagepro_write_decision(self, decision):
        self.ensure_one()
        for line, line_decision in zip(self.line_ids, decision.lines):
            line.write(line._prepare_decision_vals(line_decision))
        self.write(
            {
                "decision": decision.verdict,
                "decision_rules": ", ".join(decision.rules),
                "decision_message": decision.message,
                "settlement": decision.settlement,
            }
        )

    def _check_reason(self):
        for ra in self:
            if not ra.reason_id._imagepro_states_why(ra.reason):
                raise UserError(self.env._(
                    "R6: a return must state its reason; %(ra)s gives none (a return for 'Other' says why in the "
                    "reason detail).", ra=ra.name,
                ))

    # ------------------------------------------------------------------ actions
    def action_authorize(self):
        """R1/R3/R4/W1 on the dates: issue the RA number, or deny with the policy's sentence."""
        for ra in self:
            if ra.state != "draft":
                raise UserError(self.env._("Only a draft return can be authorized."))
            ra._check_reason()
            if not ra.sale_order_id:
                ra._imagepro_confirm_prices()
            decision = ra._imagepro_decide(with_inspection=False)
            ra._imagepro_write_decision(decision)
            if decision.authorized:
                seq = ra.company_id._imagepro_ra_sequence()
                number = seq.with_context(ir_sequence_date=ra.requested_on).next_by_id()
                ra.write({"name": number, "state": "authorized"})
                post_note(ra, self.env._("RA %(name)s issued. %(message)s", name=number, message=decision.message))
            else:
                ra.write({"state": "denied"})
                post_note(ra, decision.message)
        return True

    def _imagepro_confirm_prices(self):
        """W5 without an origin order: the prices paid are the manager's word, confirmed by authorizing."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group("imagepro_addon.group_imagepro_manager")):
            raise AccessError(self.env._(
                "%(ra)s has no origin order: an Image-Pro manager must confirm the prices paid before it is "
                "authorized (W5).", ra=self.name,
            ))
        lines = "; ".join(
            f"{line.quantity:g} x {line.product_id.display_name} at {line.unit_price_paid:.2f}" for line in self.line_ids
        )
        post_note(self, self.env._("Prices paid confirmed by %(user)s (W5): %(lines)s.", user=self.env.user.name,
                                   lines=lines))

    def action_receive(self):
        for ra in self:
            if ra.state != "authorized":
                raise UserError(self.env._("Only an authorized return can be received."))
        self.write({"state": "received"})
        return True

    def action_inspect(self):
        """Record the inspection of every line and decide them with imagepro_policy.decide_return."""
        for ra in self:
            if ra.state not in ("authorized", "received"):
                raise UserError(self.env._("Only an authorized or received return can be inspected."))
            ra.line_ids.write({"inspected": True})
            decision = ra._imagepro_decide()
            if decision.verdict == "pending_inspection":
                pending = " ".join(l.message for l in decision.lines if l.verdict == "pending_inspection")
                raise UserError(self.env._("%(name)s cannot be decided yet: %(why)s", name=ra.name, why=pending))
            ra._imagepro_write_decision(decision)
            # Nothing to settle when every line is denied: the return is decided, and done.
            ra.write({"state": "denied" if decision.verdict == "denied" else "inspected"})
            post_note(ra, decision.message)
        return True

    def _imagepro_inspect_and_settle(self):
        """The dock's inspection decides the return and settles it, unless it denied every line (then the
        return is decided already and nothing is owed)."""
        self.action_inspect()
        self.filtered(lambda ra: ra.state == "inspected").action_settle()

    def action_settle(self):
        """Settle an inspected RA as the policy decided (R2, R7, W2): credit note, card refund, replacement.

        A returns clerk settles without holding Invoicing rights: once the clerk's rights on the RA are checked,
        the credit note, its reconciliation and the card refund are made with the rights they need, for
        exactly the amounts the policy decided.
        """
        self.check_access("write")
        if not (self.env.su or self.env.user.has_group("imagepro_addon.group_imagepro_user")):
            raise AccessError(self.env._("Settling a return needs the Image-Pro / User group."))
        for ra in self:
            if ra.state != "inspected":
                raise UserError(self.env._("Only an inspected return can be settled."))
            decision = ra._imagepro_decide()
            ra._imagepro_write_decision(decision)
            vals = {"state": "settled"}
            accounting = ra.sudo().with_company(ra.company_id)
            if decision.verdict == "denied":
                vals["state"] = "denied"
            elif decision.settlement in ("account_credit", "card_refund"):
                credit_note = accounting._imagepro_create_credit_note(decision)
                vals["credit_note_id"] = credit_note.id
                if decision.settlement == "account_credit":
                    accounting._imagepro_apply_credit(credit_note)
                else:
                    vals["payment_id"] = accounting._imagepro_refund_card(credit_note).id
            elif decision.settlement == "replacement":
                vals["replacement_order_id"] = accounting._imagepro_create_replacement(decision).id
            ra.write(vals)
            post_note(ra, ra.sudo()._imagepro_settlement_note(decision))
        return True

    def _imagepro_settlement_note(self, decision):
        """What settling did, for the chatter (the decision itself was noted when the RA was inspected)."""
        self.ensure_one()
        if decision.verdict == "denied":
            return decision.message
        if self.credit_note_id and self.payment_id:
            done = self.env._("Settled: credit note %(note)s refunded to the card by payment %(payment)s (R7).",
                              note=self.credit_note_id.name, payment=self.payment_id.name)
        elif self.credit_note_id:
            done = self.env._("Settled: credit note %(note)s applied to the customer's account, oldest open "
                              "invoices first; any rest stays as an outstanding credit (R7).",
                              note=self.credit_note_id.name)
        elif self.replacement_order_id:
            done = self.env._("Settled: replacement order %(order)s (W2).", order=self.replacement_order_id.name)
        else:
            done = self.env._("Settled: nothing is owed.")
        denied = self.line_ids.filtered(lambda l: l.decision == "denied")
        return " ".join([done, *denied.mapped("message")])

    def action_deny(self):
        if not (self.env.su or self.env.user.has_group("imagepro_addon.group_imagepro_manager")):
            raise AccessError(self.env._("Only an Image-Pro manager can deny a return by hand."))
        for ra in self:
            if ra.state in ("settled", "cancelled"):
                raise UserError(self.env._("A settled or cancelled return cannot be denied."))
        self.write({"state": "denied"})
        return True

    def action_cancel(self):
        for ra in self:
            if ra.state == "settled":
                raise UserError(self.env._("A settled return cannot be cancelled."))
        self.write({"state": "cancelled"})
        return True

    def action_draft(self):
        cancelled = self.filtered(lambda r: r.state == "cancelled")
        cancelled.write({"state": "draft"})
        cancelled.line_ids._check_w5_invoiced()  # the units may have been returned on another RA meanwhile
        return True

    def action_send_ra(self):
        """Open the composer with the RA e-mail template (the RA document attached)."""
        self.ensure_one()
        if self.state not in ("authorized", "received", "inspected", "settled"):
            raise UserError(self.env._("Authorize the return before sending the RA document (R3)."))
        template = self.env.ref("imagepro_addon.mail_template_imagepro_return_authorization", raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }

    def action_view_sale_order(self):
        return open_records(self.sale_order_id, self.env._("Origin Order"))

    def action_view_invoice(self):
        return open_records(self.invoice_id, self.env._("Origin Invoice"))

    def action_view_credit_note(self):
        return open_records(self.credit_note_id, self.env._("Credit Note"))

    def action_view_payment(self):
        return open_records(self.payment_id, self.env._("Card Refund"))

    def action_view_replacement_order(self):
        return open_records(self.replacement_order_id, self.env._("Replacement Order"))

    def action_print_ra(self):
        self.ensure_one()
        return self.env.ref("imagepro_addon.action_report_imagepro_return_authorization").report_action(self)

    # ------------------------------------------------------------------ settlement
    def _prepare_credit_note_vals(self, decision):
        """R2: only the returned product lines (original taxes) and a separate restocking line.

        The restocking line carries the taxes of the goods it is charged on, so the tax refunded is the
        tax on what is credited: the company keeps the fee and the tax on it. Returned lines with
        different taxes get one restocking line per set of taxes.
        """
        self.ensure_one()
        journal = self.company_id._imagepro_sale_journal()
        line_cmds = []
        fees = {}  # restocking per set of taxes of the returned lines
        for line, line_decision in zip(self.line_ids, decision.lines):
            if line_decision.verdict != "approved" or line_decision.credit <= 0:
                continue
            invoice_line = line.invoice_line_id
            taxes = invoice_line.tax_ids if invoice_line else line.product_id.taxes_id.filtered(
                lambda t: t.company_id == self.company_id
            )
            vals = {
                "product_id": line.product_id.id,
                "name": self.env._("%(product)s, returned on %(ra)s", product=line.product_id.display_name,
                                   ra=self.name),
                "quantity": line.quantity,
                "price_unit": line.unit_price_paid,
                "tax_ids": [Command.set(taxes.ids)],
            }
            if invoice_line:
                vals["account_id"] = invoice_line.account_id.id
            line_cmds.append(Command.create(vals))
            if line_decision.restocking_fee:
                key = tuple(sorted(taxes.ids))
                fees[key] = fees.get(key, imagepro_policy.to_decimal("0")) + line_decision.restocking_fee
        restocking = self.company_id._imagepro_product("restocking")
        for tax_ids, fee in fees.items():
            line_cmds.append(
                Command.create(
                    {
                        "product_id": restocking.id,
                        "name": self.env._("Restocking charge (R5)"),
                        "quantity": 1.0,
                        "price_unit": -float(fee),
                        "tax_ids": [Command.set(list(tax_ids))],
                    }
                )
            )
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": journal.id,
            "invoice_date": self.env.context.get("imagepro_settle_date") or fields.Date.context_today(self),
            "reversed_entry_id": self.invoice_id.id or False,
            "ref": self.env._("Return %(name)s", name=self.name),
            "invoice_origin": self.name,
            "imagepro_ra_id": self.id,
            "imagepro_sync_ref": f"{self.imagepro_sync_ref}:credit" if self.imagepro_sync_ref else False,
            "invoice_line_ids": line_cmds,
        }

    def _imagepro_create_credit_note(self, decision):
        self.ensure_one()
        vals = self._prepare_credit_note_vals(decision)
        # Odoo reconciles a credit note with the invoice it reverses when it is posted; R7 wants the
        # credit applied to the oldest open invoices first (or refunded to the card), so the link to
        # the original invoice is written once the credit note is posted.
        reversed_entry = vals.pop("reversed_entry_id", False)
        credit_note = self.env["account.move"].create(vals)
        credit_note.action_post()
        if reversed_entry:
            credit_note.reversed_entry_id = reversed_entry
        if self.company_id.currency_id.compare_amounts(credit_note.amount_untaxed, float(decision.credit)):
            raise UserError(
                self.env._(
                    "Credit note %(move)s is %(amount)s before tax, the policy decided %(credit)s.",
                    move=credit_note.name, amount=credit_note.amount_untaxed, credit=decision.credit,
                )
            )
        return credit_note

    def _imagepro_apply_credit(self, credit_note):
        """R7: reconcile the credit memo against open invoices, oldest first; the rest stays outstanding."""
        self.ensure_one()
        credit_line = credit_note.line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable" and not l.reconciled
        )
        if not credit_line:
            return
        invoices = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("company_id", "=", self.company_id.id),
                ("commercial_partner_id", "=", credit_note.commercial_partner_id.id),
                ("payment_state", "in", ("not_paid", "partial")),
                ("amount_residual", ">", 0),
            ],
            order="invoice_date_due asc, date asc, id asc",
        )
        applied = []
        for invoice in invoices:
            credit_line.invalidate_recordset(["reconciled", "amount_residual"])
            if credit_line.reconciled:
                break
            before = invoice.amount_residual
            invoice.js_assign_outstanding_line(credit_line.id)
            invoice.invalidate_recordset(["amount_residual"])
            applied.append((invoice, before - invoice.amount_residual))
        self._imagepro_note_credit_applied(credit_note, [(inv, amount) for inv, amount in applied if amount])

    def _imagepro_note_credit_applied(self, credit_note, applied):
        """R7 leaves a trace where the money went: on the credit note, the invoice it came from and each
        invoice it paid."""
        self.ensure_one()
        currency = credit_note.currency_id
        credit_note.invalidate_recordset(["amount_residual"])

        def money(amount):
            return f"{currency.symbol or ''}{amount:,.2f}"

        where = "; ".join(f"{inv.name} {money(amount)}" for inv, amount in applied)
        rest = credit_note.amount_residual
        summary = self.env._(
            "Credit note %(note)s of return %(ra)s (%(total)s) applied to the oldest open invoices first (R7): "
            "%(where)s.", note=credit_note.name, ra=self.name, total=money(credit_note.amount_total),
            where=where or self.env._("no open invoice"),
        )
        if not currency.is_zero(rest):
            summary += " " + self.env._("%(rest)s stays on the customer's account as an outstanding credit.",
                                        rest=money(rest))
        post_note(credit_note, summary)
        if self.invoice_id and self.invoice_id not in [inv for inv, _amount in applied]:
            post_note(self.invoice_id, summary)
        for invoice, amount in applied:
            post_note(invoice, self.env._(
                "%(amount)s paid by credit note %(note)s of return %(ra)s (R7).",
                amount=money(amount), note=credit_note.name, ra=self.name,
            ))

    def _imagepro_refund_card(self, credit_note):
        """R7: the credit goes back to the card: an outbound payment in the CARD journal."""
        self.ensure_one()
        if credit_note.currency_id.is_zero(credit_note.amount_residual):
            return self.env["account.payment"]
        journal = self.company_id._imagepro_card_journal()
        brand = imagepro_policy.CARD_BRANDS.get(
            imagepro_policy.normalize_card_brand(self.card_brand or ""), self.card_brand or "card"
        )
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=credit_note.ids)
            .create(
                {
                    "journal_id": journal.id,
                    "payment_date": credit_note.invoice_date,
                    "communication": self.env._("Refund to %(brand)s card for %(ra)s", brand=brand, ra=self.name),
                }
            )
        )
        payment = wizard._create_payments()
        summary = self.env._(
            "Credit note %(note)s of return %(ra)s refunded to the %(brand)s card by payment %(payment)s (R7).",
            note=credit_note.name, ra=self.name, brand=brand, payment=payment.name,
        )
        post_note(credit_note, summary)
        if self.invoice_id:
            post_note(self.invoice_id, summary)
        return payment

    def _prepare_replacement_order_vals(self, decision):
        self.ensure_one()
        lines = []
        for line, line_decision in zip(self.line_ids, decision.lines):
            if line_decision.verdict == "approved":
                lines.append(
                    Command.create(
                        {"product_id": line.product_id.id, "product_uom_qty": line.quantity, "price_unit": 0.0}
                    )
                )
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "origin": self.name,
            "imagepro_origin_ra_id": self.id,
            "client_order_ref": self.name,
            "order_line": lines,
        }

    def _imagepro_create_replacement(self, decision):
        self.ensure_one()
        order = self.env["sale.order"].create(self._prepare_replacement_order_vals(decision))
        order.action_confirm()
        return order

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        return integration_author(self, author_id, email_from, raise_on_email) or super()._message_compute_author(
            author_id, email_from, raise_on_email
        )
