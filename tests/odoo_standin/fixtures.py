"""The `erp` fixture: the Odoo stand-in by default, a real Odoo when IMAGEPRO_TEST_ODOO_* are set.

Register in tests/conftest.py with `pytest_plugins = ["tests.odoo_standin.fixtures"]`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from sync_worker.erp import ErpTransport, make_transport

from .server import OdooStandin

ENV = ("IMAGEPRO_TEST_ODOO_URL", "IMAGEPRO_TEST_ODOO_DB", "IMAGEPRO_TEST_ODOO_USER", "IMAGEPRO_TEST_ODOO_PASSWORD")


@dataclass
class ErpUnderTest:
    url: str
    db: str
    user: str
    password: str
    standin: OdooStandin | None
    timeout: float = 5.0
    prefix: str = field(default_factory=lambda: f"T{uuid.uuid4().hex[:8]}-")  # refs unique per test on a real Odoo
    _opened: list[ErpTransport] = field(default_factory=list)

    @property
    def is_real(self) -> bool:
        return self.standin is None

    def need_standin(self, why: str = "fault injection and store introspection") -> OdooStandin:
        """The stand-in, or skip the test on a real Odoo."""
        if self.standin is None:
            pytest.skip(f"needs the Odoo stand-in ({why}); running against a real Odoo")
        return self.standin

    def transport_factory(
        self, kind: str = "xmlrpc", password: str | None = None, timeout: float | None = None
    ) -> ErpTransport:
        transport = make_transport(
            kind, self.url, self.db, self.user, self.password if password is None else password,
            self.timeout if timeout is None else timeout,
        )
        self._opened.append(transport)
        return transport

    def close(self) -> None:
        for transport in self._opened:
            transport.close()


def real_odoo_settings() -> dict[str, str] | None:
    values = {name: os.environ.get(name, "") for name in ENV}
    return values if all(values.values()) else None


@pytest.fixture(scope="session")
def real_odoo_master_data() -> None:
    """On a real Odoo, the examples' products and customers exist before the first test, whatever the order the
    tests run in (a fresh database has none). The stand-in is seeded per test by the tests that need it."""
    real = real_odoo_settings()
    if real is not None:
        from .master_data import seed

        seed(ErpUnderTest(real[ENV[0]], real[ENV[1]], real[ENV[2]], real[ENV[3]], None, timeout=60.0))


@pytest.fixture
def erp(real_odoo_master_data: None) -> Iterator[ErpUnderTest]:
    real = real_odoo_settings()
    if real is not None:
        target = ErpUnderTest(real[ENV[0]], real[ENV[1]], real[ENV[2]], real[ENV[3]], None, timeout=60.0)
        try:
            yield target
        finally:
            target.close()
        return
    with OdooStandin() as standin:
        target = ErpUnderTest(standin.url, standin.db, standin.user, standin.password, standin)
        try:
            yield target
        finally:
            target.close()
