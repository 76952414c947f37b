"""Messaging and mail: Slack, Discord, Telegram, Twilio, SendGrid, Mailgun, Mailchimp, Postmark."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "slack-token",
        "Slack token",
        "high",
        ("xox",),
        EDGE_LEFT
        + r"(xox[baprs]-(?=[0-9A-Za-z-]{20})[0-9A-Za-z]{1,64}(?:-[0-9A-Za-z]{1,64}){1,6})"
        + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
    ),
    rule(
        "slack-webhook",
        "Slack webhook URL",
        "high",
        ("hooks.slack.com",),
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/"
        r"((?:[A-Za-z0-9_-]{6,64}/){1,3}[A-Za-z0-9_-]{16,64})",
        min_entropy=3.0,
    ),
)
