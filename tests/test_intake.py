"""Reading documents: every entry validated on its own, errors naming the field and the rule."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync_worker.intake import InvalidDocument, ValidDocument, read_documents

ORDER = {
    "type": "order",
    "ref": "WEB-1",
    "channel": "web",
    "order_date": "2026-11-20",
    "customer": {"ref": "C-1"},
    "lines": [{"sku": "IP-TN450", "quantity": 2, "unit_price": "24.99"}],
    "payment": {"method": "card", "card_brand": "visa"},
}
RETURN = {
    "type": "return",
    "ref": "RA-1",
    "order_ref": "WEB-1",
    "customer": {"ref": "C-1"},
    "requested_on": "2026-12-01",
    "purchase_date": "2026-11-20",
    "shipment_date": "2026-11-21",
    "reason": "Streaks",
    "payment_method": "card",
    "lines": [{"sku": "IP-TN450", "quantity": 1, "unit_price_paid": "24.99", "defective": True}],
}


def errors_of(document: dict[str, Any]) -> dict[str, str]:
    [read] = read_documents(json.dumps(document))
    assert isinstance(read, InvalidDocument)
    return {e.field: e.rule for e in read.errors}


def test_one_object_an_array_and_json_lines_read_alike() -> None:
    as_object = read_documents(json.dumps(ORDER))
    as_array = read_documents(json.dumps([ORDER, RETURN]))
    as_lines = read_documents(json.dumps(ORDER) + "\n\n" + json.dumps(RETURN) + "\n")
    assert [r.ref for r in as_object] == ["WEB-1"]
    assert [r.ref for r in as_array] == [r.ref for r in as_lines] == ["WEB-1", "RA-1"]
    assert all(isinstance(r, ValidDocument) for r in as_array + as_lines)


def test_error_names_the_field_with_its_index() -> None:
    bad = json.loads(json.dumps(ORDER))
    bad["lines"].append({"sku": "X", "quantity": 0, "unit_price": "1.00"})
    assert "lines[1].quantity" in errors_of(bad)


def test_return_without_reason_is_refused_under_r6() -> None:
    assert errors_of({**RETURN, "reason": "  "}) == {"reason": "R6"}
    assert errors_of({k: v for k, v in RETURN.items() if k != "reason"}) == {"reason": "R6"}


def test_card_without_brand_names_o4_and_unknown_channel_names_o5() -> None:
    errors = errors_of({**ORDER, "channel": "fax", "payment": {"method": "card"}})
    assert errors == {"channel": "O5", "payment.card_brand": "O4"}


def test_money_as_a_float_is_refused_but_json_numbers_are_exact() -> None:
    [read] = read_documents(
        '{"type":"order","ref":"W","channel":"web","order_date":"2026-11-20",'
        '"customer":{"ref":"C"},"lines":[{"sku":"A","quantity":1,"unit_price":24.99}],'
        '"payment":{"method":"open_account"}}'
    )
    assert isinstance(read, ValidDocument)
    assert str(read.document.lines[0].unit_price) == "24.99"  # type: ignore[union-attr]


def test_one_bad_line_of_json_lines_does_not_stop_the_others() -> None:
    reads = read_documents(json.dumps(ORDER) + "\n{not json\n" + json.dumps(RETURN))
    assert [type(r).__name__ for r in reads] == ["ValidDocument", "InvalidDocument", "ValidDocument"]
    assert "line 2" in reads[1].errors[0].message  # type: ignore[union-attr]


def test_weights_must_make_sense() -> None:
    bad = json.loads(json.dumps(RETURN))
    bad["lines"][0]["inspection"] = {
        "full_weight_g": 700,
        "empty_weight_g": 700,
        "labels_intact": True,
        "original_packaging": True,
        "resalable": False,
    }
    assert errors_of(bad) == {"lines[0].inspection.full_weight_g": "W3"}


def test_unknown_type_is_named() -> None:
    assert errors_of({"type": "invoice", "ref": "X"}) == {"type": ""}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400)
@given(st.one_of(st.text(max_size=300), json_values.map(json.dumps)))
def test_reader_never_raises_on_fuzzed_input(text: str) -> None:
    for read in read_documents(text):
        assert isinstance(read, (ValidDocument, InvalidDocument))


@settings(max_examples=300)
@given(
    st.dictionaries(st.sampled_from([*ORDER, "bogus"]), json_values, max_size=8),
    st.sampled_from(["order", "shipment", "return", "inspection"]),
)
def test_mangled_documents_become_invalid_never_an_exception(fields: dict[str, Any], kind: str) -> None:
    for read in read_documents(json.dumps({**fields, "type": kind})):
        assert isinstance(read, (ValidDocument, InvalidDocument))
