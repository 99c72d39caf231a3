"""What every outbox engine offers: durable rows, one per (kind, ref), and a claim with a lease."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple, Protocol

State = Literal["pending", "posting", "posted", "failed", "dead", "invalid", "rejected"]
STATES: tuple[State, ...] = ("pending", "posting", "posted", "failed", "dead", "invalid", "rejected")
AddOutcome = Literal["added", "duplicate", "replaced", "conflict"]


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str  # order | shipment | return | inspection
    ref: str
    state: State
    payload: dict[str, Any]  # the document as received (JSON object)
    depends_kind: str = ""  # "order": depends_ref is an order's ref; "ra": an RA number a return row got
    depends_ref: str = ""
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    claimed_by: str = ""
    last_error: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)  # field errors of an invalid document
    result: dict[str, Any] = field(default_factory=dict)  # what the ERP answered (ids, names, decision)
    ra_number: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Posted(NamedTuple):
    """One row the ERP now holds, for `Outbox.mark_posted_many`."""

    row_id: int
    result: dict[str, Any]  # what the ERP answered
    ra_number: str = ""  # the RA number a return got ("" leaves the stored one)


class Outbox(Protocol):
    def add(
        self,
        kind: str,
        ref: str,
        payload: dict[str, Any],
        *,
        state: State = "pending",
        errors: list[dict[str, str]] | None = None,
        last_error: str = "",
        depends_kind: str = "",
        depends_ref: str = "",
    ) -> AddOutcome:
        """Store a document. Same (kind, ref) and same payload: "duplicate", nothing changes.
        Same (kind, ref), other payload, stored row invalid/rejected/dead: "replaced" (row reset).
        Same (kind, ref), other payload, row pending/failed/posting/posted: "conflict", nothing changes."""
        ...

    def claim(self, worker_id: str, limit: int, lease_seconds: float, now: datetime) -> list[OutboxRow]:
        """Atomically take up to `limit` rows that are due (pending, or failed with next_attempt_at <= now,
        or posting with lease_until < now) and whose dependency (if any row in the outbox satisfies it)
        is posted; mark them posting with a lease. Oldest first. Never the same row to two callers."""
        ...

    def mark_posted(self, row_id: int, result: dict[str, Any], ra_number: str = "") -> None:
        """Record what the ERP answered; applies whatever the row's state (the ERP already holds it)."""
        ...
    def mark_posted_many(self, posted: Sequence[Posted]) -> None:
        """`mark_posted` for each, all in one transaction (one statement on PostgreSQL). A row named twice
        gets the last answer."""
        ...
    def mark_failed(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        """attempts += 1, state failed, lease cleared."""
        ...
    def mark_dead(self, row_id: int, error: str) -> None: ...
    def mark_rejected(self, row_id: int, result: dict[str, Any], error: str) -> None: ...
    def release(self, row_ids: list[int]) -> None:
        """Give claimed rows back (state pending, lease cleared) without counting an attempt."""
        ...
    def get(self, kind: str, ref: str) -> OutboxRow | None: ...
    def rows(
        self, states: tuple[State, ...] = (), kind: str = "", limit: int = 1000, after_id: int = 0
    ) -> list[OutboxRow]:
        """Rows in id order, those after `after_id` (a page: pass the last id seen)."""
        ...

    def count_conflicts(self) -> int:
        """Changed resends kept beside the first version of their document."""
        ...
    def retry(self, ref: str | None = None) -> int:
        """Dead (and failed) rows back to pending with attempts 0; ref None means all. Returns how many."""
        ...
    def counts(self) -> dict[tuple[str, str], int]:
        """{(state, kind): n}"""
        ...
    def oldest_pending_since(self) -> datetime | None: ...
    def close(self) -> None: ...
