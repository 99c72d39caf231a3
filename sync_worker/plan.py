"""Deciding documents with no ERP: the lines `imagepro-sync plan --json` prints (DOCUMENTS.md)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
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
    lines: tuple[tuple[str, str, str, str], ...]  # sku, quantity, unit price, discount: O1 of a partial shipment
    charges: str  # service charge + freight: on the first shipment's invoice (O1, O2)
    shipped: tuple[tuple[str, str], ...] = ()  # sku, quantity shipped by the shipments planned so far

    def order_lines(self) -> list[policy.OrderLine]:
        return [
            policy.OrderLine(sku, Decimal(qty), Decimal(price), Decimal(disc)) for sku, qty, price, disc in self.lines
        ]

    def to_json(self) -> str:
        return json.dumps([self.order_date.isoformat(), *self[1:]])

    @classmethod
    def from_json(cls, text: str) -> _SeenOrder:
        day, method, verdict, rules, lines, charges, shipped = json.loads(text)
        return cls(date.fromisoformat(day), method, verdict, tuple(rules), tuple(map(tuple, lines)), charges,
                   tuple(map(tuple, shipped)))


class _SeenOrders:
    """The orders planned so far, by ref: the first `in_memory` in a dict, the rest in a temporary SQLite file,
    so planning a file of millions of documents takes the same memory as one of thousands."""

    def __init__(self, in_memory: int = 20_000) -> None:
        self._memory: dict[str, _SeenOrder] = {}
        self._in_memory = in_memory
        self._disk: sqlite3.Connection | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __setitem__(self, ref: str, seen: _SeenOrder) -> None:
        if ref in self._memory or len(self._memory) < self._in_memory:
            self._memory[ref] = seen
            return
        self._spill().execute("INSERT OR REPLACE INTO seen VALUES (?, ?)", (ref, seen.to_json()))

    def get(self, ref: str) -> _SeenOrder | None:
        found = self._memory.get(ref)
        if found is not None or self._disk is None:
            return found
        row = self._disk.execute("SELECT seen FROM seen WHERE ref = ?", (ref,)).fetchone()
        return None if row is None else _SeenOrder.from_json(row[0])

    def _spill(self) -> sqlite3.Connection:
        if self._disk is None:
            self._folder = tempfile.TemporaryDirectory(prefix="imagepro-plan-")
            self._disk = sqlite3.connect(Path(self._folder.name) / "orders.db", isolation_level=None)
            self._disk.execute("PRAGMA journal_mode = OFF")
            self._disk.execute("PRAGMA synchronous = OFF")
            self._disk.execute(
                "CREATE TABLE seen (ref TEXT PRIMARY KEY, seen TEXT)"
            )
        return self._disk

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


@dataclass
class Planner:
    """Plans documents in order; remembers the orders it has seen so a shipment can be invoiced."""

    book: policy.PolicyBook = policy.DEFAULT_POLICY
    orders_in_memory: int = 20_000  # orders remembered in memory; more go to a temporary file
    _orders: _SeenOrders = field(init=False)

    def __post_init__(self) -> None:
        self._orders = _SeenOrders(self.orders_in_memory)

    def close(self) -> None:
        """Drop what was remembered (and its temporary file, for a large plan)."""
        self._orders.close()

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
            tuple((line.sku, str(line.quantity), str(line.unit_price), str(line.discount_percent))
                  for line in document.lines),
            money_str(decision.amounts.service_charge + decision.amounts.freight),
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
        lines = seen.order_lines()
        shipped = {sku: Decimal(qty) for sku, qty in seen.shipped}
        try:
            split = policy.split_shipment(policy.ordered_goods(lines), shipped, document.shipped_lines())
        except policy.ShipmentError as exc:
            error = FieldError(exc.field, exc.message, exc.rule)
            return invalid_line(InvalidDocument("shipment", document.ref, (error,)))
        for sku, qty in split.quantities.items():
            shipped[sku] = shipped.get(sku, Decimal(0)) + qty
        self._orders[document.order_ref] = seen._replace(shipped=tuple((sku, str(q)) for sku, q in shipped.items()))
        merchandise = policy.shipped_subtotal(lines, split.quantities)
        charges = Decimal(seen.charges) if split.carries_charges else Decimal(0)
        invoice = policy.plan_invoice(seen.order_date, document.shipped_on, seen.payment_method, self.book)
        paid = "recorded as paid by card" if invoice.paid_by_card else f"due {invoice.due_date.isoformat()}"
        whole = split.completes_order and split.carries_charges
        part = "" if whole else " for the units this shipment carried"
        rest = "" if split.completes_order else "; the rest of the order is still to ship"
        return base | {
            "decision": "invoiced",
            "rules": list(policy.ordered_rules({*invoice.rules, *split.rules})),
            "message": f"Invoice dated {invoice.invoice_date.isoformat()}{part}, {paid} (O7){rest}.",
            "invoice": {
                "invoice_date": invoice.invoice_date.isoformat(),
                "due_date": invoice.due_date.isoformat(),
                "paid_by_card": invoice.paid_by_card,
            },
            "amounts": {"merchandise_subtotal": money_str(merchandise), "charges": money_str(charges),
                        "total_before_tax": money_str(merchandise + charges)},
            "lines": [{"sku": sku, "quantity": str(qty)} for sku, qty in split.quantities.items()],
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
