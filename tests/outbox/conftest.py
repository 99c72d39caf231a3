"""Every outbox test runs on both engines: SQLite in a temporary file, PostgreSQL in a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sync_worker.outbox import Outbox, PostgresOutbox, SqliteOutbox
from tests.pg import database_or_skip

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    """The injected clock: time moves only when a test says so."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class Store:
    """Where one test's outbox lives; `open()` gives another instance on the same store (a second worker,
    or the same worker after a restart). Every instance is closed when the test ends."""

    engine: str
    location: str  # the SQLite file, or the PostgreSQL URL
    clock: FakeClock
    _opened: list[Outbox] = field(default_factory=list)

    def open(self) -> Outbox:
        outbox: Outbox
        if self.engine == "sqlite":
            outbox = SqliteOutbox(self.location, clock=self.clock)
        else:
            outbox = PostgresOutbox(self.location, clock=self.clock)
        self._opened.append(outbox)
        return outbox

    def close_all(self) -> None:
        for outbox in self._opened:
            outbox.close()


@contextmanager
def open_store(engine: str, tmp_path: Path) -> Iterator[Store]:
    """A fresh store of one engine; PostgreSQL skips (or fails under CI=true) when no server answers."""
    if engine == "sqlite":
        location, drop = str(tmp_path / "outbox.db"), _nothing
    else:
        location, drop = database_or_skip()
    store = Store(engine, location, FakeClock())
    try:
        yield store
    finally:
        store.close_all()
        drop()


def _nothing() -> None:
    pass


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_store(request.param, tmp_path) as store:
        yield store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    with open_store("sqlite", tmp_path) as store:
        yield store


@pytest.fixture
def postgres_store(tmp_path: Path) -> Iterator[Store]:
    with open_store("postgres", tmp_path) as store:
        yield store


@pytest.fixture
def clock(store: Store) -> FakeClock:
    return store.clock


@pytest.fixture
def outbox(store: Store) -> Outbox:
    return store.open()
