"""False-positive control: what makes a match a template, a placeholder or a name rather than a secret."""

from __future__ import annotations

import math
import re
from collections import Counter

from cdev_tui.security.rules.base import Rule

# Substrings that mark a value as a template or a placeholder rather than a secret.
_PLACEHOLDER_MARKERS = (
    "changeme",
    "change_me",
    "change-me",
    "example",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "xxxx",
    "****",
    "...",
    "<",
    ">",
    "{",
    "}",
    "$(",
    "%(",
    "%s",
    "dummy",
    "redacted",
    "sample",
    "password",
    "secret",
)
_PLACEHOLDER_VALUES = frozenset(
    {
        "passwd",
        "pass",
        "pwd",
        "token",
        "changeit",
        "null",
        "none",
        "undefined",
        "foobar",
        "test1234",
        "admin123",
    }
)
# Generic key names ending like this name something about a secret, not the secret itself.
_KEY_STOP_SUFFIXES = (
    "file",
    "path",
    "dir",
    "name",
    "type",
    "url",
    "uri",
    "endpoint",
    "field",
    "label",
    "prefix",
    "suffix",
    "header",
    "length",
    "len",
    "size",
    "count",
    "id",
    "pattern",
    "regex",
    "format",
    "env",
    "var",
)
_ENV_NAME_VALUE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # e.g. MY_APP_SECRET: names a variable
# A character class, escape or group flag: the value is a regex, not a secret.
_REGEX_LIKE = re.compile(r"\[[^\]]*\]|\\[dswDSW]|\(\?")
_KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_ALPHA = re.compile(r"[A-Za-z]")
_PEM_ROW = re.compile(r"[A-Za-z0-9+/=]{16,}")
_PEM_HEADER_FIELD = re.compile(r"[A-Za-z-]+: ?.*")


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    n = len(value)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def accept(rule: Rule, match: re.Match[str], secret: str) -> bool:
    """Whether ``secret``, found by ``rule`` as ``match``, is worth reporting."""
    if not rule.filtered:
        return not rule.min_entropy or shannon_entropy(secret) >= rule.min_entropy
    lowered = secret.lower()
    if lowered in _PLACEHOLDER_VALUES or any(m in lowered for m in _PLACEHOLDER_MARKERS):
        return False
    if rule.mixed and not (_HAS_DIGIT.search(secret) and _HAS_ALPHA.search(secret)):
        return False
    if rule.min_entropy and shannon_entropy(secret) < rule.min_entropy:
        return False
    if rule.generic:
        if secret.startswith("$") or _ENV_NAME_VALUE.fullmatch(secret) or _REGEX_LIKE.search(secret):
            return False
        key_start = match.start("key")
        head = match.string[max(0, key_start - 40) : key_start]
        key = (head[len(head.rstrip(_KEY_CHARS)) :] + match.group("key")).lower().rstrip("_.-")
        if "public" in key or key.endswith(_KEY_STOP_SUFFIXES):
            return False
    return True
