"""Turning claimed outbox rows into calls of the add-on's sync API, and recording what came back."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import imagepro_policy as policy

from .documents import OrderDocument
from .erp.api import PostResult, SyncApi
from .errors import PermanentError, TransientError
from .outbox.base import Outbox, OutboxRow, Posted

log = logging.getLogger(__name__)

# A shipment or a return is never claimed in the same round as its order (the outbox's claim sees to
# that); within one batch, shipments go before returns so a return finds its order's invoice.
KIND_ORDER = ("order", "shipment", "return", "inspection")
POSTED_STATUSES = {"created", "already_present", "held", "denied"}
BOOK_MAX_AGE = timedelta(minutes=5)


@dataclass(frozen=True)
class Backoff:
    """When a document that failed is tried again: exponential from `base`, capped, with full jitter."""

    base_seconds: float = 30.0
    max_seconds: float = 3600.0
    max_attempts: int = 12

    def next_try(self, attempts_so_far: int, now: datetime, rng: random.Random) -> datetime:
        ceiling = min(self.max_seconds, self.base_seconds * (2 ** min(attempts_so_far, 30)))
        return now + timedelta(seconds=self.base_seconds / 2 + rng.uniform(0, ceiling))


@dataclass(frozen=True)
class Outcome:
    kind: str
    ref: str
    state: str  # posted | failed | dead | rejected
    message: str


class Poster:
    def __init__(
        self,
        outbox: Outbox,
        api: SyncApi,
        *,
        batch_size: int = 100,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime],
        rng: random.Random | None = None,
        book: Callable[[], policy.PolicyBook] | None = None,
    ) -> None:
        self.outbox = outbox
        self.api = api
        self.batch_size = batch_size
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.rng = rng or random.Random()
        self._book_source = book or api.policy_book
        self._book: tuple[datetime, policy.PolicyBook] | None = None

    def book(self) -> policy.PolicyBook:
        """The ERP's policy, read again every few minutes so a manager's change reaches the worker."""
        now = self.clock()
        if self._book is None or now - self._book[0] > BOOK_MAX_AGE:
            self._book = (now, self._book_source())
        return self._book[1]

    def post(self, rows: list[OutboxRow]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for kind in KIND_ORDER:
            of_kind = [row for row in rows if row.kind == kind]
            if kind == "order" and of_kind:
                try:
                    of_kind, refused = self._apply_order_rules(of_kind)
                except (TransientError, PermanentError) as exc:
                    # Without the ERP's policy no order can be judged; all wait for the next round.
                    outcomes += [self._fail(row, f"cannot read the ERP's policy: {exc}") for row in of_kind]
                    continue
                outcomes += refused
            else:
                of_kind, orphaned = self._drop_orphans(of_kind)
                outcomes += orphaned
            for start in range(0, len(of_kind), self.batch_size):
                outcomes += self._post_chunk(kind, of_kind[start : start + self.batch_size])
        return outcomes

    def _apply_order_rules(self, rows: list[OutboxRow]) -> tuple[list[OutboxRow], list[Outcome]]:
        """O4, O6: an order the rules reject is never posted; it stays in the outbox with the reason."""
        book = self.book()
        to_post: list[OutboxRow] = []
        refused: list[Outcome] = []
        for row in rows:
            document = OrderDocument.model_validate(row.payload)
            decision = policy.decide_order(document.to_policy(), book)
            if decision.verdict == "rejected":
                result = {"decision": "rejected", "rules": list(decision.rules), "message": decision.message}
                self.outbox.mark_rejected(row.id, result, decision.message)
                refused.append(Outcome(row.kind, row.ref, "rejected", decision.message))
            else:
                to_post.append(row)
        return to_post, refused

    def _drop_orphans(self, rows: list[OutboxRow]) -> tuple[list[OutboxRow], list[Outcome]]:
        """A shipment or return whose order was refused here can never reach the ERP: a dead letter at once."""
        to_post: list[OutboxRow] = []
        orphaned: list[Outcome] = []
        for row in rows:
            if row.depends_kind != "order":
                to_post.append(row)
                continue
            order = self.outbox.get("order", row.depends_ref)
            if order is not None and order.state in ("rejected", "invalid", "dead"):
                reason = order.last_error or order.state
                orphaned.append(self._dead(row, f"its order {order.ref} is {order.state}: {reason}"))
            else:
                to_post.append(row)
        return to_post, orphaned

    def _post_chunk(self, kind: str, rows: list[OutboxRow]) -> list[Outcome]:
        if not rows:
            return []
        try:
            results = self.api.post(kind, [row.payload for row in rows])
        except TransientError as exc:
            return [self._fail(row, str(exc)) for row in rows]
        except PermanentError as exc:
            return [self._dead(row, str(exc)) for row in rows]
        pairs = list(zip(rows, results, strict=True))
        # What the ERP now holds is recorded first, the whole chunk in one call; then the rest, row by row.
        held = [(row, result) for row, result in pairs if result.status in POSTED_STATUSES]
        self.outbox.mark_posted_many([Posted(row.id, result.as_dict(), result.ra_number) for row, result in held])
        return [self._record(row, result) for row, result in pairs]

    def _record(self, row: OutboxRow, result: PostResult) -> Outcome:
        """The outcome of one row; a posted one is already recorded (`_post_chunk`), any other is recorded here."""
        answer: dict[str, Any] = result.as_dict()
        if result.status in POSTED_STATUSES:
            return Outcome(row.kind, row.ref, "posted", result.message)
        if result.status == "rejected":
            self.outbox.mark_rejected(row.id, answer, result.message)
            return Outcome(row.kind, row.ref, "rejected", result.message)
        if result.error_class == "missing_dependency":
            return self._fail(row, result.message)
        return self._dead(row, result.message or f"the ERP answered {result.status!r}")

    def _fail(self, row: OutboxRow, message: str) -> Outcome:
        attempts = row.attempts + 1
        if attempts >= self.backoff.max_attempts:
            return self._dead(row, f"gave up after {attempts} tries: {message}")
        self.outbox.mark_failed(row.id, message, self.backoff.next_try(row.attempts, self.clock(), self.rng))
        log.warning("will retry %s %s (try %d): %s", row.kind, row.ref, attempts, message)
        return Outcome(row.kind, row.ref, "failed", message)

    def _dead(self, row: OutboxRow, message: str) -> Outcome:
        self.outbox.mark_dead(row.id, message)
        log.error("dead letter %s %s: %s", row.kind, row.ref, message)
        return Outcome(row.kind, row.ref, "dead", message)
