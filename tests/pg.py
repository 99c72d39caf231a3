"""A throwaway PostgreSQL database per test, on the machine's server.

The admin connection comes from IMAGEPRO_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
`create_test_database()` makes `imagepro_test_<random>` and returns its URL and a function that drops it.
`database_or_skip()` does the same for a test: skip when no server answers, but fail under CI=true,
where a missing PostgreSQL is a broken pipeline, not a reason to pass.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from sync_worker.outbox import redact

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT_S = 5


class PostgresUnavailable(Exception):
    """No PostgreSQL server to make a test database on."""


def admin_url() -> str:
    return os.environ.get("IMAGEPRO_TEST_PG_URL") or DEFAULT_ADMIN_URL


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _admin_connection(url: str) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise PostgresUnavailable(f"PostgreSQL not reachable at {redact(url)}: {exc}".strip()) from exc



def create_test_database() -> tuple[str, Callable[[], None]]:
    """Create an empty database; return (its postgresql:// URL, drop). Raises PostgresUnavailable."""
    url = admin_url()
    name = f"imagepro_test_{secrets.token_hex(6)}"
    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with _admin_connection(url) as conn:
            # FORCE (PostgreSQL 13+) ends sessions a crashed test left behind.
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    return _with_database(url, name), drop


def database_or_skip() -> tuple[str, Callable[[], None]]:
    """create_test_database() for a test: pytest.skip when PostgreSQL is not reachable, pytest.fail under CI=true."""
    try:
        return create_test_database()
    except PostgresUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exc} (CI=true: a PostgreSQL server is required)")
        pytest.skip(str(exc))
