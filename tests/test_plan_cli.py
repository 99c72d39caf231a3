"""`imagepro-sync plan`: the day's examples, invalid documents, other policies, the table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sync_worker.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["plan", "--json", *args])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_day_of_documents_plans_in_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in (EXAMPLES / "day-2026-11-20").iterdir())
    code, lines = plan_json(capsys, *files)
    assert code == 0
    assert [line["type"] for line in lines][:3] == ["order"] * 3
    shipment = next(line for line in lines if line["ref"] == "SHIP-77813")
    assert shipment["invoice"] == {"invoice_date": "2026-11-21", "due_date": "2026-12-21", "paid_by_card": False}
    assert {line["decision"] for line in lines if line["type"] == "order"} == {"accepted", "held", "rejected"}


def test_invalid_documents_are_reported_and_the_rest_still_planned(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = plan_json(capsys, str(EXAMPLES / "broken.jsonl"), str(EXAMPLES / "terms-worked-examples.jsonl"))
    assert code == 1
    invalid = [line for line in lines if line["decision"] == "invalid"]
    assert len(invalid) == 4
    assert {"field": "reason", "message": "every return must state its reason", "rule": "R6"} in invalid[1]["errors"]
    assert sum(1 for line in lines if line["decision"] != "invalid") == 19  # the 19 documents of the worked examples


def test_plan_under_another_policy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, lines = plan_json(
        capsys, "--policy", str(EXAMPLES / "policy-minimum-75.toml"), str(EXAMPLES / "terms-worked-examples.jsonl")
    )
    assert code == 0
    assert lines[1]["amounts"] == {
        "merchandise_subtotal": "50.00",
        "service_charge": "5.00",
        "freight": "0.00",
        "total_before_tax": "55.00",
    }
    as_json = tmp_path / "p.json"
    as_json.write_text(
        json.dumps(
            {
                "versions": [
                    {"effective_from": "2000-01-01"},
                    {"effective_from": "2026-11-01", "restocking_percent": "20"},
                ]
            }
        )
    )
    code, lines = plan_json(capsys, "--policy", str(as_json), str(EXAMPLES / "terms-worked-examples.jsonl"))
    assert lines[5]["amounts"] == {"credit": "42.48", "restocking_fee": "7.50"}  # bought before the change


def test_bad_policy_file_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('minimum_order = "lots"\n')
    assert main(["plan", "--policy", str(bad), str(EXAMPLES / "terms-worked-examples.jsonl")]) == 1
    assert "minimum_order" in capsys.readouterr().err


def test_table_shows_decisions_rules_and_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(EXAMPLES / "terms-worked-examples.jsonl"), str(EXAMPLES / "broken.jsonl")]) == 1
    out = capsys.readouterr().out
    assert "EX06" in out and "approved (account_credit)" in out and "credit 42.48" in out
    assert "reason: every return must state its reason (R6)" in out


def test_plan_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path: Path) -> None:
    # More output than a pipe holds, so the planner is still writing when the reader goes away.
    line = (EXAMPLES / "terms-worked-examples.jsonl").read_text().splitlines()[0]
    many = tmp_path / "many.jsonl"
    many.write_text("".join(line.replace('"EX01"', f'"EX01-{n}"') + "\n" for n in range(3000)))
    plan = subprocess.Popen([sys.executable, "-m", "sync_worker.cli", "plan", str(many)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert plan.stdout is not None and plan.stderr is not None
    plan.stdout.readline()  # like `imagepro-sync plan ... | head -1`
    plan.stdout.close()
    err = plan.stderr.read().decode()
    plan.stderr.close()
    plan.wait(60)
    assert "Traceback" not in err, err


def test_a_plan_larger_than_memory_keeps_every_order_for_its_shipment() -> None:
    from sync_worker.intake import read_documents
    from sync_worker.plan import Planner

    orders = [{"type": "order", "ref": f"BIG-{n}", "channel": "web", "order_date": "2026-11-20",
               "customer": {"ref": "C-1", "credit_approved": True}, "payment": {"method": "open_account"},
               "lines": [{"sku": "IP-TN450", "quantity": 1, "unit_price": "24.99"}]} for n in range(5)]
    shipments = [{"type": "shipment", "ref": f"S-{n}", "order_ref": f"BIG-{n}", "shipped_on": "2026-11-21"}
                 for n in range(5)]
    planner = Planner(orders_in_memory=2)  # three of the five orders go to the temporary file
    try:
        lines = [planner.plan(read) for read in read_documents(json.dumps(orders + shipments))]
    finally:
        planner.close()
    assert [line["decision"] for line in lines[5:]] == ["invoiced"] * 5
    assert {line["invoice"]["due_date"] for line in lines[5:]} == {"2026-12-21"}
    assert {line["amounts"]["total_before_tax"] for line in lines[5:]} == {"27.99"}
