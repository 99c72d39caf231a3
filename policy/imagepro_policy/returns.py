"""Returns and warranty claims: rules R1-R7 and W1-W6, and how an RA is settled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from .dates import add_days, add_months, days_between
from .money import ZERO, money_str, percent_of, round_cent
from .policy import DEFAULT_POLICY, PolicyBook, PolicyVersion
from .rules import ordered_rules

Damage = Literal["none", "freight", "improper_installation", "storage", "abuse"]
Remedy = Literal["credit", "replace"]
LineVerdict = Literal["approved", "denied", "pending_inspection"]
ReturnVerdict = Literal["approved", "partial", "denied", "pending_inspection"]
Settlement = Literal["card_refund", "account_credit", "replacement", "none"]

DAMAGE_LABELS: dict[str, str] = {
    "none": "no damage",
    "freight": "freight damage",
    "improper_installation": "improper installation",
    "storage": "improper storage",
    "abuse": "abuse",
}


@dataclass(frozen=True)
class Inspection:
    """What the receiving dock found. Weights in grams; full and empty come from the product."""

    labels_intact: bool
    original_packaging: bool
    resalable: bool
    damage: Damage = "none"
    measured_weight_g: Decimal | None = None
    full_weight_g: Decimal | None = None
    empty_weight_g: Decimal | None = None


@dataclass(frozen=True)
class ReturnLine:
    sku: str
    quantity: Decimal
    unit_price_paid: Decimal
    defective: bool
    inspection: Inspection | None = None
    already_credited: Decimal = ZERO  # credit given earlier for these units (W5)
    # The day the shipment that carried these units left, when the order shipped in parts (R1); else the
    # request's shipment date counts.
    shipment_date: date | None = None

    @property
    def paid(self) -> Decimal:
        return round_cent(self.quantity * self.unit_price_paid)


@dataclass(frozen=True)
class ReturnRequest:
    requested_on: date
    purchase_date: date
    shipment_date: date
    payment_method: Literal["card", "open_account"]
    lines: tuple[ReturnLine, ...]
    remedy: Remedy = "credit"


@dataclass(frozen=True)
class LineDecision:
    sku: str
    quantity: Decimal
    verdict: LineVerdict
    rules: tuple[str, ...]
    message: str
    paid: Decimal
    credit: Decimal
    restocking_fee: Decimal
    remaining_percent: Decimal | None = None


@dataclass(frozen=True)
class ReturnDecision:
    verdict: ReturnVerdict
    rules: tuple[str, ...]
    message: str
    settlement: Settlement
    credit: Decimal
    restocking_fee: Decimal
    lines: tuple[LineDecision, ...]
    policy: PolicyVersion = field(repr=False)

    @property
    def authorized(self) -> bool:
        """R3: an RA may be issued when at least one line passes its date checks."""
        return any(line.verdict != "denied" for line in self.lines)


class _LineJudge:
    """Collects the rule failures of one line, so a denial names every clause that applies."""

    def __init__(self) -> None:
        self.passed: list[str] = []
        self.failed: list[tuple[str, str]] = []

    def check(self, rule: str, ok: bool, why: str, cite_when_passed: bool = True) -> None:
        if ok:
            if cite_when_passed:
                self.passed.append(rule)
        else:
            self.failed.append((rule, why))


def remaining_fraction(inspection: Inspection) -> Decimal | None:
    """W3: (measured - empty) / (full - empty); None while any weight is unknown or unusable."""
    measured, full, empty = inspection.measured_weight_g, inspection.full_weight_g, inspection.empty_weight_g
    if measured is None or full is None or empty is None or full <= empty:
        return None
    return (measured - empty) / (full - empty)


def decide_return(request: ReturnRequest, book: PolicyBook = DEFAULT_POLICY) -> ReturnDecision:
    """Decide every line of an RA under the policy in force on the purchase date, then its settlement."""
    policy = book.in_force_on(request.purchase_date)
    lines = tuple(_decide_line(request, line, policy) for line in request.lines)
    verdict = _overall(lines)
    credit = sum((line.credit for line in lines), ZERO)
    restocking = sum((line.restocking_fee for line in lines), ZERO)
    settlement = _settlement(request, verdict, credit)
    rules = [rule for line in lines for rule in line.rules]
    if settlement in ("card_refund", "account_credit"):
        rules.append("R7")
    return ReturnDecision(
        verdict,
        ordered_rules(rules),
        _return_message(verdict, settlement, credit, restocking, lines),
        settlement,
        credit,
        restocking,
        lines,
        policy,
    )


def _decide_line(request: ReturnRequest, line: ReturnLine, policy: PolicyVersion) -> LineDecision:
    judge = _LineJudge()
    requested = request.requested_on
    if line.defective:
        warranty_end = add_months(request.purchase_date, policy.warranty_months)
        judge.check(
            "W1",
            requested <= warranty_end,
            f"the warranty ran {policy.warranty_months} months from purchase on "
            f"{request.purchase_date.isoformat()} and ended {warranty_end.isoformat()}",
        )
    else:
        shipped = line.shipment_date or request.shipment_date
        since_shipment = days_between(shipped, requested)
        judge.check(
            "R1",
            requested <= add_days(shipped, policy.return_window_days),
            f"requested {since_shipment} days after shipment on {shipped.isoformat()}; "
            f"returns are accepted within {policy.return_window_days} days",
        )
        since_purchase = days_between(request.purchase_date, requested)
        judge.check(
            "R4",
            requested <= add_days(request.purchase_date, policy.nondefective_max_age_days),
            f"{since_purchase} days after purchase on {request.purchase_date.isoformat()}; non-defective "
            f"returns may be at most {policy.nondefective_max_age_days} days old",
        )

    inspection = line.inspection
    remaining: Decimal | None = None
    if inspection is not None:
        remaining = remaining_fraction(inspection)
        if line.defective:
            judge.check(
                "W6", inspection.labels_intact, "the cartridge labels were removed, which voids the warranty", False
            )
            judge.check(
                "W4",
                inspection.damage == "none",
                f"{DAMAGE_LABELS.get(inspection.damage, inspection.damage)} is not covered by the warranty",
                False,
            )
        else:
            judge.check("R4", inspection.resalable, "the item is not in resalable condition")
            judge.check("R4", inspection.original_packaging, "the item is not in its original packaging")
        if remaining is not None:
            judge.check(
                "W3",
                remaining >= policy.toner_threshold,
                f"{_percent(remaining)} of the toner or ink remains, under the "
                f"{_percent(policy.toner_threshold)} threshold, so no refund is given",
            )

    paid = line.paid
    remaining_percent = None if remaining is None else round_cent(remaining * 100)
    if judge.failed:
        reasons = "; ".join(f"{why} ({rule})" for rule, why in judge.failed)
        return LineDecision(
            line.sku,
            line.quantity,
            "denied",
            ordered_rules(r for r, _ in judge.failed),
            f"Denied: {reasons}.",
            paid,
            ZERO,
            ZERO,
            remaining_percent,
        )
    if inspection is None or (line.defective and remaining is None):
        waiting = "the inspection" if inspection is None else "the product's full and empty weights (W3)"
        return LineDecision(
            line.sku,
            line.quantity,
            "pending_inspection",
            ordered_rules(judge.passed),
            f"Authorized; the credit waits for {waiting}.",
            paid,
            ZERO,
            ZERO,
            remaining_percent,
        )
    return _approved_line(request, line, policy, judge.passed, remaining_percent)


def _approved_line(
    request: ReturnRequest,
    line: ReturnLine,
    policy: PolicyVersion,
    passed: list[str],
    remaining_percent: Decimal | None,
) -> LineDecision:
    paid = line.paid
    rules = list(passed)
    if line.defective:
        rules.append("W2")
        restocking = ZERO
        note = f"defective, full purchase price {money_str(paid)} with no restocking charge (W2)"
    else:
        rules.append("R5")
        restocking = percent_of(paid, policy.restocking_rate)
        note = (
            f"{money_str(restocking)} restocking charge, {_percent(policy.restocking_rate)} of {money_str(paid)} (R5)"
        )
    if request.remedy == "replace":
        credit = ZERO
        note = f"replaced at no charge for the item; {note}" if not line.defective else "defective, replaced (W2)"
    else:
        credit = paid - restocking
    limit = max(paid - line.already_credited, ZERO)
    if credit > limit:
        credit = limit
        rules.append("W5")
        note += f"; credit limited to the {money_str(limit)} not yet credited for these units (W5)"
    return LineDecision(
        line.sku,
        line.quantity,
        "approved",
        ordered_rules(rules),
        f"Approved: {note}.",
        paid,
        credit,
        restocking,
        remaining_percent,
    )


def _overall(lines: tuple[LineDecision, ...]) -> ReturnVerdict:
    verdicts = {line.verdict for line in lines}
    if "pending_inspection" in verdicts:
        return "pending_inspection"
    if verdicts == {"approved"}:
        return "approved"
    if verdicts == {"denied"} or not verdicts:
        return "denied"
    return "partial"


def _settlement(request: ReturnRequest, verdict: ReturnVerdict, credit: Decimal) -> Settlement:
    if verdict not in ("approved", "partial"):
        return "none"
    if request.remedy == "replace":
        return "replacement"
    if credit <= ZERO:
        return "none"
    return "card_refund" if request.payment_method == "card" else "account_credit"


def _return_message(
    verdict: ReturnVerdict,
    settlement: Settlement,
    credit: Decimal,
    restocking: Decimal,
    lines: tuple[LineDecision, ...],
) -> str:
    if verdict == "denied":
        return " ".join(line.message for line in lines)
    if verdict == "pending_inspection":
        return "Authorized: the RA can be issued; the credit is decided when the returned items are inspected."
    where = {
        "card_refund": "refunded to the card used for the purchase (R7)",
        "account_credit": "applied to the customer's account, oldest open invoices first (R7)",
        "replacement": "settled by sending a replacement at no charge (W2)",
        "none": "nothing is owed",
    }[settlement]
    parts = [f"{'Approved' if verdict == 'approved' else 'Partly approved'}: credit {money_str(credit)}"]
    if restocking:
        parts.append(f"after {money_str(restocking)} restocking (R5)")
    text = " ".join(parts) + f", {where}; shipping, handling and service charges are not refunded (R2)."
    if verdict == "partial":
        denied = " ".join(line.message for line in lines if line.verdict == "denied")
        text += f" {denied}"
    return text


def _percent(fraction: Decimal) -> str:
    value = (fraction * 100).quantize(Decimal("0.1")).normalize()
    return f"{value:f} %"
