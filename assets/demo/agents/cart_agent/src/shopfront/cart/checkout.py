"""Checkout: turn a cart into an order and reserve its stock."""

from __future__ import annotations

from dataclasses import dataclass

from shopfront.cart.cart import Cart
from shopfront.cart.totals import compute_totals
from shopfront.catalog.inventory import Inventory, OutOfStock
from shopfront.db.models import Order


@dataclass(frozen=True)
class CheckoutResult:
    """The placed order, or the SKUs that could not be reserved."""

    order: Order | None
    missing: tuple[str, ...] = ()


def checkout(cart: Cart, inventory: Inventory, *, customer_id: int, order_id: int) -> CheckoutResult:
    """Reserve every line (all or nothing) and create a pending order for the grand total."""
    if cart.is_empty():
        raise ValueError("cannot check out an empty cart")
    reserved: list[tuple[str, int]] = []
    missing = []
    for sku, line in cart.lines.items():
        try:
            inventory.reserve(sku, line.quantity)
            reserved.append((sku, line.quantity))
        except OutOfStock:
            missing.append(sku)
    if missing:
        for sku, quantity in reserved:
            inventory.release(sku, quantity)
        return CheckoutResult(order=None, missing=tuple(missing))
    # cart_agent: waiting for auth_agent's sessions before attaching real customers.
    totals = compute_totals(cart)
    return CheckoutResult(order=Order(order_id, customer_id, totals.grand_total))
