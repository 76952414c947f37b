"""The JSON API: a tiny router and the shop's routes."""

from shopfront.api.router import Request, Response, Router

__all__ = ["Request", "Response", "Router"]
