"""Deciding documents with no ERP: the lines `imagepro-sync plan --json` prints (DOCUMENTS.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import imagepro_policy as policy
from imagepro_policy import money_str

from .documents import InspectionDocument, OrderDocument, PaymentMethod, ReturnDocument, ShipmentDocument
from .intake import FieldError, InvalidDocument, ReadDocument


class _SeenOrder(NamedTuple):
    """What a shipment needs of an order planned earlier: little, so planning a million documents stays small."""

    order_date: date
    payment_method: PaymentMethod
    verdict: str
    rules: tuple[str, ...]
    total_before_tax: str


@dataclass
class Planner:
    """Plans documents in order; remembers the orders it has seen so a shipment can be invoiced."""

    book: policy.PolicyBook = policy.DEFAULT_POLICY
    _orders: dict[str, _SeenOrder] = field(default_factory=dict)

    def plan(self, read: ReadDocument) -> dict[str, Any]:
        if isinstance(read, InvalidDocument):
            return invalid_line(read)
        document = read.document
        try:
            if isinstance(document, OrderDocument):
                return self._order(document)
            if isinstance(document, ShipmentDocument):
                return self._shipment(document)
            if isinstance(document, ReturnDocument):
                return self._return(document)
            return self._inspection(document)
        except policy.NoPolicyInForce as exc:
            field_name = "purchase_date" if isinstance(document, ReturnDocument) else "order_date"
            return invalid_line(
                InvalidDocument(document.type, document.ref, (FieldError(field_name, str(exc)),), read.raw)
            )

    def _order(self, document: OrderDocument) -> dict[str, Any]:
        decision = policy.decide_order(document.to_policy(), self.book)
        self._orders[document.ref] = _SeenOrder(
            document.order_date,
            document.payment.method,
            decision.verdict,
            tuple(decision.rules),
            money_str(decision.amounts.total_before_tax),
        )
        return {
            "type": "order",
            "ref": document.ref,
            "decision": decision.verdict,
            "rules": list(decision.rules),
            "message": decision.message,
            "amounts": decision.amounts.as_strings(),
            "payment_term_days": decision.payment_term_days,
            "lines": [
                {"sku": line.sku, "quantity": str(line.quantity), "subtotal": money_str(subtotal)}
                for line, subtotal in zip(document.lines, decision.line_subtotals, strict=True)
            ],
        }

    def _shipment(self, document: ShipmentDocument) -> dict[str, Any]:
        base = {"type": "shipment", "ref": document.ref, "order_ref": document.order_ref}
        seen = self._orders.get(document.order_ref)
        if seen is None:
            return base | {
                "decision": "deferred",
                "rules": ["O7"],
                "message": f"Order {document.order_ref} is not in these files; "
                "the ERP invoices it from its own record (O7).",
            }
        if seen.verdict != "accepted":
            return base | {
                "decision": "waiting",
                "rules": list(seen.rules),
                "message": f"Order {document.order_ref} is {seen.verdict}, "
                "so nothing is invoiced until staff act on it.",
            }
        invoice = policy.plan_invoice(seen.order_date, document.shipped_on, seen.payment_method, self.book)
        paid = "recorded as paid by card" if invoice.paid_by_card else f"due {invoice.due_date.isoformat()}"
        return base | {
            "decision": "invoiced",
            "rules": list(invoice.rules),
            "message": f"Invoice dated {invoice.invoice_date.isoformat()}, {paid} (O7).",
            "invoice": {
                "invoice_date": invoice.invoice_date.isoformat(),
                "due_date": invoice.due_date.isoformat(),
                "paid_by_card": invoice.paid_by_card,
            },
            "amounts": {"total_before_tax": seen.total_before_tax},
        }

    def _return(self, document: ReturnDocument) -> dict[str, Any]:
        decision = policy.decide_return(document.to_policy(), self.book)
        return {
            "type": "return",
            "ref": document.ref,
            "decision": decision.verdict,
            "rules": list(decision.rules),
            "message": decision.message,
            "settlement": decision.settlement,
            "amounts": {"credit": money_str(decision.credit), "restocking_fee": money_str(decision.restocking_fee)},
            "lines": [return_line(line) for line in decision.lines],
        }

    def _inspection(self, document: InspectionDocument) -> dict[str, Any]:
        return {
            "type": "inspection",
            "ref": document.ref,
            "ra_number": document.ra_number,
            "decision": "deferred",
            "rules": ["R3"],
            "message": f"Decided when {document.ra_number} is read from the ERP: its dates and prices are there (R3).",
        }


def return_line(line: policy.LineDecision) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sku": line.sku,
        "quantity": str(line.quantity),
        "decision": line.verdict,
        "credit": money_str(line.credit),
        "restocking_fee": money_str(line.restocking_fee),
        "rules": list(line.rules),
        "message": line.message,
    }
    if line.remaining_percent is not None:
        out["remaining_percent"] = str(line.remaining_percent)
    return out


def invalid_line(read: InvalidDocument) -> dict[str, Any]:
    return {
        "type": read.kind,
        "ref": read.ref,
        "decision": "invalid",
        "errors": [error.as_dict() for error in read.errors],
    }
