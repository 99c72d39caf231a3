"""A stuck worker is seen: the heartbeat and `check --live`, and the Prometheus endpoint (issue case 11)."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from sync_worker.cli import main
from sync_worker.heartbeat import Heartbeat, liveness, read_beat
from sync_worker.outbox import open_outbox
from tests.odoo_standin import OdooStandin
from tests.odoo_standin.fixtures import ErpUnderTest

from .helpers import Clock, load, make_runner, seed, write
from .test_crash import day_of, imagepro_sync, standin, worker_env  # noqa: F401 - the stand-in fixture


def test_each_round_beats_and_a_silent_worker_is_not_alive(erp: ErpUnderTest, tmp_path: Path) -> None:
    seed(erp)
    outbox = open_outbox(f"sqlite:///{tmp_path / 'outbox.db'}")
    clock = Clock()
    runner = make_runner(erp, outbox, clock)
    runner.heartbeat = Heartbeat(tmp_path / "beat.json", clock)
    from sync_worker.intake import read_documents
    from sync_worker.store import store_documents

    store_documents(outbox, read_documents(json.dumps(load("1-orders.json", erp.prefix)[:2])), "t")
    runner.run_round()
    beat = read_beat(tmp_path / "beat.json")
    assert beat is not None and beat.event == "round_finished" and beat.rounds_finished == 1
    assert liveness(tmp_path / "beat.json", 300, clock())[0]
    clock.advance(301)
    alive, message = liveness(tmp_path / "beat.json", 300, clock())
    assert not alive and "no round started, progressed or finished for 301 s" in message
    outbox.close()


def test_check_live_fails_without_a_recent_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMAGEPRO_OUTBOX_URL", f"sqlite:///{tmp_path / 'outbox.db'}")
    monkeypatch.setenv("IMAGEPRO_HEARTBEAT_FILE", str(tmp_path / "beat.json"))
    assert main(["check", "--live"]) == 1
    assert "FAIL heartbeat: no heartbeat in" in capsys.readouterr().out
    beat = Heartbeat(tmp_path / "beat.json", lambda: __import__("datetime").datetime.now().astimezone())
    beat.beat("round_finished")
    assert main(["check", "--live"]) == 0
    monkeypatch.setenv("IMAGEPRO_LIVENESS_SECONDS", "1")
    stale = Heartbeat(tmp_path / "beat.json", lambda: __import__("datetime").datetime.now().astimezone()
                      - timedelta(seconds=5))
    stale.beat("progress")
    assert main(["check", "--live"]) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_running_worker_serves_metrics_and_beats(standin: OdooStandin, tmp_path: Path) -> None:  # noqa: F811
    seed(type("Target", (), {"standin": standin})())  # type: ignore[arg-type]
    outbox_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    port = _free_port()
    env = worker_env(standin, outbox_url) | {
        "IMAGEPRO_HEARTBEAT_FILE": str(tmp_path / "beat.json"), "IMAGEPRO_METRICS_PORT": str(port),
    }
    assert imagepro_sync("submit", str(write(tmp_path / "day.jsonl", day_of(20))), env=env).wait(60) == 0
    worker = imagepro_sync("run", env=env)
    try:
        text = ""
        for _ in range(100):
            time.sleep(0.1)
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
            except OSError:
                continue
            if 'imagepro_documents{kind="order",state="posted"} 20.0' in text:
                break
        assert 'imagepro_documents{kind="order",state="posted"} 20.0' in text, text[-2000:]
        assert 'imagepro_documents_processed_total{kind="shipment",outcome="posted"} 20.0' in text
        assert "imagepro_round_duration_seconds_count" in text
        assert "imagepro_rpc_calls_total" in text and "imagepro_oldest_pending_age_seconds 0.0" in text
        beat = read_beat(tmp_path / "beat.json")
        assert beat is not None and beat.pid == worker.pid
    finally:
        worker.terminate()
        worker.wait(15)
