"""The four kinds of document of docs/documents.md as pydantic models, and their conversion to policy inputs."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

import imagepro_policy as policy


def _no_float(value: Any) -> Any:
    # A float has already lost the cent it was meant to hold; JSON numbers are read as Decimal.
    if isinstance(value, float):
        raise ValueError('must be a decimal string such as "24.99", not a float')
    return value


def _iso_date(value: Any) -> Any:
    # DOCUMENTS.md: dates are YYYY-MM-DD, nothing else (no timestamps, no times, no offsets).
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a calendar date") from None
    if not policy.EARLIEST_DATE <= parsed <= policy.LATEST_DATE:
        raise ValueError(f"must be between {policy.EARLIEST_DATE} and {policy.LATEST_DATE}")
    return parsed


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", flags=re.ASCII)

IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Money = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, max_digits=14, decimal_places=2)]
Grams = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=100000)]
Quantity = Annotated[Decimal, BeforeValidator(_no_float), Field(gt=0, le=100000, decimal_places=3)]
Percent = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=100)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
Damage = Literal["none", "freight", "improper_installation", "storage", "abuse"]
PaymentMethod = Literal["card", "open_account"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class Customer(_Doc):
    ref: Text
    name: Annotated[str, Field(max_length=200)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    credit_approved: bool | None = None


class CustomerRef(_Doc):
    ref: Text


class OrderLine(_Doc):
    sku: Text
    quantity: Quantity
    unit_price: Money
    discount_percent: Percent = Decimal("0")


class Freight(_Doc):
    method: Literal["ground", "second_day_air", "next_day_air"]
    amount: Money


class Payment(_Doc):
    method: PaymentMethod
    card_brand: Annotated[str, Field(max_length=40)] | None = None

    @model_validator(mode="after")
    def _card_needs_brand(self) -> Payment:
        if self.method == "card" and not (self.card_brand or "").strip():
            raise ValueError("card_brand: a card payment must name its brand")
        return self


class OrderDocument(_Doc):
    type: Literal["order"]
    ref: Text
    channel: Literal["web", "phone", "email"]
    order_date: IsoDate
    customer: Customer
    lines: Annotated[list[OrderLine], Field(min_length=1)]
    freight: Freight | None = None
    payment: Payment

    def to_policy(self) -> policy.Order:
        return policy.Order(
            order_date=self.order_date,
            lines=tuple(
                policy.OrderLine(line.sku, line.quantity, line.unit_price, line.discount_percent) for line in self.lines
            ),
            payment_method=self.payment.method,
            card_brand=self.payment.card_brand,
            credit_approved=self.customer.credit_approved,
            freight_amount=self.freight.amount if self.freight else Decimal("0"),
            customer_ref=self.customer.ref,
        )


class ShipmentLine(_Doc):
    sku: Text
    quantity: Quantity


class ShipmentDocument(_Doc):
    """One shipment (one delivery); with `lines`, it carried only those units (docs/terms.md, partial shipments)."""

    type: Literal["shipment"]
    ref: Text
    order_ref: Text
    shipped_on: IsoDate
    lines: list[ShipmentLine] | None = None

    @model_validator(mode="after")
    def _each_item_once(self) -> ShipmentDocument:
        seen: set[str] = set()
        for index, line in enumerate(self.lines or ()):
            if line.sku in seen:
                raise ValueError(f"lines[{index}].sku: {line.sku} appears twice; give each item once (O7)")
            seen.add(line.sku)
        if self.lines is not None and not self.lines:
            raise ValueError("lines: a shipment with lines must ship at least one item; leave lines out to ship "
                             "everything still to ship (O7)")
        return self

    def shipped_lines(self) -> list[policy.ShippedLine] | None:
        if self.lines is None:
            return None
        return [policy.ShippedLine(line.sku, line.quantity) for line in self.lines]


class Findings(_Doc):
    """What the receiving dock records for a returned line (W3, W4, W6, R4)."""

    measured_weight_g: Grams | None = None
    full_weight_g: Grams | None = None
    empty_weight_g: Grams | None = None
    labels_intact: bool
    original_packaging: bool
    resalable: bool
    damage: Damage = "none"

    @model_validator(mode="after")
    def _full_above_empty(self) -> Findings:
        if (
            self.full_weight_g is not None
            and self.empty_weight_g is not None
            and self.full_weight_g <= self.empty_weight_g
        ):
            raise ValueError("full_weight_g: must be more than empty_weight_g")
        return self

    def to_policy(self) -> policy.Inspection:
        return policy.Inspection(
            labels_intact=self.labels_intact,
            original_packaging=self.original_packaging,
            resalable=self.resalable,
            damage=self.damage,
            measured_weight_g=self.measured_weight_g,
            full_weight_g=self.full_weight_g,
            empty_weight_g=self.empty_weight_g,
        )


class ReturnLine(_Doc):
    sku: Text
    quantity: Quantity
    unit_price_paid: Money
    defective: bool
    inspection: Findings | None = None


class ReturnDocument(_Doc):
    type: Literal["return"]
    ref: Text
    order_ref: Text
    customer: CustomerRef
    requested_on: IsoDate
    purchase_date: IsoDate
    shipment_date: IsoDate
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]
    payment_method: PaymentMethod
    remedy: Literal["credit", "replace"] = "credit"
    lines: Annotated[list[ReturnLine], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _reason_present(cls, data: Any) -> Any:
        if isinstance(data, dict) and not str(data.get("reason") or "").strip():
            raise ValueError("reason: every return must state its reason")
        return data

    @model_validator(mode="after")
    def _dates_in_order(self) -> ReturnDocument:
        if self.shipment_date < self.purchase_date:
            raise ValueError("shipment_date: is before purchase_date")
        if self.requested_on < self.purchase_date:
            raise ValueError("requested_on: is before purchase_date")
        return self

    def to_policy(self) -> policy.ReturnRequest:
        return policy.ReturnRequest(
            requested_on=self.requested_on,
            purchase_date=self.purchase_date,
            shipment_date=self.shipment_date,
            payment_method=self.payment_method,
            remedy=self.remedy,
            lines=tuple(
                policy.ReturnLine(
                    line.sku,
                    line.quantity,
                    line.unit_price_paid,
                    line.defective,
                    line.inspection.to_policy() if line.inspection else None,
                )
                for line in self.lines
            ),
        )


class InspectionLine(Findings):
    sku: Text
    quantity: Quantity


class InspectionDocument(_Doc):
    type: Literal["inspection"]
    ref: Text
    ra_number: Text
    lines: Annotated[list[InspectionLine], Field(min_length=1)]


Document = OrderDocument | ShipmentDocument | ReturnDocument | InspectionDocument
DOCUMENT_MODELS: dict[str, type[BaseModel]] = {
    "order": OrderDocument,
    "shipment": ShipmentDocument,
    "return": ReturnDocument,
    "inspection": InspectionDocument,
}
