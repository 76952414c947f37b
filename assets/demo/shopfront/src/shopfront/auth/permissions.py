"""What a customer may do."""

from __future__ import annotations

from enum import StrEnum

from shopfront.db.models import Customer


class Permission(StrEnum):
    """Actions that need a permission check."""

    BROWSE = "browse"
    BUY = "buy"
    VIEW_ORDERS = "view_orders"
    MANAGE_CATALOG = "manage_catalog"
    REFUND = "refund"


_CUSTOMER = frozenset({Permission.BROWSE, Permission.BUY, Permission.VIEW_ORDERS})
_ADMIN = frozenset(Permission)
_ANONYMOUS = frozenset({Permission.BROWSE})


def permissions_for(customer: Customer | None) -> frozenset[Permission]:
    """Every permission a (possibly anonymous) visitor holds."""
    if customer is None:
        return _ANONYMOUS
    return _ADMIN if customer.is_admin else _CUSTOMER


def can(customer: Customer | None, permission: Permission) -> bool:
    """Whether the visitor may perform ``permission``."""
    return permission in permissions_for(customer)


def require(customer: Customer | None, permission: Permission) -> None:
    """Raise :class:`PermissionError` unless the visitor holds ``permission``."""
    if not can(customer, permission):
        who = "anonymous visitor" if customer is None else customer.email
        raise PermissionError(f"{who} may not {permission.value.replace('_', ' ')}")
