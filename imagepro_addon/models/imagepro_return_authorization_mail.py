# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The customer hears at each step of a return: issued, received, decided, settled."""

from markupsafe import Markup

from odoo import models, tools

from .chatter import post_note

TEMPLATES = {
    "authorized": "imagepro_addon.mail_template_imagepro_return_authorization",
    "received": "imagepro_addon.mail_template_imagepro_ra_received",
    "decided": "imagepro_addon.mail_template_imagepro_ra_decided",
    "settled": "imagepro_addon.mail_template_imagepro_ra_settled",
}


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
        ra = self.sudo().with_context(lang=self.partner_id.lang or self.env.lang)
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
            author_id=self.env.user.partner_id.id,
            email_from=sender,
            email_layout_xmlid="mail.mail_notification_light",
            attachment_ids=ra._imagepro_mail_attachments(step),
        )

    def _imagepro_mail_sender(self):
        """The user's address, else the company's, else the server's default sender; None when none is set."""
        return (
            self.env.user.partner_id.email_formatted or self.company_id.email_formatted
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
