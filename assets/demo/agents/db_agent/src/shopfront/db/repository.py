"""Reading and writing products and orders through SQLite."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from shopfront.db.models import Order, OrderLine, OrderStatus, Product
from shopfront.db.session import transaction


class ProductRepository:
    """Products stored in the ``products`` table."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def save(self, product: Product) -> None:
        """Insert or update a product."""
        with transaction(self.connection) as cursor:
            cursor.execute(
                "INSERT INTO products (sku, name, price_cents, category, vat_rate, active) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents, "
                "category = excluded.category, vat_rate = excluded.vat_rate, active = excluded.active",
                (
                    product.sku,
                    product.name,
                    product.price_cents,
                    product.category,
                    product.vat_rate,
                    int(product.active),
                ),
            )

    def all(self) -> list[Product]:
        """Every product, active or not, by SKU."""
        rows = self.connection.execute("SELECT * FROM products ORDER BY sku")
        return [
            Product(r["sku"], r["name"], r["price_cents"], r["category"], r["vat_rate"], bool(r["active"]))
            for r in rows
        ]


class OrderRepository:
    """Orders and their lines."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def add(self, order: Order) -> int:
        """Store a new order with its lines and return its id."""
        order.recalculate()
        with transaction(self.connection) as cursor:
            cursor.execute(
                "INSERT INTO orders (customer_id, total_cents, status, created_at) VALUES (?, ?, ?, ?)",
                (order.customer_id, order.total_cents, order.status.value, order.created_at.isoformat()),
            )
            order.id = int(cursor.lastrowid or 0)
            cursor.executemany(
                "INSERT INTO order_lines (order_id, sku, quantity, unit_price_cents) VALUES (?, ?, ?, ?)",
                [(order.id, line.sku, line.quantity, line.unit_price_cents) for line in order.lines],
            )
        return order.id

    def get(self, order_id: int) -> Order | None:
        """An order with its lines, or None."""
        row = self.connection.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            return None
        lines = self.connection.execute(
            "SELECT sku, quantity, unit_price_cents FROM order_lines WHERE order_id = ? ORDER BY sku",
            (order_id,),
        )
        return Order(
            id=row["id"],
            customer_id=row["customer_id"],
            total_cents=row["total_cents"],
            status=OrderStatus(row["status"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            lines=[OrderLine(r["sku"], r["quantity"], r["unit_price_cents"]) for r in lines],
        )
