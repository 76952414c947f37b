"""Shopping carts and order totals."""

from shopfront.cart.cart import Cart, CartLine
from shopfront.cart.totals import Totals, compute_totals

__all__ = ["Cart", "CartLine", "Totals", "compute_totals"]
