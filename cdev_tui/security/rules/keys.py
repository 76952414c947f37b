"""Keys and credential files: private keys, JWTs, Kubernetes, .npmrc/.pypirc/.netrc, Docker auths, htpasswd."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "private-key",
        "Private key block",
        "high",
        ("private key",),
        r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[nr])*"
        r"([A-Za-z0-9+/=](?:[A-Za-z0-9+/=\s]|\\[nr]){0,8192})?",
        block=True,
    ),
    rule(
        "jwt",
        "JSON Web Token",
        "medium",
        ("eyj",),
        EDGE_LEFT
        + r"(eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{10,1024})"
        + EDGE_RIGHT,
        min_entropy=3.0,
    ),
)
