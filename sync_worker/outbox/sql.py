"""The outbox's SQL, every statement named, for both engines in one place.

SQLite statements use `:name` parameters, PostgreSQL ones psycopg's `%(name)s`. The claim's notion of
"due" and "dependency satisfied" is written once (`_DUE`, `_dependency_satisfied`) and shared, so the two
engines cannot drift apart on which rows a worker may take.
"""

from __future__ import annotations

import re

SCHEMA_VERSION = 2  # 2: partial indexes on the rows a claim or a person looks for

# Columns in the order every SELECT and RETURNING lists them; the engines build an OutboxRow from them.
COLUMNS = (
    "id",
    "kind",
    "ref",
    "state",
    "payload",
    "depends_kind",
    "depends_ref",
    "attempts",
    "next_attempt_at",
    "lease_until",
    "claimed_by",
    "last_error",
    "errors",
    "result",
    "ra_number",
    "created_at",
    "updated_at",
)
_COLS = ", ".join(COLUMNS)

# States whose work is not done yet: a row that depends on one of these waits.
_OPEN = "('pending', 'posting', 'failed')"

# States a person looks at (dead letters, invalid documents and conflicts, rejected orders).
_ATTENTION = "('dead', 'invalid', 'rejected')"

# A row is due: pending; failed and its next attempt has come; posting but its lease ran out (crashed worker).
# The leading `state IN _OPEN` says no more than the three arms; it is there so both engines' planners can
# read the claim from the partial index of open rows (outbox_open_idx) instead of walking past every posted row.
_DUE = f"""o.state IN {_OPEN} AND (
        o.state = 'pending'
        OR (o.state = 'failed' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= :now))
        OR (o.state = 'posting' AND (o.lease_until IS NULL OR o.lease_until < :now))
    )"""

# A dependency is satisfied unless a row in the outbox says it is not done yet. No such row: satisfied
# (the ERP says so if what it refers to is missing). `fence` ends each subquery: PostgreSQL's planner would
# otherwise answer these from a hash of every matching row in the table, built on each claim whatever the
# batch (a seq scan that grows with the outbox); "OFFSET 0" keeps each one a lookup in the (kind, ref) or
# ra_number index for the few rows the claim looks at.
def _dependency_satisfied(fence: str) -> str:
    return f"""NOT (o.depends_kind = 'order' AND EXISTS (
        SELECT 1 FROM outbox d WHERE d.kind = 'order' AND d.ref = o.depends_ref AND d.state IN {_OPEN}{fence}))
    AND NOT (o.depends_kind = 'return_ref' AND EXISTS (
        SELECT 1 FROM outbox d WHERE d.kind = 'return' AND d.ref = o.depends_ref AND d.state IN {_OPEN}{fence}))
    AND NOT (o.depends_kind = 'ra' AND EXISTS (
        SELECT 1 FROM outbox d WHERE d.ra_number <> '' AND d.ra_number = o.depends_ref AND d.kind = 'return'
            AND d.state <> 'posted'{fence}))"""


def _claimable(fence: str) -> str:
    """The ids a claim may take, oldest first (`:limit` of them)."""
    return f"""SELECT o.id FROM outbox o WHERE {_DUE}
    AND {_dependency_satisfied(fence)}
    ORDER BY o.id LIMIT :limit"""


