from shopfront.cart.cart import MAX_QUANTITY, Cart
from shopfront.cart.totals import SHIPPING_CENTS, compute_totals
from shopfront.catalog.products import Catalog


def test_adding_merges_lines(catalog: Catalog) -> None:
    cart = Cart()
    mug = catalog.get("MUG-001")
    assert mug is not None
    cart.add(mug, 2)
    cart.add(mug)
    assert cart.item_count() == 3
    assert cart.subtotal_cents() == 3_750


def test_quantity_is_capped(catalog: Catalog) -> None:
    cart = Cart()
    tee = catalog.get("TEE-002")
    assert tee is not None
    cart.add(tee, 500)
    assert cart.item_count() == MAX_QUANTITY


def test_totals_with_shipping(catalog: Catalog) -> None:
    cart = Cart()
    book = catalog.get("BOOK-003")
    assert book is not None
    cart.add(book)
    totals = compute_totals(cart)
    assert totals.vat == 0
    assert totals.shipping == SHIPPING_CENTS
    assert totals.grand_total == 1_899 + SHIPPING_CENTS
