"""Price arithmetic in integer cents: discounts, VAT and display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

VAT_PERCENT = {"standard": 20, "reduced": 5, "zero": 0}
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
MEMBER_DISCOUNT_PERCENT = 5


def _to_cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_discount(price_cents: int, percent: int, *, member: bool = False) -> int:
    """The price after a percentage discount plus the member discount, rounded half up to the cent."""
    total_percent = percent + (MEMBER_DISCOUNT_PERCENT if member else 0)
    if total_percent <= 0:
        return price_cents
    discounted = Decimal(price_cents) * (100 - min(total_percent, 100)) / 100
    return _to_cents(discounted)


def add_vat(net_cents: int, rate: str = "standard") -> int:
    """The gross price for a net price at one of the VAT rates."""
    try:
        percent = VAT_PERCENT[rate]
    except KeyError:
        raise ValueError(f"unknown VAT rate {rate!r}") from None
    return _to_cents(Decimal(net_cents) * (100 + percent) / 100)


def format_price(cents: int, currency: str = "EUR") -> str:
    """A price for display, e.g. ``€12.50``."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole:,}.{rest:02d}"
