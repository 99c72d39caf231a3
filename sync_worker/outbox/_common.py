"""What both engines share: checking arguments, canonical JSON, UTC times, building an OutboxRow."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, cast

from ..errors import OutboxError
from .base import STATES, OutboxRow, State

Clock = Callable[[], datetime]

DEPENDS_KINDS = ("", "order", "return_ref", "ra")
# A row may be stored in these states; "posting" needs a lease and only `claim` gives one.
ADD_STATES: tuple[State, ...] = tuple(s for s in STATES if s != "posting")
# A stored row in one of these may be replaced by a document with another payload.
REPLACEABLE: tuple[State, ...] = ("invalid", "rejected", "dead")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime, what: str) -> datetime:
    """A timezone-aware datetime in UTC; a naive one is refused rather than guessed at."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise OutboxError(f"{what} must be a timezone-aware datetime (UTC), got the naive {value.isoformat()}")
    return value.astimezone(timezone.utc)


def to_json(value: Any, what: str) -> str:
    """Canonical JSON text: keys sorted, no spaces, so equal documents give equal text."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise OutboxError(f"{what} cannot be stored as JSON: {exc}") from exc


def check_add(kind: str, ref: str, payload: Mapping[str, Any], state: str, depends_kind: str, depends_ref: str) -> None:
    if not kind or not ref:
        raise OutboxError(f"an outbox row needs a kind and a ref, got kind={kind!r} ref={ref!r}")
    if not isinstance(payload, Mapping):
        raise OutboxError(f"the payload of {kind} {ref} must be a JSON object, got {type(payload).__name__}")
    if state not in ADD_STATES:
        raise OutboxError(f"{kind} {ref}: cannot add a row in state {state!r}; use one of {', '.join(ADD_STATES)}")
    if depends_kind not in DEPENDS_KINDS:
        raise OutboxError(f"{kind} {ref}: unknown depends_kind {depends_kind!r}; use one of {DEPENDS_KINDS[1:]}")
    if bool(depends_kind) != bool(depends_ref):
        raise OutboxError(
            f"{kind} {ref}: depends_kind and depends_ref go together (got {depends_kind!r}, {depends_ref!r})"
        )


def check_claim(limit: int, lease_seconds: float) -> None:
    if limit < 1:
        raise OutboxError(f"claim limit must be at least 1, got {limit}")
    if lease_seconds <= 0:
        raise OutboxError(f"claim lease must be positive, got {lease_seconds} s")


def make_row(
    record: Mapping[str, Any],
    load_json: Callable[[Any], Any],
    load_time: Callable[[Any], datetime | None],
) -> OutboxRow:
    """An OutboxRow from one database record (keyed by the names in sql.COLUMNS)."""
    return OutboxRow(
        id=int(record["id"]),
        kind=str(record["kind"]),
        ref=str(record["ref"]),
        state=cast(State, record["state"]),
        payload=dict(load_json(record["payload"])),
        depends_kind=str(record["depends_kind"]),
        depends_ref=str(record["depends_ref"]),
        attempts=int(record["attempts"]),
        next_attempt_at=load_time(record["next_attempt_at"]),
        lease_until=load_time(record["lease_until"]),
        claimed_by=str(record["claimed_by"]),
        last_error=str(record["last_error"]),
        errors=list(load_json(record["errors"])),
        result=dict(load_json(record["result"])),
        ra_number=str(record["ra_number"]),
        created_at=load_time(record["created_at"]),
        updated_at=load_time(record["updated_at"]),
    )
