"""Reading documents: one JSON object, a JSON array or JSON Lines; every entry validated on its own.

A document that cannot be read or validated becomes an `InvalidDocument` that keeps its raw text
and names each bad field and, where one applies, the rule of TERMS.md; it never stops the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

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


class Unrepresentable:
    """A JSON token Python reads but no document may hold (NaN, Infinity, an integer of hundreds of digits):
    kept as its text so the document can be stored as invalid, never a crash."""

    def __init__(self, text: str, why: str) -> None:
        self.text = text
        self.why = why

    def __repr__(self) -> str:
        return self.text


_MAX_INT_DIGITS = 40


def _parse_constant(name: str) -> Unrepresentable:
    return Unrepresentable(name, f"{name} is not a number a document may hold")


def _parse_int(text: str) -> int | Unrepresentable:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return Unrepresentable(text[:_MAX_INT_DIGITS] + "...", f"a number of more than {_MAX_INT_DIGITS} digits")
    return int(text)


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal, parse_int=_parse_int, parse_constant=_parse_constant)


def parse_json_entries(text: str) -> list[Any | InvalidDocument]:
    """Split a file's text into JSON values; a line of JSON Lines that does not parse is kept as invalid.

    One JSON value (an object, or an array of documents), else JSON Lines: one value per line, so a bad
    line, whatever its bytes, is that line's outcome and never the others'.
    """
    stripped = text.lstrip("\ufeff").strip()  # a UTF-8 byte-order mark is not part of the first document
    if not stripped:
        return []
    try:
        whole = _loads(stripped)
    except json.JSONDecodeError as exc:
        if "\n" not in stripped or not _first_line_is_json(stripped):
            return [_unreadable(stripped, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        return _json_lines(stripped)
    except RecursionError:
        return [_unreadable(stripped, "not valid JSON: nested too deeply")]
    return list(whole) if isinstance(whole, list) else [whole]


def _first_line_is_object(text: str) -> bool:
    try:
        return isinstance(_loads(text), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _first_line_is_json(text: str) -> bool:
    try:
        _loads(text.split("\n", 1)[0])
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _json_lines(text: str) -> list[Any | InvalidDocument]:
    entries: list[Any | InvalidDocument] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        entries.append(parse_json_line(line, number))
    return entries


def parse_json_line(line: str, number: int) -> Any | InvalidDocument:
    """One line of JSON Lines: its value, or an InvalidDocument that keeps the line."""
    try:
        return _loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        return _unreadable(line, f"line {number} is not valid JSON: {detail}")


def _unreadable(raw: str, message: str) -> InvalidDocument:
    return InvalidDocument("", "", (FieldError("", message),), escape_text(raw[:_MAX_RAW_CHARS]))


def escape_text(text: str) -> str:
    """Text any store and any terminal takes: a NUL or a lone surrogate written as its JSON escape."""
    if text.isascii() and "\x00" not in text:
        return text
    out = text.replace("\x00", "\\u0000")
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:
        out = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in out)
    return out


def scrub(value: Any) -> tuple[Any, list[FieldError]]:
    """`value` with every string and key escaped where it holds a NUL or a lone surrogate and every
    unrepresentable number as its text, and one FieldError per place that had to be changed."""
    problems: list[FieldError] = []

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, str):
            clean = escape_text(node)
            if clean != node:
                what = "a NUL character" if "\x00" in node else "a lone surrogate (not Unicode text)"
                problems.append(FieldError(path, f"contains {what}", _rule_of(path)))
            return clean
        if isinstance(node, Unrepresentable):
            problems.append(FieldError(path, node.why, _rule_of(path)))
            return node.text
        if isinstance(node, dict):
            out = {}
            for key, item in node.items():
                clean_key = escape_text(key)
                if clean_key != key:
                    problems.append(FieldError(path, f"a field name contains a NUL or a lone surrogate: {clean_key}"))
                out[clean_key] = walk(item, f"{path}.{clean_key}" if path else clean_key)
            return out
        if isinstance(node, list):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(node)]
        return node

    return walk(value, ""), problems


def validate_entry(entry: Any) -> ReadDocument:
    """Validate one parsed JSON value as a document of its `type`; whatever its content, one outcome."""
    if isinstance(entry, InvalidDocument):
        return entry
    try:
        entry, problems = scrub(entry)
    except RecursionError:
        return _unreadable(repr(entry), "nested too deeply")
    if not isinstance(entry, dict):
        errors = (*problems, FieldError("", f"expected a JSON object, got {_json_kind(entry)}"))
        return InvalidDocument("", "", errors, entry)
    kind = entry.get("type")
    model = DOCUMENT_MODELS.get(kind) if isinstance(kind, str) else None
    kind_text: str = kind if model is not None and isinstance(kind, str) else ""
    ref_text = usable_ref(entry.get("ref"))
    if model is None:
        known = ", ".join(DOCUMENT_MODELS)
        shown = repr(kind)[:60]
        message = f"unknown document type {shown}; expected one of {known}" if kind else f"is required; one of {known}"
        return InvalidDocument(kind_text, ref_text, (*problems, FieldError("type", message)), entry)
    try:
        document = model.model_validate(entry)
    except ValidationError as exc:
        return InvalidDocument(kind_text, ref_text, (*problems, *_field_errors(exc)), entry)
    if problems:
        return InvalidDocument(kind_text, ref_text, tuple(problems), entry)
    return ValidDocument(document, entry)  # type: ignore[arg-type]


_USABLE_REF = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


def usable_ref(ref: Any) -> str:
    """A ref that can key a stored document (1-200 printable characters), else ""."""
    if not isinstance(ref, str):
        return ""
    ref = ref.strip()
    return ref if _USABLE_REF.fullmatch(ref) else ""


def read_documents(text: str) -> list[ReadDocument]:
    return [validate_entry(entry) for entry in parse_json_entries(text)]


def read_stream(stream: BinaryIO) -> Iterator[ReadDocument]:
    """The documents of a file, one at a time. JSON Lines is read line by line (constant memory, a line
    that is not UTF-8 is that line's outcome); a single JSON value or array is read whole."""
    first = b""
    lines = iter(stream)
    for first in lines:
        if first.strip() and first.strip() != b"\xef\xbb\xbf":
            break
    else:
        return
    first_text = _decode(first, 1)
    if isinstance(first_text, InvalidDocument) or not _first_line_is_object(first_text.lstrip("\ufeff")):
        # Not JSON Lines of objects: one value (perhaps pretty-printed), an array, or a broken file: read whole.
        rest = b"".join(lines)
        yield from read_documents((first + rest).decode("utf-8", errors="backslashreplace"))
        return
    yield validate_entry(parse_json_line(first_text.lstrip("\ufeff"), 1))
    for number, raw in enumerate(lines, start=2):
        if not raw.strip():
            continue
        text = _decode(raw, number)
        yield text if isinstance(text, InvalidDocument) else validate_entry(parse_json_line(text, number))


def _decode(raw: bytes, number: int) -> str | InvalidDocument:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _unreadable(raw.decode("utf-8", errors="backslashreplace"), f"line {number} is not UTF-8 text: {exc}")


def _field_errors(exc: ValidationError) -> tuple[FieldError, ...]:
    errors: list[FieldError] = []
    for error in exc.errors(include_url=False):
        path = _path(error["loc"])
        message = str(error["msg"])
        if message.startswith(("Value error, ", "Assertion failed, ")):
            message = message.split(", ", 1)[1]
        named = re.match(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (.*)$", message, flags=re.DOTALL)
        if named:
            path = f"{path}.{named.group(1)}" if path else named.group(1)
            message = named.group(2)
        if error["type"] == "missing":
            message = "is required"
        cited = re.search(r"\(([OWR]\d)\)$", message)  # a check that names its rule, e.g. "... (O7)"
        errors.append(FieldError(path, message, _rule_of(path) or (cited.group(1) if cited else "")))
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
