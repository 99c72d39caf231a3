"""The worker as a real process: kill -9 at random points loses and duplicates nothing; SIGTERM drains."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_worker.outbox import open_outbox
from tests.odoo_standin import OdooStandin

from .helpers import seed, write

ROOT = Path(__file__).resolve().parents[2]


def day_of(count: int) -> list[dict[str, object]]:
    """`count` orders (both payment methods, some under the minimum) and a shipment for each."""
    rng = random.Random(7)
    orders, shipments = [], []
    for n in range(count):
        card = n % 3 != 0
        orders.append({
            "type": "order", "ref": f"CR-{n:04d}", "channel": ("web", "phone", "email")[n % 3],
            "order_date": "2026-11-20", "customer": {"ref": "C-1001" if card else "C-1002"},
            "lines": [{"sku": rng.choice(["IP-TN450", "IP-TN360", "IP-CE505X"]), "quantity": rng.randint(1, 3),
                       "unit_price": "24.99"}],
            "freight": {"method": "ground", "amount": "8.50"},
            "payment": {"method": "card", "card_brand": "visa"} if card else {"method": "open_account"},
        })
        shipments.append({"type": "shipment", "ref": f"CS-{n:04d}", "order_ref": f"CR-{n:04d}",
                          "shipped_on": "2026-11-21"})
    return orders + shipments


@pytest.fixture
def standin() -> Iterator[OdooStandin]:
    with OdooStandin(latency=0.02) as running:
        yield running


def worker_env(standin: OdooStandin, outbox_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "IMAGEPRO_ERP_URL": standin.url, "IMAGEPRO_ERP_DB": standin.db,
        "IMAGEPRO_ERP_USER": standin.user, "IMAGEPRO_ERP_PASSWORD": standin.password,
        "IMAGEPRO_OUTBOX_URL": outbox_url, "IMAGEPRO_BATCH_SIZE": "10", "IMAGEPRO_POLL_SECONDS": "0.2",
        "IMAGEPRO_LEASE_SECONDS": "1", "IMAGEPRO_RETRY_BASE_SECONDS": "0.2", "IMAGEPRO_RETRY_MAX_SECONDS": "1",
        "IMAGEPRO_LOG_FORMAT": "json", "IMAGEPRO_LOG_LEVEL": "WARNING",
    }


def posted_count(outbox_url: str) -> int:
    box = open_outbox(outbox_url)
    try:
        return len(box.rows(states=("posted",), limit=100_000))
    finally:
        box.close()


def imagepro_sync(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "sync_worker.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_kill_9_at_random_points_loses_and_duplicates_nothing(standin: OdooStandin, tmp_path: Path) -> None:
    seed_target = type("Target", (), {"standin": standin})()
    seed(seed_target)  # type: ignore[arg-type]
    outbox_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    env = worker_env(standin, outbox_url)
    documents = day_of(250)
    assert imagepro_sync("submit", str(write(tmp_path / "day.jsonl", documents)), env=env).wait(60) == 0

    rng = random.Random(2026)
    kills = 0
    while kills < 12 and posted_count(outbox_url) < len(documents):
        before = posted_count(outbox_url)
        worker = imagepro_sync("run", env=env)
        deadline = time.monotonic() + 20
        while posted_count(outbox_url) == before and time.monotonic() < deadline:
            time.sleep(0.02)  # wait until this worker is really posting ...
        time.sleep(rng.uniform(0.0, 0.3))  # ... then kill it at a random point of its work
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        kills += 1
    assert kills >= 5, "the run finished before the worker could be killed often enough"
    time.sleep(1.2)  # let the leases of the killed workers run out
    for _ in range(10):
        assert imagepro_sync("run", "--once", env=env).wait(120) in (0, 1)
        box = open_outbox(outbox_url)
        try:
            left = [r for r in box.rows(limit=100_000) if r.state != "posted"]
        finally:
            box.close()
        if not left:
            break
        time.sleep(1.2)
    assert left == [], f"{len(left)} documents not posted after {kills} kills"
    for document in documents:
        records = standin.erp.records_by_ref(str(document["ref"]))
        assert len(records) == 1, (document["ref"], len(records))


def test_sigterm_finishes_the_batch_in_hand_and_exits(standin: OdooStandin, tmp_path: Path) -> None:
    seed_target = type("Target", (), {"standin": standin})()
    seed(seed_target)  # type: ignore[arg-type]
    standin.latency = 0.05
    outbox_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    env = worker_env(standin, outbox_url)
    assert imagepro_sync("submit", str(write(tmp_path / "day.jsonl", day_of(100))), env=env).wait(60) == 0
    worker = imagepro_sync("run", env=env)
    # The signal must reach a worker that is posting, not one still importing (a loaded machine takes a while):
    # wait for its first round's heartbeat and its first posted documents.
    heartbeat = Path(env["IMAGEPRO_HEARTBEAT_FILE"])
    deadline = time.monotonic() + 60
    while not (heartbeat.exists() and posted_count(outbox_url)) and time.monotonic() < deadline:
        assert worker.poll() is None, "the worker stopped before it was asked to"
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(15) == 0
    box = open_outbox(outbox_url)
    try:
        states = {row.state for row in box.rows()}
    finally:
        box.close()
    assert "posting" not in states  # nothing left half-done: the batch in hand was finished
    assert "posted" in states
