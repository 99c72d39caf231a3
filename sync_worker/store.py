"""Putting read documents into the outbox: valid ones to post, invalid ones kept with their errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from .documents import InspectionDocument, ReturnDocument, ShipmentDocument
from .intake import InvalidDocument, ReadDocument
from .outbox.base import AddOutcome, Outbox


@dataclass(frozen=True)
class Stored:
    kind: str
    ref: str
    outcome: AddOutcome
    valid: bool
    message: str = ""


def store_documents(outbox: Outbox, documents: list[ReadDocument], source: str) -> list[Stored]:
    """Store each document; an invalid one without a usable type or ref is named after its place in `source`."""
    stored: list[Stored] = []
    for index, read in enumerate(documents):
        if isinstance(read, InvalidDocument):
            kind = read.kind or "unknown"
            ref = read.ref or f"{source}#{index + 1}"
            payload = read.raw if isinstance(read.raw, dict) else {"raw": _text(read.raw)}
            outcome = outbox.add(
                kind,
                ref,
                _jsonable(payload),
                state="invalid",
                errors=[e.as_dict() for e in read.errors],
                last_error=read.summary(),
            )
            stored.append(Stored(kind, ref, outcome, False, read.summary()))
            continue
        document = read.document
        depends_kind, depends_ref = "", ""
        if isinstance(document, (ShipmentDocument, ReturnDocument)):
            depends_kind, depends_ref = "order", document.order_ref
        elif isinstance(document, InspectionDocument):
            depends_kind, depends_ref = "ra", document.ra_number
        outcome = outbox.add(
            document.type,
            document.ref,
            _jsonable(read.raw),
            depends_kind=depends_kind,
            depends_ref=depends_ref,
        )
        message = (
            f"{document.type} {document.ref} was already received with other content and is "
            "being posted or posted; send a new ref for a change"
            if outcome == "conflict"
            else ""
        )
        stored.append(Stored(document.type, document.ref, outcome, outcome != "conflict", message))
    return stored


def _text(raw: object) -> str:
    return raw if isinstance(raw, str) else repr(raw)


def _jsonable(value: object) -> dict[str, object]:
    """The raw document with JSON numbers read as Decimal turned back into exact strings."""

    def default(obj: object) -> object:
        if isinstance(obj, Decimal):
            return str(obj)
        raise TypeError(f"cannot store {type(obj).__name__}")

    loaded = json.loads(json.dumps(value, default=default))
    return loaded if isinstance(loaded, dict) else {"raw": loaded}
