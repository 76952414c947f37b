from shopfront.catalog.pricing import MAX_DISCOUNT_PERCENT, apply_discount, tiered_discount
from shopfront.catalog.products import Catalog
from shopfront.catalog.search import normalise, tokens


def test_tokens_drop_stop_words_and_accents() -> None:
    assert normalise("Café Crème") == "cafe creme"
    assert tokens("A guide to the Ferns") == ["guide", "ferns"]


def test_search_ranks_whole_words_first(catalog: Catalog) -> None:
    assert [p.sku for p in catalog.search("fern")] == ["BOOK-003"]
    assert [p.sku for p in catalog.search("desk lamp")] == ["LAMP-004"]
    assert catalog.search("the") == []


def test_discount_is_capped() -> None:
    assert apply_discount(1_000, 95) == 1_000 * (100 - MAX_DISCOUNT_PERCENT) // 100


def test_tiered_discount() -> None:
    assert [tiered_discount(q) for q in (1, 10, 20, 50)] == [0, 5, 10, 15]
