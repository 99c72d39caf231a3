"""Every worked example of TERMS.md, through `imagepro-sync plan --json`, to the cent."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from sync_worker.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "terms-worked-examples.jsonl"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("plan") / "out.jsonl"
    with out.open("w") as handle, contextlib.redirect_stdout(handle):
        assert main(["plan", "--json", str(EXAMPLES)]) == 0
    return {line["ref"]: line for line in map(json.loads, out.read_text().splitlines())}


def test_1_small_order_gets_service_charge_and_freight(planned: dict[str, dict[str, Any]]) -> None:
    ex = planned["EX01"]
    assert ex["decision"] == "accepted"
    assert ex["amounts"] == {
        "merchandise_subtotal": "44.98",
        "service_charge": "3.00",
        "freight": "8.50",
        "total_before_tax": "56.48",
    }
    assert "O1" in ex["rules"]


def test_2_exactly_the_minimum_has_no_service_charge(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX02"]["amounts"]["merchandise_subtotal"] == "50.00"
    assert planned["EX02"]["amounts"]["service_charge"] == "0.00"


def test_3_line_discount_counts_before_the_minimum(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX03"]["amounts"]["merchandise_subtotal"] == "48.60"
    assert planned["EX03"]["amounts"]["service_charge"] == "3.00"


def test_4_diners_club_is_rejected(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX04"]["decision"] == "rejected"
    assert "O4" in planned["EX04"]["rules"]
    assert "Diners Club" in planned["EX04"]["message"]


def test_5_open_account_without_approved_credit_is_held(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX05"]["decision"] == "held"
    assert planned["EX05"]["rules"][0] == "O3"


def test_6_non_defective_return_pays_restocking_and_credits_the_account(planned: dict[str, dict[str, Any]]) -> None:
    ex = planned["EX06"]
    assert ex["decision"] == "approved"
    assert ex["settlement"] == "account_credit"
    assert ex["amounts"] == {"credit": "42.48", "restocking_fee": "7.50"}
    assert ex["rules"] == ["R1", "R4", "R5", "R7"]


def test_7_day_31_after_shipment_is_denied(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX07"]["decision"] == "denied"
    assert planned["EX07"]["rules"] == ["R1"]
    assert planned["EX07"]["settlement"] == "none"


def test_8_sixty_five_days_after_purchase_is_denied(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX08"]["decision"] == "denied"
    assert planned["EX08"]["rules"] == ["R4"]
    assert "65 days" in planned["EX08"]["message"]


def test_9_defective_within_the_year_credits_the_card_in_full(planned: dict[str, dict[str, Any]]) -> None:
    ex = planned["EX09"]
    assert (ex["decision"], ex["settlement"]) == ("approved", "card_refund")
    assert ex["amounts"] == {"credit": "31.50", "restocking_fee": "0.00"}
    assert ex["rules"] == ["W1", "W2", "W3", "R7"]
    assert ex["lines"][0]["remaining_percent"] == "36.00"


def test_10_weight_threshold(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX10A"]["decision"] == "denied"
    assert planned["EX10A"]["rules"] == ["W3"]
    assert planned["EX10B"]["decision"] == "approved"
    assert planned["EX10B"]["amounts"]["credit"] == "31.50"


def test_11_labels_removed_and_freight_damage_void_the_warranty(planned: dict[str, dict[str, Any]]) -> None:
    assert (planned["EX11A"]["decision"], planned["EX11A"]["rules"]) == ("denied", ["W6"])
    assert (planned["EX11B"]["decision"], planned["EX11B"]["rules"]) == ("denied", ["W4"])


def test_12_warranty_year_counts_its_last_day(planned: dict[str, dict[str, Any]]) -> None:
    assert planned["EX12A"]["decision"] == "approved"
    assert (planned["EX12B"]["decision"], planned["EX12B"]["rules"]) == ("denied", ["W1"])


def test_13_an_order_shipped_in_parts_is_invoiced_per_shipment(planned: dict[str, dict[str, Any]]) -> None:
    first, second = planned["EX13-S1"], planned["EX13-S2"]
    # O7 per shipment; O1/O2 charges once, on the first shipment's invoice.
    assert first["amounts"] == {"merchandise_subtotal": "40.00", "charges": "9.00", "total_before_tax": "49.00"}
    assert first["invoice"] == {"invoice_date": "2026-11-21", "due_date": "2026-12-21", "paid_by_card": False}
    assert second["amounts"] == {"merchandise_subtotal": "50.00", "charges": "0.00", "total_before_tax": "50.00"}
    assert second["invoice"]["due_date"] == "2026-12-28"
    # R1 counts from the shipment that carried the unit: 28 days, not 35.
    assert planned["EX13-R"]["decision"] == "pending_inspection"
    assert "R1" in planned["EX13-R"]["rules"]
