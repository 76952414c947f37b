"""The workspace service's alerts half: evaluating the rules, posting new alerts to the webhooks once, and
keeping which alerts a person acknowledged. Both live in the store's events (``alert.sent``, ``alert.ack``),
so the app, ``cdev-tui alerts`` in cron and the next session agree on what was already told.

Textual-free. :class:`~cdev_tui.service.WorkspaceService` inherits it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from cdev_tui.alerts import Alert, AlertSettings
    from cdev_tui.config import Config
    from cdev_tui.store import Store
    from cdev_tui.workspace import WorkspaceSnapshot

SENT_EVENT = "alert.sent"
ACK_EVENT = "alert.ack"


@dataclass(frozen=True)
class PostResult:
    """What posting alerts did: which were posted now and what could not be delivered (one line each)."""

    posted: tuple[Alert, ...]
    failures: tuple[str, ...]


class AlertsService:
    """Evaluate the alert rules, post new alerts to the webhooks, remember acknowledgements."""

    config: Config
    store: Store
    wall_clock: Callable[[], float]

    @property
    def alert_settings(self) -> AlertSettings:
        """The ``[alerts]`` table of the config, or the defaults."""
        from cdev_tui.alerts import AlertSettings

        return self.config.alerts or AlertSettings()

    def evaluate_alerts(
        self, snapshot: WorkspaceSnapshot, sessions: Mapping[str, Any], **latest: Any
    ) -> list[Alert]:
        """Every alert firing now; ``latest`` may give the newest ``conflicts``, ``findings`` and ``deps``."""
        from cdev_tui.alerts import evaluate

        self.store.flush()
        return evaluate(snapshot, self.store, sessions, self.alert_settings, self.wall_clock(), **latest)

    def _keys_of(self, kind: str) -> set[str]:
        return {
            row["message"] for row in self.store.query("SELECT message FROM events WHERE kind = ?", [kind])
        }

    def acknowledged_alerts(self) -> set[str]:
        """The keys of the alerts a person acknowledged."""
        return self._keys_of(ACK_EVENT)

    def acknowledge_alerts(self, alerts: Sequence[Alert]) -> None:
        """Mark alerts as seen: they stay listed while they fire but are not told again."""
        for alert in alerts:
            self.store.record_event(ACK_EVENT, alert.key, alert.subject)

    def post_alerts(self, alerts: Sequence[Alert]) -> PostResult:
        """Post the alerts not posted before to every webhook (retried with backoff); when a webhook cannot
        take them, they stay unposted, to be posted on the next try. Blocks: call it from a worker."""
        from cdev_tui.webhooks import deliver

        hooks = self.alert_settings.webhooks
        if not hooks:
            return PostResult((), ())
        sent = self._keys_of(SENT_EVENT)
        fresh = tuple(alert for alert in alerts if alert.key not in sent)
        if not fresh:
            return PostResult((), ())
        failures = []
        for delivery in deliver(hooks, fresh):
            if not delivery.ok:
                host = urlsplit(delivery.webhook.url).netloc  # the rest of a webhook URL is its secret
                where = f"{delivery.webhook.kind} webhook at {host}"
                failures.append(f"{where}: {delivery.error} after {delivery.attempts} attempts")
        if failures:
            return PostResult((), tuple(failures))
        for alert in fresh:
            self.store.record_event(SENT_EVENT, alert.key, alert.subject)
        return PostResult(fresh, ())
