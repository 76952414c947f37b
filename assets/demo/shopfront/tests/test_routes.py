from shopfront.api.router import Request
from shopfront.app import Application


def test_health(app: Application) -> None:
    response = app.handle(Request("GET", "/health"))
    assert response.status == 200
    assert response.body == {"status": "ok"}


def test_product_detail_and_missing_product(app: Application) -> None:
    found = app.handle(Request("GET", "/products/MUG-001"))
    assert found.status == 200
    assert found.body["price_cents"] == 1_250
    missing = app.handle(Request("GET", "/products/NOPE-404"))
    assert missing.status == 404
    assert missing.body["error"] == "not_found"


def test_add_to_cart(app: Application) -> None:
    response = app.handle(Request("POST", "/cart/items", body={"sku": "TEE-002", "quantity": 2}))
    assert response.status == 201
    assert response.body == {"items": 2, "subtotal_cents": 4_800}


def test_unknown_route(app: Application) -> None:
    assert app.handle(Request("DELETE", "/products")).status == 404