# Statements that read the same on both engines (written with `:name`, converted for psycopg below).
_COMMON = {
    "select_by_key": f"SELECT {_COLS} FROM outbox WHERE kind = :kind AND ref = :ref",
    "replace": """UPDATE outbox SET payload = :payload, state = :state, errors = :errors, last_error = :last_error,
        depends_kind = :depends_kind, depends_ref = :depends_ref, attempts = 0, next_attempt_at = NULL,
        lease_until = NULL, claimed_by = '', result = :empty_result, ra_number = '', updated_at = :now
        WHERE id = :id""",
    "mark_posted": """UPDATE outbox SET state = 'posted', result = :result,
        ra_number = CASE WHEN :ra_number = '' THEN ra_number ELSE :ra_number END,
        lease_until = NULL, last_error = '', updated_at = :now WHERE id = :id""",
    "mark_failed": """UPDATE outbox SET state = 'failed', attempts = attempts + 1, next_attempt_at = :next_attempt_at,
        last_error = :error, lease_until = NULL, updated_at = :now WHERE id = :id AND state = 'posting'""",
    "mark_dead": """UPDATE outbox SET state = 'dead', attempts = attempts + 1, next_attempt_at = NULL,
        last_error = :error, lease_until = NULL, updated_at = :now WHERE id = :id AND state = 'posting'""",
    "mark_rejected": """UPDATE outbox SET state = 'rejected', result = :result, last_error = :error,
        next_attempt_at = NULL, lease_until = NULL, updated_at = :now WHERE id = :id AND state = 'posting'""",
    "release": """UPDATE outbox SET state = 'pending', lease_until = NULL, claimed_by = '', updated_at = :now
        WHERE id = :id AND state = 'posting'""",
    "retry_all": """UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = :now
        WHERE state IN ('dead', 'failed')""",
    "retry_ref": """UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = :now
        WHERE ref = :ref AND state IN ('dead', 'failed')""",
    "counts": "SELECT state, kind, count(*) AS n FROM outbox GROUP BY state, kind",
    "oldest_pending_since": f"SELECT min(created_at) AS oldest FROM outbox WHERE state IN {_OPEN}",
}


# The indexes, the same on both engines. Every row is updated twice on its way (claimed, then posted) and
# most rows end posted, so an index here costs a write per update and should hold only what is searched:
# - the open rows (pending, posting, failed) in claim order: a claim reads the first due ones from it, never
#   walking past the posted rows before them; a row leaves it when posted;
# - the rows that wait for a person (dead, invalid, rejected): the `dead` listing and the conflict count;
# - the RA numbers that are set (returns), which an inspection's dependency looks up.
# Schema 1 had (state, next_attempt_at) and (ra_number) over every row; they are dropped.
INDEXES: dict[str, str] = {
    "create_index_open": f"CREATE INDEX IF NOT EXISTS outbox_open_idx ON outbox (id) WHERE state IN {_OPEN}",
    "create_index_attention": (
        f"CREATE INDEX IF NOT EXISTS outbox_attention_idx ON outbox (id) WHERE state IN {_ATTENTION}"
    ),
    "create_index_ra": "CREATE INDEX IF NOT EXISTS outbox_ra_set_idx ON outbox (ra_number) WHERE ra_number <> ''",
    "drop_index_state_next_attempt_v1": "DROP INDEX IF EXISTS outbox_state_next_attempt_idx",
    "drop_index_ra_number_v1": "DROP INDEX IF EXISTS outbox_ra_number_idx",
}
_COMMON.update(INDEXES)


def _pyformat(statement: str) -> str:
    """`:name` -> `%(name)s` (leaves PostgreSQL's `::type` casts alone)."""
    return re.sub(r"(?<![:\w]):([a-z_]+)\b", r"%(\1)s", statement)


SQLITE: dict[str, str] = {
    **_COMMON,
    # A changed resend kept beside the first version (store.py names it REF#conflict@DIGEST).
    "count_conflicts": "SELECT count(*) AS n FROM outbox WHERE state = 'invalid' AND instr(ref, '#conflict@') > 0",
    "create_table": """CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'posting', 'posted', 'failed', 'dead', 'invalid', 'rejected')),
        payload TEXT NOT NULL,
        depends_kind TEXT NOT NULL DEFAULT '',
        depends_ref TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        lease_until TEXT,
        claimed_by TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        errors TEXT NOT NULL DEFAULT '[]',
        result TEXT NOT NULL DEFAULT '{}',
        ra_number TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (kind, ref)
    )""",
    "get_version": "PRAGMA user_version",
    # PRAGMA takes no parameters: the version is a constant of this module.
    "set_version": f"PRAGMA user_version = {SCHEMA_VERSION}",
    "insert": """INSERT INTO outbox (kind, ref, state, payload, depends_kind, depends_ref, errors, last_error,
        created_at, updated_at)
        VALUES (:kind, :ref, :state, :payload, :depends_kind, :depends_ref, :errors, :last_error, :now, :now)
        ON CONFLICT (kind, ref) DO NOTHING""",
    "claimable": _claimable(fence=""),
    "take": """UPDATE outbox SET state = 'posting', lease_until = :lease_until, claimed_by = :worker_id,
        updated_at = :now WHERE id = :id""",
    "select_by_id": f"SELECT {_COLS} FROM outbox WHERE id = :id",
    "rows": f"""SELECT {_COLS} FROM outbox
        WHERE (:all_states OR state IN (SELECT value FROM json_each(:states))) AND (:kind = '' OR kind = :kind)
        AND id > :after_id ORDER BY id LIMIT :limit""",
}

