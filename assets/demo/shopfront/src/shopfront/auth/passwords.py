"""Password hashing with PBKDF2-SHA256 from the standard library."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 260_000
SALT_BYTES = 16


def hash_password(plain: str, *, iterations: int = ITERATIONS) -> str:
    """Hash a password into ``algorithm$iterations$salt$digest`` (salt and digest in hex)."""
    if not plain:
        raise ValueError("empty passwords are not allowed")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", plain.encode(), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(plain: str, stored: str) -> bool:
    """Whether ``plain`` matches a hash made by :func:`hash_password` (constant-time compare)."""
    try:
        algorithm, iterations, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if algorithm != ALGORITHM:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", plain.encode(), bytes.fromhex(salt_hex), int(iterations))
    return hmac.compare_digest(digest.hex(), digest_hex)
