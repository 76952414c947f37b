"""The Metrics pane: summary tiles, plots of what happened over a time range, a replay of past moments, and
the operation timings, caches and events from the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from cdev_tui.commands import scoped
from cdev_tui.metrics_history import DEFAULT_RANGE, RANGES
from cdev_tui.screens.pane import Pane
from cdev_tui.widgets.cells import age_text, progress_bar
from cdev_tui.widgets.replay_slider import ReplaySlider

if TYPE_CHECKING:
    from cdev_tui.metrics import MetricsSummary
    from cdev_tui.metrics_history import HistoryView
    from cdev_tui.workspace import WorkspaceSnapshot

PLOTS = (
    ("burn-down", "Burn-down: checklist items left", "items"),
    ("by-status", "Agents by status", "agents"),
    ("latency", "Operation latency", "ms"),
    ("human-wait", "Work waiting for a person", "minutes"),
)


class MetricsPane(Pane):
    """Numbers about the run so far, and what happened over time."""

    BINDINGS = [Binding(c.keys, c.action, c.title, show=c.show_in_footer, id=c.id) for c in scoped("metrics")]

    class HistoryReady(Message):
        """The plots' series for the selected range were computed."""

        def __init__(self, history: HistoryView) -> None:
            super().__init__()
            self.history = history

    def __init__(self, history: Callable[[str, Any], HistoryView], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._read_history = history
        self.range_name = DEFAULT_RANGE
        self.history: HistoryView | None = None
        self._snapshot: WorkspaceSnapshot | None = None

    def compose(self) -> ComposeResult:
        from cdev_tui.widgets.history_plot import HistoryPlot  # plotext loads with the pane, not at start

        with Horizontal(id="metrics-tiles"):
            for tile_id, title in (
                ("progress", "Progress"),
                ("agents", "Agents"),
                ("finish", "Expected finish"),
                ("waiting", "Waiting for a person"),
                ("throughput", "Throughput"),
            ):
                tile = Static("…", id=f"tile-{tile_id}", classes="metrics-tile")
                tile.border_title = title
                yield tile
        yield Static("Collecting metrics…", id="metrics-summary", classes="pane-summary")
        yield Static(self._range_text(), id="metrics-range")
        with Grid(id="metrics-plots"):
            for plot_id, title, unit in PLOTS:
                yield HistoryPlot(
                    title,
                    unit,
                    stepped=plot_id != "latency",
                    counts=plot_id in ("burn-down", "by-status"),
                    id=f"plot-{plot_id}",
                )
        yield Static("Replay: the agents as they were", id="replay-title", classes="section-title")
        yield ReplaySlider(id="replay-slider")
        replay: DataTable[Any] = DataTable(id="replay-table", cursor_type="row")
        replay.add_columns("Agent", "Status", "Progress", "Dirty", "Ahead")
        yield replay
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

    # -- live figures ----------------------------------------------------------------------------------

    def show_metrics(self, metrics: MetricsSummary, snapshot: WorkspaceSnapshot | None = None) -> None:
        """Render a :class:`MetricsSummary`, then bring the plots up to date."""
        self._show_tiles(metrics)
        self.query_one("#metrics-summary", Static).update(_summary_grid(metrics))
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
        if snapshot is not None:
            self._snapshot = snapshot
        self._ask_history()

    def _show_tiles(self, metrics: MetricsSummary) -> None:
        self._tile(
            "progress",
            progress_bar(metrics.overall_progress, metrics.items_done, metrics.items_total, width=12),
        )
        self._tile("agents", ", ".join(f"{n} {s}" for s, n in metrics.by_status.items()) or "none yet")

    def _tile(self, name: str, content: Any) -> None:
        self.query_one(f"#tile-{name}", Static).update(content)

    # -- history: plots and replay ---------------------------------------------------------------------

    def action_cycle_range(self, step: int) -> None:
        names = list(RANGES)
        index = min(max(names.index(self.range_name) + step, 0), len(names) - 1)
        if names[index] != self.range_name:
            self.range_name = names[index]
            self.query_one("#metrics-range", Static).update(self._range_text())
            self._ask_history()

    def action_replay_step(self, step: int) -> None:
        self.query_one(ReplaySlider).action_step(step)
        self.query_one("#replay-title").scroll_visible(top=True, animate=False)

    def action_replay_live(self) -> None:
        self.query_one(ReplaySlider).action_jump(-1)
        self.query_one("#replay-title").scroll_visible(top=True, animate=False)

    def _range_text(self) -> Text:
        text = Text("Range ", style="bold")
        for name in RANGES:
            text.append(f" {name} ", style="reverse bold" if name == self.range_name else "dim")
        text.append("   [ ] change range   , . replay earlier/later   L live", style="dim")
        return text

    def _ask_history(self) -> None:
        """Recompute the plots and replay (a newer ask supersedes a running one)."""
        self._compute_history(self.range_name, self._snapshot)

    @work(thread=True, exclusive=True, group="metrics-history", exit_on_error=False, description="Plotting")
    def _compute_history(self, range_name: str, snapshot: WorkspaceSnapshot | None) -> None:
        history = self._read_history(range_name, snapshot)
        if not get_current_worker().is_cancelled:
            self.post_message(self.HistoryReady(history))

    def on_metrics_pane_history_ready(self, message: HistoryReady) -> None:
        history = self.history = message.history
        if history.range_name != self.range_name:
            return
        for plot_id, series in (
            ("burn-down", history.burn_down),
            ("by-status", history.by_status),
            ("latency", history.latency),
            ("human-wait", history.human_wait),
        ):
            self.query_one(f"#plot-{plot_id}").show(series, history.start, history.end)  # type: ignore[attr-defined]
        waited = sum(s.points[-1][1] for s in history.human_wait if s.points)
        self._tile("waiting", f"{waited:.0f} min in {history.range_name}")
        self._tile("finish", _finish_text(history))
        self._tile("throughput", f"{history.items_per_hour:.1f} items/h in {history.range_name}")
        slider = self.query_one(ReplaySlider)
        slider.set_moments(history.moments, history.end)
        self._show_replay(slider.moment)

    def on_replay_slider_moved(self, message: ReplaySlider.Moved) -> None:
        self._show_replay(message.moment)

    def _show_replay(self, moment: float | None) -> None:
        history = self.history
        table = self.query_one("#replay-table", DataTable)
        table.clear()
        if history is None:
            return
        at = history.end if moment is None else moment
        for row in history.agents_at(at):
            fraction = (
                1.0 if row.status in ("complete", "committed", "merged") else row.done / (row.total or 1)
            )
            table.add_row(
                row.agent_id,
                row.status,
                progress_bar(fraction, row.done, row.total, width=12),
                str(row.dirty),
                str(row.ahead),
            )


def _finish_text(history: HistoryView) -> str:
    forecast = history.forecast
    if forecast is None or forecast.finish is None:
        return "not enough history"
    if forecast.finish <= history.end:
        return "done"
    return f"in {age_text(forecast.finish - history.end)} (range {_span(forecast.early, forecast.late, history.end)})"


def _span(early: float | None, late: float | None, now: float) -> str:
    if early is None or late is None:
        return "?"
    return f"{age_text(max(0.0, early - now))}–{age_text(max(0.0, late - now))}"


def _summary_grid(metrics: MetricsSummary) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    speedup = f"  ({metrics.speedup:.1f}x faster in parallel)" if metrics.speedup else ""
    grid.add_row(
        "Estimate",
        f"{metrics.sequential_minutes} min one after another, {metrics.critical_minutes} min along the critical path{speedup}",
    )
    grid.add_row("Critical path", " → ".join(metrics.critical_path) or "-")
    grid.add_row(
        "Violations", Text(str(metrics.violations), style="bold red" if metrics.violations else "green")
    )
    if metrics.outcomes is not None:  # merges, predictions met, resolutions by source, scans, voice
        from cdev_tui.metrics_outcomes import outcome_lines

        for line in outcome_lines(metrics.outcomes):
            label, _, text = line.partition(": ")
            grid.add_row(label[:1].upper() + label[1:], text)
        return grid
    voice = metrics.voice
    if voice is not None:
        grid.add_row(
            "Voice",
            f"{voice.commands_run} of {voice.utterances} utterances ran a command ({voice.understood:.0%}), "
            f"median {voice.median_latency_ms:.0f} ms from the end of speech (p90 {voice.p90_latency_ms:.0f} ms)",
        )
    return grid


def _show_events(table: DataTable, metrics: MetricsSummary) -> None:
    table.clear()
    for event in reversed(metrics.recent_events):
        table.add_row(_clock(event.ts), event.agent_id or "-", event.message)


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S")
