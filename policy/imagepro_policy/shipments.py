"""What one shipment invoices when an order ships in parts (O1, O2, O7; docs/terms.md, "Partial shipments")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from .orders import OrderLine, line_subtotal

ZERO = Decimal(0)


class ShipmentError(ValueError):
    """A shipment that cannot be invoiced as sent: names the document field and the rule."""

    def __init__(self, field: str, message: str, rule: str = "O7") -> None:
        super().__init__(f"{field}: {message} ({rule})")
        self.field = field
        self.message = message
        self.rule = rule


@dataclass(frozen=True)
class ShippedLine:
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class ShipmentSplit:
    """The units one shipment carries, and so invoices (O7), by SKU, in the order's line order."""

    quantities: dict[str, Decimal]
    carries_charges: bool  # the order's service charge (O1) and freight (O2) go on this shipment's invoice
    completes_order: bool  # nothing of the order is left to ship after it

    @property
    def rules(self) -> tuple[str, ...]:
        return ("O1", "O2", "O7") if self.carries_charges else ("O7",)


def _units(quantity: Decimal) -> str:
    """4, 2.5: a quantity as a person writes it, whether it came as 4, 4.0 or 4.000."""
    return format(quantity.normalize(), "f")


def split_shipment(
    ordered: Mapping[str, Decimal],
    shipped_before: Mapping[str, Decimal],
    lines: Sequence[ShippedLine] | None,
) -> ShipmentSplit:
    """The quantities a shipment invoices: its `lines`, or without lines everything still to ship.

    `ordered` and `shipped_before` are the order's goods by SKU (charges excluded). The first shipment of an
    order carries its order-level charges; an item's units ship at most once; a shipment ships something.
    """
    left = {sku: qty - shipped_before.get(sku, ZERO) for sku, qty in ordered.items()}
    nothing_shipped_yet = not any(qty > 0 for qty in shipped_before.values())
    if lines is None:
        quantities = {sku: qty for sku, qty in left.items() if qty > 0}
        if not quantities:
            raise ShipmentError("order_ref", "every item of the order has shipped already; nothing is left to invoice")
    else:
        quantities = {}
        for index, line in enumerate(lines):
            if line.sku not in ordered:
                raise ShipmentError(f"lines[{index}].sku", f"{line.sku} is not on the order")
            if line.sku in quantities:
                raise ShipmentError(f"lines[{index}].sku", f"{line.sku} appears twice; give each item once")
            if line.quantity <= 0:
                raise ShipmentError(f"lines[{index}].quantity", "must be more than 0")
            if line.quantity > left[line.sku]:
                raise ShipmentError(
                    f"lines[{index}].quantity",
                    f"{_units(line.quantity)} of {line.sku} shipped, but only {_units(max(left[line.sku], ZERO))} of "
                    f"the {_units(ordered[line.sku])} ordered are still to ship",
                )
            quantities[line.sku] = line.quantity
        if not quantities:
            raise ShipmentError("lines", "a shipment with lines must ship at least one item")
    completes = all(left[sku] - quantities.get(sku, ZERO) <= 0 for sku in ordered)
    return ShipmentSplit(quantities, nothing_shipped_yet, completes)


def shipped_subtotal(lines: Sequence[OrderLine], quantities: Mapping[str, Decimal]) -> Decimal:
    """O1's merchandise subtotal of the units a shipment carried: each SKU's units are taken from its order
    lines in order, each line at its own price and discount, rounded per line."""
    left = dict(quantities)
    total = ZERO
    for line in lines:
        take = min(line.quantity, left.get(line.sku, ZERO))
        if take > 0:
            total += line_subtotal(replace(line, quantity=take))
            left[line.sku] -= take
    return total


def ordered_goods(lines: Sequence[OrderLine]) -> dict[str, Decimal]:
    """The order's quantities by SKU, the shape `split_shipment` takes."""
    ordered: dict[str, Decimal] = {}
    for line in lines:
        ordered[line.sku] = ordered.get(line.sku, ZERO) + line.quantity
    return ordered
