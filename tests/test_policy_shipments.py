"""Partial shipments: what each shipment invoices (O1, O2, O7) and which shipment R1 counts from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

import imagepro_policy as p

ORDERED = {"TN": D(4), "DR": D(1)}


def test_without_lines_a_shipment_takes_everything_still_to_ship_and_the_first_carries_the_charges() -> None:
    whole = p.split_shipment(ORDERED, {}, None)
    assert whole.quantities == ORDERED and whole.carries_charges and whole.completes_order
    assert whole.rules == ("O1", "O2", "O7")

    rest = p.split_shipment(ORDERED, {"TN": D(2)}, None)
    assert rest.quantities == {"TN": D(2), "DR": D(1)}
    assert not rest.carries_charges and rest.completes_order and rest.rules == ("O7",)


def test_a_partial_shipment_invoices_its_lines_and_leaves_the_rest_to_ship() -> None:
    first = p.split_shipment(ORDERED, {}, [p.ShippedLine("TN", D(2))])
    assert first.quantities == {"TN": D(2)} and first.carries_charges and not first.completes_order
    last = p.split_shipment(ORDERED, {"TN": D(2)}, [p.ShippedLine("TN", D(2)), p.ShippedLine("DR", D(1))])
    assert last.completes_order and not last.carries_charges


@pytest.mark.parametrize(
    ("shipped_before", "lines", "field", "words"),
    [
        ({}, [p.ShippedLine("XX", D(1))], "lines[0].sku", "XX is not on the order"),
        ({"TN": D(3)}, [p.ShippedLine("TN", D(2))], "lines[0].quantity", "only 1 of the 4 ordered are still to ship"),
        ({}, [p.ShippedLine("DR", D(1)), p.ShippedLine("DR", D(1))], "lines[1].sku", "appears twice"),
        ({}, [p.ShippedLine("DR", D(0))], "lines[0].quantity", "more than 0"),
        ({}, [], "lines", "at least one item"),
        ({"TN": D(4), "DR": D(1)}, None, "order_ref", "shipped already"),
    ],
)
def test_a_unit_ships_once_and_a_shipment_ships_something(
    shipped_before: dict[str, D], lines: list[p.ShippedLine] | None, field: str, words: str
) -> None:
    with pytest.raises(p.ShipmentError) as caught:
        p.split_shipment(ORDERED, shipped_before, lines)
    assert caught.value.field == field and caught.value.rule == "O7"
    assert words in caught.value.message


def test_the_shipped_subtotal_takes_each_skus_units_from_its_order_lines_in_order() -> None:
    lines = [p.OrderLine("TN", D(2), D("20.00")), p.OrderLine("TN", D(2), D("18.00"), D(10)),
             p.OrderLine("DR", D(1), D("10.00"))]
    assert p.ordered_goods(lines) == {"TN": D(4), "DR": D(1)}
    assert p.shipped_subtotal(lines, {"TN": D(3)}) == D("56.20")  # 2 x 20.00 + 1 x 16.20
    assert p.shipped_subtotal(lines, {}) == D(0)


def _non_defective(requested: date, line_shipped: date | None) -> p.ReturnDecision:
    line = p.ReturnLine("TN", D(1), D("20.00"), False, shipment_date=line_shipped)
    return p.decide_return(p.ReturnRequest(requested, date(2026, 11, 20), date(2026, 11, 21), "open_account", (line,)))


def test_r1_counts_from_the_shipment_that_carried_the_line() -> None:
    assert _non_defective(date(2026, 12, 26), None).verdict == "denied"  # 35 days after the first shipment
    later = _non_defective(date(2026, 12, 26), date(2026, 11, 28))
    assert later.verdict == "pending_inspection"  # 28 days after its own shipment
    assert "R1" in later.rules
    late = _non_defective(date(2026, 12, 29), date(2026, 11, 28))
    assert late.verdict == "denied" and "31 days after shipment on 2026-11-28" in late.message
