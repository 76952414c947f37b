"""Order totals: subtotal, VAT, shipping."""

from __future__ import annotations

from dataclasses import dataclass

from shopfront.cart.cart import Cart
from shopfront.catalog.pricing import add_vat

FREE_SHIPPING_FROM_CENTS = 5_000
SHIPPING_CENTS = 495


@dataclass(frozen=True)
class Totals:
    """The amounts shown at checkout, in cents."""

    subtotal: int
    vat: int
    shipping: int

    @property
    def grand_total(self) -> int:
        return self.subtotal + self.vat + self.shipping


def compute_totals(cart: Cart) -> Totals:
    """Totals for a cart; shipping is free above a threshold and for empty carts."""
    subtotal = cart.subtotal_cents()
    gross = sum(add_vat(line.total_cents, line.product.vat_rate) for line in cart.lines.values())
    shipping = 0 if cart.is_empty() or subtotal >= FREE_SHIPPING_FROM_CENTS else SHIPPING_CENTS
    return Totals(subtotal=subtotal, vat=gross - subtotal, shipping=shipping)
