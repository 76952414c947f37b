"""Signed session tokens: ``<payload>.<signature>``, both base64url, HMAC-SHA256 over the payload."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from typing import Any

# Used by the error reporter to open GitHub issues for unhandled exceptions.
# cdev-tui demo: this is a FAKE credential, planted on purpose when the demo workspace was built so that
# the secret scanner has something to find. It is random text and grants access to nothing.
GITHUB_TOKEN = "__CDEV_DEMO_FAKE_GITHUB_TOKEN__"

DEFAULT_TTL_SECONDS = 3600


class InvalidToken(Exception):
    """The token is malformed, tampered with or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key() -> bytes:
    """The key from ``SHOPFRONT_SIGNING_KEY``; refuses to run without one."""
    value = os.environ.get("SHOPFRONT_SIGNING_KEY", "")
    if len(value) < 32:
        raise RuntimeError("set SHOPFRONT_SIGNING_KEY to at least 32 random characters")
    return value.encode()


def issue_token(claims: dict[str, Any], *, ttl: int = DEFAULT_TTL_SECONDS, key: bytes | None = None) -> str:
    """A token carrying ``claims`` that expires after ``ttl`` seconds."""
    payload = _b64(json.dumps({**claims, "exp": int(time.time()) + ttl}, sort_keys=True).encode())
    signature = hmac.new(key or signing_key(), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(signature)}"


def read_token(token: str, *, key: bytes | None = None) -> dict[str, Any]:
    """The claims of a valid token; raises :class:`InvalidToken` otherwise."""
    payload, _, signature = token.partition(".")
    expected = hmac.new(key or signing_key(), payload.encode(), hashlib.sha256).digest()
    try:
        valid = hmac.compare_digest(expected, _unb64(signature))
        claims = json.loads(_unb64(payload)) if valid else None
    except ValueError:
        raise InvalidToken("malformed token") from None
    if claims is None:
        raise InvalidToken("bad signature")
    if claims.get("exp", 0) < time.time():
        raise InvalidToken("token expired")
    return claims
