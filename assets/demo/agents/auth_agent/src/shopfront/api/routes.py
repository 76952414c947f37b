"""The shop's HTTP routes and their handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopfront.api.errors import BadRequest, NotFound, Unauthorized
from shopfront.api.router import Request, Response, Router
from shopfront.auth.middleware import current_customer_id, login
from shopfront.catalog.pricing import format_price

if TYPE_CHECKING:
    from shopfront.app import Shop


def health(request: Request, shop: Shop) -> Response:
    return Response(200, {"status": "ok"})


def list_products(request: Request, shop: Shop) -> Response:
    category = request.query.get("category")
    products = shop.catalog.list(category=category)
    body = [{"sku": p.sku, "name": p.name, "price": format_price(p.price_cents)} for p in products]
    return Response(200, body)


def get_product(request: Request, shop: Shop) -> Response:
    product = shop.catalog.get(request.params["sku"])
    if product is None:
        raise NotFound("no such product", sku=request.params["sku"])
    return Response(200, {"sku": product.sku, "name": product.name, "price_cents": product.price_cents})


def add_cart_item(request: Request, shop: Shop) -> Response:
    if shop.settings.require_login and current_customer_id(request) is None:
        raise Unauthorized("log in to add items to your cart")
    sku = request.body.get("sku")
    quantity = int(request.body.get("quantity", 1))
    product = shop.catalog.get(sku) if sku else None
    if product is None:
        raise BadRequest("unknown or missing sku", sku=sku)
    cart = shop.cart_for(request.session_id)
    cart.add(product, quantity)
    return Response(201, {"items": cart.item_count(), "subtotal_cents": cart.subtotal_cents()})


def build_router() -> Router:
    """Every route of the public API."""
    router = Router()
    router.add("GET", "/health", health)
    router.add("GET", "/products", list_products)
    router.add("GET", "/products/{sku}", get_product)
    router.add("POST", "/cart/items", add_cart_item)
    router.add("POST", "/auth/login", login)
    return router
