"""Both transports against the stand-in (or a real Odoo) over real HTTP: login, batches, idempotency, check."""

from __future__ import annotations

import pytest

from sync_worker.erp import SyncApi, make_retrying
from sync_worker.erp.check import run_checks
from sync_worker.errors import PermanentError
from tests.odoo_standin.erp import MODULE_VERSION
from tests.odoo_standin.fixtures import ErpUnderTest

from .docs import order, shipment

KINDS = ["xmlrpc", "jsonrpc"]


def _api(erp: ErpUnderTest, kind: str) -> SyncApi:
    return SyncApi(erp.transport_factory(kind), make_retrying(attempts=3, sleep=lambda _: None))


@pytest.mark.parametrize("kind", KINDS)
def test_login_with_the_right_password_gives_a_uid(erp: ErpUnderTest, kind: str) -> None:
    transport = erp.transport_factory(kind)
    assert transport.login() > 0
    assert transport.version()["server_version"].startswith("18.")
    assert transport.rpc_calls >= 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_password_is_a_permanent_login_failure_naming_user_and_database(erp: ErpUnderTest, kind: str) -> None:
    transport = erp.transport_factory(kind, password="not-the-password")
    with pytest.raises(PermanentError) as caught:
        transport.login()
    message = str(caught.value)
    assert f"login failed for user {erp.user} on database {erp.db}" in message
    assert "IMAGEPRO_ERP_PASSWORD" in message


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_password_on_execute_kw_is_permanent(erp: ErpUnderTest, kind: str) -> None:
    transport = erp.transport_factory(kind, password="not-the-password")
    with pytest.raises(PermanentError):
        transport.execute_kw("imagepro.sync", "sync_info", [])


@pytest.mark.parametrize("kind", KINDS)
def test_a_batch_of_orders_gets_one_result_each_in_order(erp: ErpUnderTest, kind: str) -> None:
    refs = [f"{erp.prefix}{kind}-{n}" for n in range(5)]
    docs = [order(ref, customer=f"{erp.prefix}C-{n}") for n, ref in enumerate(refs)]
    docs.append(order(f"{erp.prefix}{kind}-diners", brand="diners"))
    docs.append(order(f"{erp.prefix}{kind}-open", customer=f"{erp.prefix}C-new", payment="open_account"))
    results = _api(erp, kind).post("order", docs)
    assert [r.ref for r in results] == [d["ref"] for d in docs]
    assert all(r.status == "created" and r.decision == "accepted" and r.ids["sale_order_id"] > 0 for r in results[:5])
    assert results[5].status == "rejected" and "O4" in results[5].rules and results[5].ids.get("sale_order_id", 0) == 0
    # a customer made by an order has no approved credit: open account is held (O3)
    assert results[6].status == "held" and "O3" in results[6].rules and results[6].ids["sale_order_id"] > 0


@pytest.mark.parametrize("kind", KINDS)
def test_posting_twice_answers_already_present_with_the_same_ids_and_makes_one_record(
    erp: ErpUnderTest, kind: str
) -> None:
    api = _api(erp, kind)
    ref = f"{erp.prefix}{kind}-twice"
    first = api.post("order", [order(ref)])[0]
    again = api.post("order", [order(ref)])[0]
    assert first.status == "created"
    assert again.status == "already_present"
    assert again.ids == first.ids and again.name == first.name
    if erp.standin is not None:
        assert [model for model, _ in erp.standin.erp.records_by_ref(ref)] == ["sale.order"]


def test_a_shipment_invoices_its_order_and_waits_for_an_unknown_order(erp: ErpUnderTest) -> None:
    api = _api(erp, "xmlrpc")
    ref = f"{erp.prefix}ship-order"
    api.post("order", [order(ref, payment="card")])
    shipped, orphan = api.post("shipment", [shipment(f"{erp.prefix}S1", ref),
                                            shipment(f"{erp.prefix}S2", f"{erp.prefix}nowhere")])
    assert shipped.status == "created" and shipped.ids["invoice_id"] > 0 and "O7" in shipped.rules
    assert shipped.ids["payment_id"] > 0  # a card order is paid (O7)
    assert orphan.status == "error" and orphan.error_class == "missing_dependency"


