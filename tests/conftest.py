from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.odoo_standin.fixtures"]


@pytest.fixture(autouse=True)
def _heartbeat_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`run` rewrites its heartbeat file; a test must never leave one in the checkout."""
    monkeypatch.setenv("IMAGEPRO_HEARTBEAT_FILE", str(tmp_path / "heartbeat.json"))
    yield
