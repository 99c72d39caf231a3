"""Prometheus metrics of the running worker (`run --metrics-port` / IMAGEPRO_METRICS_PORT): documents by state
and kind, what each round posted, failed or dead-lettered, how long rounds take, calls to Odoo, and the age of
the oldest document still to post. Every replica serves its own; the outbox gauges are the shared queue's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

if TYPE_CHECKING:
    from datetime import datetime

    from .outbox.base import Outbox
    from .runner import RoundSummary


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.documents = Gauge(
            "imagepro_documents", "Documents in the outbox by state and kind", ["state", "kind"], registry=self.registry
        )
        self.outcomes = Counter(
            "imagepro_documents_processed", "Documents this worker finished trying, by outcome and kind",
            ["outcome", "kind"], registry=self.registry,
        )
        self.rounds = Histogram(
            "imagepro_round_duration_seconds", "How long a round (inbox, claim, post) took", registry=self.registry,
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
        )
        self.rpc_calls = Counter("imagepro_rpc_calls", "Calls to Odoo made by this worker", registry=self.registry)
        self.oldest_pending_age = Gauge(
            "imagepro_oldest_pending_age_seconds", "Age of the oldest document still to post (0: none)",
            registry=self.registry,
        )
        self.last_round_end = Gauge(
            "imagepro_last_round_finished_timestamp_seconds", "When this worker last finished a round",
            registry=self.registry,
        )
        self._rpc_seen = 0

    def serve(self, port: int, address: str = "0.0.0.0") -> None:
        start_http_server(port, addr=address, registry=self.registry)

    def observe_round(
        self, summary: RoundSummary, seconds: float, outbox: Outbox, rpc_calls: int, now: datetime
    ) -> None:
        self.rounds.observe(seconds)
        for outcome in summary.outcomes:
            self.outcomes.labels(outcome.state, outcome.kind).inc()
        self.rpc_calls.inc(max(rpc_calls - self._rpc_seen, 0))
        self._rpc_seen = rpc_calls
        self.documents.clear()
        for (state, kind), count in outbox.counts().items():
            self.documents.labels(state, kind).set(count)
        oldest = outbox.oldest_pending_since()
        self.oldest_pending_age.set((now - oldest).total_seconds() if oldest else 0)
        self.last_round_end.set(now.timestamp())
