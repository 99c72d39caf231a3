"""Properties that hold for every order and return the rules can see."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import imagepro_policy as p

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2)
quantity = st.integers(min_value=1, max_value=500).map(Decimal)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=1)
day = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
grams = st.integers(min_value=0, max_value=2000).map(Decimal)

inspections = st.builds(
    p.Inspection,
    labels_intact=st.booleans(),
    original_packaging=st.booleans(),
    resalable=st.booleans(),
    damage=st.sampled_from(["none", "none", "freight", "abuse"]),
    measured_weight_g=grams,
    full_weight_g=st.just(Decimal("950")),
    empty_weight_g=st.just(Decimal("700")),
)
return_lines = st.builds(
    p.ReturnLine,
    sku=st.just("SKU"),
    quantity=quantity,
    unit_price_paid=money,
    defective=st.booleans(),
    inspection=st.one_of(st.none(), inspections),
    already_credited=st.one_of(st.just(Decimal("0")), money),
)


@st.composite
def return_requests(draw: st.DrawFn) -> p.ReturnRequest:
    purchased = draw(day)
    shipped = purchased + timedelta(days=draw(st.integers(0, 20)))
    requested = shipped + timedelta(days=draw(st.integers(0, 500)))
    return p.ReturnRequest(
        requested,
        purchased,
        shipped,
        draw(st.sampled_from(["card", "open_account"])),
        tuple(draw(st.lists(return_lines, min_size=1, max_size=5))),
        draw(st.sampled_from(["credit", "credit", "replace"])),
    )


@settings(max_examples=300)
@given(return_requests())
def test_credit_never_exceeds_what_was_paid(request: p.ReturnRequest) -> None:
    decision = p.decide_return(request)
    for line, decided in zip(request.lines, decision.lines, strict=True):
        assert Decimal("0") <= decided.credit <= line.paid
        assert decided.credit <= max(line.paid - line.already_credited, Decimal("0"))
    assert decision.credit <= sum(line.paid for line in request.lines)


@settings(max_examples=300)
@given(return_requests())
def test_fees_are_never_negative_and_line_credits_sum_to_the_total(request: p.ReturnRequest) -> None:
    decision = p.decide_return(request)
    assert all(line.restocking_fee >= 0 for line in decision.lines)
    assert decision.credit == sum(line.credit for line in decision.lines)
    assert decision.restocking_fee == sum(line.restocking_fee for line in decision.lines)
    assert decision.credit == decision.credit.quantize(Decimal("0.01"))


@settings(max_examples=300)
@given(return_requests())
def test_non_defective_credit_is_paid_minus_restocking(request: p.ReturnRequest) -> None:
    decision = p.decide_return(request)
    for line, decided in zip(request.lines, decision.lines, strict=True):
        if decided.verdict != "approved" or request.remedy == "replace" or line.already_credited:
            continue
        if line.defective:
            assert (decided.credit, decided.restocking_fee) == (line.paid, Decimal("0"))
        else:
            assert decided.credit == line.paid - p.percent_of(line.paid, Decimal("0.15"))


@settings(max_examples=300)
@given(
    st.lists(st.tuples(quantity, money, percent), min_size=1, max_size=6),
    money,
    st.sampled_from(["card", "open_account"]),
    st.booleans(),
)
def test_order_amounts_add_up(
    lines: list[tuple[Decimal, Decimal, Decimal]], freight: Decimal, method: str, credit: bool
) -> None:
    order = p.Order(
        date(2026, 11, 20), tuple(p.OrderLine("S", q, u, d) for q, u, d in lines), method, "visa", credit, freight
    )  # type: ignore[arg-type]
    decision = p.decide_order(order)
    amounts = decision.amounts
    assert amounts.service_charge in (Decimal("0.00"), Decimal("3.00"))
    assert (amounts.service_charge > 0) == (amounts.merchandise_subtotal < Decimal("50.00"))
    assert amounts.merchandise_subtotal == sum(decision.line_subtotals)
    assert amounts.total_before_tax == amounts.merchandise_subtotal + amounts.service_charge + freight
    assert all(s >= 0 for s in decision.line_subtotals)
