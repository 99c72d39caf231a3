"""Fuzz: whatever lines a file holds, reading, planning and storing give each document exactly one outcome,
raise nothing, and every stored outcome is a row of the outbox, on both engines (bounded in examples)."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync_worker.intake import read_stream
from sync_worker.outbox import Outbox
from sync_worker.plan import Planner
from sync_worker.store import store_each

FIRST = {"type": "shipment", "ref": "FIRST", "order_ref": "WEB-1", "shipped_on": "2026-11-20"}
NASTY_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "\udfff", "a\x00b", "\x00", "\ufeff", "R" * 300, "9999-12-31", "2026-02-30"]),
)
NASTY_TOKEN = st.sampled_from(["NaN", "Infinity", "-Infinity", "9" * 5000, "1e999999", "-0", "1.0000000000001"])
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), NASTY_TEXT, st.decimals(allow_nan=False).map(str)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(NASTY_TEXT, children, max_size=4)),
    max_leaves=12,
)
FIELDS = st.sampled_from(["type", "ref", "order_ref", "shipped_on", "order_date", "lines", "customer", "payment",
                          "reason", "requested_on", "channel", "quantity", "unit_price"])
KINDS = st.sampled_from(["order", "shipment", "return", "inspection", "x", ""])


@st.composite
def hostile_line(draw: Any) -> bytes:
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return draw(st.binary(max_size=60)).replace(b"\n", b" ").replace(b"\r", b" ")
    document: dict[str, Any] = {"type": draw(KINDS), "ref": draw(NASTY_TEXT)}
    document.update(draw(st.dictionaries(FIELDS, JSON_VALUE, max_size=6)))
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    if shape == 1:
        text = text.replace('"ref"', '"ref_token": ' + draw(NASTY_TOKEN) + ', "ref"', 1)
    if shape == 2:
        text = text[: draw(st.integers(1, max(len(text), 1)))]
    return text.encode("utf-8", "surrogatepass").replace(b"\n", b" ").replace(b"\r", b" ")


def _file(lines: list[bytes]) -> bytes:
    return b"\n".join([json.dumps(FIRST).encode(), *lines]) + b"\n"


def _expected(lines: list[bytes]) -> int:
    return 1 + sum(1 for line in lines if line.strip())


@settings(max_examples=150, deadline=None)
@given(st.lists(hostile_line(), max_size=8))
def test_reading_and_planning_give_one_outcome_per_line_and_never_raise(lines: list[bytes]) -> None:
    planner = Planner()
    decisions = [planner.plan(read)["decision"] for read in read_stream(io.BytesIO(_file(lines)))]
    assert len(decisions) == _expected(lines)
    assert decisions[0] == "deferred"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(hostile_line(), max_size=8))
def test_storing_keeps_every_outcome_on_both_engines(outbox: Outbox, lines: list[bytes]) -> None:
    stored = list(store_each(outbox, read_stream(io.BytesIO(_file(lines))), "fuzz.jsonl"))
    assert len(stored) == _expected(lines)
    for outcome in stored:
        assert outbox.get(outcome.kind, outcome.kept_as or outcome.ref) is not None, outcome
