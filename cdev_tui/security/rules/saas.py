"""SaaS: Linear, Atlassian, Notion, Airtable, Asana, Figma, Shopify, Okta, Auth0, Datadog, New Relic, Sentry,
PagerDuty, Grafana."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "linear-api-key",
        "Linear API key",
        "high",
        ("lin_api_",),
        EDGE_LEFT + r"(lin_api_[A-Za-z0-9]{32,64})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
)
