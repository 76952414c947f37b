"""Alerts posted to Slack, Discord, Microsoft Teams or any JSON endpoint (Textual-free).

Each platform gets its own payload (Slack and Discord incoming webhooks, a Teams Adaptive Card message, a
plain ``{"alerts": [...]}`` document). Every text is passed through the secret masking first, so a secret
that found its way into an agent's name or a message never leaves. A failed post (refused, slow, 5xx) is
retried with a growing pause; what still fails is reported, never raised.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cdev_tui.alerts import Alert, Webhook

ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
"""The pause before the second attempt; it doubles before each next one."""
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Delivery:
    """How posting to one webhook went."""

    webhook: Webhook
    ok: bool
    attempts: int
    error: str = ""


def _masked(text: str) -> str:
    from cdev_tui.llm import redact_text

    return redact_text(text)


def payload(kind: str, alerts: Sequence[Alert], title: str = "cdev-tui") -> dict[str, Any]:
    """The JSON body for one platform."""
    lines = [f"{alert.rule}: {_masked(alert.message)}" for alert in alerts]
    if kind == "slack":
        return {"text": f"*{title}*: {len(alerts)} alert(s)\n" + "\n".join(f"• {line}" for line in lines)}
    if kind == "discord":
        return {
            "content": (f"**{title}**: {len(alerts)} alert(s)\n" + "\n".join(f"- {line}" for line in lines))[
                :2000
            ]
        }
    if kind == "teams":
        body: list[dict[str, Any]] = [
            {
                "type": "TextBlock",
                "size": "Medium",
                "weight": "Bolder",
                "text": f"{title}: {len(alerts)} alert(s)",
            }
        ]
        body += [{"type": "TextBlock", "wrap": True, "text": line} for line in lines]
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
        }
        return {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }
    return {"source": title, "alerts": [{**a.to_json(), "message": _masked(a.message)} for a in alerts]}


def deliver(
    webhooks: Sequence[Webhook],
    alerts: Sequence[Alert],
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = TIMEOUT_SECONDS,
) -> list[Delivery]:
    """Post ``alerts`` to every webhook, retrying each failure with backoff."""
    results = []
    for webhook in webhooks:
        data = json.dumps(payload(webhook.kind, alerts)).encode()
        error, attempt = "", 0
        for attempt in range(1, ATTEMPTS + 1):
            error = _post(webhook.url, data, timeout)
            if not error:
                break
            if attempt < ATTEMPTS:
                sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        results.append(Delivery(webhook, not error, attempt, error))
    return results


def _post(url: str, data: bytes, timeout: float) -> str:
    """ "" when the endpoint took it (2xx), else why not, in a few words."""
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
        return ""
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return f"unreachable ({exc.reason})"
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except OSError as exc:
        return f"failed ({exc.strerror or exc})"
