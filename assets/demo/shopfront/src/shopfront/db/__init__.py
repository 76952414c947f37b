"""Persistence: dataclass models and the SQLite session."""

from shopfront.db.models import Customer, Order, Product
from shopfront.db.session import connect, transaction

__all__ = ["Customer", "Order", "Product", "connect", "transaction"]
