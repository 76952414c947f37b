"""The workspace service's metrics half: the figures, forecasts, waiting times and the Metrics pane's history,
all read from the store. Textual-free. :class:`~cdev_tui.service.WorkspaceService` inherits it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdev_tui.config import Config
    from cdev_tui.conflicts import ConflictReport
    from cdev_tui.metrics import MetricsSummary
    from cdev_tui.store import Store
    from cdev_tui.workspace import WorkspaceSnapshot


class MetricsService:
    """Figures and history for ``cdev-tui metrics`` and the Metrics pane, and the outcomes kept for them."""

    config: Config
    store: Store
    wall_clock: Callable[[], float]
    _last_prediction: list[Any]

    def metrics(self, snapshot: WorkspaceSnapshot, *, series: bool = True) -> MetricsSummary:
        """Metrics for the workspace and its recorded history (``series=False``: without the progress series
        and throughput of the last day, which the Metrics pane takes from :meth:`metrics_history`)."""
        self.store.flush()
        from cdev_tui.metrics import summarize

        return summarize(snapshot, self.store, now=self.wall_clock(), series=series)

    def forecast(self, snapshot: WorkspaceSnapshot) -> Any:
        """Each agent's and the run's expected finish, from the last week of progress snapshots."""
        from cdev_tui.forecast import forecast_run

        now = self.wall_clock()
        rows: dict[str, list[Any]] = {}
        for row in self.store.snapshot_changes(now - 7 * 86400):
            rows.setdefault(row.agent_id, []).append(row)
        return forecast_run(snapshot, rows, now)

    def metrics_history(self, range_name: str, snapshot: WorkspaceSnapshot | None = None) -> Any:
        """The plots' series and the replay's moments over a named time range (a :class:`HistoryView`), with
        the run's expected finish from the pace in that range when the workspace is given."""
        from cdev_tui.forecast import forecast_run
        from cdev_tui.metrics_history import build_history, range_start, wait_intervals

        self.store.flush()
        now = self.wall_clock()
        first = self.store.first_snapshot_time() if range_name == "all" else None
        start = range_start(range_name, now, first)
        snapshots, timings = self.store.snapshot_changes(start), self.store.timings_since(start)
        program_waits = self.store.session_intervals("waiting", start)
        waits = wait_intervals(snapshots, program_waits, now, self.config.stall_minutes * 60)
        view = build_history(range_name, start, now, snapshots, timings, waits)
        if snapshot is None:
            return view
        return replace(view, forecast=forecast_run(snapshot, view.by_agent, now))

    def human_wait(self) -> dict[str, dict[str, float]]:
        """Seconds each agent's work waited for a person (its program asking, its work not committed) and
        on other agents, over the last 30 days of history."""
        from cdev_tui.forecast import human_wait

        now = self.wall_clock()
        return human_wait(
            self.store.snapshots(since=now - 30 * 86400), self.store.session_seconds("waiting"), now
        )

    # -- outcomes kept for the figures -------------------------------------------------------------

    def _record_prediction(self, report: ConflictReport) -> None:
        """Keep the predicted conflicts, to be judged by the next integration (only when they changed)."""
        from cdev_tui.metrics_outcomes import prediction_rows, same_prediction

        rows = prediction_rows(report, self.wall_clock())
        if not same_prediction(rows, self._last_prediction):
            self._last_prediction = rows
            self.store.record_outcomes(rows)

    def _record_integration(self, result: Any, started_at: float) -> None:
        """Each step's merge timed with its size, and its outcome kept for the merge figures."""
        from cdev_tui.metrics_outcomes import integration_rows

        for step in result.steps:
            size = f"{len(step.files_changed)} files, {len(step.conflicted_files or step.resolved_files)} conflicted"
            self.store.record_timing("integrate.merge", step.seconds, size)
        self.store.record_outcomes(integration_rows(result, started_at))

    def record_refused(self, problems: list[Any]) -> None:
        """Keep which agents the security gate refused to integrate (pre-flight ``security`` problems)."""
        from cdev_tui.metrics_outcomes import refusal_rows

        rows = refusal_rows(problems, self.wall_clock())
        if rows:
            self.store.record_outcomes(rows)
