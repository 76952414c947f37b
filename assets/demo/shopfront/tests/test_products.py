import pytest

from shopfront.catalog.products import Catalog
from shopfront.db.models import Product


def test_list_is_sorted_and_filtered(catalog: Catalog) -> None:
    assert [p.sku for p in catalog.list()] == ["LAMP-004", "MUG-001", "BOOK-003", "TEE-002"]
    assert [p.sku for p in catalog.list(category="books")] == ["BOOK-003"]


def test_deactivated_products_disappear(catalog: Catalog) -> None:
    catalog.deactivate("LAMP-004")
    assert catalog.get("LAMP-004") is None
    assert "home" not in catalog.categories()
    assert len(catalog) == 3


def test_negative_prices_are_rejected() -> None:
    with pytest.raises(ValueError):
        Catalog([Product("BAD-1", "Broken", -5)])
