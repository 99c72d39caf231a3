"""The durable outbox: every document the worker takes in is a row here until the ERP holds it.

`open_outbox(url)` picks the engine from IMAGEPRO_OUTBOX_URL: SQLite for one host, PostgreSQL for several
workers (replicas) sharing the work.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OutboxError
from ..redact import redact
from .base import STATES, AddOutcome, Outbox, OutboxRow, Posted, State
from .postgres import PostgresOutbox
from .sqlite import SqliteOutbox

_SQLITE_PREFIX = "sqlite:///"
_POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def open_outbox(url: str) -> Outbox:
    """Open the outbox the URL names.

    - `sqlite:///relative/path.db` (relative to the working directory), `sqlite:////abs/path.db`
    - `postgresql://user:password@host:5432/db` or `postgres://...` (any libpq URL)
    """
    if url.startswith(_SQLITE_PREFIX):
        path = url[len(_SQLITE_PREFIX) :]
        if not path or path == "/" or path.endswith("/"):
            raise OutboxError(
                f"IMAGEPRO_OUTBOX_URL {url!r} names no SQLite file; write sqlite:///relative/outbox.db "
                "or sqlite:////absolute/outbox.db"
            )
        return SqliteOutbox(Path(path))
    if url.startswith(_POSTGRES_PREFIXES):
        return PostgresOutbox(url)
    raise OutboxError(
        f"IMAGEPRO_OUTBOX_URL {redact(url)!r} is not an outbox URL; use sqlite:///path/to/outbox.db "
        "(one host) or postgresql://user:password@host:5432/dbname (several workers)"
    )


__all__ = [
    "STATES",
    "AddOutcome",
    "Outbox",
    "OutboxRow",
    "Posted",
    "PostgresOutbox",
    "SqliteOutbox",
    "State",
    "open_outbox",
    "redact",
]
