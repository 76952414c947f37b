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
    settings = service.alert_settings
    snapshot = service.load()
    alerts = service.evaluate_alerts(snapshot, service.session_states(snapshot), **_latest(service))
    failed: list[str] = []
    if args.notify:
        if not settings.webhooks:
            print("cdev-tui: --notify: no webhooks in the [alerts] table of the config", file=sys.stderr)
        else:
            failed = list(service.post_alerts(alerts).failures)
            for failure in failed:
                print(f"cdev-tui: {failure} (the alerts stay to be posted next time)", file=sys.stderr)
    if args.format == "json":
        print_json({"alerts": [a.to_json() for a in alerts], "undelivered": failed})
    elif alerts:
        for alert in alerts:
            print(f"{alert.rule:<18} {alert.subject:<20} {alert.message}")
    else:
        print("no alerts")
    return EXIT_FOUND if alerts or failed else EXIT_OK


def _latest(service: Any) -> dict[str, Any]:
    """The newest conflict prediction the store kept (the app or ``cdev-tui conflicts`` made it), if any."""
    from cdev_tui.errors import CdevError

    try:
        known = service.last_known("conflicts")
    except CdevError:  # another repository's or version's: no prediction to go by
        return {}
    return {"conflicts": known.snapshot} if known is not None else {}
