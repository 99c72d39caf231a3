"""The CLI and the inbox under hostile input: one bad file never stops the line, `plan` and `submit` give
every document one outcome, `dead` counts everything, and no secret is printed (issue cases 1, 2, 5, 7)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_worker.cli import main
from sync_worker.inbox import Inbox
from sync_worker.outbox import Outbox, open_outbox
from tests.odoo_standin.fixtures import ErpUnderTest

from .helpers import Clock, load, make_runner, seed, write

HOSTILE_LINES = [
    '{"type":"order","ref":"P-NAN","lines":[{"quantity":NaN}]}',
    '{"type":"order","ref":"P-BIG","lines":[{"quantity":' + "9" * 5000 + "}]}",
    '{"type":"order","ref":"P-SURROGATE","customer":{"ref":"C-1","name":"\\ud800"}}',
    '{"type":"return","ref":"P-9999","order_ref":"WEB-1","customer":{"ref":"C-1"},"requested_on":"9999-12-31",'
    '"purchase_date":"9999-12-30","shipment_date":"9999-12-31","reason":"x","payment_method":"card",'
    '"lines":[{"sku":"IP-TN450","quantity":1,"unit_price_paid":"24.99","defective":false}]}',
]
VALID = '{"type":"shipment","ref":"SHIP-AFTER","order_ref":"WEB-1","shipped_on":"2026-11-20"}'


@pytest.fixture
def outbox_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    monkeypatch.setenv("IMAGEPRO_OUTBOX_URL", url)
    return url


@pytest.fixture
def outbox(outbox_url: str) -> Iterator[Outbox]:
    box = open_outbox(outbox_url)
    yield box
    box.close()


def _hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join([*HOSTILE_LINES, VALID]) + "\n", encoding="utf-8", errors="surrogatepass")
    return path


def test_plan_gives_every_document_a_line_and_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--json", str(_hostile_file(tmp_path))]) == 1
    out = capsys.readouterr()
    lines = [json.loads(line) for line in out.out.splitlines()]
    assert [line["decision"] for line in lines] == ["invalid"] * 4 + ["deferred"]
    assert lines[-1]["ref"] == "SHIP-AFTER"
    assert "Traceback" not in out.err


def test_submit_keeps_every_document_and_those_after_a_bad_one(
    tmp_path: Path, outbox_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", str(_hostile_file(tmp_path))]) == 1
    out = capsys.readouterr()
    assert "1 of 5 document(s) queued; 4 kept with errors" in out.out
    with _Open(outbox_url) as box:
        assert {row.ref: row.state for row in box.rows()} == {
            "P-NAN": "invalid", "P-BIG": "invalid", "P-SURROGATE": "invalid", "P-9999": "invalid",
            "SHIP-AFTER": "pending",
        }


class _Open:
    def __init__(self, url: str) -> None:
        self.box = open_outbox(url)

    def __enter__(self) -> Outbox:
        return self.box

    def __exit__(self, *exc: object) -> None:
        self.box.close()


def test_one_bad_inbox_file_never_stops_the_line(erp: ErpUnderTest, outbox: Outbox, tmp_path: Path) -> None:
    seed(erp)
    inbox_dir = tmp_path / "inbox"
    inbox = Inbox(inbox_dir)
    (inbox_dir / "a-bad.jsonl").write_text('{"type":"order","ref":"P-NAN","lines":[{"quantity":NaN}]}\n')
    (inbox_dir / "b-surrogate.json").write_text('{"type":"order","ref":"P-S","customer":{"name":"\\ud800"}}')
    (inbox_dir / "c-not-utf8.jsonl").write_bytes(b"\xff\xfe\x00garbage\n")
    write(inbox_dir / "d-orders.jsonl", load("1-orders.json", erp.prefix)[:1])
    runner = make_runner(erp, outbox, Clock())
    runner.inbox = inbox
    summary = runner.run_round()
    assert summary.taken_files == 4
    assert summary.count("posted") == 1, "the valid order beside the bad files is posted"
    assert sorted(p.name for p in (inbox_dir / "rejected").iterdir() if not p.name.endswith(".errors.json")) == [
        "a-bad.jsonl", "b-surrogate.json", "c-not-utf8.jsonl"
    ]
    assert not list((inbox_dir / "processing").iterdir())
    assert len(outbox.rows(states=("invalid",))) == 3
    again = runner.run_round()  # nothing is taken again, nothing blocks
    assert again.taken_files == 0


def test_dead_lists_everything_with_the_true_count(outbox: Outbox, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(1_234):
        outbox.add("order", f"BAD-{n:05d}", {"n": n}, state="invalid", errors=[{"field": "", "message": "x"}],
                   last_error="x")
    assert main(["dead"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1_234 + 1
    assert out[-1].startswith("1234 document(s) need a person:")
    assert main(["dead", "--json", "--limit", "10"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 10
    assert main(["dead", "--limit", "10"]) == 0
    assert "1234 document(s) need a person (10 listed; --limit)" in capsys.readouterr().out


def test_status_counts_conflicts(outbox: Outbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text(VALID + "\n")
    changed = tmp_path / "changed.jsonl"
    changed.write_text(VALID.replace("2026-11-20", "2026-11-21") + "\n")
    assert main(["submit", str(first)]) == 0
    assert main(["submit", str(changed)]) == 1
    assert "kept beside it as a conflict" in capsys.readouterr().err
    assert main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["conflicts"] == 1
    assert main(["dead"]) == 0
    assert "SHIP-AFTER#conflict@" in capsys.readouterr().out


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@127.0.0.1:1/db?password=s3cret-pw",
        "postgresql://u:s3cret-pw@127.0.0.1:1/db",
        "host=127.0.0.1 port=1 password=s3cret-pw user=u",
        "host=127.0.0.1 password='s3cret-pw' user=u",
    ],
)
def test_no_secret_is_printed(url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IMAGEPRO_OUTBOX_URL", url)
    assert main(["status"]) == 1
    out = capsys.readouterr()
    assert "s3cret-pw" not in out.out + out.err
    assert "***" in out.err
