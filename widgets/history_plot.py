"""A time-series plot of the Metrics pane, drawn by textual-plotext, with time running up to "now" on the right."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual_plotext import PlotextPlot

from cdev_tui.metrics_history import Series

MAX_LABELLED = 6
"""Beyond this many lines the legend would hide the plot: the title says how many there are instead."""


def time_unit(span_seconds: float) -> tuple[float, str]:
    """The unit the x axis counts in for a span: minutes up to 2 h, hours up to 3 days, then days."""
    if span_seconds <= 2 * 3600:
        return 60.0, "minutes"
    if span_seconds <= 3 * 86400:
        return 3600.0, "hours"
    return 86400.0, "days"


def steps(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """A value that holds until the next point, as a line draws it: a corner before each change."""
    drawn: list[tuple[float, float]] = []
    for ts, value in points:
        if drawn and drawn[-1][1] != value:
            drawn.append((ts, drawn[-1][1]))
        drawn.append((ts, value))
    return drawn


class HistoryPlot(PlotextPlot):
    """One plot of the Metrics pane: a few series over the selected time range."""

    def __init__(
        self, title: str, y_label: str, *, stepped: bool = True, counts: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id, classes="history-plot")
        self.title = title
        self.y_label = y_label
        self.stepped = stepped
        self.counts = counts
        """Whole numbers (items, agents): the y axis is labelled with integers."""

    def show(self, series: Sequence[Series], start: float, end: float) -> None:
        """Draw ``series`` between ``start`` and ``end`` (epoch seconds), x counted back from ``end``."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        unit, unit_name = time_unit(end - start)
        drawn = [s for s in series if s.points]
        title = self.title if drawn else f"{self.title}: nothing recorded in this range"
        if len(drawn) > MAX_LABELLED:
            title += f" ({len(drawn)} lines)"
        plt.title(title)
        plt.xlabel(f"{unit_name} before {datetime.fromtimestamp(end).strftime('%H:%M')}")
        plt.ylabel(self.y_label)
        plt.xlim(-(end - start) / unit, 0)
        for line in drawn:
            points = steps(line.points) if self.stepped else list(line.points)
            xs = [(ts - end) / unit for ts, _ in points]
            ys = [value for _, value in points]
            label = line.label if len(drawn) <= MAX_LABELLED else None
            plt.plot(xs, ys, marker="braille", label=label)
        if not drawn:
            plt.ylim(0, 1)
        elif self.counts:
            top = max(max(v for _, v in line.points) for line in drawn)
            step = max(1, int(top // 6) + (1 if top % 6 else 0)) if top > 6 else 1
            ticks = list(range(0, int(top) + step, step))
            plt.ylim(0, ticks[-1] or 1)
            plt.yticks(ticks, [str(t) for t in ticks])
        self.refresh()
