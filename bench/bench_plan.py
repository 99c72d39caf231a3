"""How many documents per second `imagepro-sync plan` decides on one core (read, validate, decide, print JSON),
and how much memory the command needs for a large file.

    python bench/bench_plan.py [--copies 400] [--documents 1000000]

The input is the bundled examples (a day of documents and TERMS.md's worked examples) repeated
`--copies` times, with refs made unique; the in-process figure is the best of three runs. With
`--documents N`, it also writes N such documents as one JSON Lines file and runs
`imagepro-sync plan --json FILE > /dev/null` as a process of its own: documents per second of the whole
command and its peak resident memory (the streaming reader keeps it flat).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
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


def whole_command(documents: int) -> None:
    """`imagepro-sync plan --json` over one file of `documents` documents, as its own process."""
    base = corpus(1).splitlines()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.jsonl"
        with path.open("w") as out:
            for n in range(documents):
                document = json.loads(base[n % len(base)])
                document["ref"] = f"{document['ref']}-{n}"
                out.write(json.dumps(document) + "\n")
        started = time.perf_counter()
        with open("/dev/null", "w") as devnull:
            subprocess.run([sys.executable, "-m", "sync_worker.cli", "plan", "--json", str(path)], stdout=devnull,
                           check=False)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"whole command: {documents} documents in {seconds:.1f} s = {documents / seconds:,.0f} documents/second")
    print(f"whole command: peak resident memory {peak_mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=400)
    parser.add_argument("--documents", type=int, default=0, help="also time the whole command on a file of N")
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
    if args.documents:
        whole_command(args.documents)


if __name__ == "__main__":
    main()
