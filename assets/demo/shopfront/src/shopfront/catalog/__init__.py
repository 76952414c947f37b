"""Products, stock and prices."""

from shopfront.catalog.inventory import Inventory, OutOfStock
from shopfront.catalog.pricing import add_vat, apply_discount, format_price
from shopfront.catalog.products import Catalog

__all__ = ["Catalog", "Inventory", "OutOfStock", "add_vat", "apply_discount", "format_price"]
