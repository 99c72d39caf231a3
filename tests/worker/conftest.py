"""The worker tests' outbox: a SQLite file of the test's own (tests that need another engine say so)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_worker.outbox import open_outbox
from sync_worker.outbox.base import Outbox


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = open_outbox(f"sqlite:///{tmp_path / 'outbox.db'}")
    yield box
    box.close()
