"""Schema migrations, applied in order and recorded in ``schema_version``."""

from __future__ import annotations

import sqlite3

from shopfront.db.session import transaction

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE products (
            sku TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
            category TEXT NOT NULL DEFAULT 'general',
            vat_rate TEXT NOT NULL DEFAULT 'standard',
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            is_admin INTEGER NOT NULL DEFAULT 0
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            total_cents INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            created_at TEXT NOT NULL
        );
        CREATE TABLE order_lines (
            order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
            sku TEXT NOT NULL REFERENCES products (sku),
            quantity INTEGER NOT NULL CHECK (quantity > 0),
            unit_price_cents INTEGER NOT NULL,
            PRIMARY KEY (order_id, sku)
        );
        CREATE INDEX orders_by_customer ON orders (customer_id);
        """,
    ),
]


def current_version(connection: sqlite3.Connection) -> int:
    """The highest migration applied so far (0 for a new database)."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT MAX(version) AS version FROM schema_version").fetchone()
    return row["version"] or 0


def migrate(connection: sqlite3.Connection) -> list[int]:
    """Apply every pending migration, each in its own transaction; returns the versions applied."""
    applied = []
    for version, script in MIGRATIONS:
        if version <= current_version(connection):
            continue
        with transaction(connection) as cursor:
            for statement in filter(str.strip, script.split(";")):
                cursor.execute(statement)
            cursor.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        applied.append(version)
    return applied
