"""``cdev-tui alerts``: evaluate the alert rules once (for cron and CI), and post new ones to the webhooks.

Exit codes: 0 nothing fires, 1 alerts fire (or a webhook could not take them), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, add_format, print_json, with_service

HELP = "evaluate the alert rules once; --notify posts new alerts to the [alerts] webhooks"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument("--notify", action="store_true", help="post alerts not posted before to the webhooks")
    add_format(sub)


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    return with_service(args, lambda service: _run(args, service))


def _run(args: argparse.Namespace, service: Any) -> int:
    from cdev_tui.alerts import AlertSettings, evaluate

    settings = service.config.alerts or AlertSettings()
    snapshot = service.load()
    alerts = evaluate(
        snapshot, service.store, service.session_states(snapshot), settings, service.wall_clock()
    )
    failed = _notify(service, settings, alerts) if args.notify else []
    if args.format == "json":
        print_json({"alerts": [a.to_json() for a in alerts], "undelivered": failed})
    elif alerts:
        for alert in alerts:
            print(f"{alert.rule:<18} {alert.subject:<20} {alert.message}")
    else:
        print("no alerts")
    return EXIT_FOUND if alerts or failed else EXIT_OK


def _notify(service: Any, settings: Any, alerts: list[Any]) -> list[str]:
    """Post the alerts not posted before; what could not be delivered stays unposted for the next run."""
    from urllib.parse import urlsplit

    from cdev_tui.webhooks import deliver

    if not settings.webhooks:
        print("cdev-tui: --notify: no webhooks in the [alerts] table of the config", file=sys.stderr)
        return []
    sent = {
        row["message"] for row in service.store.query("SELECT message FROM events WHERE kind = 'alert.sent'")
    }
    fresh = [alert for alert in alerts if alert.key not in sent]
    if not fresh:
        return []
    failed = []
    deliveries = deliver(settings.webhooks, fresh)
    for delivery in deliveries:
        if not delivery.ok:
            host = urlsplit(delivery.webhook.url).netloc  # the rest of a webhook URL is its secret
            where = f"{delivery.webhook.kind} webhook at {host}"
            failed.append(f"{where}: {delivery.error} after {delivery.attempts} attempts")
            print(f"cdev-tui: {failed[-1]} (the alerts stay to be posted next time)", file=sys.stderr)
    if not failed:
        for alert in fresh:
            service.store.record_event("alert.sent", alert.key, alert.subject)
    return failed
