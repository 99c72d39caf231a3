"""Turning claimed outbox rows into calls of the add-on's sync API, and recording what came back."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import imagepro_policy as policy

from .documents import OrderDocument
from .erp.api import PostResult, SyncApi
from .errors import PermanentError, TransientError
from .outbox.base import Outbox, OutboxRow, Posted
from .sizing import CallSizer

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
    state: str  # posted | failed | dead | rejected | deferred (in progress in Odoo, or not sent: tried later)
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
        sizer: CallSizer | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outbox = outbox
        self.api = api
        self.batch_size = batch_size
        # Without a sizer every call carries batch_size documents (a budget no call reaches).
        self.sizer = sizer or CallSizer(budget_seconds=float("inf"), max_size=batch_size, first_size=batch_size)
        self.monotonic = monotonic
        # Rows Odoo is processing in another call right now: kept claimed until the round ends (so this
        # round does not ask again at once), then released with no attempt counted.
        self.deferred: list[int] = []
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

    def claim_size(self) -> int:
        """How many rows to claim for the next `post`: what one call of the cheapest kind carries."""
        return self.sizer.claim_size()

    def post(self, rows: list[OutboxRow]) -> list[Outcome]:
        """Post claimed rows, kind by kind, in calls sized to the time budget. Once a budget's worth of time
        is spent, the rows not sent yet are released (no attempt counted) for any worker to claim."""
        outcomes: list[Outcome] = []
        started = self.monotonic()
        called = False
        for kind in KIND_ORDER:
            of_kind = [row for row in rows if row.kind == kind]
            if not of_kind:
                continue
            if kind == "order":
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
            while of_kind:
                if called and self.monotonic() - started >= self.sizer.budget_seconds:
                    self.outbox.release([row.id for row in of_kind])
                    of_kind = []
                    break
                size = self.sizer.size(kind)
                outcomes += self._post_chunk(kind, of_kind[:size])
                called = True
                of_kind = of_kind[size:]
        return outcomes

    def take_deferred(self) -> list[int]:
        """The ids of rows answered `in_progress` since the last call, to release."""
        deferred, self.deferred = self.deferred, []
        return deferred

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
        started = self.monotonic()
        try:
            results = self.api.post(kind, [row.payload for row in rows])
        except TransientError as exc:
            self.sizer.observe_failure(kind, len(rows), self.monotonic() - started)
            return [self._fail(row, str(exc)) for row in rows]
        except PermanentError as exc:
            return [self._dead(row, str(exc)) for row in rows]
        # Documents answered in_progress cost Odoo nothing: the call's time was spent on the others.
        worked = sum(1 for result in results if not result.in_progress)
        seconds = self.monotonic() - started
        self.sizer.observe(kind, max(worked, 1), seconds)
        log.info(
            "call done",
            extra={"kind": kind, "documents": len(rows), "in_progress": len(rows) - worked,
                   "seconds": round(seconds, 3), "next_size": self.sizer.size(kind)},
        )
        pairs = list(zip(rows, results, strict=True))
        # What the ERP now holds is recorded first, the whole chunk in one call; then the rest, row by row.
        held = [(row, result) for row, result in pairs if result.status in POSTED_STATUSES]
        self.outbox.mark_posted_many([Posted(row.id, result.as_dict(), result.ra_number) for row, result in held])
        return [self._record(row, result) for row, result in pairs]

    def _record(self, row: OutboxRow, result: PostResult) -> Outcome:
        """The outcome of one row; a posted one is already recorded (`_post_chunk`), any other is recorded here."""
        answer: dict[str, Any] = result.as_dict()
        if result.in_progress:
            self.deferred.append(row.id)
            log.info("%s %s is being processed by Odoo in another call; trying it later", row.kind, row.ref)
            return Outcome(row.kind, row.ref, "deferred", result.message)
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
