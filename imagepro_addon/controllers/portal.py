# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""My Returns in the customer portal, and the return request from an invoice or an order."""

import math

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal, pager as portal_pager

from ..models.imagepro_return_authorization_customer import PortalRequestRefused

RA_MODEL = "imagepro.return.authorization"
RA_REPORT = "imagepro_addon.action_report_imagepro_return_authorization"
PER_PAGE = 20


class ImageproReturnsPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "return_count" in counters:
            ras = request.env[RA_MODEL]
            values["return_count"] = ras.search_count(self._imagepro_returns_domain()) if ras.has_access("read") else 0
        return values

    def _imagepro_returns_domain(self):
        return request.env.user.partner_id._imagepro_returns_domain()

    @http.route(["/my/returns", "/my/returns/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_returns(self, page=1, **kw):
        ras = request.env[RA_MODEL]
        domain = self._imagepro_returns_domain()
        pager = portal_pager(url="/my/returns", total=ras.search_count(domain), page=page, step=PER_PAGE)
        values = self._prepare_portal_layout_values()
        values.update({
            "returns": ras.search(domain, limit=PER_PAGE, offset=pager["offset"]),
            "pager": pager,
            "page_name": "returns",
            "default_url": "/my/returns",
        })
        return request.render("imagepro_addon.portal_my_returns", values)

    @http.route(["/my/returns/<int:ra_id>"], type="http", auth="public", website=True)
    def portal_my_return(self, ra_id, access_token=None, report_type=None, download=False, **kw):
        try:
            ra_sudo = self._document_check_access(RA_MODEL, ra_id, access_token)
        except (AccessError, MissingError) as error:
            if request.env.user._is_public() and not access_token:  # a customer who is not logged in yet
                return request.redirect(f"/web/login?redirect=/my/returns/{ra_id}")
            raise NotFound() from error
        if report_type in ("html", "pdf", "text"):
            return self._show_report(model=ra_sudo, report_type=report_type, report_ref=RA_REPORT, download=download)
        values = self._get_page_view_values(ra_sudo, access_token, {
            "ra": ra_sudo, "page_name": "return", "just_requested": kw.get("requested"),
        }, "my_returns_history", False)
        return request.render("imagepro_addon.portal_my_return", values)

    # ------------------------------------------------------------------ the request
    @http.route(["/my/returns/request/<string:kind>/<int:doc_id>"], type="http", auth="user", website=True,
                methods=["GET", "POST"])
    def portal_request_return(self, kind, doc_id, access_token=None, **post):
        order, invoice = self._imagepro_request_origin(kind, doc_id, access_token)
        ras = request.env[RA_MODEL].sudo()
        error = None
        if request.httprequest.method == "POST":  # Odoo checks the form's CSRF token for every POST route
            try:
                ra = ras._imagepro_portal_request(
                    order, invoice, self._imagepro_picks(post), self._imagepro_reason(post.get("reason_id")),
                    post.get("description"),
                )
            except PortalRequestRefused as refused:
                error = refused.args[0]
            else:
                return request.redirect(f"/my/returns/{ra.id}?requested=1")
        values = self._prepare_portal_layout_values()
        values.update({
            "order": order,
            "invoice": invoice,
            "returnable": [
                dict(vals, invoice_line=request.env["account.move.line"].sudo().browse(vals["invoice_line_id"]))
                for vals in ras._imagepro_portal_returnable(order, invoice)
            ],
            "reasons": request.env["imagepro.return.reason"].sudo().search([]),
            "error": error,
            "post": post,
            "page_name": "return_request",
            "action_url": request.httprequest.path,
        })
        return request.render("imagepro_addon.portal_return_request", values)

    def _imagepro_request_origin(self, kind, doc_id, access_token):
        """The order (and invoice) the customer may return from: their own, posted and invoiced; else 404."""
        try:
            if kind == "invoice":
                invoice = self._document_check_access("account.move", doc_id, access_token)
                if not invoice._imagepro_can_return_from():
                    raise MissingError(invoice.name)
                order = invoice.imagepro_sale_order_id
            elif kind == "order":
                order = self._document_check_access("sale.order", doc_id, access_token)
                invoice = order.env["account.move"]
            else:
                raise MissingError(kind)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if not order._imagepro_can_return_from():
            raise NotFound()
        return order.sudo(), invoice.sudo()

    @staticmethod
    def _imagepro_picks(post):
        """{invoice line id: (quantity, defective)} from the form; what is not a number counts as nothing."""
        picks = {}
        for key, value in post.items():
            if not key.startswith("qty_"):
                continue
            try:
                line_id, quantity = int(key[4:]), float(value or 0)
            except ValueError:
                continue
            if math.isfinite(quantity):
                picks[line_id] = (quantity, bool(post.get(f"defective_{line_id}")))
        return picks

    @staticmethod
    def _imagepro_reason(reason_id):
        try:
            reason = request.env["imagepro.return.reason"].sudo().browse(int(reason_id or 0)).exists()
        except ValueError:
            return request.env["imagepro.return.reason"]
        return reason if reason.active else reason.browse()