POSTGRES: dict[str, str] = {
    **{name: _pyformat(statement) for name, statement in _COMMON.items()},
    "count_conflicts": "SELECT count(*) AS n FROM outbox WHERE state = 'invalid' AND strpos(ref, '#conflict@') > 0",
    "create_table": """CREATE TABLE IF NOT EXISTS outbox (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        kind text NOT NULL,
        ref text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'posting', 'posted', 'failed', 'dead', 'invalid', 'rejected')),
        payload jsonb NOT NULL,
        depends_kind text NOT NULL DEFAULT '',
        depends_ref text NOT NULL DEFAULT '',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        claimed_by text NOT NULL DEFAULT '',
        last_error text NOT NULL DEFAULT '',
        errors jsonb NOT NULL DEFAULT '[]',
        result jsonb NOT NULL DEFAULT '{}',
        ra_number text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT outbox_kind_ref_key UNIQUE (kind, ref)
    )""",
    "create_version_table": "CREATE TABLE IF NOT EXISTS outbox_schema_version (version integer NOT NULL)",
    # Serialises schema creation between replicas that start at once (CREATE ... IF NOT EXISTS can race).
    "schema_lock": "SELECT pg_advisory_xact_lock(hashtext('imagepro_outbox_schema'))",
    "get_version": "SELECT max(version) AS version FROM outbox_schema_version",
    "set_version": "INSERT INTO outbox_schema_version (version) VALUES (%(version)s)",
    "insert": f"""INSERT INTO outbox (kind, ref, state, payload, depends_kind, depends_ref, errors, last_error,
        created_at, updated_at)
        VALUES (%(kind)s, %(ref)s, %(state)s, %(payload)s, %(depends_kind)s, %(depends_ref)s, %(errors)s,
        %(last_error)s, %(now)s, %(now)s)
        ON CONFLICT (kind, ref) DO NOTHING RETURNING {_COLS}""",
    "select_by_key_for_update": f"SELECT {_COLS} FROM outbox WHERE kind = %(kind)s AND ref = %(ref)s FOR UPDATE",
    # One statement: pick the due rows no other transaction holds, and mark them taken. The picked ids are
    # an array (an InitPlan) that the update reads through the primary key: a plan that stays right when it
    # is prepared once and reused without knowing :limit (see PostgresOutbox's plan_cache_mode).
    "claim": _pyformat(
        f"""UPDATE outbox SET state = 'posting', lease_until = :lease_until, claimed_by = :worker_id, updated_at = :now
    WHERE id = ANY(ARRAY({_claimable(fence=" OFFSET 0")} FOR UPDATE SKIP LOCKED))
    RETURNING {_COLS}"""
    ),
    # A whole batch posted in one statement; the batch is one JSON array of {id, result, ra_number} (one
    # parameter, encoded by the json module at once rather than an array of jsonb values element by element).
    "mark_posted_many": """UPDATE outbox AS o SET state = 'posted', result = v.result,
        ra_number = CASE WHEN v.ra_number = '' THEN o.ra_number ELSE v.ra_number END,
        lease_until = NULL, last_error = '', updated_at = %(now)s
        FROM jsonb_to_recordset(%(posted)s::jsonb) AS v(id bigint, result jsonb, ra_number text)
        WHERE o.id = v.id""",
    "rows": f"""SELECT {_COLS} FROM outbox
        WHERE (%(all_states)s OR state = ANY(%(states)s)) AND (%(kind)s = '' OR kind = %(kind)s)
        AND id > %(after_id)s ORDER BY id LIMIT %(limit)s""",
}

__all__ = ["COLUMNS", "INDEXES", "POSTGRES", "SCHEMA_VERSION", "SQLITE"]
