"""The main screen's alerts: the rules evaluated in a worker as the workspace, predictions and scans change
(and every 30 s for the rules that depend on time), new alerts told once as notifications (with the bell
and a desktop notification when the config asks) and posted to the webhooks, and the list of firing alerts
the Alerts screen shows.

A mixin of :class:`~cdev_tui.screens.main.MainScreen`.
"""

from __future__ import annotations

import time
from typing import Any

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from cdev_tui.desktop import notify_desktop
from cdev_tui.executor import lower_thread_priority

ALERT_SECONDS = 30.0
"""How often the alert rules are evaluated while nothing changes (stalled, waiting, over estimate)."""
ALERT_GAP = 5.0
"""The shortest time between two evaluations asked for by changes."""
GROUPED = 3
"""More new alerts than this at once are told in one notification."""


class AlertJobsMixin:
    """Alerts on the main screen."""

    service: Any
    app: Any
    snapshot: Any
    _conflicts: Any
    _scan_report: Any
    _deps_report: Any = None

    class AlertsEvaluated(Message):
        """The alerts firing now, which a person acknowledged, and what posting new ones did."""

        def __init__(self, alerts: list[Any], acknowledged: set[str], posted: Any) -> None:
            super().__init__()
            self.alerts, self.acknowledged, self.posted = alerts, acknowledged, posted

    firing_alerts: list[Any] = []
    """The alerts firing at the last evaluation, each with the time it was first seen."""
    acknowledged_alerts: set[str] = set()
    _alerts_told: set[str] | None = None
    _alerts_first_seen: dict[str, float] | None = None
    _alerts_asked_at = 0.0
    _alerts_timer: Any = None
    _failures_told: set[str] | None = None

    def start_alerts(self) -> None:
        """Evaluate the rules now and then every ``ALERT_SECONDS`` (the app's ``alert_seconds``; 0: never)."""
        seconds = getattr(self.app, "alert_seconds", ALERT_SECONDS)
        if seconds > 0:
            self.set_interval(seconds, self.ask_alerts)  # type: ignore[attr-defined]
            self.ask_alerts()

    def ask_alerts(self) -> None:
        """Evaluate the alert rules soon: at once, or after ``ALERT_GAP`` since the last evaluation."""
        if self.snapshot is None or getattr(self.app, "alert_seconds", ALERT_SECONDS) <= 0:
            return
        wait = self._alerts_asked_at + ALERT_GAP - time.monotonic()
        if wait > 0:
            if self._alerts_timer is None:
                self._alerts_timer = self.set_timer(wait, self._alerts_due)  # type: ignore[attr-defined]
            return
        self._alerts_asked_at = time.monotonic()
        latest = {"conflicts": self._conflicts, "findings": self._scan_report, "deps": self._deps_report}
        self._evaluate_alerts(self.snapshot, dict(getattr(self, "sessions", {})), latest)

    def _alerts_due(self) -> None:
        self._alerts_timer = None
        self.ask_alerts()

    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False, description="Checking alerts")
    def _evaluate_alerts(self, snapshot: Any, sessions: dict[str, Any], latest: dict[str, Any]) -> None:
        lower_thread_priority()
        alerts = self.service.evaluate_alerts(snapshot, sessions, **latest)
        acknowledged = self.service.acknowledged_alerts()
        posted = self.service.post_alerts([a for a in alerts if a.key not in acknowledged])
        if not get_current_worker().is_cancelled:
            self.post_message(self.AlertsEvaluated(alerts, acknowledged, posted))  # type: ignore[attr-defined]

    def on_alert_jobs_mixin_alerts_evaluated(self, message: AlertsEvaluated) -> None:
        from dataclasses import replace

        first_seen = self._alerts_first_seen = self._alerts_first_seen or {}
        told = self._alerts_told = self._alerts_told if self._alerts_told is not None else set()
        alerts = [replace(a, since=first_seen.setdefault(a.key, a.since)) for a in message.alerts]
        self.firing_alerts, self.acknowledged_alerts = alerts, message.acknowledged
        fresh = [a for a in alerts if a.key not in told and a.key not in message.acknowledged]
        told.update(a.key for a in alerts)
        if fresh:
            self._tell(fresh)
        failures_told = self._failures_told = self._failures_told or set()
        for failure in message.posted.failures:
            if failure not in failures_told:
                failures_told.add(failure)
                self.notify(  # type: ignore[attr-defined]
                    f"{failure}; the alerts stay to be posted at the next check.",
                    title="Webhook failed",
                    severity="error",
                    timeout=10,
                )
        self.update_header()  # type: ignore[attr-defined]

    @property
    def unseen_alerts(self) -> int:
        """Firing alerts a person has not acknowledged yet."""
        return sum(1 for a in self.firing_alerts if a.key not in self.acknowledged_alerts)

    def acknowledge(self, alerts: list[Any]) -> None:
        """A person has seen these alerts: they stay listed while they fire, but are not told again."""
        self.service.acknowledge_alerts(alerts)
        self.acknowledged_alerts = self.acknowledged_alerts | {a.key for a in alerts}
        self.update_header()  # type: ignore[attr-defined]

    def _tell(self, fresh: list[Any]) -> None:
        if len(fresh) > GROUPED:
            rules = sorted({a.rule for a in fresh})
            text = f"{len(fresh)} new alerts ({', '.join(rules)}): ! lists them."
            self.notify(text, title="Alerts", severity="warning", timeout=10)  # type: ignore[attr-defined]
        else:
            for alert in fresh:
                self.notify(alert.message, title=f"Alert: {alert.rule}", severity="warning", timeout=10)  # type: ignore[attr-defined]
        settings = self.service.alert_settings
        if settings.bell:
            self.app.bell()
        if settings.desktop:
            notify_desktop(f"{len(fresh)} new alerts: {fresh[0].message}")
