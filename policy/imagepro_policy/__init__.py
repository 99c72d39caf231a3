"""Image-Pro's terms of sale, warranty and returns as code (docs/terms.md).

Standard library only and free of I/O, so that the Odoo add-on and the sync worker
decide with the same rules.
"""

from __future__ import annotations

from .dates import (
    DEFAULT_TIME_ZONE,
    EARLIEST_DATE,
    LATEST_DATE,
    add_days,
    add_months,
    local_date,
    within_days,
    within_months,
)
from .money import MoneyError, money_str, percent_of, round_cent, to_decimal
from .orders import (
    InvoicePlan,
    Order,
    OrderAmounts,
    OrderDecision,
    OrderLine,
    decide_order,
    line_subtotal,
    merchandise_subtotal,
    plan_invoice,
    service_charge_for,
)
from .policy import (
    CARD_BRANDS,
    DEFAULT_POLICY,
    NoPolicyInForce,
    PolicyBook,
    PolicyError,
    PolicyVersion,
    normalize_card_brand,
)
from .returns import (
    DAMAGE_LABELS,
    Inspection,
    LineDecision,
    ReturnDecision,
    ReturnLine,
    ReturnRequest,
    decide_return,
    remaining_fraction,
)
from .rules import RULE_TITLES, ordered_rules
from .shipments import ShipmentError, ShipmentSplit, ShippedLine, ordered_goods, shipped_subtotal, split_shipment

__version__ = "1.0.0"

__all__ = [
    "CARD_BRANDS",
    "DAMAGE_LABELS",
    "DEFAULT_POLICY",
    "DEFAULT_TIME_ZONE",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "RULE_TITLES",
    "Inspection",
    "InvoicePlan",
    "LineDecision",
    "MoneyError",
    "NoPolicyInForce",
    "Order",
    "OrderAmounts",
    "OrderDecision",
    "OrderLine",
    "PolicyBook",
    "PolicyError",
    "PolicyVersion",
    "ReturnDecision",
    "ReturnLine",
    "ReturnRequest",
    "ShipmentError",
    "ShipmentSplit",
    "ShippedLine",
    "add_days",
    "add_months",
    "decide_order",
    "decide_return",
    "line_subtotal",
    "local_date",
    "merchandise_subtotal",
    "money_str",
    "normalize_card_brand",
    "ordered_goods",
    "ordered_rules",
    "percent_of",
    "plan_invoice",
    "remaining_fraction",
    "round_cent",
    "service_charge_for",
    "shipped_subtotal",
    "split_shipment",
    "to_decimal",
    "within_days",
    "within_months",
]
