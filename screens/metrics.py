"""The Metrics pane: progress, estimates, history and timings from the store."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cdev_tui.screens.pane import Pane
from cdev_tui.widgets.cells import progress_bar
from cdev_tui.widgets.sparkline import ProgressSparkline

if TYPE_CHECKING:
    from cdev_tui.metrics import MetricsSummary


class MetricsPane(Pane):
    """Numbers about the run so far."""

    def compose(self) -> ComposeResult:
        yield Static("Collecting metrics…", id="metrics-summary", classes="pane-summary")
        yield Static("Overall progress over time", classes="section-title")
        yield ProgressSparkline(id="progress-sparkline")
        yield Static("", id="progress-span", classes="dim")
        yield Static("Operation timings", classes="section-title")
        table: DataTable[str] = DataTable(id="timings-table", cursor_type="row")
        table.add_columns("Operation", "Runs", "Median", "Last")
        yield table
        yield Static("Caches: work not redone", classes="section-title")
        caches: DataTable[str] = DataTable(id="caches-table", cursor_type="row")
        caches.add_columns("Operation", "Hits", "Misses", "Avoided")
        yield caches
        yield Static("Recent events", classes="section-title")
        events: DataTable[str] = DataTable(id="events-table", cursor_type="row")
        events.add_columns("When", "Agent", "What")
        yield events

    def show_metrics(self, metrics: MetricsSummary) -> None:
        """Render a :class:`MetricsSummary`."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row(
            "Overall",
            progress_bar(metrics.overall_progress, metrics.items_done, metrics.items_total, width=30),
        )
        grid.add_row(
            "Agents",
            f"{metrics.agents_total}: " + ", ".join(f"{n} {s}" for s, n in metrics.by_status.items()),
        )
        speedup = f"  ({metrics.speedup:.1f}x faster in parallel)" if metrics.speedup else ""
        grid.add_row(
            "Estimate",
            f"{metrics.sequential_minutes} min one after another, {metrics.critical_minutes} min along the critical path{speedup}",
        )
        grid.add_row("Critical path", " → ".join(metrics.critical_path) or "-")
        grid.add_row(
            "Violations", Text(str(metrics.violations), style="bold red" if metrics.violations else "green")
        )
        grid.add_row("Throughput", f"{metrics.items_per_hour:.1f} checklist items per hour (last 24 h)")
        voice = metrics.voice
        if voice is not None:
            grid.add_row(
                "Voice",
                f"{voice.commands_run} of {voice.utterances} utterances ran a command ({voice.understood:.0%}), "
                f"median {voice.median_latency_ms:.0f} ms from the end of speech (p90 {voice.p90_latency_ms:.0f} ms)",
            )
        self.query_one("#metrics-summary", Static).update(grid)
        history = metrics.progress_history
        self.query_one("#progress-sparkline", ProgressSparkline).show([v for _, v in history])
        span = "no history recorded yet"
        if len(history) == 1:
            span = f"1 point, at {_clock(history[0][0])} ({history[0][1]:.0%})"
        elif history:
            first, last = history[0], history[-1]
            span = f"{len(history)} points from {_clock(first[0])} ({first[1]:.0%}) to {_clock(last[0])} ({last[1]:.0%})"
        self.query_one("#progress-span", Static).update(Text(span, style="dim"))
        table = self.query_one("#timings-table", DataTable)
        table.clear()
        for timing in metrics.timings:
            table.add_row(
                timing.op,
                str(timing.count),
                f"{timing.median_seconds * 1000:.0f} ms",
                f"{timing.last_seconds * 1000:.0f} ms",
            )
        caches = self.query_one("#caches-table", DataTable)
        caches.clear()
        for op, (hits, misses) in metrics.caches.items():
            caches.add_row(op, str(hits), str(misses), f"{hits / ((hits + misses) or 1):.0%}")
        if metrics.caches:
            caches.add_row("all", "", "", f"{metrics.redundant_avoided:.0%}")
        _show_events(self.query_one("#events-table", DataTable), metrics)


def _show_events(table: DataTable, metrics: MetricsSummary) -> None:
    table.clear()
    for event in reversed(metrics.recent_events):
        table.add_row(_clock(event.ts), event.agent_id or "-", event.message)


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S")
