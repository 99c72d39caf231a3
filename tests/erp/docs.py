"""Documents for the ERP tests, as raw JSON dicts (money as strings)."""

from __future__ import annotations

from typing import Any


def order(ref: str, customer: str = "C-1001", payment: str = "card", sku: str = "IP-TN450",
          quantity: int = 2, price: str = "24.99", brand: str = "visa") -> dict[str, Any]:
    pay: dict[str, Any] = {"method": payment}
    if payment == "card":
        pay["card_brand"] = brand
    return {
        "type": "order", "ref": ref, "channel": "web", "order_date": "2026-11-20",
        "customer": {"ref": customer, "name": "Lakeside Dental", "email": "ap@lakeside.example"},
        "lines": [{"sku": sku, "quantity": quantity, "unit_price": price, "discount_percent": "0"}],
        "freight": {"method": "ground", "amount": "8.50"},
        "payment": pay,
    }


def shipment(ref: str, order_ref: str, shipped_on: str = "2026-11-21") -> dict[str, Any]:
    return {"type": "shipment", "ref": ref, "order_ref": order_ref, "shipped_on": shipped_on}
