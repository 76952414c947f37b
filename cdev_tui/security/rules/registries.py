"""Package registries: npm, PyPI, RubyGems, NuGet, Docker Hub, Artifactory."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "npm-token",
        "npm access token",
        "high",
        ("npm_",),
        EDGE_LEFT + r"(npm_[A-Za-z0-9]{36})" + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
    ),
    rule(
        "pypi-token",
        "PyPI upload token",
        "high",
        ("pypi-",),
        EDGE_LEFT + r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,512})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
)
