"""The Alerts screen: every alert firing now, newest first, and acknowledging them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class AlertsScreen(ModalScreen[None]):
    """The firing alerts; acknowledged ones stay listed (dim) while they fire but are not told again."""

    BINDINGS = [
        Binding("enter,a", "acknowledge", "Acknowledge"),
        Binding("A", "acknowledge_all", "Acknowledge all"),
        Binding("escape,q,exclamation_mark", "close", "Close"),
    ]

    def __init__(self, main: Any) -> None:
        super().__init__()
        self.main = main
        """The main screen: it evaluates the rules and keeps the firing alerts."""

    def compose(self) -> ComposeResult:
        with Vertical(id="alerts-body"):
            yield Static("", id="alerts-summary")
            table: DataTable[Any] = DataTable(id="alerts-table", cursor_type="row")
            table.add_columns("", "Since", "Rule", "Subject", "What")
            yield table
            yield Static(
                "enter/a acknowledge   A acknowledge all   esc close", id="alerts-keys", classes="dim"
            )

    def on_mount(self) -> None:
        self.show_alerts()
        self.set_interval(2.0, self.show_alerts)  # new evaluations land while the screen is open

    def _alerts(self) -> list[Any]:
        return sorted(self.main.firing_alerts, key=lambda a: a.since, reverse=True)

    def show_alerts(self) -> None:
        """List the firing alerts, keeping the cursor on the same one."""
        table = self.query_one("#alerts-table", DataTable)
        alerts = self._alerts()
        if [str(k.value) for k in table.rows] == [a.key for a in alerts] and not self._acknowledged_changed(
            alerts
        ):
            return
        row = table.cursor_row
        table.clear()
        seen = self.main.acknowledged_alerts
        for alert in alerts:
            acknowledged = alert.key in seen
            style = "dim" if acknowledged else ""
            table.add_row(
                Text("✓" if acknowledged else "⚠", style="green" if acknowledged else "bold yellow"),
                Text(datetime.fromtimestamp(alert.since).strftime("%m-%d %H:%M"), style=style),
                Text(alert.rule, style=style or "bold"),
                Text(alert.subject, style=style),
                Text(alert.message, style=style),
                key=alert.key,
            )
        if alerts:
            table.move_cursor(row=min(row, len(alerts) - 1))
        unseen = sum(1 for a in alerts if a.key not in seen)
        summary = f"{len(alerts)} alerts firing, {unseen} not acknowledged" if alerts else "No alerts firing."
        self.query_one("#alerts-summary", Static).update(Text(summary, style="bold"))
        self._shown_acknowledged = {a.key for a in alerts if a.key in seen}

    def _acknowledged_changed(self, alerts: list[Any]) -> bool:
        now = {a.key for a in alerts if a.key in self.main.acknowledged_alerts}
        return now != getattr(self, "_shown_acknowledged", set())

    def action_acknowledge(self) -> None:
        table = self.query_one("#alerts-table", DataTable)
        alerts = self._alerts()
        if alerts and 0 <= table.cursor_row < len(alerts):
            self.main.acknowledge([alerts[table.cursor_row]])
            self.show_alerts()
            table.move_cursor(row=min(table.cursor_row + 1, len(alerts) - 1))

    def action_acknowledge_all(self) -> None:
        alerts = [a for a in self._alerts() if a.key not in self.main.acknowledged_alerts]
        if alerts:
            self.main.acknowledge(alerts)
            self.show_alerts()

    def action_close(self) -> None:
        self.dismiss()
