"""Building a worker against the `erp` fixture, seeding master data, and loading the example day."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sync_worker.config import load_settings
from sync_worker.erp import ErpTransport, make_transport
from sync_worker.outbox.base import Outbox
from sync_worker.runner import Runner
from sync_worker.wiring import build_poster
from tests.odoo_standin.fixtures import ErpUnderTest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DAY = EXAMPLES / "day-2026-11-20"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_runner(erp: ErpUnderTest, outbox: Outbox, clock: Clock, *, kind: str = "xmlrpc",
                batch_size: int = 50, **settings: Any) -> Runner:
    config = load_settings(erp_url=erp.url, erp_db=erp.db, erp_user=erp.user, erp_password=erp.password,
                           erp_transport=kind, batch_size=batch_size, **settings)
    poster, _ = build_poster(config, outbox, clock, transport=erp.transport_factory(kind), sleep=lambda _s: None)
    return Runner(outbox, poster, worker_id="test-worker", clock=clock, batch_size=batch_size, lease_seconds=60)


def master_data() -> dict[str, Any]:
    return json.loads((EXAMPLES / "master-data.json").read_text())  # type: ignore[no-any-return]


def seed(erp: ErpUnderTest) -> None:
    """The examples' products and customers (with their credit approval), in the stand-in or a real Odoo."""
    data = master_data()
    if erp.standin is not None:
        store = erp.standin.erp
        for product in data["products"]:
            if product["sku"] not in store.products:
                store.add_product(product["sku"], product["name"], product["list_price"],
                                  product["full_weight_g"], product["empty_weight_g"])
        for customer in data["customers"]:
            if store.customer(customer["ref"]) is None:
                store.add_customer(customer["ref"], customer["name"], customer["credit_approved"])
        return
    # Master data needs rights the integration user should not have: seed as IMAGEPRO_TEST_ODOO_ADMIN_USER.
    admin_user = os.environ.get("IMAGEPRO_TEST_ODOO_ADMIN_USER", erp.user)
    admin_password = os.environ.get("IMAGEPRO_TEST_ODOO_ADMIN_PASSWORD", erp.password)
    odoo = make_transport("xmlrpc", erp.url, erp.db, admin_user, admin_password, 60)
    try:
        _seed_odoo(odoo, data)
    finally:
        odoo.close()


def _seed_odoo(odoo: ErpTransport, data: dict[str, Any]) -> None:
    for product in data["products"]:
        if not odoo.execute_kw("product.product", "search", [[("default_code", "=", product["sku"])]]):
            odoo.execute_kw("product.product", "create", [{
                "name": product["name"], "default_code": product["sku"], "list_price": float(product["list_price"]),
                "type": "consu", "invoice_policy": "order",
                "imagepro_full_weight_g": product["full_weight_g"] or 0,
                "imagepro_empty_weight_g": product["empty_weight_g"] or 0,
            }])
    for customer in data["customers"]:
        ids = odoo.execute_kw("res.partner", "search", [[("ref", "=", customer["ref"])]])
        values = {"name": customer["name"], "ref": customer["ref"], "email": customer["email"]}
        partner_id = ids[0] if ids else odoo.execute_kw("res.partner", "create", [values])
        if customer["credit_approved"]:
            odoo.execute_kw("res.partner", "action_imagepro_approve_credit", [[partner_id]])


def load(name: str, prefix: str) -> list[dict[str, Any]]:
    """Documents of an example file with every ref and order_ref prefixed, so runs on one ERP never collide."""
    path = DAY / name if (DAY / name).exists() else EXAMPLES / name
    text = path.read_text()
    documents = json.loads(text) if text.lstrip().startswith("[") else [json.loads(x) for x in text.splitlines() if x]
    for document in documents:
        document["ref"] = prefix + document["ref"]
        if "order_ref" in document:
            document["order_ref"] = prefix + document["order_ref"]
    return documents  # type: ignore[no-any-return]


def write(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in documents))
    return path
