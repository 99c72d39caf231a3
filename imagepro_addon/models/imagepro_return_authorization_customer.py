# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer's side of a return: e-mailed at each step (issued, received, decided, settled), and the
returns a customer requests in the portal."""

from markupsafe import Markup

from odoo import api, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

from .chatter import post_note

TEMPLATES = {
    "authorized": "imagepro_addon.mail_template_imagepro_return_authorization",
    "received": "imagepro_addon.mail_template_imagepro_ra_received",
    "decided": "imagepro_addon.mail_template_imagepro_ra_decided",
    "settled": "imagepro_addon.mail_template_imagepro_ra_settled",
}


class PortalRequestRefused(UserError):
    """The request cannot be taken as asked; the message says why (with the clause) and nothing was made."""


class ImageproReturnAuthorization(models.Model):
    _inherit = "imagepro.return.authorization"

    def action_authorize(self):
        res = super().action_authorize()
        for ra in self:
            ra._imagepro_tell_customer("authorized" if ra.state == "authorized" else "decided")
        return res

    def action_receive(self):
        res = super().action_receive()
        for ra in self:
            ra._imagepro_tell_customer("received")
        return res

    def action_inspect(self):
        res = super().action_inspect()
        for ra in self:
            ra._imagepro_tell_customer("decided")
        return res

    def action_settle(self):
        res = super().action_settle()
        for ra in self:
            ra._imagepro_tell_customer("settled" if ra.state == "settled" else "decided")
        return res

    def _imagepro_tell_customer(self, step):
        """E-mail the customer from the RA's chatter (kept with the RA), in the customer's language.

        Sent as the user who took the step, from the company's address when that user has none (the worker's
        integration user); the RA and the credit memo go as PDFs where the server can print them.
        """
        self.ensure_one()
        template = self.env.ref(TEMPLATES[step], raise_if_not_found=False)
        if not template:
            return
        # Queued for Odoo's mail queue rather than sent in the request: a slow or absent mail server must not
        # hold up the desk, the portal or a batch of the worker's returns.
        ra = self.sudo().with_context(lang=self.partner_id.lang or self.env.lang, mail_notify_force_send=False)
        sender = self._imagepro_mail_sender()
        if not sender:
            # No address to send from: keep what the customer would have read with the RA, and say why.
            body = template._render_field("body_html", ra.ids, compute_lang=True)[ra.id]
            post_note(ra, Markup("%s<br/>%s") % (
                self.env._("Not e-mailed to the customer: neither the company nor %(user)s has an e-mail address.",
                           user=self.env.user.name), body))
            return
        ra.message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self._imagepro_mail_author().id,
            email_from=sender,
            email_layout_xmlid="mail.mail_notification_light",
            attachment_ids=ra._imagepro_mail_attachments(step),
        )

    def _imagepro_mail_author(self):
        """Staff write as themselves; what a customer did in the portal is answered by the company (an author
        is not sent their own message)."""
        return self.company_id.partner_id if self.env.user.share else self.env.user.partner_id

    def _imagepro_mail_sender(self):
        """The author's address, else the company's, else the server's default sender; None when none is set."""
        return (
            self._imagepro_mail_author().email_formatted or self.company_id.email_formatted
            or self.env["ir.mail_server"].sudo()._get_default_from_address() or None
        )

    def _imagepro_mail_attachments(self, step):
        if step == "authorized":
            return self._imagepro_pdf("imagepro_addon.action_report_imagepro_return_authorization", self)
        if step == "settled" and self.credit_note_id:
            return self._imagepro_pdf("account.account_invoices", self.credit_note_id)
        return []

    def _imagepro_pdf(self, report_ref, record):
        """The record printed as an attachment for the composer, or nothing where no PDF can be printed
        (a server without wkhtmltopdf): the e-mail still goes, and the document stays printable from Odoo."""
        reports = self.env["ir.actions.report"].sudo()
        if not (tools.config["test_enable"] or reports.get_wkhtmltopdf_state() == "ok"):
            return []
        content, extension = reports._render_qweb_pdf(report_ref, record.ids)
        name = (record.name or "document").replace("/", "_")
        attachment = self.env["ir.attachment"].sudo().create({
            "name": f"{name}.{extension}",
            "raw": content,
            "res_model": "mail.compose.message",
            "res_id": 0,
            "type": "binary",
        })
        return attachment.ids

    # ------------------------------------------------------------------ requests from the portal
    @api.model
    def _imagepro_portal_returnable(self, order, invoice=None):
        """The invoiced lines of `order` (of `invoice` only, when given) with units still returnable (W5):
        [{invoice_line_id, product_id, quantity, unit_price_paid}]."""
        draft = self.new({"sale_order_id": order.id, "company_id": order.company_id.id})
        if invoice:
            draft = draft.with_context(imagepro_return_invoice_id=invoice.id)
        return draft._prepare_invoiced_line_vals()

    @api.model
    def _imagepro_portal_request(self, order, invoice, picks, reason, description):
        """Make the RA a customer asked for, or refuse it with the terms' sentence and make nothing.

        `picks` maps invoice line ids to (quantity, defective) as the page posted them: nothing in it is
        trusted. Dates that fail R1/R4/W1 refuse the request; dates that pass authorize it at once (RA
        number, customer e-mailed) or leave it to a clerk, as the company decided.
        """
        returnable = {vals["invoice_line_id"]: vals for vals in self._imagepro_portal_returnable(order, invoice)}
        line_cmds = []
        for line_id, (quantity, defective) in picks.items():
            if not quantity:
                continue
            offered = returnable.get(line_id)
            if not offered:
                raise PortalRequestRefused(self.env._("Only what was invoiced to you can be returned (W5)."))
            if quantity < 0 or quantity > offered["quantity"]:
                raise PortalRequestRefused(self.env._(
                    "At most %(left)s of %(product)s can still be returned (W5).", left=f"{offered['quantity']:g}",
                    product=self.env["product.product"].browse(offered["product_id"]).display_name,
                ))
            line_cmds.append(Command.create(dict(offered, quantity=quantity, defective=bool(defective))))
        if not line_cmds:
            raise PortalRequestRefused(self.env._("Pick at least one item and how many to return."))
        if not reason._imagepro_states_why(description):
            raise PortalRequestRefused(self.env._("Tell us why you return the goods (R6)."))
        vals = {
            "sale_order_id": order.id,
            "partner_id": order.partner_id.id,
            "company_id": order.company_id.id,
            "reason_id": reason.id,
            "reason": (description or "").strip() or False,
            "channel": "portal",
            "line_ids": line_cmds,
        }
        try:
            with self.env.cr.savepoint():
                ra = self.create(vals)
                decision = ra._imagepro_decide(with_inspection=False)
                if not decision.authorized:
                    raise PortalRequestRefused(decision.message)
        except ValidationError as error:
            raise PortalRequestRefused(str(error)) from error
        if ra.company_id.imagepro_portal_authorize:
            ra.action_authorize()
        else:
            ra.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Return requested in the portal"),
                note=self.env._("The dates pass the terms; authorize it or call the customer."),
                user_id=(order.user_id or self.env.ref("base.user_admin")).id,
            )
        return ra
