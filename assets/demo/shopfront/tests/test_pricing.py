from shopfront.catalog.pricing import add_vat, apply_discount, format_price


def test_no_discount_keeps_the_price() -> None:
    assert apply_discount(1_999, 0) == 1_999


def test_discount_rounds_half_up() -> None:
    assert apply_discount(1_999, 15) == 1_699
    assert apply_discount(1_000, 25) == 750


def test_vat_rates() -> None:
    assert add_vat(1_000) == 1_200
    assert add_vat(1_000, "reduced") == 1_050
    assert add_vat(1_000, "zero") == 1_000


def test_format_price() -> None:
    assert format_price(125_050) == "€1,250.50"
    assert format_price(-99, "USD") == "-$0.99"
