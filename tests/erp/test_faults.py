"""What goes wrong on the wire becomes TransientError or PermanentError, and retry handles the transient."""

from __future__ import annotations

import gc
import warnings
import xmlrpc.client
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sync_worker.erp import SyncApi, classify, make_retrying
from sync_worker.errors import PermanentError, SyncError, TransientError
from tests.odoo_standin.fixtures import ErpUnderTest

from .docs import order

KINDS = ["xmlrpc", "jsonrpc"]


@pytest.fixture(autouse=True)
def _collect_sockets_the_clients_dropped() -> Iterator[None]:
    """A reply cut by a reset leaves the client library's socket to the garbage collector (odoorpc's urllib does
    not close it on the error): collect it here, so its ResourceWarning is not raised in some later test."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _raises(call: Callable[[], Any]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


def _resets(kind: str) -> int:
    """Resets that make one call fail: xmlrpc.client re-sends once on a fresh connection after a reset."""
    return 2 if kind == "xmlrpc" else 1


def _logged_in(erp: ErpUnderTest, kind: str, timeout: float | None = None) -> Any:
    transport = erp.transport_factory(kind, timeout=timeout)
    transport.login()
    return transport


# The wire faults (refused, stalled, 502, reset mid-reply) come from the fault proxy in front of the ERP, so
# they run against the stand-in and a real Odoo alike. A serialization failure happens inside Odoo's
# database and cannot be made from the wire: those tests need the stand-in's injection.


@pytest.mark.parametrize("kind", KINDS)
def test_connection_refused_is_transient_and_the_next_call_works(erp: ErpUnderTest, kind: str) -> None:
    transport = _logged_in(erp, kind)
    with erp.proxy.refused():
        error = _raises(lambda: transport.execute_kw("imagepro.sync", "sync_info", []))
    assert isinstance(error, TransientError) and "refused" in str(error)
    assert transport.execute_kw("imagepro.sync", "sync_info", [])["currency"] == "USD"


@pytest.mark.parametrize("kind", KINDS)
def test_a_hang_longer_than_the_timeout_is_transient(erp: ErpUnderTest, kind: str) -> None:
    transport = _logged_in(erp, kind, timeout=3.0)  # a real Odoo's login takes about half a second
    erp.proxy.stall_seconds = 10
    erp.proxy.inject("stall")
    error = _raises(lambda: transport.execute_kw("imagepro.sync", "sync_info", []))
    assert isinstance(error, TransientError) and "timeout" in str(error)
    erp.proxy.clear()
    assert transport.execute_kw("imagepro.sync", "sync_info", [])["currency"] == "USD"


@pytest.mark.parametrize("kind", KINDS)
def test_http_502_is_transient(erp: ErpUnderTest, kind: str) -> None:
    transport = _logged_in(erp, kind)
    erp.proxy.inject("http_502")
    error = _raises(lambda: transport.execute_kw("imagepro.sync", "sync_info", []))
    assert isinstance(error, TransientError) and "502" in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_a_reply_dropped_midway_is_transient(erp: ErpUnderTest, kind: str) -> None:
    transport = _logged_in(erp, kind)
    erp.proxy.inject("reset_mid_response", _resets(kind))
    error = _raises(lambda: transport.execute_kw("imagepro.sync", "sync_info", []))
    assert isinstance(error, TransientError), error


@pytest.mark.parametrize("kind", KINDS)
def test_a_serialization_failure_is_transient(erp: ErpUnderTest, kind: str) -> None:
    standin = erp.need_standin()
    transport = _logged_in(erp, kind)
    standin.inject("serialization_failure")
    error = _raises(lambda: transport.execute_kw("imagepro.sync", "sync_orders", [[order("SER-1")]]))
    assert isinstance(error, TransientError) and "could not serialize access" in str(error)
    assert "Traceback" not in str(error) and 'File "' not in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_a_validation_error_is_permanent_with_the_odoo_message(erp: ErpUnderTest, kind: str) -> None:
    transport = _logged_in(erp, kind)
    # a sale order without its customer: Odoo answers ValidationError (code 2) "The operation cannot be completed..."
    error = _raises(lambda: transport.execute_kw("sale.order", "create", [{"client_order_ref": "no-customer"}]))
    assert isinstance(error, PermanentError)
    assert "Odoo refused: The operation cannot be completed" in str(error) and "partner_id" in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_method_or_model_is_permanent(erp: ErpUnderTest, kind: str) -> None:
    transport = _logged_in(erp, kind)
    method = _raises(lambda: transport.execute_kw("imagepro.sync", "sync_everything", []))
    model = _raises(lambda: transport.execute_kw("imagepro.nothing", "search", [[]]))
    assert isinstance(method, PermanentError) and "sync_everything" in str(method)
    assert "Traceback" not in str(method)
    assert isinstance(model, PermanentError) and "imagepro.nothing" in str(model)


@pytest.mark.parametrize("kind", KINDS)
def test_the_password_is_in_no_error_message(erp: ErpUnderTest, kind: str) -> None:
    errors: list[BaseException] = []
    transport = _logged_in(erp, kind)
    for fault, count in (("http_502", 1), ("reset_mid_response", _resets(kind))):
        erp.proxy.inject(fault, count)
        errors.append(_raises(lambda: transport.execute_kw("imagepro.sync", "sync_info", [])))
    if erp.standin is not None:
        erp.standin.inject("serialization_failure")
        errors.append(_raises(lambda: transport.execute_kw("imagepro.sync", "sync_info", [])))
    errors.append(_raises(lambda: transport.execute_kw("imagepro.sync", "nope", [])))
    with erp.proxy.refused():
        errors.append(_raises(lambda: transport.execute_kw("imagepro.sync", "sync_info", [])))
    errors.append(_raises(lambda: erp.transport_factory(kind, password="wrong-" + erp.password).login()))
    for error in errors:
        chain: BaseException | None = error
        while chain is not None:
            assert erp.password not in str(chain) and erp.password not in repr(chain)
            chain = chain.__cause__ or chain.__context__


def test_retry_succeeds_on_the_third_try_after_two_502s(erp: ErpUnderTest) -> None:
    transport = _logged_in(erp, "xmlrpc")
    sleeps: list[float] = []
    api = SyncApi(transport, make_retrying(attempts=5, sleep=sleeps.append))
    erp.proxy.inject("http_502", 2)
    results = api.post("order", [order(erp.prefix + "RETRY-1")])
    assert results[0].status == "created", results[0]
    assert len(sleeps) == 2  # three tries, two waits, none slept for real
    again = api.post("order", [order(erp.prefix + "RETRY-1")])  # the 502s never reached Odoo: one record
    assert again[0].status == "already_present" and again[0].ids == results[0].ids


def test_retry_gives_up_after_the_attempts_and_raises_the_last_transient_error(erp: ErpUnderTest) -> None:
    standin = erp.need_standin()
    transport = _logged_in(erp, "xmlrpc")
    sleeps: list[float] = []
    api = SyncApi(transport, make_retrying(attempts=3, sleep=sleeps.append))
    standin.inject("serialization_failure", 10)
    with pytest.raises(TransientError, match="could not serialize"):
        api.post("order", [order("RETRY-2")])
    assert len(sleeps) == 2
    assert standin.erp.records_by_ref("RETRY-2") == []


def test_retry_does_not_retry_a_permanent_error() -> None:
    calls: list[int] = []

    def fail() -> None:
        calls.append(1)
        raise PermanentError("no")

    with pytest.raises(PermanentError):
        make_retrying(attempts=5, sleep=lambda _: None)(fail)
    assert calls == [1]


def test_retry_stops_on_total_time_too() -> None:
    calls: list[int] = []

    def fail() -> None:
        calls.append(1)
        raise TransientError("busy")

    # the time budget is spent after the first try: no second one, however many attempts are allowed
    with pytest.raises(TransientError):
        make_retrying(attempts=100, max_seconds=0.0, sleep=lambda _: None)(fail)
    assert calls == [1]


@pytest.mark.parametrize(
    ("fault", "kind", "needle"),
    [
        (xmlrpc.client.Fault(2, "The operation cannot be completed: another model requires the record"), PermanentError,
         "cannot be completed"),
        (xmlrpc.client.Fault(4, "You are not allowed to access 'Sales Order' (sale.order) records."), PermanentError,
         "not allowed"),
        (xmlrpc.client.Fault(3, "Access Denied"), PermanentError, "IMAGEPRO_ERP_PASSWORD"),
        (xmlrpc.client.Fault("warning -- UserError\n\nNothing to invoice", ""), PermanentError, "Nothing to invoice"),
        (xmlrpc.client.Fault(1, 'Traceback (most recent call last):\n  File "x.py", line 1, in f\n'
                                "psycopg2.errors.LockNotAvailable: could not obtain lock on row\n"), TransientError,
         "could not obtain lock"),
        (xmlrpc.client.Fault(1, 'Traceback (most recent call last):\n  File "x.py", line 1, in f\n'
                                "psycopg2.errors.DeadlockDetected: deadlock detected\n"), TransientError, "deadlock"),
        (xmlrpc.client.ProtocolError("odoo.example/xmlrpc/2/object", 503, "Service Unavailable", {}), TransientError,
         "503"),
        (xmlrpc.client.ProtocolError("odoo.example/xmlrpc/2/object", 429, "Too Many Requests", {}), TransientError,
         "429"),
        (xmlrpc.client.ProtocolError("odoo.example/xmlrpc/2/object", 404, "Not Found", {}), PermanentError,
         "is this an Odoo URL?"),
        (ConnectionResetError(104, "reset"), TransientError, "dropped"),
        (BrokenPipeError(32, "pipe"), TransientError, "will try again"),
    ],
)
def test_classify(fault: BaseException, kind: type[SyncError], needle: str) -> None:
    error = classify(fault, "imagepro.sync.sync_orders")
    assert isinstance(error, kind)
    assert needle in str(error) and str(error).startswith("imagepro.sync.sync_orders: ")
    assert "Traceback" not in str(error)


def test_classify_reads_odoorpc_errors_like_faults() -> None:
    from odoorpc.error import RPCError

    def rpc(name: str, message: str) -> RPCError:
        return RPCError(message, {"code": 200, "message": "Odoo Server Error",
                                  "data": {"name": name, "message": message, "debug": "Traceback ..."}})

    assert isinstance(classify(rpc("psycopg2.errors.SerializationFailure", "could not serialize access")),
                      TransientError)
    validation = classify(rpc("odoo.exceptions.ValidationError", "The VAT number is wrong"))
    assert isinstance(validation, PermanentError) and "The VAT number is wrong" in str(validation)
    assert isinstance(classify(rpc("odoo.exceptions.AccessError", "no")), PermanentError)
