import pytest

from shopfront.auth.passwords import hash_password, verify_password


def test_round_trip() -> None:
    phrase = "correct horse battery staple"
    stored = hash_password(phrase, iterations=1_000)
    assert stored.startswith("pbkdf2_sha256$1000$")
    assert verify_password(phrase, stored)
    assert not verify_password(phrase.upper(), stored)


def test_each_hash_is_salted() -> None:
    assert hash_password("same phrase", iterations=1_000) != hash_password("same phrase", iterations=1_000)


def test_garbage_does_not_verify() -> None:
    assert not verify_password("anything", "not-a-hash")


def test_empty_phrase_is_rejected() -> None:
    with pytest.raises(ValueError):
        hash_password("")
