"""Orders and invoices: rules O1-O7."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from .dates import add_days
from .money import ZERO, money_str, round_cent
from .policy import CARD_BRANDS, DEFAULT_POLICY, PolicyBook, PolicyVersion, normalize_card_brand
from .rules import ordered_rules

PaymentMethod = Literal["card", "open_account"]
OrderVerdict = Literal["accepted", "held", "rejected"]


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = ZERO


@dataclass(frozen=True)
class Order:
    """What the rules need to know of an order; the channel (O5) is validated at intake and kept."""

    order_date: date
    lines: tuple[OrderLine, ...]
    payment_method: PaymentMethod
    card_brand: str | None = None
    credit_approved: bool | None = None
    freight_amount: Decimal = ZERO
    customer_ref: str = ""


@dataclass(frozen=True)
class OrderAmounts:
    merchandise_subtotal: Decimal
    service_charge: Decimal
    freight: Decimal

    @property
    def total_before_tax(self) -> Decimal:
        return self.merchandise_subtotal + self.service_charge + self.freight

    def as_strings(self) -> dict[str, str]:
        return {
            "merchandise_subtotal": money_str(self.merchandise_subtotal),
            "service_charge": money_str(self.service_charge),
            "freight": money_str(self.freight),
            "total_before_tax": money_str(self.total_before_tax),
        }


@dataclass(frozen=True)
class OrderDecision:
    verdict: OrderVerdict
    rules: tuple[str, ...]
    message: str
    amounts: OrderAmounts
    line_subtotals: tuple[Decimal, ...]
    payment_term_days: int
    policy: PolicyVersion = field(repr=False)


@dataclass(frozen=True)
class InvoicePlan:
    """O7: how a shipped order is invoiced."""

    invoice_date: date
    due_date: date
    paid_by_card: bool
    rules: tuple[str, ...] = ("O7",)


def line_subtotal(line: OrderLine) -> Decimal:
    """O1: quantity x unit price after the line discount, rounded on the line."""
    return round_cent(line.quantity * line.unit_price * (Decimal(100) - line.discount_percent) / Decimal(100))


def merchandise_subtotal(lines: tuple[OrderLine, ...] | list[OrderLine]) -> Decimal:
    """O1: the sum of rounded product-line subtotals (no freight, no service charge, before tax)."""
    return sum((line_subtotal(line) for line in lines), ZERO)


def service_charge_for(subtotal: Decimal, policy: PolicyVersion) -> Decimal:
    """O1: the charge for a subtotal below the minimum; exactly the minimum meets it."""
    return round_cent(policy.service_charge) if subtotal < policy.minimum_order else ZERO


def card_brand_label(brand: str) -> str:
    return CARD_BRANDS.get(normalize_card_brand(brand), brand)


def decide_order(order: Order, book: PolicyBook = DEFAULT_POLICY) -> OrderDecision:
    """Accept, hold or reject an order under the policy in force on its order date (O1-O6)."""
    policy = book.in_force_on(order.order_date)
    subtotals = tuple(line_subtotal(line) for line in order.lines)
    subtotal = sum(subtotals, ZERO)
    amounts = OrderAmounts(subtotal, service_charge_for(subtotal, policy), round_cent(order.freight_amount))

    rules = ["O1"]
    notes = [_minimum_note(amounts, policy)]
    if amounts.freight:
        rules.append("O2")
        notes.append(f"freight {money_str(amounts.freight)} as quoted (O2)")

    if order.payment_method == "card":
        brand = order.card_brand or ""
        if not policy.accepts_card(brand):
            accepted = _accepted_brands(policy)
            return OrderDecision(
                "rejected",
                ordered_rules(["O4", "O6"]),
                f"Rejected: {card_brand_label(brand) or 'this'} cards are not accepted; "
                f"pay with {accepted}, or on approved open account (O4).",
                amounts,
                subtotals,
                0,
                policy,
            )
        rules.append("O4")
        notes.append(f"paid by {card_brand_label(brand)} with no surcharge (O4)")
        term_days = 0
    else:
        if order.credit_approved is not True:
            who = f"customer {order.customer_ref}" if order.customer_ref else "the customer"
            known = "is not approved" if order.credit_approved is False else "is not known to be approved"
            return OrderDecision(
                "held",
                ordered_rules(["O3", "O6"]),
                f"Held for staff: open account (Net {policy.net_days}) needs approved credit and "
                f"{who}'s credit {known}; approve the credit or take a card payment (O3).",
                amounts,
                subtotals,
                policy.net_days,
                policy,
            )
        rules.append("O3")
        notes.append(f"open account, invoice due Net {policy.net_days} (O3)")
        term_days = policy.net_days

    rules.append("O6")
    message = "Accepted: " + "; ".join(notes) + "."
    return OrderDecision("accepted", ordered_rules(rules), message, amounts, subtotals, term_days, policy)


def plan_invoice(
    order_date: date, shipped_on: date, payment_method: PaymentMethod, book: PolicyBook = DEFAULT_POLICY
) -> InvoicePlan:
    """O7: invoice dated the ship date; open account due Net N from it; card orders recorded as paid."""
    policy = book.in_force_on(order_date)
    if payment_method == "card":
        return InvoicePlan(shipped_on, shipped_on, True)
    return InvoicePlan(shipped_on, add_days(shipped_on, policy.net_days), False)


def _minimum_note(amounts: OrderAmounts, policy: PolicyVersion) -> str:
    subtotal = money_str(amounts.merchandise_subtotal)
    minimum = money_str(policy.minimum_order)
    if amounts.service_charge:
        return (
            f"merchandise {subtotal} is under the {minimum} minimum, "
            f"so a {money_str(amounts.service_charge)} service charge applies (O1)"
        )
    return f"merchandise {subtotal} meets the {minimum} minimum (O1)"


def _accepted_brands(policy: PolicyVersion) -> str:
    names = [CARD_BRANDS[b] for b in policy.accepted_card_brands]
    if len(names) <= 1:
        return "".join(names) or "no card"
    return ", ".join(names[:-1]) + " or " + names[-1]