def test_an_unknown_product_is_a_permanent_error_result_not_a_fault(erp: ErpUnderTest) -> None:
    result = _api(erp, "xmlrpc").post("order", [order(f"{erp.prefix}bad-sku", sku="IP-NO-SUCH-SKU")])[0]
    assert result.status == "error" and result.error_class == "permanent"
    assert "IP-NO-SUCH-SKU" in result.message


def test_the_policy_book_comes_from_the_erp(erp: ErpUnderTest) -> None:
    book = _api(erp, "xmlrpc").policy_book()
    assert book.versions and book.versions[0].net_days >= 0


def test_check_reports_every_step_ok_on_a_ready_erp(erp: ErpUnderTest) -> None:
    results = run_checks(erp.transport_factory("xmlrpc"), MODULE_VERSION)
    names = [r.name for r in results]
    assert names[:4] == ["reach Odoo", "log in", "add-on version", "sync API"]
    assert all(r.ok for r in results), [str(r) for r in results if not r.ok]
    assert {"payment_term_net30", "sale_journal", "card_journal", "sync_rights"} <= set(names)


def test_check_names_a_version_mismatch_and_a_missing_setup_item(erp: ErpUnderTest) -> None:
    standin = erp.need_standin("a card journal taken away from a live ERP")
    standin.erp.setup["card_journal"] = False
    results = {r.name: r for r in run_checks(erp.transport_factory("xmlrpc"), "18.0.2.0.0")}
    assert not results["add-on version"].ok and "18.0.2.0.0" in results["add-on version"].message
    assert not results["card_journal"].ok


def test_check_on_an_unreachable_odoo_stops_at_the_first_step(erp: ErpUnderTest) -> None:
    with erp.proxy.refused():
        results = run_checks(erp.transport_factory("xmlrpc", timeout=1.0), MODULE_VERSION)
    assert [(r.name, r.ok) for r in results] == [("reach Odoo", False)]
    assert "refused" in results[0].message


def test_a_return_gets_an_ra_number_and_its_inspection_settles_it(erp: ErpUnderTest) -> None:
    standin = erp.need_standin("seeding a customer with approved credit")
    standin.erp.add_customer("C-RA", credit_approved=True)
    api = _api(erp, "xmlrpc")
    api.post("order", [order("RA-ORDER", customer="C-RA", payment="open_account", quantity=2, price="24.99")])
    api.post("shipment", [shipment("RA-SHIP", "RA-ORDER", "2026-11-02")])
    request = {
        "type": "return", "ref": "RAREQ-1", "order_ref": "RA-ORDER", "customer": {"ref": "C-RA"},
        "requested_on": "2026-11-30", "purchase_date": "2026-10-30", "shipment_date": "2026-11-02",
        "reason": "ordered too many", "payment_method": "open_account",
        "lines": [{"sku": "IP-TN450", "quantity": 2, "unit_price_paid": "24.99", "defective": False}],
    }
    ra = api.post("return", [request])[0]
    assert ra.status == "created" and ra.decision == "pending_inspection"
    assert ra.ra_number.startswith("RA/2026/") and len(ra.ra_number) == len("RA/2026/00001")
    inspection = {"type": "inspection", "ref": "DOCK-1", "ra_number": ra.ra_number,
                  "lines": [{"sku": "IP-TN450", "quantity": 2, "labels_intact": True, "original_packaging": True,
                             "resalable": True, "damage": "none"}]}
    settled = api.post("inspection", [inspection])[0]
    assert settled.decision == "approved" and settled.ids["credit_note_id"] > 0
    assert standin.erp.store.credit_notes["DOCK-1"]["amount_total"] == "42.48"  # TERMS.md worked example 6
    assert api.post("inspection", [inspection])[0].status == "already_present"
    orphan = api.post("inspection", [{**inspection, "ref": "DOCK-2", "ra_number": "RA/2026/99999"}])[0]
    assert orphan.error_class == "missing_dependency"
