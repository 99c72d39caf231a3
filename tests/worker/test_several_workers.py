"""Several workers on one PostgreSQL outbox, posting at once: every document reaches the ERP exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_worker.intake import read_documents
from sync_worker.outbox import open_outbox
from sync_worker.runner import RoundSummary
from sync_worker.store import store_documents
from tests.odoo_standin.fixtures import ErpUnderTest
from tests.pg import database_or_skip

from .helpers import Clock, make_runner, seed, write
from .test_crash import day_of


@pytest.fixture
def pg_outbox_url() -> Iterator[str]:
    url, drop = database_or_skip()
    try:
        yield url
    finally:
        drop()


@pytest.mark.postgres
def test_four_workers_share_a_postgres_outbox(erp: ErpUnderTest, pg_outbox_url: str, tmp_path: Path) -> None:
    standin = erp.need_standin("counting records per ref")
    seed(erp)
    standin.latency = 0.002
    documents = day_of(100)
    first = open_outbox(pg_outbox_url)
    try:
        store_documents(first, read_documents(write(tmp_path / "d.jsonl", documents).read_text()), "d")
    finally:
        first.close()

    summaries: list[RoundSummary] = []
    errors: list[BaseException] = []

    def work() -> None:
        box = open_outbox(pg_outbox_url)
        try:
            runner = make_runner(erp, box, Clock(), batch_size=7)
            for _ in range(3):  # shipments become due once their orders are posted by any worker
                summaries.append(runner.run_round())
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            box.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    posted = [o.ref for s in summaries for o in s.outcomes if o.state == "posted"]
    assert sorted(posted) == sorted(str(d["ref"]) for d in documents)  # each claimed and posted by one worker
    assert sum(1 for s in summaries if s.outcomes) >= 2  # the work was really shared
    for document in documents:
        assert len(standin.erp.records_by_ref(str(document["ref"]))) == 1
