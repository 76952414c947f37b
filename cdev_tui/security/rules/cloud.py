"""Cloud providers: AWS, Google Cloud, Azure, DigitalOcean, Heroku, Cloudflare, Alibaba, IBM, Oracle."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "aws-access-key-id",
        "AWS access key ID",
        "high",
        ("akia", "asia"),
        r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])",
        min_entropy=3.0,
    ),
    rule(
        "aws-secret-access-key",
        "AWS secret access key",
        "high",
        ("secret",),
        r"(?i)(?:aws[_.-]?secret(?:[_.-]?access)?[_.-]?key|secret[_.-]?access[_.-]?key)[\"']?\s*"
        r"(?:=>|:=|[:=])\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        min_entropy=3.5,
    ),
    rule(
        "google-api-key",
        "Google API key",
        "high",
        ("aiza",),
        EDGE_LEFT + r"(AIza[A-Za-z0-9_-]{35})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
)
