"""How many documents go into one call to Odoo: as many as fit a time budget, learnt per document kind.

A shipment costs Odoo far more than an order (an invoice posted, a card payment reconciled), and the cost of
either changes with the load on Odoo. A fixed count per call is either too small for orders or so large for
shipments that a call outlives the client's timeout (the worker then sends the same batch again while Odoo is
still running the first). So each call is sized to a budget of seconds: the worker keeps an exponentially
weighted moving average of the seconds one document of each kind took, from the duration of each call, and
sends `budget / average` documents, never more than the batch size and never more than twice the last call of
that kind (an average learnt on small calls must not jump straight to a huge one), and after a call that
failed, at most half of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DEFAULT_ALPHA = 0.3
DEFAULT_FIRST_SIZE = 4


@dataclass
class _Estimate:
    seconds_per_document: float
    next_cap: int  # twice the last call; after a failure, half the failed one


@dataclass
class CallSizer:
    """Documents per call for each kind, so that a call takes about `budget_seconds`."""

    budget_seconds: float
    max_size: int
    first_size: int = DEFAULT_FIRST_SIZE
    alpha: float = DEFAULT_ALPHA
    _estimates: dict[str, _Estimate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.budget_seconds <= 0:
            raise ValueError("budget_seconds must be positive")
        if self.max_size < 1:
            raise ValueError("max_size must be at least 1")
        if not 0 < self.alpha <= 1:
            raise ValueError("alpha must be in (0, 1]")
        self.first_size = max(1, min(self.first_size, self.max_size))

    def size(self, kind: str) -> int:
        """How many documents of `kind` the next call should carry."""
        estimate = self._estimates.get(kind)
        if estimate is None:
            return self.first_size
        if estimate.seconds_per_document <= 0:
            fit = self.max_size
        else:
            fit = math.floor(self.budget_seconds / estimate.seconds_per_document)
        return max(1, min(self.max_size, estimate.next_cap, fit))

    def claim_size(self) -> int:
        """How many documents to claim for one call: the most any kind would carry (a claim mixes kinds; the
        poster gives back what does not fit the budget)."""
        sizes = [self.size(kind) for kind in self._estimates] or [self.first_size]
        return max(sizes)

    def seconds_per_document(self, kind: str) -> float | None:
        estimate = self._estimates.get(kind)
        return None if estimate is None else estimate.seconds_per_document

    def observe(self, kind: str, documents: int, seconds: float) -> None:
        """A call of `documents` documents of `kind` took `seconds` (a call that failed after that long
        counts too, through `observe_failure`)."""
        if documents < 1 or seconds < 0:
            return
        sample = seconds / documents
        estimate = self._estimates.get(kind)
        if estimate is None:
            self._estimates[kind] = _Estimate(sample, 2 * documents)
            return
        estimate.seconds_per_document = self.alpha * sample + (1 - self.alpha) * estimate.seconds_per_document
        estimate.next_cap = 2 * documents

    def observe_failure(self, kind: str, documents: int, seconds: float) -> None:
        """A call that failed (a timeout, a dropped connection) after `seconds`: it may only make the estimate
        larger, never smaller (a refused connection fails fast and says nothing about the cost)."""
        if documents < 1:
            return
        estimate = self._estimates.get(kind)
        if estimate is None or seconds / documents > estimate.seconds_per_document:
            self.observe(kind, documents, seconds)
        # After a failure, the next call carries at most half the failed one.
        self._estimates[kind].next_cap = max(1, documents // 2)
