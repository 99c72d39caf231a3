"""The numbers of the terms, effective-dated: one PolicyVersion per period, a PolicyBook of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from .money import MoneyError, to_decimal

CARD_BRANDS: dict[str, str] = {
    "visa": "Visa",
    "mastercard": "MasterCard",
    "discover": "Discover",
    "amex": "American Express",
}
_CARD_ALIASES = {"americanexpress": "amex", "mc": "mastercard", "master": "mastercard"}


class PolicyError(ValueError):
    """A policy setting is missing, malformed or out of range."""


class NoPolicyInForce(PolicyError):
    """No policy version was in force on the date a decision is judged by."""


def normalize_card_brand(brand: str) -> str:
    """Canonical brand key: 'American Express', 'AMEX' and 'american_express' all read 'amex'."""
    key = re.sub(r"[^a-z]", "", brand.lower())
    return _CARD_ALIASES.get(key, key)


@dataclass(frozen=True)
class PolicyVersion:
    """Every number of docs/terms.md, as in force from `effective_from` on. Defaults are the T&C's."""

    effective_from: date = date(2000, 1, 1)
    minimum_order: Decimal = Decimal("50.00")  # O1
    service_charge: Decimal = Decimal("3.00")  # O1
    net_days: int = 30  # O3, O7
    accepted_card_brands: tuple[str, ...] = ("visa", "mastercard", "discover", "amex")  # O4
    return_window_days: int = 30  # R1
    nondefective_max_age_days: int = 60  # R4
    restocking_percent: Decimal = Decimal("15")  # R5
    warranty_months: int = 12  # W1
    toner_threshold_percent: Decimal = Decimal("10")  # W3

    def __post_init__(self) -> None:
        for name in ("minimum_order", "service_charge", "restocking_percent", "toner_threshold_percent"):
            if getattr(self, name) < 0:
                raise PolicyError(f"{name} must not be negative")
        for name in ("restocking_percent", "toner_threshold_percent"):
            if getattr(self, name) > 100:
                raise PolicyError(f"{name} must be at most 100")
        for name in ("net_days", "return_window_days", "nondefective_max_age_days", "warranty_months"):
            if getattr(self, name) < 0:
                raise PolicyError(f"{name} must not be negative")
        unknown = [b for b in self.accepted_card_brands if b not in CARD_BRANDS]
        if unknown:
            raise PolicyError(
                f"accepted_card_brands: unknown brand(s) {', '.join(unknown)}; known: {', '.join(CARD_BRANDS)}"
            )

    @property
    def restocking_rate(self) -> Decimal:
        return self.restocking_percent / 100

    @property
    def toner_threshold(self) -> Decimal:
        return self.toner_threshold_percent / 100

    def accepts_card(self, brand: str) -> bool:
        return normalize_card_brand(brand) in self.accepted_card_brands

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], base: PolicyVersion | None = None) -> PolicyVersion:
        """Build a version from plain values (a TOML/JSON table, an ERP record); absent keys keep `base`."""
        start = base if base is not None else cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise PolicyError(f"unknown policy setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        changes: dict[str, Any] = {}
        for key, raw in values.items():
            changes[key] = _coerce(key, raw, getattr(start, key))
        return replace(start, **changes)

    def as_mapping(self) -> dict[str, object]:
        """Plain values (strings for decimals and dates) for JSON, TOML or an ERP write."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (Decimal, date)):
                out[f.name] = str(value) if isinstance(value, Decimal) else value.isoformat()
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out


def _coerce(key: str, raw: object, current: object) -> object:
    try:
        if isinstance(current, date):
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        if isinstance(current, Decimal):
            return to_decimal(str(raw) if isinstance(raw, float) else raw)
        if isinstance(current, bool):
            raise PolicyError(f"{key}: unsupported")
        if isinstance(current, int):
            if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                raise PolicyError(f"{key}: expected a whole number, got {raw!r}")
            return int(raw)
        if isinstance(current, tuple):
            if isinstance(raw, str):
                items: Iterable[object] = [part for part in raw.split(",") if part.strip()]
            elif isinstance(raw, (list, tuple)):
                items = raw
            else:
                raise PolicyError(f"{key}: expected a list of card brands, got {raw!r}")
            return tuple(normalize_card_brand(str(item)) for item in items)
    except (ValueError, MoneyError) as exc:
        if isinstance(exc, PolicyError):
            raise
        raise PolicyError(f"{key}: {exc}") from exc
    raise PolicyError(f"{key}: unsupported setting type")


@dataclass(frozen=True)
class PolicyBook:
    """All versions of the policy; `in_force_on` picks the one that judges a given date."""

    versions: tuple[PolicyVersion, ...] = field(default_factory=lambda: (PolicyVersion(),))

    def __post_init__(self) -> None:
        if not self.versions:
            raise PolicyError("a policy book needs at least one version")
        ordered = tuple(sorted(self.versions, key=lambda v: v.effective_from))
        starts = [v.effective_from for v in ordered]
        if len(set(starts)) != len(starts):
            raise PolicyError("two policy versions start on the same date")
        object.__setattr__(self, "versions", ordered)

    def in_force_on(self, on: date) -> PolicyVersion:
        chosen: PolicyVersion | None = None
        for version in self.versions:
            if version.effective_from <= on:
                chosen = version
        if chosen is None:
            raise NoPolicyInForce(
                f"no policy version is in force on {on.isoformat()}; the earliest starts "
                f"{self.versions[0].effective_from.isoformat()}"
            )
        return chosen

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> PolicyBook:
        """A table of settings (one version from the default's start) or {"versions": [table, ...]}.

        Each later version inherits the settings it does not name from the version before it.
        """
        raw_versions = values.get("versions")
        if raw_versions is None:
            return cls((PolicyVersion.from_mapping(values),))
        if set(values) - {"versions"}:
            raise PolicyError("a policy with 'versions' may hold nothing else at the top level")
        if not isinstance(raw_versions, list) or not raw_versions:
            raise PolicyError("versions: expected a non-empty list of tables")
        tables = sorted(
            (dict(t) for t in raw_versions if isinstance(t, Mapping)),
            key=lambda t: str(t.get("effective_from", "")),
        )
        if len(tables) != len(raw_versions):
            raise PolicyError("versions: every entry must be a table of settings")
        built: list[PolicyVersion] = []
        for table in tables:
            built.append(PolicyVersion.from_mapping(table, base=built[-1] if built else None))
        return cls(tuple(built))


DEFAULT_POLICY = PolicyBook()
