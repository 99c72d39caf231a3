"""Money as exact decimals, rounded to the cent half-up (docs/terms.md, "Money and dates")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value cannot be read as an amount of money."""


def to_decimal(value: object) -> Decimal:
    """Read an amount without rounding it; floats are refused so no binary error slips in."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (bool, float)):
        raise MoneyError(f"money must be a decimal string, not {type(value).__name__} {value!r}")
    elif isinstance(value, (int, str)):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise MoneyError(f"{value!r} is not a decimal amount") from exc
    else:
        raise MoneyError(f"{value!r} is not a decimal amount")
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return result


def round_cent(amount: Decimal) -> Decimal:
    """Round to the cent, half-up, as the ERP rounds USD."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, rate: Decimal) -> Decimal:
    """A percentage fee of one line, rounded on that line (rate is a fraction: 0.15 for 15 %)."""
    return round_cent(amount * rate)


def money_str(amount: Decimal) -> str:
    """The decimal string that documents and JSON output carry ("24.99")."""
    return str(round_cent(amount))
