"""The running worker's heartbeat: a small file it rewrites as each round starts, progresses and ends, so a
liveness probe (`imagepro-sync check --live`) can tell a worker stuck in a loop from one that works."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Beat:
    event: str  # round_started | progress | round_finished
    at: datetime
    pid: int
    rounds_finished: int


class Heartbeat:
    """Writes the file atomically (a temporary file renamed over it): a reader never sees half a beat."""

    def __init__(self, path: Path, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.clock = clock
        self.rounds_finished = 0

    def beat(self, event: str) -> None:
        if event == "round_finished":
            self.rounds_finished += 1
        record = {"event": event, "at": self.clock().isoformat(), "pid": os.getpid(),
                  "rounds_finished": self.rounds_finished}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(record) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)


def read_beat(path: Path) -> Beat | None:
    """The last beat written to `path`, or None when there is none (or it cannot be read)."""
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return Beat(str(record["event"]), datetime.fromisoformat(record["at"]), int(record["pid"]),
                    int(record.get("rounds_finished", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def liveness(path: Path, max_age_seconds: float, now: datetime) -> tuple[bool, str]:
    """Alive when the worker beat within `max_age_seconds`: a round started, a batch posted or a round ended."""
    beat = read_beat(path)
    if beat is None:
        return False, f"no heartbeat in {path}: is `imagepro-sync run` running with this IMAGEPRO_HEARTBEAT_FILE?"
    age = (now - beat.at).total_seconds()
    if age > max_age_seconds:
        return False, (f"no round started, progressed or finished for {age:.0f} s (limit {max_age_seconds:.0f} s); "
                       f"the last was {beat.event} at {beat.at.isoformat()} by pid {beat.pid}")
    return True, f"{beat.event} {age:.0f} s ago by pid {beat.pid}; {beat.rounds_finished} round(s) finished"
