"""The examples' master data (products, customers with their credit), seeded in the stand-in or a real Odoo."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync_worker.erp import ErpTransport, make_transport

if TYPE_CHECKING:
    from .fixtures import ErpUnderTest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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
        seed_odoo(odoo, data)
    finally:
        odoo.close()


def seed_odoo(odoo: ErpTransport, data: dict[str, Any]) -> None:
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
