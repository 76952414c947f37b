"""Databases: URLs and connection strings with passwords."""

from __future__ import annotations

from cdev_tui.security.rules.base import Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "url-credentials",
        "Credentials embedded in a URL",
        "medium",
        ("://",),
        r"://[^\s:/?#@\"'<>\[\]{},]{0,128}:([^\s/?#@\"'<>\[\]{},]{6,128})@[A-Za-z0-9_.\[\]:-]{1,255}",
    ),
)
