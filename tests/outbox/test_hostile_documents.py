"""Hostile input is normal input: whatever its bytes, every document gets one outcome in the outbox, on both
engines, and nothing after it is lost (issue cases 1-4, 6, 8)."""

from __future__ import annotations

import io
import json

from sync_worker.intake import read_stream
from sync_worker.outbox import Outbox
from sync_worker.store import store_documents

SHIPMENT = '{"type":"shipment","ref":"%s","order_ref":"WEB-1","shipped_on":"2026-11-20"}'


def _store(outbox: Outbox, data: bytes, source: str = "day2.jsonl") -> list[tuple[str, str, str, bool]]:
    return [(s.kind, s.kept_as or s.ref, s.outcome, s.valid)
            for s in store_documents(outbox, read_stream(io.BytesIO(data)), source)]


def _states(outbox: Outbox) -> dict[str, str]:
    return {row.ref: row.state for row in outbox.rows(limit=10_000)}


def test_every_hostile_line_is_kept_invalid_and_the_lines_after_it_are_stored(outbox: Outbox) -> None:
    hostile = [
        '{"type":"order","ref":"P-NAN","lines":[{"quantity":NaN}]}',
        '{"type":"order","ref":"P-INF","lines":[{"quantity":-Infinity}]}',
        '{"type":"order","ref":"P-SURROGATE","customer":{"ref":"C-1","name":"\\ud800"}}',
        '{"type":"order","ref":"P-BIG","lines":[{"quantity":' + "9" * 5000 + "}]}",
        '{"type":"return","ref":"P-9999","order_ref":"WEB-1","customer":{"ref":"C-1"},"requested_on":"9999-12-31",'
        '"purchase_date":"9999-12-31","shipment_date":"9999-12-31","reason":"x","payment_method":"card",'
        '"lines":[{"sku":"IP-TN450","quantity":1,"unit_price_paid":"24.99","defective":true}]}',
        '{"type":"shipment","ref":"P-NUL\\u0000","order_ref":"WEB-1","shipped_on":"2026-11-20"}',
        '{"type":"shipment","ref":"P-NULNAME","order_ref":"WEB-1","shipped_on":"2026-11-20","x":"a\\u0000b"}',
        '{"type":"shipment","ref":"' + "R" * 20_000 + '","order_ref":"WEB-1","shipped_on":"2026-11-20"}',
        '{"type":"shipment","ref":"P-EPOCH","order_ref":"WEB-1","shipped_on":1763596800}',
        '{"type":"shipment","ref":"P-OFFSET","order_ref":"WEB-1","shipped_on":"2026-11-20T00:00:00+05:00"}',
        "\xff\xfe not UTF-8",
        '["junk"]',
    ]
    data = ("\n".join([SHIPMENT % "FIRST", *hostile, SHIPMENT % "LAST"]) + "\n").encode("utf-8", "surrogatepass")
    data = data.replace(b"\\xff\\xfe", b"\xff\xfe")
    stored = _store(outbox, data)
    assert len(stored) == len(hostile) + 2
    assert stored[0][3] and stored[-1][3], "the valid documents around the hostile ones are queued"
    assert [valid for *_, valid in stored[1:-1]] == [False] * len(hostile)
    states = _states(outbox)
    assert states["FIRST"] == states["LAST"] == "pending"
    assert sum(1 for state in states.values() if state == "invalid") == len(hostile)
    nan = outbox.get("order", "P-NAN")
    assert nan is not None and nan.errors[0]["field"] == "lines[0].quantity" and "NaN" in nan.errors[0]["message"]
    epoch = outbox.get("shipment", "P-EPOCH")
    assert epoch is not None and epoch.errors == [
        {"field": "shipped_on", "message": "must be a date written YYYY-MM-DD", "rule": "O7"}
    ]
    late = outbox.get("return", "P-9999")
    assert late is not None and any("between 2000-01-01 and 2099-12-31" in e["message"] for e in late.errors)


def test_invalid_documents_without_a_ref_never_overwrite_each_other(outbox: Outbox) -> None:
    store_a = _store(outbox, b'{"ref":"A-1","lines":[]}\n{"junk":1}\n', "store-a/day2.jsonl")
    store_b = _store(outbox, b'{"ref":"B-1","lines":[]}\n{"junk":1}\n', "store-b/day2.jsonl")
    keys = [key for _, key, _, _ in store_a + store_b]
    assert len(set(keys)) == 4
    assert all(key.startswith(("store-a/day2.jsonl#", "store-b/day2.jsonl#")) for key in keys)
    assert len(outbox.rows(states=("invalid",))) == 4
    assert _store(outbox, b'{"ref":"A-1","lines":[]}\n{"junk":1}\n', "store-a/day2.jsonl") == [
        (kind, key, "duplicate", False) for kind, key, _, _ in store_a
    ]  # the same file again: the same keys, nothing new


def test_a_changed_resend_of_a_pending_document_is_kept_as_a_conflict(outbox: Outbox) -> None:
    assert _store(outbox, (SHIPMENT % "S-1").encode())[0][2] == "added"
    changed = (SHIPMENT % "S-1").replace("2026-11-20", "2026-11-21").encode()
    [(kind, kept_as, outcome, valid)] = _store(outbox, changed)
    assert (kind, outcome, valid) == ("shipment", "conflict", False)
    assert kept_as.startswith("S-1#conflict@")
    first = outbox.get("shipment", "S-1")
    second = outbox.get("shipment", kept_as)
    assert first is not None and first.state == "pending" and first.payload["shipped_on"] == "2026-11-20"
    assert second is not None and second.state == "invalid" and second.payload["shipped_on"] == "2026-11-21"
    assert "kept beside it as a conflict" in second.last_error
    assert outbox.count_conflicts() == 1
    assert _store(outbox, changed)[0][2] == "conflict" and outbox.count_conflicts() == 1  # resent again: still one


def test_a_bom_does_not_spoil_the_first_document(outbox: Outbox) -> None:
    assert _store(outbox, b"\xef\xbb\xbf" + (SHIPMENT % "BOM").encode() + b"\n")[0][3]
    assert _store(outbox, b"\xef\xbb\xbf" + json.dumps([json.loads(SHIPMENT % "BOM-ARRAY")]).encode())[0][3]
