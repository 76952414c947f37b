"""Application wiring: settings, services and the router in one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from shopfront.api.router import Request, Response, Router
from shopfront.api.routes import build_router
from shopfront.cart.cart import Cart
from shopfront.catalog.inventory import Inventory
from shopfront.catalog.products import Catalog
from shopfront.config import Settings
from shopfront.db.models import Order


@dataclass
class Shop:
    """The services a request handler may use."""

    settings: Settings
    catalog: Catalog = field(default_factory=Catalog)
    inventory: Inventory = field(default_factory=Inventory)
    carts: dict[str, Cart] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)

    def cart_for(self, session_id: str) -> Cart:
        """The cart of a browser session, created on first use."""
        if session_id not in self.carts:
            self.carts[session_id] = Cart(currency=self.settings.currency)
        return self.carts[session_id]


class Application:
    """Routes requests to handlers with the shop's services."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.shop = Shop(settings=settings or Settings.from_env())
        self.router: Router = build_router()

    def handle(self, request: Request) -> Response:
        """Dispatch one request and return the handler's response."""
        return self.router.dispatch(request, self.shop)


def create_app(settings: Settings | None = None) -> Application:
    """The application factory used by the server and the tests."""
    return Application(settings)
