"""The shop's HTTP routes and their handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopfront.api.errors import BadRequest, NotFound
from shopfront.api.router import Request, Response, Router
from shopfront.api.schemas import CartItemIn, order_out, product_out
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
    return Response(200, product_out(product))


def add_cart_item(request: Request, shop: Shop) -> Response:
    item = CartItemIn.parse(request.body)
    product = shop.catalog.get(item.sku)
    if product is None:
        raise BadRequest("unknown sku", sku=item.sku)
    cart = shop.cart_for(request.session_id)
    cart.add(product, item.quantity)
    return Response(201, {"items": cart.item_count(), "subtotal_cents": cart.subtotal_cents()})


def get_order(request: Request, shop: Shop) -> Response:
    try:
        order_id = int(request.params["order_id"])
    except ValueError:
        raise BadRequest("order id must be a number") from None
    order = shop.orders.get(order_id)
    if order is None:
        raise NotFound("no such order", order_id=order_id)
    return Response(200, order_out(order))


def build_router() -> Router:
    """Every route of the public API."""
    router = Router()
    router.add("GET", "/health", health)
    router.add("GET", "/products", list_products)
    router.add("GET", "/products/{sku}", get_product)
    router.add("POST", "/cart/items", add_cart_item)
    router.add("GET", "/orders/{order_id}", get_order)
    return router
