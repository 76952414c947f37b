"""Plain dataclasses for the rows the shop stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

SCHEMA_VERSION = 2


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
class OrderLine:
    """One product of an order, with the price paid at the time."""

    sku: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass
class Order:
    """A placed order; totals are in cents."""

    id: int
    customer_id: int
    total_cents: int
    status: OrderStatus = OrderStatus.PENDING
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    lines: list[OrderLine] = field(default_factory=list)

    def recalculate(self) -> int:
        """Set the total from the lines and return it."""
        self.total_cents = sum(line.total_cents for line in self.lines)
        return self.total_cents

    @property
    def is_open(self) -> bool:
        """Whether the order can still change."""
        return self.status in (OrderStatus.PENDING, OrderStatus.PAID)
