"""The product catalog, kept in memory and loaded from the database at start-up."""

from __future__ import annotations

from collections.abc import Iterable

from shopfront.db.models import Product


class Catalog:
    """Products by SKU."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self._products: dict[str, Product] = {}
        for product in products:
            self.add(product)

    def add(self, product: Product) -> None:
        """Add or replace a product."""
        if product.price_cents < 0:
            raise ValueError(f"{product.sku}: negative price")
        self._products[product.sku] = product

    def get(self, sku: str) -> Product | None:
        """The active product with this SKU, or None."""
        product = self._products.get(sku)
        return product if product is not None and product.active else None

    def list(self, category: str | None = None) -> list[Product]:
        """Active products, optionally of one category, sorted by name."""
        found = [p for p in self._products.values() if p.active]
        if category is not None:
            found = [p for p in found if p.category == category]
        return sorted(found, key=lambda p: p.name.lower())

    def categories(self) -> list[str]:
        """Every category that has at least one active product."""
        return sorted({p.category for p in self._products.values() if p.active})

    def deactivate(self, sku: str) -> None:
        """Hide a product from the shop without deleting its history."""
        if sku not in self._products:
            raise KeyError(sku)
        self._products[sku].active = False

    def __len__(self) -> int:
        return sum(1 for p in self._products.values() if p.active)
