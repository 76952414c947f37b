"""Settings read from the environment, with defaults suited to local development."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in _TRUE


def _number(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """Everything the application can be configured with."""

    database_path: Path = Path("shopfront.db")
    currency: str = "EUR"
    debug: bool = False
    session_ttl_seconds: int = 3600
    page_size: int = 20
    require_login: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``SHOPFRONT_*`` environment variables."""
        env = os.environ if env is None else env
        return cls(
            database_path=Path(env.get("SHOPFRONT_DB", "shopfront.db")),
            currency=env.get("SHOPFRONT_CURRENCY", "EUR").upper(),
            debug=_flag(env, "SHOPFRONT_DEBUG", False),
            session_ttl_seconds=_number(env, "SHOPFRONT_SESSION_TTL", 3600),
            page_size=_number(env, "SHOPFRONT_PAGE_SIZE", 20),
            require_login=_flag(env, "SHOPFRONT_REQUIRE_LOGIN", False),
        )
