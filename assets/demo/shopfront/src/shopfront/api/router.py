"""A small path router: ``/products/{sku}`` patterns, one handler per method and path."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shopfront.api.errors import ApiError, NotFound


@dataclass
class Request:
    """An incoming request, already decoded from JSON."""

    method: str
    path: str
    body: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    session_id: str = "anonymous"
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Response:
    """What a handler returns; ``body`` is serialised as JSON."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request, Any], Response]


def _compile(pattern: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/") or "/")
    return re.compile(f"^{regex}/?$")


class Router:
    """Maps (method, path pattern) to handlers."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` requests whose path matches ``pattern``."""
        self._routes.append((method.upper(), pattern, _compile(pattern), handler))

    def routes(self) -> list[tuple[str, str]]:
        """Every registered (method, pattern), in registration order."""
        return [(method, pattern) for method, pattern, _, _ in self._routes]

    def dispatch(self, request: Request, shop: Any) -> Response:
        """Run the matching handler; API errors become JSON error responses."""
        for method, _pattern, regex, handler in self._routes:
            match = regex.match(request.path)
            if match and method == request.method.upper():
                request.params = match.groupdict()
                try:
                    return handler(request, shop)
                except ApiError as error:
                    return Response(error.status, error.to_body())
        error = NotFound(f"no route for {request.method} {request.path}")
        return Response(error.status, error.to_body())
