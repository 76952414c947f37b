"""Product search: tokenised name and category matching with a simple score."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from shopfront.db.models import Product

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = frozenset({"a", "an", "and", "for", "of", "the", "to", "with"})


def normalise(text: str) -> str:
    """Lowercase ASCII text without accents, so "Café" matches "cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode().lower()


def tokens(text: str) -> list[str]:
    """The searchable words of ``text``."""
    return [word for word in _WORD.findall(normalise(text)) if word not in _STOP_WORDS]


def score(product: Product, query_tokens: list[str]) -> int:
    """How well a product matches: whole words count more than prefixes, names more than categories."""
    name_tokens = tokens(product.name)
    category_tokens = tokens(product.category)
    total = 0
    for token in query_tokens:
        if token in name_tokens:
            total += 10
        elif any(word.startswith(token) for word in name_tokens):
            total += 5
        if token in category_tokens:
            total += 3
    return total


def rank(products: Iterable[Product], text: str) -> list[Product]:
    """Matching products, best first, ties broken by name."""
    query_tokens = tokens(text)
    if not query_tokens:
        return []
    scored = [(score(product, query_tokens), product) for product in products]
    return [product for points, product in sorted(scored, key=lambda s: (-s[0], s[1].name)) if points > 0]
