"""Retry one ERP call: only TransientError, exponential backoff with jitter, bounded by attempts and by time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from ..errors import TransientError

T = TypeVar("T")
log = logging.getLogger(__name__)


def _log_retry(state: RetryCallState) -> None:
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.warning("attempt %d failed (%s); trying again in %.1f s", state.attempt_number, error, wait)


def make_retrying(
    attempts: int = 5,
    max_seconds: float = 60.0,
    initial_wait: float = 0.5,
    max_wait: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Retrying:
    """A tenacity `Retrying` that retries TransientError only and re-raises the last one.

    Stops after `attempts` tries or once `max_seconds` have passed since the first, whichever comes
    first. Waits are random in [0, min(max_wait, initial_wait * 2**n)] (full jitter). Pass a no-op
    `sleep` in tests.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    return Retrying(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(attempts) | stop_after_delay(max_seconds),
        wait=wait_random_exponential(multiplier=initial_wait, max=max_wait),
        sleep=sleep,
        reraise=True,
        before_sleep=_log_retry,
    )


def call_with_retry(retrying: Retrying, func: Callable[[], T]) -> T:
    """Run `func` under a copy of `retrying` (statistics of one call do not leak into the next)."""
    return retrying.copy()(func)
