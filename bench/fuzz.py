"""Hostile documents through `plan` and `submit`: every document must get one outcome, nothing may crash,
nothing may be lost.

    python bench/fuzz.py [--count 100000] [--seed 1] [--pg-url postgresql://...]

It writes `--count` generated lines (JSON Lines, one document each) mutated from the bundled examples the
way a careless upstream system would send them: NaN and Infinity, integers of thousands of digits, lone
surrogates and NULs in values and keys, strings of 20,000 characters, bytes that are not UTF-8, a BOM,
dates as numbers, with times and offsets or in the year 9999, missing and mistyped fields, arrays, deep
nesting, unknown types, duplicates and changed resends. Then it plans them and submits them to a fresh
SQLite outbox (and a fresh PostgreSQL database when --pg-url names a server: an admin URL, a database is
made and dropped) and prints, per stage: documents in, outcomes out, crashes, lost.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sync_worker.intake import read_stream  # noqa: E402
from sync_worker.outbox import open_outbox  # noqa: E402
from sync_worker.plan import Planner  # noqa: E402
from sync_worker.store import store_each  # noqa: E402

EXAMPLES = ROOT / "examples"
HOSTILE_VALUES: list[Any] = [
    "NaN", "-Infinity", "9" * 5000, "\ud800", "a\x00b", "R" * 20_000, "", " ", None, True, [], {}, -1, 0,
    "1e999999", "9999-12-31", "2026-02-30", 1763596800, "2026-11-20T00:00:00+05:00", "0000-01-01",
    "\u202e\u0301", "DROP TABLE outbox;--", "\\", '"',
]


def examples() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in [*sorted((EXAMPLES / "day-2026-11-20").iterdir()), EXAMPLES / "terms-worked-examples.jsonl"]:
        text = path.read_text()
        documents += json.loads(text) if text.lstrip().startswith("[") else [
            json.loads(x) for x in text.splitlines() if x.strip()
        ]
    return documents


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


def _token(value: Any) -> str:
    """A JSON token, or the raw bytes of one JSON cannot write (NaN, a number of 5,000 digits)."""
    if value in ("NaN", "-Infinity") or (isinstance(value, str) and value.isdigit() and len(value) > 100):
        return value
    if value == "1e999999":
        return value
    return json.dumps(value)


def hostile_line(rng: random.Random, base: list[dict[str, Any]], n: int) -> bytes:
    document = json.loads(json.dumps(rng.choice(base)))
    document["ref"] = f"{document.get('ref', 'X')}-{n}"
    roll = rng.random()
    if roll < 0.05:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))  # not JSON, maybe not UTF-8
    if roll < 0.08:
        return b"[" * 5000 + b"]" * 5000  # nested too deeply
    if roll < 0.10:
        return json.dumps([document]).encode()  # an array where a line's object belongs
    if roll < 0.12:
        return b"\xef\xbb\xbf" + json.dumps(document).encode()
    if roll < 0.15:
        document.pop(rng.choice(list(document)), None)
    elif roll < 0.18:
        document["type"] = rng.choice(["Order", "invoice", 7, None, "\x00"])
    elif roll < 0.20:
        document = {"\ud800key\x00": document}
    mutated = json.dumps(document, ensure_ascii=False)
    paths = _paths(document)
    for _ in range(rng.randrange(0, 3)):
        if not paths:
            break
        path = rng.choice(paths)
        marker = f"@@{uuid.uuid4().hex}@@"
        try:
            _set(document, path, marker)
        except (TypeError, KeyError, IndexError):
            continue
        hostile = _token(rng.choice(HOSTILE_VALUES))
        mutated = json.dumps(document, ensure_ascii=False).replace(json.dumps(marker), hostile)
    if rng.random() < 0.02:
        mutated = mutated[: rng.randrange(1, max(len(mutated), 2))]  # cut mid-document
    return mutated.encode("utf-8", "surrogatepass")


def corpus(count: int, seed: int) -> bytes:
    rng = random.Random(seed)
    base = examples()
    lines = [json.dumps(base[0]).encode()]  # the file opens as JSON Lines, as inbox files do
    lines += [hostile_line(rng, base, n).replace(b"\n", b" ").replace(b"\r", b" ") for n in range(count - 1)]
    return b"\n".join(lines) + b"\n"


def stage(name: str, count: int, run: Any) -> dict[str, Any]:
    started = time.perf_counter()
    crashes, outcomes, lost, detail = 0, 0, 0, ""
    try:
        outcomes, lost = run()
    except Exception as exc:  # the figure this bench exists for
        crashes, detail = 1, f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.perf_counter() - started
    row = {"stage": name, "documents_in": count, "outcomes_out": outcomes, "crashes": crashes,
           "lost": (count - outcomes) + lost, "seconds": round(seconds, 2)}
    if detail:
        row["crash"] = detail
    return row


def plan_stage(path: Path, invalid: list[int]) -> tuple[int, int]:
    planner = Planner()
    outcomes = 0
    with path.open("rb") as stream:
        for read in read_stream(stream):
            outcomes += 1
            invalid[0] += planner.plan(read)["decision"] == "invalid"
    return outcomes, 0


def submit_stage(path: Path, url: str) -> tuple[int, int]:
    """Outcomes are the documents store_each answered for; lost, those whose row is not in the outbox after
    (and, in `stage`, the documents that got no outcome at all)."""
    outbox = open_outbox(url)
    try:
        with path.open("rb") as stream:
            answered = [(s.kind, s.kept_as or s.ref) for s in store_each(outbox, read_stream(stream), str(path))]
        rows, after = set(), 0
        while page := outbox.rows(limit=5000, after_id=after):
            rows |= {(row.kind, row.ref) for row in page}
            after = page[-1].id
        return len(answered), sum(1 for key in answered if key not in rows)
    finally:
        outbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default="", help="an admin URL of a PostgreSQL server; a database is made")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.jsonl"
        data = corpus(args.count, args.seed)
        path.write_bytes(data)
        # A line of nothing but white space holds no document (JSON Lines skips it): not one to expect.
        count = sum(1 for line in data.split(b"\n") if line.strip())
        print(f"{args.count} lines generated, {args.count - count} of them blank: {count} documents")
        invalid = [0]
        rows = [stage("plan", count, lambda: plan_stage(path, invalid)),
                stage("submit sqlite", count, lambda: submit_stage(path, f"sqlite:///{folder}/outbox.db"))]
        if args.pg_url:
            import psycopg

            database = f"imagepro_fuzz_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.pg_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{database}"')
            try:
                url = args.pg_url.rsplit("/", 1)[0] + f"/{database}"
                rows.append(stage("submit postgresql", count, lambda: submit_stage(path, url)))
            finally:
                with psycopg.connect(args.pg_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
    rows[0]["invalid"] = invalid[0]
    for row in rows:
        print(json.dumps(row))
    print(f"crashes {sum(r['crashes'] for r in rows)}, lost {sum(r['lost'] for r in rows)}")


if __name__ == "__main__":
    main()
