"""Shared fixtures: a small catalog and a ready application."""

from __future__ import annotations

import pytest

from shopfront.app import Application, create_app
from shopfront.catalog.products import Catalog
from shopfront.config import Settings
from shopfront.db.models import Product

PRODUCTS = [
    Product("MUG-001", "Enamel mug", 1_250, category="kitchen"),
    Product("TEE-002", "Organic T-shirt", 2_400, category="clothing"),
    Product("BOOK-003", "Field guide to ferns", 1_899, category="books", vat_rate="zero"),
    Product("LAMP-004", "Desk lamp", 4_500, category="home"),
]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(Product(p.sku, p.name, p.price_cents, p.category, p.vat_rate) for p in PRODUCTS)


@pytest.fixture
def app(catalog: Catalog) -> Application:
    application = create_app(Settings(currency="EUR"))
    application.shop.catalog = catalog
    return application
