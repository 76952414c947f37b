import pytest

from shopfront.db.migrations import MIGRATIONS, current_version, migrate
from shopfront.db.models import Order, OrderLine, Product
from shopfront.db.repository import OrderRepository, ProductRepository
from shopfront.db.session import connect, transaction


@pytest.fixture
def connection():
    connection = connect()
    migrate(connection)
    return connection


def test_migrations_are_applied_once(connection) -> None:
    assert current_version(connection) == MIGRATIONS[-1][0]
    assert migrate(connection) == []


def test_products_round_trip(connection) -> None:
    products = ProductRepository(connection)
    products.save(Product("MUG-001", "Enamel mug", 1_250, category="kitchen"))
    products.save(Product("MUG-001", "Enamel mug (blue)", 1_300, category="kitchen"))
    assert [(p.name, p.price_cents) for p in products.all()] == [("Enamel mug (blue)", 1_300)]


def test_orders_keep_their_lines(connection) -> None:
    ProductRepository(connection).save(Product("TEE-002", "Organic T-shirt", 2_400))
    with transaction(connection) as cursor:
        cursor.execute("INSERT INTO customers (email, password_hash) VALUES ('ada@example.com', 'x')")
    orders = OrderRepository(connection)
    order_id = orders.add(Order(0, 1, 0, lines=[OrderLine("TEE-002", 2, 2_400)]))
    stored = orders.get(order_id)
    assert stored is not None
    assert stored.total_cents == 4_800
    assert [line.sku for line in stored.lines] == ["TEE-002"]
