"""Stock levels and reservations for items sitting in carts."""

from __future__ import annotations

from collections import Counter


class OutOfStock(Exception):
    """Not enough units left to reserve."""

    def __init__(self, sku: str, wanted: int, available: int) -> None:
        super().__init__(f"{sku}: wanted {wanted}, only {available} available")
        self.sku = sku
        self.wanted = wanted
        self.available = available


class Inventory:
    """On-hand stock minus what carts have reserved."""

    def __init__(self) -> None:
        self._on_hand: Counter[str] = Counter()
        self._reserved: Counter[str] = Counter()

    def receive(self, sku: str, quantity: int) -> None:
        """Add delivered units to the stock."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self._on_hand[sku] += quantity

    def available(self, sku: str) -> int:
        """Units that can still be reserved."""
        return self._on_hand[sku] - self._reserved[sku]

    def reserve(self, sku: str, quantity: int) -> None:
        """Hold units for a cart; raises :class:`OutOfStock` when there are too few."""
        if quantity > self.available(sku):
            raise OutOfStock(sku, quantity, self.available(sku))
        self._reserved[sku] += quantity

    def release(self, sku: str, quantity: int) -> None:
        """Give reserved units back, e.g. when a cart expires."""
        self._reserved[sku] = max(0, self._reserved[sku] - quantity)

    def commit(self, sku: str, quantity: int) -> None:
        """Turn a reservation into a sale."""
        self.release(sku, quantity)
        self._on_hand[sku] -= quantity
