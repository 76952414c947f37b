"""A shopping cart: lines of products and quantities."""

from __future__ import annotations

from dataclasses import dataclass, field

from shopfront.catalog.pricing import apply_discount
from shopfront.db.models import Product

MAX_QUANTITY = 99


@dataclass
class CartLine:
    """One product in the cart."""

    product: Product
    quantity: int
    discount_percent: int = 0
    member: bool = False

    @property
    def unit_price_cents(self) -> int:
        return apply_discount(self.product.price_cents, self.discount_percent, member=self.member)

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass
class Cart:
    """The lines a visitor collected, keyed by SKU."""

    currency: str = "EUR"
    lines: dict[str, CartLine] = field(default_factory=dict)
    member: bool = False

    def add(self, product: Product, quantity: int = 1) -> CartLine:
        """Add units of a product, merging with an existing line."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        line = self.lines.get(product.sku)
        if line is None:
            line = self.lines[product.sku] = CartLine(product, 0, member=self.member)
        line.quantity = min(MAX_QUANTITY, line.quantity + quantity)
        return line

    def remove(self, sku: str) -> None:
        """Drop a line; unknown SKUs are ignored."""
        self.lines.pop(sku, None)

    def item_count(self) -> int:
        """How many units are in the cart."""
        return sum(line.quantity for line in self.lines.values())

    def subtotal_cents(self) -> int:
        """The sum of the lines before VAT and shipping."""
        return sum(line.total_cents for line in self.lines.values())

    def is_empty(self) -> bool:
        return not self.lines
