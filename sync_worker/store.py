"""Putting read documents into the outbox: valid ones to post, invalid ones kept with their errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from .documents import InspectionDocument, ReturnDocument, ShipmentDocument
from .errors import OutboxError
from .intake import InvalidDocument, ReadDocument, escape_text
from .outbox.base import AddOutcome, Outbox

_MAX_KEPT_CHARS = 100_000


@dataclass(frozen=True)
class Stored:
    kind: str
    ref: str
    outcome: AddOutcome
    valid: bool
    message: str = ""
    kept_as: str = ""  # the ref it was kept under when not its own (a conflict, or a generated key)


def store_documents(outbox: Outbox, documents: Iterable[ReadDocument], source: str) -> list[Stored]:
    """Store each document; what became of each, in order (see `store_each`)."""
    return list(store_each(outbox, documents, source))


def store_each(outbox: Outbox, documents: Iterable[ReadDocument], source: str) -> Iterator[Stored]:
    """Store each document and yield what became of it, one outcome each, whatever its content.

    An invalid document without a usable type or ref is keyed by its place and content
    (`source#N@digest`), so two files' broken documents never overwrite each other. A changed resend of
    a document that is being posted or posted is kept beside the first as a conflict (`ref#conflict@digest`,
    invalid), never dropped. A document the outbox cannot take as given is kept as invalid with its text.
    """
    for index, read in enumerate(documents):
        yield _store_one(outbox, read, source, index + 1)


def _store_one(outbox: Outbox, read: ReadDocument, source: str, position: int) -> Stored:
    if isinstance(read, InvalidDocument):
        payload = _jsonable(read.raw if isinstance(read.raw, dict) else {"raw": _text(read.raw)})
        kind = read.kind or "unknown"
        ref = read.ref if read.kind and read.ref else f"{source}#{position}@{_digest(payload)}"
        return _keep_invalid(outbox, kind, ref, payload, [e.as_dict() for e in read.errors], read.summary())
    document = read.document
    depends_kind, depends_ref = "", ""
    if isinstance(document, (ShipmentDocument, ReturnDocument)):
        depends_kind, depends_ref = "order", document.order_ref
    elif isinstance(document, InspectionDocument):
        depends_kind, depends_ref = "ra", document.ra_number
    payload = _jsonable(read.raw)
    try:
        outcome = outbox.add(document.type, document.ref, payload, depends_kind=depends_kind, depends_ref=depends_ref)
    except OutboxError as exc:
        error = {"field": "", "message": f"the outbox could not store it as given: {exc}"}
        return _keep_invalid(outbox, document.type, f"{source}#{position}@{_digest(payload)}", payload, [error],
                             error["message"])
    if outcome != "conflict":
        return Stored(document.type, document.ref, outcome, True)
    message = (
        f"{document.type} {document.ref} was already received with other content and is being posted or "
        "posted; this version is kept beside it as a conflict. Send a new ref for a change."
    )
    conflict_ref = f"{document.ref}#conflict@{_digest(payload)}"
    error = {"field": "ref", "message": message}
    kept = _keep_invalid(outbox, document.type, conflict_ref, payload, [error], message)
    return Stored(document.type, document.ref, "conflict", False, kept.message, kept.ref)


def _keep_invalid(
    outbox: Outbox, kind: str, ref: str, payload: dict[str, object], errors: list[dict[str, str]], message: str
) -> Stored:
    try:
        outcome = outbox.add(kind, ref, payload, state="invalid", errors=errors, last_error=message)
        if outcome == "conflict":  # a broken resend of a document being posted: kept beside it
            ref = f"{ref}#conflict@{_digest(payload)}"
            outcome = outbox.add(kind, ref, payload, state="invalid", errors=errors, last_error=message)
    except OutboxError as exc:
        # The last resort: the document as escaped text, which every engine stores.
        text = escape_text(json.dumps(payload, ensure_ascii=True))[:_MAX_KEPT_CHARS]
        ref = f"{ref.split('@')[0][:150]}@{_digest({'raw': text})}"
        message = f"{message}; stored as text because the outbox refused it: {exc}"
        outcome = outbox.add(kind, ref, {"raw": text}, state="invalid", errors=errors, last_error=message)
    return Stored(kind, ref, outcome, False, message, ref)


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]


def _text(raw: object) -> str:
    return raw if isinstance(raw, str) else repr(raw)


def _jsonable(value: object) -> dict[str, object]:
    """The raw document with JSON numbers read as Decimal turned back into exact strings."""

    def default(obj: object) -> object:
        if isinstance(obj, Decimal):
            return str(obj)
        return repr(obj)

    loaded = json.loads(json.dumps(value, default=default))
    return loaded if isinstance(loaded, dict) else {"raw": loaded}
