"""Rule ids of docs/terms.md and their short titles, in the order it lists them."""

from __future__ import annotations

from collections.abc import Iterable

RULE_TITLES: dict[str, str] = {
    "O1": "Minimum order and service charge",
    "O2": "Freight charged as quoted",
    "O3": "Open account (Net 30) on approved credit",
    "O4": "Accepted cards, no surcharge",
    "O5": "Order channel kept",
    "O6": "Orders subject to acceptance",
    "O7": "Shipped orders invoiced",
    "W1": "Warranty period",
    "W2": "Warranty remedy: replace or full credit",
    "W3": "Weight threshold",
    "W4": "Warranty exclusions",
    "W5": "Liability limited to the purchase price",
    "W6": "Labels removed void the warranty",
    "R1": "Return window from shipment",
    "R2": "Shipping, handling and service charge not refunded",
    "R3": "Return Authorization required",
    "R4": "Non-defective returns: resalable, original packaging, age",
    "R5": "Restocking charge on non-defective returns",
    "R6": "Reason required",
    "R7": "Settlement to card or account",
}

_ORDER = {rule: index for index, rule in enumerate(RULE_TITLES)}


def ordered_rules(rules: Iterable[str]) -> tuple[str, ...]:
    """Distinct rule ids in docs/terms.md order, so every decision lists them the same way."""
    return tuple(sorted(set(rules), key=lambda rule: _ORDER.get(rule, len(_ORDER))))
