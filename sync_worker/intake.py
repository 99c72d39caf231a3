"""Reading documents: one JSON object, a JSON array or JSON Lines; every entry validated on its own.

A document that cannot be read or validated becomes an `InvalidDocument` that keeps its raw text
and names each bad field and, where one applies, the rule of TERMS.md; it never stops the others.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .documents import DOCUMENT_MODELS, Document

# The rule a bad field breaks, by the field's last name (or its dotted path without indexes).
_RULE_OF_FIELD = {
    "reason": "R6",
    "payment.card_brand": "O4",
    "card_brand": "O4",
    "channel": "O5",
    "freight.method": "O2",
    "freight.amount": "O2",
    "full_weight_g": "W3",
    "empty_weight_g": "W3",
    "measured_weight_g": "W3",
    "labels_intact": "W6",
    "damage": "W4",
    "original_packaging": "R4",
    "resalable": "R4",
    "ra_number": "R3",
    "shipped_on": "O7",
    "shipment_date": "R1",
    "requested_on": "R1",
    "purchase_date": "W1",
    "unit_price_paid": "W5",
    "unit_price": "O1",
    "discount_percent": "O1",
    "remedy": "W2",
    "payment_method": "R7",
}
_MAX_RAW_CHARS = 100_000


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    rule: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"field": self.field, "message": self.message}
        if self.rule:
            out["rule"] = self.rule
        return out

    def __str__(self) -> str:
        where = self.field or "document"
        return f"{where}: {self.message}" + (f" ({self.rule})" if self.rule else "")


@dataclass(frozen=True)
class ValidDocument:
    document: Document
    raw: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.document.type

    @property
    def ref(self) -> str:
        return self.document.ref


@dataclass(frozen=True)
class InvalidDocument:
    kind: str
    ref: str
    errors: tuple[FieldError, ...]
    raw: Any = field(repr=False, default=None)

    def summary(self) -> str:
        return "; ".join(str(e) for e in self.errors)


ReadDocument = ValidDocument | InvalidDocument


def parse_json_entries(text: str) -> list[Any | InvalidDocument]:
    """Split a file's text into JSON values; a line of JSON Lines that does not parse is kept as invalid."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        whole = json.loads(stripped, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        if stripped.startswith("[") or "\n" not in stripped:
            return [_unreadable(stripped, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        return _json_lines(stripped)
    except RecursionError:
        return [_unreadable(stripped, "not valid JSON: nested too deeply")]
    return list(whole) if isinstance(whole, list) else [whole]


def _json_lines(text: str) -> list[Any | InvalidDocument]:
    entries: list[Any | InvalidDocument] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line, parse_float=Decimal))
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            entries.append(_unreadable(line, f"line {number} is not valid JSON: {detail}"))
    return entries


def _unreadable(raw: str, message: str) -> InvalidDocument:
    return InvalidDocument("", "", (FieldError("", message),), raw[:_MAX_RAW_CHARS])


def validate_entry(entry: Any) -> ReadDocument:
    """Validate one parsed JSON value as a document of its `type`."""
    if isinstance(entry, InvalidDocument):
        return entry
    if not isinstance(entry, dict):
        return InvalidDocument("", "", (FieldError("", f"expected a JSON object, got {_json_kind(entry)}"),), entry)
    kind = entry.get("type")
    ref = entry.get("ref")
    kind_text = kind if isinstance(kind, str) else ""
    ref_text = ref.strip() if isinstance(ref, str) else ""
    model = DOCUMENT_MODELS.get(kind_text)
    if model is None:
        known = ", ".join(DOCUMENT_MODELS)
        message = f"unknown document type {kind!r}; expected one of {known}" if kind else f"is required; one of {known}"
        return InvalidDocument(kind_text, ref_text, (FieldError("type", message),), entry)
    try:
        document = model.model_validate(entry)
    except ValidationError as exc:
        return InvalidDocument(kind_text, ref_text, _field_errors(exc), entry)
    return ValidDocument(document, entry)  # type: ignore[arg-type]


def read_documents(text: str) -> list[ReadDocument]:
    return [validate_entry(entry) for entry in parse_json_entries(text)]


def _field_errors(exc: ValidationError) -> tuple[FieldError, ...]:
    errors: list[FieldError] = []
    for error in exc.errors(include_url=False):
        path = _path(error["loc"])
        message = str(error["msg"])
        if message.startswith(("Value error, ", "Assertion failed, ")):
            message = message.split(", ", 1)[1]
        named = re.match(r"^([a-z_]+): (.*)$", message, flags=re.DOTALL)
        if named:
            path = f"{path}.{named.group(1)}" if path else named.group(1)
            message = named.group(2)
        if error["type"] == "missing":
            message = "is required"
        errors.append(FieldError(path, message, _rule_of(path)))
    return tuple(errors)


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _rule_of(path: str) -> str:
    generic = re.sub(r"\[\d+\]", "", path)
    return _RULE_OF_FIELD.get(generic) or _RULE_OF_FIELD.get(generic.rsplit(".", 1)[-1], "")


def _json_kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
