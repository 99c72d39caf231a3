"""The `erp` fixture: the Odoo stand-in by default, a real Odoo when IMAGEPRO_TEST_ODOO_* are set.

Register in tests/conftest.py with `pytest_plugins = ["tests.odoo_standin.fixtures"]`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from sync_worker.erp import ErpTransport, make_transport
from tests.faultproxy import FaultProxy

from .server import OdooStandin

ENV = ("IMAGEPRO_TEST_ODOO_URL", "IMAGEPRO_TEST_ODOO_DB", "IMAGEPRO_TEST_ODOO_USER", "IMAGEPRO_TEST_ODOO_PASSWORD")
# A real Odoo's own database (postgresql://...), for the tests that play "another call of Odoo is processing
# this document" by holding the add-on's advisory lock of a ref, as a call still running holds it.
ODOO_PG_ENV = "IMAGEPRO_TEST_ODOO_PG_URL"


@dataclass
class ErpUnderTest:
    url: str
    db: str
    user: str
    password: str
    standin: OdooStandin | None
    timeout: float = 5.0
    prefix: str = field(default_factory=lambda: f"T{uuid.uuid4().hex[:8]}-")  # refs unique per test on a real Odoo
    # The fault proxy every transport goes through (`url` is the proxy's): wire faults for the stand-in and a
    # real Odoo alike. None only for an ErpUnderTest made without the fixture.
    faults: FaultProxy | None = None
    _opened: list[ErpTransport] = field(default_factory=list)

    @property
    def proxy(self) -> FaultProxy:
        assert self.faults is not None, "made by the erp fixture, an ErpUnderTest has its fault proxy"
        return self.faults

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

    def orders_with_ref(self, ref: str) -> int:
        """How many sale orders carry `ref` in the ERP ("exactly once" is 1), read from the stand-in's store or
        from a real Odoo as the integration user (who may read every order)."""
        if self.standin is not None:
            return sum(1 for model, _ in self.standin.erp.records_by_ref(ref) if model == "sale.order")
        transport = self.transport_factory("xmlrpc")
        return int(transport.execute_kw("sale.order", "search_count", [[("imagepro_sync_ref", "=", ref)]]))

    @contextmanager
    def processing_elsewhere(self, kind: str, ref: str) -> Iterator[None]:
        """While inside, Odoo behaves as if another call were processing document (kind, ref): the stand-in
        marks it; on a real Odoo a second transaction holds the add-on's advisory lock of that ref (as
        imagepro.sync's _refs_in_progress takes it) in Odoo's own database, IMAGEPRO_TEST_ODOO_PG_URL."""
        if self.standin is not None:
            self.standin.erp.in_progress[(kind, ref)] += 1
            try:
                yield
            finally:
                self.standin.erp.in_progress[(kind, ref)] -= 1
            return
        pg_url = os.environ.get(ODOO_PG_ENV, "")
        if not pg_url:
            pytest.skip(f"set {ODOO_PG_ENV} to the real Odoo's database to hold a document's lock there")
        import psycopg

        from sync_worker.erp import SyncApi

        company_id = SyncApi(self.transport_factory()).info()["company_id"]
        with psycopg.connect(pg_url) as conn:  # one transaction until the block ends, then rolled back
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))",
                (f"imagepro.sync:{company_id}:{kind}", ref),
            )
            try:
                yield
            finally:
                conn.rollback()

    def close(self) -> None:
        for transport in self._opened:
            transport.close()
        if self.faults is not None:
            self.faults.__exit__(None, None, None)


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
    """The ERP under test behind a fault proxy: the stand-in, or the real Odoo IMAGEPRO_TEST_ODOO_* name."""
    real = real_odoo_settings()
    if real is not None:
        proxy = FaultProxy.in_front_of(real[ENV[0]]).start()
        target = ErpUnderTest(proxy.url, real[ENV[1]], real[ENV[2]], real[ENV[3]], None, timeout=60.0, faults=proxy)
        try:
            yield target
        finally:
            target.close()
        return
    with OdooStandin() as standin:
        proxy = FaultProxy.in_front_of(standin.url).start()
        target = ErpUnderTest(proxy.url, standin.db, standin.user, standin.password, standin, faults=proxy)
        try:
            yield target
        finally:
            target.close()
