# Copyright 2026 Image-Pro Services & Supplies, Inc.
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync API the worker calls over XML-RPC (docs/sync-api.md)."""

import logging
from datetime import datetime, time

import imagepro_policy

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Command

from .imagepro_return_authorization import post_note
from .sale_order import NO_CHARGE_CTX

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


class OrderToCreate:
    """An order that passed its checks, with the policy's decision and the values to create it from."""

    def __init__(self, doc, vals, decision):
        self.doc = doc
        self.vals = vals
        self.decision = decision


class ShipmentToInvoice:
    """A shipment that passed its checks, waiting for its invoice."""

    def __init__(self, doc, order, plan):
        self.doc = doc
        self.order = order
        self.plan = plan


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
    def _run_batch(self, docs, kind, handler):
        self._check_sync_rights()
        if not isinstance(docs, list):
            docs = [docs]
        return [self._run_one(doc, kind, handler) for doc in docs]

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
        results = [self._run_one(doc, kind, prepare) for doc in docs]
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
        check("sync_user_email", user.email, user.email or self.env._(
            "%(login)s has no e-mail address; Odoo needs one to log payments in the chatter", login=user.login))
        module = self.env["ir.module.module"].sudo().search([("name", "=", "imagepro_addon")], limit=1)
        return {
            "module_version": module.latest_version or "",
            "company_id": company.id,
            "company": company.name,
            "currency": company.currency_id.name,
            "policy_versions": [v.as_mapping() for v in book.versions],
            "checks": checks,
        }

    # ------------------------------------------------------------------ orders
    @api.model
    def _bulk(self):
        """The environment for records the sync makes in bulk (orders, invoices, payments): like Odoo's own
        import, no "created" log line, no automatic followers and no field tracking per record. Notes that
        say something (why an order is held) are still posted, and RAs keep their full chatter."""
        return self.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
        )

    @api.model
    def sync_orders(self, docs):
        """O1-O6 for a batch: each order is checked and decided in its own savepoint, then all the orders
        that passed are created (with their service-charge line) and the accepted ones confirmed together.
        Should that joint step fail, each order is created on its own instead."""
        bulk = self._bulk()
        return bulk._run_batch_together(
            docs, "order", bulk._prepare_order, OrderToCreate, lambda p: p.doc["ref"], bulk._create_orders,
            bulk._sync_order,
        )

    @api.model
    def _policy_order_from_doc(self, doc, partner):
        payment = doc.get("payment") or {}
        freight = doc.get("freight") or {}
        return imagepro_policy.Order(
            order_date=_date(doc["order_date"]),
            lines=tuple(
                imagepro_policy.OrderLine(
                    sku=line["sku"],
                    quantity=imagepro_policy.to_decimal(line["quantity"]),
                    unit_price=imagepro_policy.to_decimal(line["unit_price"]),
                    discount_percent=imagepro_policy.to_decimal(line.get("discount_percent") or "0"),
                )
                for line in doc["lines"]
            ),
            payment_method=payment.get("method") or "card",
            card_brand=payment.get("card_brand") or None,
            credit_approved=partner.commercial_partner_id.imagepro_credit_approved if partner else None,
            freight_amount=imagepro_policy.to_decimal(freight.get("amount") or "0"),
            customer_ref=(doc.get("customer") or {}).get("ref") or "",
        )

    @api.model
    def _order_result(self, doc, order, status):
        return self._result(
            doc, "order", status=status, decision=order.imagepro_decision or "",
            rules=(order.imagepro_rules or "").split(", ") if order.imagepro_rules else [],
            message=order.imagepro_hold_reason or "",
            ids={"sale_order_id": order.id}, name=order.name,
        )

    @api.model
    def _prepare_order(self, doc):
        """Checks and the policy's decision for one order; the order itself is made by the caller."""
        ref = doc["ref"]
        existing = self._order_by_ref(ref)
        if existing:
            return self._order_result(doc, existing, "already_present")
        if doc.get("channel") not in ("web", "phone", "email"):
            raise ValidationError(self.env._("channel must be web, phone or email (O5)."))
        payment = doc.get("payment") or {}
        if payment.get("method") not in ("card", "open_account"):
            raise ValidationError(self.env._("payment.method must be card or open_account."))
        company = self._company()
        partner = self._find_partner(doc.get("customer"))
        decision = imagepro_policy.decide_order(
            self._policy_order_from_doc(doc, partner), company._imagepro_policy_book()
        )
        if decision.verdict == "rejected":
            return self._result(doc, "order", status="rejected", decision="rejected",
                                rules=list(decision.rules), message=decision.message)
        products = [self._product_by_sku(line["sku"]) for line in doc["lines"]]
        if not partner:
            partner = self.env["res.partner"].create(self._prepare_partner_vals(doc["customer"]))
        vals = self._prepare_order_vals(doc, partner, products)
        if decision.amounts.service_charge:
            vals["order_line"].append(Command.create(self._prepare_service_charge_vals(decision.amounts.service_charge)))
        return OrderToCreate(doc, vals, decision)

    @api.model
    def _prepare_service_charge_vals(self, amount):
        """O1's line as the sale order itself makes it (sale.order._prepare_imagepro_service_charge_line_vals)."""
        return {
            "product_id": self._company()._imagepro_product("service_charge").id,
            "name": self.env._("Service charge: merchandise under the order minimum (O1)"),
            "product_uom_qty": 1.0,
            "price_unit": float(amount),
            "sequence": 9999,
        }

    @api.model
    def _create_orders(self, prepared):
        """Create the orders of `prepared` together, confirm the accepted ones; one result per order."""
        # The service-charge line is in the values already (decided above), so the per-line hook that
        # keeps it right on manual edits has nothing to add here.
        orders = self.env["sale.order"].with_context(**{NO_CHARGE_CTX: True}).create([p.vals for p in prepared])
        orders = orders.with_context(**{NO_CHARGE_CTX: False})
        accepted = orders.browse([o.id for o, p in zip(orders, prepared) if p.decision.verdict == "accepted"])
        if accepted:
            accepted.action_confirm()
        results = []
        for order, p in zip(orders, prepared):
            if p.decision.verdict == "accepted":
                res = self._order_result(p.doc, order, "created")
                res["message"] = p.decision.message
            else:
                order.write({"imagepro_decision": p.decision.verdict, "imagepro_rules": ", ".join(p.decision.rules),
                             "imagepro_hold_reason": p.decision.message})
                post_note(order, p.decision.message)
                res = self._order_result(p.doc, order, "held")
            results.append(res)
        return results

    @api.model
    def _sync_order(self, doc):
        """One order on its own: the fallback when a batch cannot be created together."""
        prepared = self._prepare_order(doc)
        if not isinstance(prepared, OrderToCreate):
            return prepared
        return self._create_orders([prepared])[0]

    @api.model
    def _prepare_order_vals(self, doc, partner, products):
        company = self._company()
        payment = doc.get("payment") or {}
        freight = doc.get("freight") or {}
        lines = [
            Command.create(
                {
                    "product_id": product.id,
                    "product_uom_qty": float(imagepro_policy.to_decimal(line["quantity"])),
                    "price_unit": float(imagepro_policy.to_decimal(line["unit_price"])),
                    "discount": float(imagepro_policy.to_decimal(line.get("discount_percent") or "0")),
                }
            )
            for product, line in zip(products, doc["lines"])
        ]
        freight_amount = imagepro_policy.to_decimal(freight.get("amount") or "0")
        if freight_amount:
            lines.append(
                Command.create(
                    {
                        "product_id": company._imagepro_product("freight").id,
                        "name": self.env._("Freight: %(method)s (O2)", method=freight.get("method") or "ground"),
                        "product_uom_qty": 1.0,
                        "price_unit": float(freight_amount),
                        "sequence": 9000,
                    }
                )
            )
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "imagepro_sync_ref": doc["ref"],
            "client_order_ref": doc["ref"],
            "imagepro_channel": doc["channel"],
            "imagepro_payment_method": payment["method"],
            "imagepro_card_brand": imagepro_policy.normalize_card_brand(payment.get("card_brand") or "") or False,
            "date_order": datetime.combine(_date(doc["order_date"]), time(12, 0)),
            "imagepro_order_date": _date(doc["order_date"]),
            "order_line": lines,
        }
        if payment["method"] == "open_account":
            term = company._imagepro_net30_term()
            vals["payment_term_id"] = term.id if term else False
        return vals

    # ------------------------------------------------------------------ shipments
    @api.model
    def sync_shipments(self, docs):
        """O7 for a batch: each shipment is checked in its own savepoint, then the invoices of all the
        shipments that passed are made, posted and (card) paid together, which costs Odoo far less than
        one at a time. Should that joint step fail, each shipment is invoiced on its own instead, so one
        bad document still answers its own error and the others go through."""
        bulk = self._bulk()
        return bulk._run_batch_together(
            docs, "shipment", bulk._prepare_shipment, ShipmentToInvoice, lambda s: s.order.id,
            bulk._invoice_shipments, bulk._sync_shipment,
        )

    @api.model
    def _prepare_shipment(self, doc):
        """Checks and the ship date of one shipment; the invoice is made by the caller."""
        ref = doc["ref"]
        company = self._company()
        existing = self.env["account.move"].search(
            [("imagepro_sync_ref", "=", ref), ("company_id", "=", company.id)], limit=1
        )
        if existing:
            return self._shipment_result(doc, existing, "already_present")
        order = self._order_by_ref(doc["order_ref"])
        if not order:
            raise MissingDependency(self.env._("Order %(ref)s is not in the ERP yet.", ref=doc["order_ref"]))
        if order.state != "sale":
            raise MissingDependency(
                self.env._("Order %(ref)s is not confirmed (%(why)s).", ref=doc["order_ref"],
                  why=order.imagepro_hold_reason or order.state)
            )
        shipped_on = _date(doc["shipped_on"])
        plan = imagepro_policy.plan_invoice(
            order._imagepro_order_date(), shipped_on, order.imagepro_payment_method or "card",
            company._imagepro_policy_book()
        )
        order.imagepro_shipped_on = shipped_on
        for line in order.order_line.filtered(lambda l: not l.display_type and l.qty_delivered_method == "manual"):
            line.qty_delivered = line.product_uom_qty
        return ShipmentToInvoice(doc, order, plan)

    @api.model
    def _invoice_vals(self, shipment):
        vals = {"invoice_date": shipment.plan.invoice_date, "imagepro_sync_ref": shipment.doc["ref"]}
        if shipment.plan.paid_by_card:
            vals.update({"invoice_payment_term_id": False, "invoice_date_due": shipment.plan.due_date})
        else:
            term = self._company()._imagepro_net30_term()
            vals["invoice_payment_term_id"] = term.id if term else False
        return vals

    @api.model
    def _invoice_shipments(self, shipments):
        """Invoice, post and (card) pay the orders of `shipments` together; one result per shipment."""
        orders = self.env["sale.order"].concat(*(s.order for s in shipments))
        invoices = orders._create_invoices(grouped=True)
        invoice_of = {inv.invoice_line_ids.sale_line_ids.order_id.id: inv for inv in invoices}
        for shipment in shipments:
            invoice_of[shipment.order.id].write(self._invoice_vals(shipment))
        invoices.action_post()
        for shipment in shipments:
            self._check_due_date(invoice_of[shipment.order.id], shipment.plan)
        card = [s for s in shipments if s.plan.paid_by_card]
        for paid_on in sorted({s.plan.invoice_date for s in card}):
            same_day = [s for s in card if s.plan.invoice_date == paid_on]
            self._pay_by_card(self.env["account.move"].concat(*(invoice_of[s.order.id] for s in same_day)), paid_on)
        return [self._shipment_result(s.doc, invoice_of[s.order.id], "created") for s in shipments]

    @api.model
    def _check_due_date(self, invoice, plan):
        if not plan.paid_by_card and invoice.invoice_date_due != plan.due_date:
            raise ValidationError(self.env._("Invoice due %(got)s, the policy says %(want)s (O7).",
                                    got=invoice.invoice_date_due, want=plan.due_date))

    @api.model
    def _pay_by_card(self, invoices, paid_on):
        """O7: card orders are recorded as paid by card, one payment per invoice in the CARD journal."""
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"journal_id": self._company()._imagepro_card_journal().id, "payment_date": paid_on,
                     "group_payment": False})
        )
        payments = wizard._create_payments()
        for payment in payments:
            invoice = payment.reconciled_invoice_ids[:1]
            order = invoice.invoice_line_ids.sale_line_ids.order_id[:1]
            brand = imagepro_policy.CARD_BRANDS.get(order.imagepro_card_brand or "", order.imagepro_card_brand or "card")
            payment.memo = self.env._("%(inv)s paid by %(brand)s card", inv=invoice.name, brand=brand)
        return payments

    @api.model
    def _shipment_result(self, doc, invoice, status):
        payment = invoice.matched_payment_ids[:1] if "matched_payment_ids" in invoice._fields else False
        order = invoice.line_ids.sale_line_ids.order_id[:1]
        return self._result(
            doc, "shipment", status=status, decision="invoiced", rules=["O7"],
            message=self.env._("Invoice %(inv)s dated %(date)s, due %(due)s.", inv=invoice.name,
                      date=invoice.invoice_date, due=invoice.invoice_date_due),
            ids={"sale_order_id": order.id, "invoice_id": invoice.id, "payment_id": payment.id if payment else 0},
            name=invoice.name,
        )

    @api.model
    def _sync_shipment(self, doc):
        """One shipment on its own: the fallback when a batch cannot be invoiced together."""
        prepared = self._prepare_shipment(doc)
        if not isinstance(prepared, ShipmentToInvoice):
            return prepared
        return self._invoice_shipments([prepared])[0]

    # ------------------------------------------------------------------ returns
    @api.model
    def sync_returns(self, docs):
        return self._run_batch(docs, "return", self._sync_return)

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
    def _invoiced_unit_price(self, order, invoice, product):
        """W5: the unit price the customer was invoiced (after discount), else the order's."""
        lines = invoice.invoice_line_ids.filtered(lambda l: l.product_id == product) if invoice else None
        if not lines and order:
            lines = order.order_line.filtered(lambda l: l.product_id == product)
        if not lines:
            return None
        line = lines[0]
        # O1's line subtotal of one unit: the price after the line discount, rounded as the terms round.
        return imagepro_policy.line_subtotal(
            imagepro_policy.OrderLine(
                sku=product.default_code or "",
                quantity=imagepro_policy.to_decimal(1),
                unit_price=imagepro_policy.to_decimal(str(line.price_unit)),
                discount_percent=imagepro_policy.to_decimal(str(line.discount)),
            )
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
    def _sync_return(self, doc):
        ref = doc["ref"]
        company = self._company()
        ra_model = self.env["imagepro.return.authorization"]
        existing = ra_model.search([("imagepro_sync_ref", "=", ref), ("company_id", "=", company.id)], limit=1)
        if existing:
            return self._ra_result(doc, "return", existing, "already_present")
        if not (doc.get("reason") or "").strip():
            raise ValidationError(self.env._("R6: the return states no reason; it is refused at intake."))
        order = self._order_by_ref(doc["order_ref"]) if doc.get("order_ref") else self.env["sale.order"]
        if doc.get("order_ref") and not order:
            raise MissingDependency(self.env._("Order %(ref)s is not in the ERP yet.", ref=doc["order_ref"]))
        partner = order.partner_id if order else self._find_partner(doc.get("customer"))
        if not partner:
            raise ValidationError(self.env._("Unknown customer %(ref)s.", ref=(doc.get("customer") or {}).get("ref")))
        invoice = order._imagepro_shipped_invoice() if order else self.env["account.move"]
        if order and not invoice:
            # Goods are returned after they shipped: the credit memo must reverse the shipment's invoice.
            raise MissingDependency(
                self.env._("Order %(ref)s is not invoiced yet; the return waits for its shipment.", ref=doc["order_ref"])
            )
        line_cmds = []
        for line in doc["lines"]:
            product = self._product_by_sku(line["sku"])
            price = imagepro_policy.to_decimal(line["unit_price_paid"])
            invoiced = self._invoiced_unit_price(order, invoice, product)
            if invoiced is not None and price > invoiced:
                price = invoiced
            vals = {
                "product_id": product.id,
                "quantity": float(imagepro_policy.to_decimal(line["quantity"])),
                "unit_price_paid": float(price),
                "defective": bool(line.get("defective")),
            }
            if line.get("inspection"):
                vals.update(self._inspection_vals(line["inspection"]))
            line_cmds.append(Command.create(vals))
        ra = ra_model.create(
            {
                "imagepro_sync_ref": ref,
                "company_id": company.id,
                "partner_id": partner.id,
                "sale_order_id": order.id or False,
                "invoice_id": invoice.id or False,
                "purchase_date": _date(doc["purchase_date"]),
                "shipment_date": _date(doc["shipment_date"]),
                "requested_on": _date(doc["requested_on"]),
                "reason": doc["reason"],
                "payment_method": doc.get("payment_method") or order.imagepro_payment_method or "open_account",
                "card_brand": order.imagepro_card_brand or False,
                "remedy": doc.get("remedy") or "credit",
                "line_ids": line_cmds,
            }
        )
        ra.action_authorize()
        if ra.state == "authorized" and all(line.get("inspection") for line in doc["lines"]):
            ra.action_inspect()
            ra.action_settle()
        return self._ra_result(doc, "return", ra, "created")

    # ------------------------------------------------------------------ inspections
    @api.model
    def sync_inspections(self, docs):
        return self._run_batch(docs, "inspection", self._sync_inspection)

    @api.model
    def _sync_inspection(self, doc):
        ref = doc["ref"]
        company = self._company()
        ra_model = self.env["imagepro.return.authorization"]
        existing = ra_model.search(
            [("imagepro_inspection_ref", "=", ref), ("company_id", "=", company.id)], limit=1
        )
        if existing:
            return self._ra_result(doc, "inspection", existing, "already_present")
        ra = ra_model.search([("name", "=", doc["ra_number"]), ("company_id", "=", company.id)], limit=1)
        if not ra:
            raise MissingDependency(self.env._("RA %(ra)s is not in the ERP yet.", ra=doc["ra_number"]))
        if ra.state not in ("authorized", "received"):
            raise ValidationError(self.env._("RA %(ra)s is %(state)s; only an authorized or received RA can be inspected.",
                                    ra=ra.name, state=ra.state))
        remaining = ra.line_ids
        for line in doc["lines"]:
            product = self._product_by_sku(line["sku"])
            match = remaining.filtered(lambda l, p=product: l.product_id == p)[:1]
            if not match:
                raise ValidationError(self.env._("RA %(ra)s has no line for %(sku)s.", ra=ra.name, sku=line["sku"]))
            match.write(self._inspection_vals(line))
            remaining -= match
        ra.imagepro_inspection_ref = ref
        ra.action_inspect()
        ra.action_settle()
        return self._ra_result(doc, "inspection", ra, "created")
