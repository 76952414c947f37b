"""Validation of request bodies and the JSON shapes of responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shopfront.api.errors import BadRequest
from shopfront.cart.cart import MAX_QUANTITY
from shopfront.db.models import Order, Product


@dataclass(frozen=True)
class CartItemIn:
    """The body of ``POST /cart/items``."""

    sku: str
    quantity: int = 1

    @classmethod
    def parse(cls, body: dict[str, Any]) -> CartItemIn:
        """Validate a decoded JSON body; raises :class:`BadRequest` naming the bad field."""
        sku = body.get("sku")
        if not isinstance(sku, str) or not sku.strip():
            raise BadRequest("sku is required", field="sku")
        quantity = body.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise BadRequest("quantity must be a whole number", field="quantity")
        if not 1 <= quantity <= MAX_QUANTITY:
            raise BadRequest(f"quantity must be between 1 and {MAX_QUANTITY}", field="quantity")
        return cls(sku.strip().upper(), quantity)


def product_out(product: Product) -> dict[str, Any]:
    """A product as the API shows it."""
    return {
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "price_cents": product.price_cents,
    }


def order_out(order: Order) -> dict[str, Any]:
    """An order with its lines as the API shows it."""
    return {
        "id": order.id,
        "status": order.status.value,
        "total_cents": order.total_cents,
        "created_at": order.created_at.isoformat(),
        "lines": [
            {"sku": line.sku, "quantity": line.quantity, "unit_price_cents": line.unit_price_cents}
            for line in getattr(order, "lines", [])
        ],
    }
