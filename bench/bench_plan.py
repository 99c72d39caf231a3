"""How many documents per second `imagepro-sync plan` decides on one core (read, validate, decide, print JSON).

    python bench/bench_plan.py [--copies 400]

The input is the bundled examples (a day of documents and TERMS.md's worked examples) repeated
`--copies` times, with refs made unique; the figure is the best of three runs.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sync_worker.intake import read_documents
from sync_worker.plan import Planner

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def corpus(copies: int) -> str:
    documents = []
    paths = [*sorted((EXAMPLES / "day-2026-11-20").iterdir()), EXAMPLES / "terms-worked-examples.jsonl"]
    for path in paths:
        text = path.read_text()
        parsed = (
            json.loads(text)
            if text.lstrip().startswith("[")
            else [json.loads(x) for x in text.splitlines() if x.strip()]
        )
        documents += parsed
    lines = []
    for copy in range(copies):
        for document in documents:
            lines.append(json.dumps({**document, "ref": f"{document['ref']}-{copy}"}))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=400)
    args = parser.parse_args()
    text = corpus(args.copies)
    best = float("inf")
    count = 0
    for _ in range(3):
        started = time.perf_counter()
        planner = Planner()
        out = [json.dumps(planner.plan(read)) for read in read_documents(text)]
        best = min(best, time.perf_counter() - started)
        count = len(out)
    print(f"documents          {count}")
    print(f"seconds (best of 3) {best:.3f}")
    print(f"documents/second   {count / best:,.0f}  (one core, read + validate + decide + JSON)")


if __name__ == "__main__":
    main()
