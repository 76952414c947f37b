from shopfront.db.models import Order, OrderStatus
from shopfront.db.session import connect, table_names, transaction


def test_transaction_commits_and_rolls_back() -> None:
    connection = connect()
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    with transaction(connection) as cursor:
        cursor.execute("INSERT INTO notes (body) VALUES ('kept')")
    try:
        with transaction(connection) as cursor:
            cursor.execute("INSERT INTO notes (body) VALUES ('dropped')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    bodies = [row["body"] for row in connection.execute("SELECT body FROM notes")]
    assert bodies == ["kept"]
    assert table_names(connection) == ["notes"]


def test_open_orders() -> None:
    assert Order(1, 7, 1_000).is_open
    assert not Order(2, 7, 1_000, status=OrderStatus.SHIPPED).is_open
