"""Payments: Stripe, Square, PayPal/Braintree, Adyen."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "stripe-live-key",
        "Stripe live secret or restricted key",
        "high",
        ("_live_",),
        EDGE_LEFT + r"((?:sk|rk)_live_[A-Za-z0-9]{20,247})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
)
