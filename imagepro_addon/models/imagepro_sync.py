# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync API the worker calls over XML-RPC (docs/sync-api.md): what every document kind shares.

Each kind has its own file: imagepro_sync_order, _shipment, _return and _inspection.
"""

import logging

import imagepro_policy

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

_logger = logging.getLogger(__name__)

ID_KEYS = ("sale_order_id", "invoice_id", "payment_id", "ra_id", "credit_note_id", "replacement_order_id")
# Validation-type failures of one document: answered per document as "permanent". Database
# errors (psycopg2 OperationalError, SerializationFailure) are deliberately not listed, so they
# abort the whole call and Odoo's/the worker's retry handles them.
PERMANENT_ERRORS = (UserError, ValidationError, AccessError, MissingError, ValueError, KeyError, TypeError)


class MissingDependency(UserError):
    """The order of a shipment, or the RA of an inspection, is not (yet) in the ERP."""


def _money(value):
    return imagepro_policy.money_str(imagepro_policy.to_decimal(value if value not in (None, "") else "0"))


def _date(value):
    return fields.Date.to_date(value)


class ImageproSync(models.AbstractModel):
    _name = "imagepro.sync"
    _description = "Image-Pro Sync API"

    # ------------------------------------------------------------------ helpers
    @api.model
    def _check_sync_rights(self):
        user = self.env.user
        if not (
            user.has_group("imagepro_addon.group_imagepro_integration")
            or user.has_group("imagepro_addon.group_imagepro_manager")
        ):
            raise AccessError(self.env._("The Image-Pro sync API needs the Image-Pro Integration group."))

    @api.model
    def _result(self, doc, kind, **values):
        ids = dict.fromkeys(ID_KEYS, 0)
        ids.update({k: int(v or 0) for k, v in (values.pop("ids", None) or {}).items()})
        res = {
            "ref": str(doc.get("ref") or "") if isinstance(doc, dict) else "",
            "kind": kind,
            "status": "created",
            "decision": "",
            "rules": [],
            "message": "",
            "error_class": "",
            "ids": ids,
            "name": "",
            "ra_number": "",
        }
        res.update({k: ("" if v is None or v is False else v) for k, v in values.items()})
        res["rules"] = [str(r) for r in (res["rules"] or [])]
        return res

    @api.model
    def _lock_key(self, kind):
        """The first half of the advisory lock of a document (the ref is the second): company and kind."""
        return f"imagepro.sync:{self._company().id}:{kind}"

    @api.model
    def _refs_in_progress(self, docs, kind):
        """Take, for this transaction, the advisory lock of every document's ref; answer the refs whose lock
        another transaction holds: a call still running in another worker of Odoo (typically the same batch,
        sent again after the client's timeout). They answer `in_progress` instead of being done twice.

        pg_try_advisory_xact_lock never waits, and the locks go with the transaction (commit, rollback, or
        Odoo's retry after a serialization failure), so a crashed call never leaves one behind."""
        refs = [str(doc["ref"]) for doc in docs if isinstance(doc, dict) and doc.get("ref")]
        if not refs:
            return set()
        self.env.cr.execute(
            "SELECT ref FROM unnest(%s::text[]) AS ref WHERE NOT pg_try_advisory_xact_lock(hashtext(%s), hashtext(ref))",
            [refs, self._lock_key(kind)],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _in_progress_result(self, doc, kind):
        return self._result(doc, kind, status="in_progress", message=self.env._(
            "%(ref)s is being processed by another call right now; try it again later.", ref=doc["ref"]))

    @api.model
    def _run_batch(self, docs, kind, handler):
        self._check_sync_rights()
        if not isinstance(docs, list):
            docs = [docs]
        busy = self._refs_in_progress(docs, kind)
        return [
            self._in_progress_result(doc, kind) if isinstance(doc, dict) and str(doc.get("ref") or "") in busy
            else self._run_one(doc, kind, handler)
            for doc in docs
        ]

    @api.model
    def _run_one(self, doc, kind, handler):
        """`handler(doc)` in a savepoint of its own; a refused document answers its error and undoes nothing else."""
        try:
            with self.env.cr.savepoint():
                if not isinstance(doc, dict):
                    raise ValidationError(self.env._("A document must be a JSON object."))
                return handler(doc)
        except MissingDependency as exc:
            self.env.invalidate_all()
            return self._result(doc, kind, status="error", error_class="missing_dependency",
                                message=str(exc.args[0] if exc.args else exc))
        except PERMANENT_ERRORS as exc:
            self.env.invalidate_all()
            message = exc.args[0] if isinstance(exc, UserError) and exc.args else str(exc)
            _logger.info("imagepro.sync %s %s refused: %s", kind, doc.get("ref") if isinstance(doc, dict) else "", message)
            return self._result(doc, kind, status="error", error_class="permanent",
                                message=f"{type(exc).__name__}: {message}")

    @api.model
    def _run_batch_together(self, docs, kind, prepare, ready_type, key, together, alone):
        """Each document through `prepare` in its own savepoint; those it returns as `ready_type` are done
        by `together` in one savepoint, which costs Odoo far less than one at a time. Should that fail (or
        two ready ones share a `key`), each is done by `alone` in its own savepoint instead, so a bad
        document still answers its own error and the others go through."""
        self._check_sync_rights()
        if not isinstance(docs, list):
            docs = [docs]
        busy = self._refs_in_progress(docs, kind)
        results = [
            self._in_progress_result(doc, kind) if isinstance(doc, dict) and str(doc.get("ref") or "") in busy
            else self._run_one(doc, kind, prepare)
            for doc in docs
        ]
        ready = [i for i, res in enumerate(results) if isinstance(res, ready_type)]
        if len({key(results[i]) for i in ready}) != len(ready):
            ready = []
        if ready:
            try:
                with self.env.cr.savepoint():
                    for i, res in zip(ready, together([results[i] for i in ready])):
                        results[i] = res
            except PERMANENT_ERRORS:
                self.env.invalidate_all()
                _logger.info("imagepro.sync: %d %ss could not be done together; one by one", len(ready), kind)
        return [
            self._run_one(docs[i], kind, alone) if isinstance(res, ready_type) else res
            for i, res in enumerate(results)
        ]

    @api.model
    def _company(self):
        return self.env.company

    @api.model
    def _product_by_sku(self, sku):
        product = self.env["product.product"].search(
            [("default_code", "=", sku), *self.env["product.product"]._check_company_domain(self._company())], limit=1
        )
        if not product:
            raise ValidationError(self.env._("Unknown product: no product has the internal reference %(sku)s.", sku=sku))
        return product

    @api.model
    def _find_partner(self, customer):
        ref = (customer or {}).get("ref")
        if not ref:
            raise ValidationError(self.env._("customer.ref is required."))
        return self.env["res.partner"].search(
            [("ref", "=", ref), *self.env["res.partner"]._check_company_domain(self._company())], limit=1
        )

    @api.model
    def _prepare_partner_vals(self, customer):
        return {
            "ref": customer["ref"],
            "name": customer.get("name") or customer["ref"],
            "email": customer.get("email") or False,
            "customer_rank": 1,
        }

    @api.model
    def _order_by_ref(self, ref):
        return self.env["sale.order"].search(
            [("imagepro_sync_ref", "=", ref), ("company_id", "=", self._company().id)], limit=1
        )

    # ------------------------------------------------------------------ sync_info
    @api.model
    def sync_info(self, *args):
        company = self._company()
        book = company._imagepro_policy_book()
        checks = []

        def check(name, ok, message):
            checks.append({"name": name, "ok": bool(ok), "message": message})

        for key in ("service_charge", "freight", "restocking"):
            product = self.env.ref(f"imagepro_addon.product_{key}", raise_if_not_found=False)
            check(f"product_{key}", product, product.default_code if product else self.env._("missing"))
        term = company._imagepro_net30_term()
        check("payment_term_net30", term, term.name if term else self.env._("missing"))
        journal = company._imagepro_sale_journal()
        check("sale_journal", journal, journal.name if journal else self.env._("no sale journal: install a chart of accounts"))
        card = company._imagepro_card_journal(create=False)
        check("card_journal", card, card.name if card else self.env._("missing; made at the first card payment"))
        user = self.env.user
        rights = user.has_group("imagepro_addon.group_imagepro_integration") or user.has_group(
            "imagepro_addon.group_imagepro_manager"
        )
        check("sync_rights", rights, self.env._("%(login)s may call the sync API", login=user.login) if rights
              else self.env._("%(login)s lacks the Image-Pro Integration group", login=user.login))
        integration = user.has_group("imagepro_addon.group_imagepro_integration")
        if user.email:
            sender = user.email
        elif integration:
            sender = self.env._("no e-mail address: its chatter messages are sent from the company's address")
        else:
            sender = self.env._("%(login)s has no e-mail address; Odoo needs one to log payments in the chatter",
                                login=user.login)
        check("sync_user_email", user.email or integration, sender)
        module = self.env["ir.module.module"].sudo().search([("name", "=", "imagepro_addon")], limit=1)
        return {
            "module_version": module.latest_version or "",
            "company_id": company.id,
            "company": company.name,
            "currency": company.currency_id.name,
            "policy_versions": [v.as_mapping() for v in book.versions],
            "checks": checks,
        }

    # ------------------------------------------------------------------ the API: one model per document kind
    @api.model
    def sync_orders(self, docs):
        return self.env["imagepro.sync.order"]._sync_batch(docs)

    @api.model
    def sync_shipments(self, docs):
        return self.env["imagepro.sync.shipment"]._sync_batch(docs)

    @api.model
    def sync_returns(self, docs):
        return self.env["imagepro.sync.return"]._sync_batch(docs)

    @api.model
    def sync_inspections(self, docs):
        return self.env["imagepro.sync.inspection"]._sync_batch(docs)

    # ------------------------------------------------------------------ shared by the kinds
    @api.model
    def _ra_result(self, doc, kind, ra, status):
        if status == "created" and ra.state == "denied":
            status = "denied"
        return self._result(
            doc, kind, status=status, decision=ra.decision or "",
            rules=ra.decision_rules.split(", ") if ra.decision_rules else [],
            message=ra.decision_message or "",
            ids={
                "sale_order_id": ra.sale_order_id.id,
                "invoice_id": ra.invoice_id.id,
                "ra_id": ra.id,
                "credit_note_id": ra.credit_note_id.id,
                "payment_id": ra.payment_id.id,
                "replacement_order_id": ra.replacement_order_id.id,
            },
            name=ra.name, ra_number=ra.name if ra.name != "New" else "",
        )

    @api.model
    def _inspection_vals(self, inspection):
        vals = {
            "labels_intact": bool(inspection.get("labels_intact", True)),
            "original_packaging": bool(inspection.get("original_packaging", True)),
            "resalable": bool(inspection.get("resalable", True)),
            "damage": inspection.get("damage") or "none",
        }
        for key in ("measured_weight_g", "full_weight_g", "empty_weight_g"):
            if inspection.get(key) not in (None, ""):
                vals[key] = float(imagepro_policy.to_decimal(inspection[key]))
        if vals["damage"] not in imagepro_policy.DAMAGE_LABELS:
            raise ValidationError(self.env._("Unknown damage %(d)s.", d=vals["damage"]))
        return vals

    @api.model
    def _bulk(self):
        """The environment for records the sync makes in bulk (orders, invoices, payments): like Odoo's own
        import, no "created" log line, no automatic followers and no field tracking per record. Notes that
        say something (why an order is held) are still posted, and RAs keep their full chatter."""
        return self.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
        )
