"""Boundaries of every window and threshold, half-up rounding, and effective-dated policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

import imagepro_policy as p


def order(
    *lines: tuple[str, str, str],
    method: str = "card",
    brand: str | None = "visa",
    credit: bool | None = None,
    on: date = date(2026, 11, 20),
) -> p.Order:
    return p.Order(
        on, tuple(p.OrderLine("SKU", D(q), D(price), D(disc)) for q, price, disc in lines), method, brand, credit
    )  # type: ignore[arg-type]


def ret(
    requested: date,
    *,
    purchased: date = date(2026, 10, 30),
    shipped: date = date(2026, 11, 2),
    defective: bool = False,
    inspection: p.Inspection | None = None,
    qty: str = "1",
    price: str = "24.99",
    method: str = "open_account",
    remedy: str = "credit",
    already: str = "0",
) -> p.ReturnDecision:
    line = p.ReturnLine("SKU", D(qty), D(price), defective, inspection, D(already))
    return p.decide_return(p.ReturnRequest(requested, purchased, shipped, method, (line,), remedy))  # type: ignore[arg-type]


RESALABLE = p.Inspection(labels_intact=True, original_packaging=True, resalable=True)


def weighed(measured: str, labels: bool = True, damage: str = "none") -> p.Inspection:
    return p.Inspection(labels, True, False, damage, D(measured), D("950"), D("700"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("subtotal", "charge"), [("49.99", "3.00"), ("50.00", "0.00"), ("50.01", "0.00"), ("0.01", "3.00")]
)
def test_minimum_order_boundary(subtotal: str, charge: str) -> None:
    decision = p.decide_order(order(("1", subtotal, "0")))
    assert decision.amounts.service_charge == D(charge)


@pytest.mark.parametrize(
    ("qty", "price", "disc", "expected"),
    [
        ("1", "10.005", "0", "10.01"),  # half-up, not banker's rounding
        ("1", "10.015", "0", "10.02"),
        ("3", "0.335", "0", "1.01"),  # 1.005 rounds up
        ("1", "19.99", "12.5", "17.49"),  # 17.49125
        ("10", "19.99", "12.5", "174.91"),
    ],
)
def test_line_subtotal_rounds_half_up_per_line(qty: str, price: str, disc: str, expected: str) -> None:
    assert p.line_subtotal(p.OrderLine("X", D(qty), D(price), D(disc))) == D(expected)


def test_restocking_rounds_half_up_per_line() -> None:
    # 15 % of 49.98 is 7.497 -> 7.50; of 24.99 is 3.7485 -> 3.75 (per line, never on the total).
    assert ret(date(2026, 11, 30), qty="2", inspection=RESALABLE).restocking_fee == D("7.50")
    assert ret(date(2026, 11, 30), qty="1", inspection=RESALABLE).restocking_fee == D("3.75")


@pytest.mark.parametrize(
    "brand", ["Visa", "MASTERCARD", "Master Card", "discover", "American Express", "amex", "american_express"]
)
def test_accepted_card_brands_in_any_spelling(brand: str) -> None:
    assert p.decide_order(order(("2", "25.00", "0"), brand=brand)).verdict == "accepted"


@pytest.mark.parametrize("brand", ["Diners Club", "JCB", "UnionPay", ""])
def test_other_card_brands_are_rejected(brand: str) -> None:
    decision = p.decide_order(order(("2", "25.00", "0"), brand=brand))
    assert decision.verdict == "rejected"
    assert "O4" in decision.rules


def test_no_card_surcharge_ever() -> None:
    card = p.decide_order(order(("2", "25.00", "0")))
    account = p.decide_order(order(("2", "25.00", "0"), method="open_account", credit=True))
    assert card.amounts.total_before_tax == account.amounts.total_before_tax == D("50.00")


@pytest.mark.parametrize(
    ("credit", "verdict", "term"), [(True, "accepted", 30), (False, "held", 30), (None, "held", 30)]
)
def test_open_account_needs_approved_credit(credit: bool | None, verdict: str, term: int) -> None:
    decision = p.decide_order(order(("2", "25.00", "0"), method="open_account", credit=credit))
    assert (decision.verdict, decision.payment_term_days) == (verdict, term)


def test_invoice_is_dated_the_ship_date_and_due_net_30() -> None:
    plan = p.plan_invoice(date(2026, 11, 20), date(2026, 12, 15), "open_account")
    assert (plan.invoice_date, plan.due_date, plan.paid_by_card) == (date(2026, 12, 15), date(2027, 1, 14), False)
    card = p.plan_invoice(date(2026, 11, 20), date(2026, 12, 15), "card")
    assert card.paid_by_card and card.due_date == date(2026, 12, 15)


@pytest.mark.parametrize(("requested", "verdict"), [(date(2026, 12, 2), "approved"), (date(2026, 12, 3), "denied")])
def test_return_window_day_30_counts_day_31_does_not(requested: date, verdict: str) -> None:
    assert ret(requested, purchased=date(2026, 11, 2), inspection=RESALABLE).verdict == verdict


@pytest.mark.parametrize(("requested", "verdict"), [(date(2026, 10, 31), "approved"), (date(2026, 11, 1), "denied")])
def test_non_defective_age_day_60_counts_day_61_does_not(requested: date, verdict: str) -> None:
    decision = ret(requested, purchased=date(2026, 9, 1), shipped=date(2026, 10, 20), inspection=RESALABLE)
    assert decision.verdict == verdict


@pytest.mark.parametrize(
    ("purchased", "requested", "verdict"),
    [
        (date(2024, 2, 29), date(2025, 2, 28), "approved"),  # 29 February maps to 28 February
        (date(2024, 2, 29), date(2025, 3, 1), "denied"),
        (date(2025, 11, 20), date(2026, 11, 20), "approved"),
        (date(2025, 11, 20), date(2026, 11, 21), "denied"),
    ],
)
def test_warranty_year_with_29_february(purchased: date, requested: date, verdict: str) -> None:
    decision = ret(requested, purchased=purchased, shipped=purchased, defective=True, inspection=weighed("790"))
    assert decision.verdict == verdict


@pytest.mark.parametrize(
    ("measured", "verdict"), [("724.99", "denied"), ("725", "approved"), ("950", "approved"), ("600", "denied")]
)
def test_weight_threshold_boundary(measured: str, verdict: str) -> None:
    decision = ret(
        date(2026, 11, 20),
        purchased=date(2026, 3, 10),
        shipped=date(2026, 3, 10),
        defective=True,
        inspection=weighed(measured),
        price="31.50",
        method="card",
    )
    assert decision.verdict == verdict


def test_defective_without_known_weights_waits() -> None:
    inspection = p.Inspection(True, True, False, "none", D("800"), None, None)
    decision = ret(date(2026, 11, 20), purchased=date(2026, 11, 1), defective=True, inspection=inspection)
    assert decision.verdict == "pending_inspection"
    assert "W3" in decision.lines[0].message


def test_non_defective_needs_resalable_and_original_packaging() -> None:
    worn = p.Inspection(labels_intact=True, original_packaging=False, resalable=False)
    decision = ret(date(2026, 11, 30), inspection=worn)
    assert decision.verdict == "denied"
    assert "resalable" in decision.message and "packaging" in decision.message


@pytest.mark.parametrize("damage", ["freight", "improper_installation", "storage", "abuse"])
def test_warranty_exclusions(damage: str) -> None:
    decision = ret(
        date(2026, 11, 20),
        purchased=date(2026, 6, 1),
        shipped=date(2026, 6, 1),
        defective=True,
        inspection=weighed("800", damage=damage),
    )
    assert (decision.verdict, decision.rules) == ("denied", ("W4",))


def test_replacement_credits_nothing_and_settles_as_replacement() -> None:
    decision = ret(
        date(2026, 11, 20),
        purchased=date(2026, 6, 1),
        shipped=date(2026, 6, 1),
        defective=True,
        inspection=weighed("800"),
        remedy="replace",
    )
    assert (decision.verdict, decision.settlement, decision.credit) == ("approved", "replacement", D("0"))


def test_credit_never_exceeds_what_is_left_to_credit() -> None:
    decision = ret(
        date(2026, 11, 20),
        purchased=date(2026, 6, 1),
        shipped=date(2026, 6, 1),
        defective=True,
        inspection=weighed("800"),
        price="31.50",
        already="20.00",
    )
    assert decision.credit == D("11.50")
    assert "W5" in decision.rules


def test_partial_return() -> None:
    good = p.ReturnLine("A", D("1"), D("24.99"), False, RESALABLE)
    bad = p.ReturnLine("B", D("1"), D("24.99"), False, p.Inspection(True, False, False))
    decision = p.decide_return(
        p.ReturnRequest(date(2026, 11, 30), date(2026, 10, 30), date(2026, 11, 2), "card", (good, bad))
    )
    assert (decision.verdict, decision.settlement, decision.credit) == ("partial", "card_refund", D("21.24"))


def test_order_judged_by_the_policy_in_force_on_its_order_date() -> None:
    book = p.PolicyBook.from_mapping(
        {
            "versions": [
                {"effective_from": "2000-01-01"},
                {"effective_from": "2027-01-01", "minimum_order": "75.00", "service_charge": "5.00"},
            ]
        }
    )
    before = p.decide_order(order(("1", "60.00", "0"), on=date(2026, 12, 31)), book)
    after = p.decide_order(order(("1", "60.00", "0"), on=date(2027, 1, 1)), book)
    assert (before.amounts.service_charge, after.amounts.service_charge) == (D("0.00"), D("5.00"))


def test_return_judged_by_the_policy_in_force_on_its_purchase_date() -> None:
    book = p.PolicyBook.from_mapping(
        {
            "versions": [
                {"effective_from": "2000-01-01"},
                {"effective_from": "2026-11-01", "restocking_percent": "20"},
            ]
        }
    )
    old = ret(date(2026, 11, 30), purchased=date(2026, 10, 30), inspection=RESALABLE, qty="2")
    assert (
        p.decide_return(
            p.ReturnRequest(
                date(2026, 11, 30),
                date(2026, 10, 30),
                date(2026, 11, 2),
                "card",
                (p.ReturnLine("A", D("2"), D("24.99"), False, RESALABLE),),
            ),
            book,
        ).restocking_fee
        == old.restocking_fee
        == D("7.50")
    )
    newer = p.decide_return(
        p.ReturnRequest(
            date(2026, 11, 30),
            date(2026, 11, 2),
            date(2026, 11, 2),
            "card",
            (p.ReturnLine("A", D("2"), D("24.99"), False, RESALABLE),),
        ),
        book,
    )
    assert newer.restocking_fee == D("10.00")


def test_no_policy_in_force_is_an_error_that_says_when_the_first_starts() -> None:
    book = p.PolicyBook.from_mapping({"effective_from": "2027-01-01"})
    with pytest.raises(p.NoPolicyInForce, match="2027-01-01"):
        p.decide_order(order(("1", "60.00", "0")), book)


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"minimum_order": "-1"}, "minimum_order"),
        ({"restocking_percent": "150"}, "restocking_percent"),
        ({"accepted_card_brands": ["visa", "diners"]}, "diners"),
        ({"minimum_order": "lots"}, "minimum_order"),
        ({"minimun_order": "75"}, "unknown policy setting"),
    ],
)
def test_bad_policy_settings_are_named(settings: dict[str, object], complaint: str) -> None:
    with pytest.raises(p.PolicyError, match=complaint):
        p.PolicyBook.from_mapping(settings)


def test_floats_never_hold_money() -> None:
    with pytest.raises(p.MoneyError):
        p.to_decimal(24.99)
