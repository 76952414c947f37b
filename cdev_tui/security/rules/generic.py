"""Generic credential assignments, gated by key names, entropy and context. These run last: a secret a
specific rule claims is not reported again here."""

from __future__ import annotations

from cdev_tui.security.rules.base import Rule, rule

SECRET_WORDS = (
    r"passw(?:or)?d|pwd|passphrase|secret|token|credentials?|api[_-]?key|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key"
)
# Every match of SECRET_WORDS holds one of these (lower-cased).
GENERIC_KEYWORDS = (
    "passw",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "_key",
    "-key",
    "apikey",
    "accesskey",
    "authkey",
    "privatekey",
)

RULES: tuple[Rule, ...] = (
    rule(
        "generic-secret-assignment",
        "Hard-coded password, secret, token or API key",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)(?P<key>(?:" + SECRET_WORDS + r")[A-Za-z0-9_.-]{0,40})[\"']?\s*"
        r"(?::\s*[A-Za-z_][\w.\[\], |]{0,40}?\s*)?"  # a type annotation: `password: str = "..."`
        r"(?:=>|:=|[:=])\s*(?:[bruf]{1,2})?([\"'])(?P<value>[^\"'\s\\]{8,256})\2",
        secret_group=3,
        min_entropy=3.0,
        mixed=True,
        generic=True,
    ),
    rule(
        "env-secret-assignment",
        "Secret in an environment-style assignment",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)^\s*(?:export\s+)?(?P<key>[A-Za-z0-9_]{0,40}(?:" + SECRET_WORDS + r")[A-Za-z0-9_]{0,40})="
        r"(?P<value>[A-Za-z0-9_.~+/=:@%!^*?&-]{8,256})\s*$",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
    ),
)
