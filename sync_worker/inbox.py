"""An inbox folder: each file is taken atomically, stored, then moved to done/ or rejected/ with a report."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import OutboxError
from .intake import escape_text, read_stream
from .outbox.base import Outbox
from .store import Stored, store_documents

_SUFFIXES = (".json", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class InboxFile:
    name: str
    stored: tuple[Stored, ...]
    accepted: bool


class Inbox:
    """Files land in DIR; the worker moves each to DIR/processing/ (one rename, so two workers never take
    the same file), stores its documents, then moves it to DIR/done/ or DIR/rejected/ with NAME.errors.json."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processing = folder / "processing"
        self.done = folder / "done"
        self.rejected = folder / "rejected"
        for path in (folder, self.processing, self.done, self.rejected):
            path.mkdir(parents=True, exist_ok=True)

    def take_all(self, outbox: Outbox) -> list[InboxFile]:
        taken: list[InboxFile] = []
        # Files left in processing/ by a worker that died are stored again: adding is idempotent.
        for leftover in sorted(self.processing.iterdir()):
            if leftover.is_file():
                taken.append(self._store(outbox, leftover))
        for candidate in sorted(self.folder.iterdir()):
            if not candidate.is_file() or candidate.name.startswith(".") or candidate.suffix not in _SUFFIXES:
                continue
            claimed = self.processing / candidate.name
            try:
                os.rename(candidate, claimed)
            except FileNotFoundError:
                continue  # another worker took it first
            taken.append(self._store(outbox, claimed))
        return taken

    def _store(self, outbox: Outbox, path: Path) -> InboxFile:
        """Store the file's documents, each with its own outcome; a file that cannot be taken at all goes to
        rejected/ with the reason, and is kept in the outbox as one invalid row so `dead` shows it."""
        source = f"{self.folder.name}/{path.name}"
        problem = ""
        try:
            with path.open("rb") as stream:
                stored = store_documents(outbox, read_stream(stream), source)
        except OutboxError:
            raise  # the outbox itself is down: the file stays in processing/ for the next round
        except Exception as exc:
            problem = f"cannot take the file: {type(exc).__name__}: {exc}"
            stored = [self._keep_file(outbox, path, source, problem)]
        accepted = not problem and all(s.valid for s in stored)
        target = (self.done if accepted else self.rejected) / path.name
        if not accepted:
            report = {
                "file": path.name,
                "problem": problem,
                "documents": [
                    {"type": s.kind, "ref": s.ref, "kept_as": s.kept_as or s.ref, "stored_as": s.outcome,
                     "valid": s.valid, "message": s.message}
                    for s in stored
                ],
            }
            report_path = target.with_name(target.name + ".errors.json")
            report_path.write_text(json.dumps(report, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
        os.replace(path, target)
        return InboxFile(path.name, tuple(stored), accepted)

    @staticmethod
    def _keep_file(outbox: Outbox, path: Path, source: str, problem: str) -> Stored:
        data = path.read_bytes()
        text = escape_text(data[:100_000].decode("utf-8", errors="backslashreplace"))
        ref = f"{source}@{hashlib.sha256(data).hexdigest()[:12]}"
        error = {"field": "", "message": problem}
        outcome = outbox.add("file", ref, {"raw": text}, state="invalid", errors=[error], last_error=problem)
        return Stored("file", ref, outcome, False, problem, ref)
