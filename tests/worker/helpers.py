"""Building a worker against the `erp` fixture, seeding master data, and loading the example day."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sync_worker.config import load_settings
from sync_worker.intake import read_documents
from sync_worker.outbox.base import Outbox
from sync_worker.runner import Runner
from sync_worker.store import store_documents
from sync_worker.wiring import build_poster
from tests.odoo_standin.fixtures import ErpUnderTest
from tests.odoo_standin.master_data import master_data, seed

__all__ = ["Clock", "ErpUnderTest", "load", "make_runner", "master_data", "seed", "submit", "write"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DAY = EXAMPLES / "day-2026-11-20"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_runner(erp: ErpUnderTest, outbox: Outbox, clock: Clock, *, kind: str = "xmlrpc",
                batch_size: int = 50, **settings: Any) -> Runner:
    config = load_settings(erp_url=erp.url, erp_db=erp.db, erp_user=erp.user, erp_password=erp.password,
                           erp_transport=kind, batch_size=batch_size, **settings)
    poster, _ = build_poster(config, outbox, clock, transport=erp.transport_factory(kind), sleep=lambda _s: None)
    return Runner(outbox, poster, worker_id="test-worker", clock=clock, batch_size=batch_size, lease_seconds=60)


def load(name: str, prefix: str) -> list[dict[str, Any]]:
    """Documents of an example file with every ref and order_ref prefixed, so runs on one ERP never collide."""
    path = DAY / name if (DAY / name).exists() else EXAMPLES / name
    text = path.read_text()
    documents = json.loads(text) if text.lstrip().startswith("[") else [json.loads(x) for x in text.splitlines() if x]
    for document in documents:
        document["ref"] = prefix + document["ref"]
        if "order_ref" in document:
            document["order_ref"] = prefix + document["order_ref"]
    return documents  # type: ignore[no-any-return]


def submit(outbox: Outbox, documents: list[dict[str, Any]]) -> None:
    """Queue `documents`, every one of which must be valid."""
    stored = store_documents(outbox, read_documents(json.dumps(documents)), "test")
    assert all(s.valid for s in stored), [s.message for s in stored if not s.valid]


def write(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in documents))
    return path
