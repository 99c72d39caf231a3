"""open_outbox: the engine from IMAGEPRO_OUTBOX_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync_worker.errors import OutboxError
from sync_worker.outbox import PostgresOutbox, SqliteOutbox, open_outbox
from tests.pg import database_or_skip


def test_a_relative_sqlite_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outbox = open_outbox("sqlite:///state/outbox.db")
    try:
        assert isinstance(outbox, SqliteOutbox)
        outbox.add("order", "SO-1", {"n": 1})
    finally:
        outbox.close()
    assert (tmp_path / "state" / "outbox.db").is_file()


def test_an_absolute_sqlite_url_takes_four_slashes(tmp_path: Path) -> None:
    path = tmp_path / "abs.db"
    outbox = open_outbox(f"sqlite:///{path}")  # path starts with "/": sqlite:////tmp/...
    try:
        assert isinstance(outbox, SqliteOutbox)
        assert outbox.path == path
    finally:
        outbox.close()
    assert path.is_file()


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgres_url_opens_postgres(scheme: str) -> None:
    url, drop = database_or_skip()
    try:
        outbox = open_outbox(scheme + url[url.index("://") :])
        try:
            assert isinstance(outbox, PostgresOutbox)
            assert outbox.add("order", "SO-1", {"n": 1}) == "added"
        finally:
            outbox.close()
    finally:
        drop()


@pytest.mark.parametrize("url", ["", "mysql://u:secret@h/db", "sqlite://relative.db", "sqlite:///", "/var/lib/x.db"])
def test_anything_else_names_the_setting(url: str) -> None:
    with pytest.raises(OutboxError, match="IMAGEPRO_OUTBOX_URL") as caught:
        open_outbox(url)
    assert "secret" not in str(caught.value)


def test_an_unreachable_postgres_is_an_outbox_error_without_the_password() -> None:
    with pytest.raises(OutboxError, match="cannot connect") as caught:
        open_outbox("postgresql://imagepro:s3cret@127.0.0.1:1/nowhere?connect_timeout=2")
    assert "s3cret" not in str(caught.value)


def test_an_outbox_newer_than_the_worker_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA user_version = 99")
    finally:
        conn.close()
    with pytest.raises(OutboxError, match="schema version 99"):
        SqliteOutbox(path)
