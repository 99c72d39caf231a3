"""The loop: take the inbox, post what is due, again every poll; SIGTERM finishes the batch in hand."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import Any, cast

import schedule

from .heartbeat import Heartbeat
from .inbox import Inbox
from .outbox.base import Outbox
from .posting import Outcome, Poster

log = logging.getLogger(__name__)


@dataclass
class RoundSummary:
    taken_files: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.state == state)


class Runner:
    def __init__(
        self,
        outbox: Outbox,
        poster: Poster,
        *,
        worker_id: str,
        clock: Callable[[], datetime],
        batch_size: int = 100,
        lease_seconds: float = 300.0,
        inbox: Inbox | None = None,
        on_progress: Callable[[int], None] | None = None,
        heartbeat: Heartbeat | None = None,
        on_round: Callable[[RoundSummary, float], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self.poster = poster
        self.worker_id = worker_id
        self.clock = clock
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.inbox = inbox
        self.on_progress = on_progress
        self.heartbeat = heartbeat
        self.on_round = on_round
        self.stopping = threading.Event()

    def run_round(self) -> RoundSummary:
        """Take the inbox, then claim and post until nothing is due now (or a stop is asked)."""
        summary = RoundSummary()
        started = time.monotonic()
        self._beat("round_started")
        if self.inbox is not None:
            summary.taken_files = len(self.inbox.take_all(self.outbox))
        try:
            while not self.stopping.is_set():
                limit = max(1, min(self.batch_size, self.poster.claim_size()))
                rows = self.outbox.claim(self.worker_id, limit, self.lease_seconds, self.clock())
                if not rows:
                    break
                outcomes = self.poster.post(rows)
                summary.outcomes += outcomes
                self._beat("progress")
                if self.on_progress is not None:
                    self.on_progress(sum(1 for outcome in outcomes if outcome.state != "deferred"))
        finally:
            # Documents Odoo was still processing in another call: back in the queue for the next round,
            # no attempt counted (the call that has them will be answered already_present next time).
            deferred = self.poster.take_deferred()
            if deferred:
                self.outbox.release(deferred)
        self._beat("round_finished")
        if self.on_round is not None:
            self.on_round(summary, time.monotonic() - started)
        return summary

    def _beat(self, event: str) -> None:
        if self.heartbeat is not None:
            try:
                self.heartbeat.beat(event)
            except OSError as exc:  # a full or read-only disk must not stop the posting; the probe will say so
                log.warning("cannot write the heartbeat %s: %s", self.heartbeat.path, exc)

    def run_forever(self, poll_seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
        """Every poll_seconds a round; an error in a round is logged and the loop goes on."""
        scheduler = schedule.Scheduler()
        # schedule's annotations say int, but it builds a timedelta, so fractions of a second work.
        scheduler.every(cast(int, poll_seconds)).seconds.do(self._guarded_round)
        self._guarded_round()
        while not self.stopping.is_set():
            scheduler.run_pending()
            sleep(min(1.0, poll_seconds))
        log.info("stopped")

    def _guarded_round(self) -> None:
        # The schedule library lets a job's exception end the loop; a worker must outlive a bad round.
        try:
            summary = self.run_round()
        except Exception:
            log.exception("round failed; trying again at the next poll")
            return
        if summary.outcomes or summary.taken_files:
            log.info(
                "round done",
                extra={
                    "files": summary.taken_files,
                    "posted": summary.count("posted"),
                    "failed": summary.count("failed"),
                    "dead": summary.count("dead"),
                    "rejected": summary.count("rejected"),
                    "deferred": summary.count("deferred"),
                },
            )

    def stop(self) -> None:
        self.stopping.set()


@contextmanager
def stop_on_signals(runner: Runner) -> Iterator[None]:
    """SIGTERM and SIGINT ask the runner to stop after the batch in hand."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: finishing the batch in hand, then stopping", signum)
        runner.stop()

    previous: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
