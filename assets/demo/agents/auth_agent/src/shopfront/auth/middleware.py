"""Request authentication: bearer tokens in, customer ids out, plus the login handler."""

from __future__ import annotations

from typing import Any

from shopfront.api.errors import BadRequest, Unauthorized
from shopfront.api.router import Request, Response
from shopfront.auth.passwords import verify_password
from shopfront.auth.tokens import InvalidToken, issue_token, read_token


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if any."""
    header = request.headers.get("authorization") or request.headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def current_customer_id(request: Request) -> int | None:
    """The logged-in customer's id, or None for anonymous or invalid tokens."""
    token = bearer_token(request)
    if token is None:
        return None
    try:
        claims = read_token(token)
    except InvalidToken:
        return None
    customer_id = claims.get("sub")
    return customer_id if isinstance(customer_id, int) else None


def login(request: Request, shop: Any) -> Response:
    """``POST /auth/login`` with an email and a password; returns a session token."""
    email = str(request.body.get("email", "")).strip().lower()
    supplied = str(request.body.get("password", ""))
    if not email or not supplied:
        raise BadRequest("email and password are required")
    customer = getattr(shop, "customers", {}).get(email)
    if customer is None or not verify_password(supplied, customer.password_hash):
        raise Unauthorized("wrong email or password")
    token = issue_token({"sub": customer.id}, ttl=shop.settings.session_ttl_seconds)
    return Response(200, {"token": token, "token_type": "bearer"})
