"""Plain dataclasses for the rows the shop stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


@dataclass
class Product:
    """Something the shop sells."""

    sku: str
    name: str
    price_cents: int
    category: str = "general"
    vat_rate: str = "standard"
    active: bool = True


@dataclass
class Customer:
    """A registered customer."""

    id: int
    email: str
    password_hash: str
    display_name: str = ""
    is_admin: bool = False


@dataclass
class Order:
    """A placed order; totals are in cents."""

    id: int
    customer_id: int
    total_cents: int
    status: OrderStatus = OrderStatus.PENDING
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def is_open(self) -> bool:
        """Whether the order can still change."""
        return self.status in (OrderStatus.PENDING, OrderStatus.PAID)
