"""What happened over a time range, for the Metrics pane's plots and replay (Textual-free).

Everything here is computed from the store's recorded history: the agents' progress snapshots (each one is
the agent's state from that moment until its next snapshot), operation timings and the intervals agents'
programs spent waiting for a person. Series are thinned to at most ``MAX_POINTS`` points so that a year of
history draws as fast as an hour of it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdev_tui.forecast import RunForecast
    from cdev_tui.store import AgentSnapshotRow, TimingRow

RANGES: dict[str, float | None] = {
    "1h": 3600.0,
    "6h": 6 * 3600.0,
    "24h": 86400.0,
    "7d": 7 * 86400.0,
    "30d": 30 * 86400.0,
    "all": None,
}
"""The time ranges the pane offers, by name; ``None`` is everything recorded."""
DEFAULT_RANGE = "24h"
MAX_POINTS = 240
MIN_SPAN = 60.0
"""The shortest span the plots show, in seconds."""
FINISHED = ("complete", "committed", "merged")


@dataclass(frozen=True)
class Series:
    """One line of a plot: (epoch seconds, value) points in time order."""

    label: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class WaitInterval:
    """A span during which an agent's work waited for a person, and why."""

    agent_id: str
    reason: str
    """``program`` (its program asked something), ``commit`` (work complete, not yet committed) or
    ``stalled`` (in progress, nothing recorded moving for longer than the stall time)."""
    started: float
    ended: float


@dataclass(frozen=True)
class HistoryView:
    """A time range of history: the series the plots draw and the moments the replay steps through."""

    range_name: str
    start: float
    end: float
    burn_down: tuple[Series, ...] = ()
    """Checklist items left, per agent."""
    by_status: tuple[Series, ...] = ()
    """How many agents were in each status."""
    latency: tuple[Series, ...] = ()
    """Milliseconds each kind of operation took."""
    human_wait: tuple[Series, ...] = ()
    """Minutes of work waiting for a person so far in the range, by reason."""
    moments: tuple[float, ...] = ()
    """The times at which something changed, for the replay slider."""
    forecast: RunForecast | None = None
    """When the run is expected to finish, from the pace in this range (None without the workspace)."""
    items_per_hour: float = 0.0
    """Checklist items ticked per hour over the range."""
    _by_agent: dict[str, list[AgentSnapshotRow]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def by_agent(self) -> dict[str, list[AgentSnapshotRow]]:
        """Each agent's snapshots in the range (from its state when the range began), in time order."""
        return self._by_agent

    def agents_at(self, moment: float) -> list[AgentSnapshotRow]:
        """Every agent as its latest snapshot at or before ``moment`` showed it (agents not seen yet left out)."""
        rows = []
        for agent_id in sorted(self._by_agent):
            history = self._by_agent[agent_id]
            index = bisect.bisect_right([r.ts for r in history], moment) - 1
            if index >= 0:
                rows.append(history[index])
        return rows


def range_start(range_name: str, now: float, first_recorded: float | None) -> float:
    """Where a named range begins (``all``: the first recorded moment, or ``now`` when nothing is)."""
    if range_name not in RANGES:
        raise ValueError(f"unknown time range {range_name!r} (known: {', '.join(RANGES)})")
    span = RANGES[range_name]
    if span is None:
        return first_recorded if first_recorded is not None else now
    return now - span


def build_history(
    range_name: str,
    start: float,
    now: float,
    snapshots: Sequence[AgentSnapshotRow],
    timings: Sequence[TimingRow],
    waits: Sequence[WaitInterval],
) -> HistoryView:
    """The plots' series and the replay's moments for ``start``..``now``.

    ``snapshots`` must include each agent's last snapshot before ``start`` (its state when the range begins)
    followed by those inside the range, in time order.
    """
    by_agent: dict[str, list[AgentSnapshotRow]] = {}
    for row in snapshots:
        by_agent.setdefault(row.agent_id, []).append(row)
    inside = [r.ts for r in snapshots if r.ts >= start]
    start = plot_start(start, now, [r.ts for r in [*snapshots[:1], *timings[:1]]])
    return HistoryView(
        range_name,
        start,
        now,
        burn_down=tuple(_burn_down(by_agent, start, now)),
        by_status=tuple(_by_status(snapshots, start, now)),
        latency=tuple(_latency(timings, start, now)),
        human_wait=tuple(_human_wait(waits, start, now)),
        moments=tuple(_thin_moments(sorted(set(inside)))),
        items_per_hour=throughput(by_agent, start, now),
        _by_agent=by_agent,
    )


def wait_intervals(
    snapshots: Sequence[AgentSnapshotRow],
    program_waits: Iterable[tuple[str, float, float | None]],
    now: float,
    stall_seconds: float | None = None,
) -> list[WaitInterval]:
    """The spans work waited for a person: programs asking (from the session log); agents whose checklist was
    complete but whose work was not yet committed; and, with ``stall_seconds``, agents in progress whose
    recorded state did not move for longer than that (stalled from then until it moved again)."""
    waits = [
        WaitInterval(agent, "program", begun, now if ended is None else ended)
        for agent, begun, ended in program_waits
    ]
    following: dict[str, AgentSnapshotRow] = {}
    for row in reversed(snapshots):
        after = following.get(row.agent_id)
        until = after.ts if after else now
        if row.status == "complete":
            waits.append(WaitInterval(row.agent_id, "commit", row.ts, until))
        elif row.status == "in progress" and stall_seconds and until - row.ts > stall_seconds:
            waits.append(WaitInterval(row.agent_id, "stalled", row.ts + stall_seconds, until))
        following[row.agent_id] = row
    return waits


def plot_start(start: float, now: float, first_moments: Sequence[float]) -> float:
    """Where the plots begin: the range's start, or later when nothing was recorded before some moment
    (a range of a day over ten minutes of history plots those ten minutes), never less than a minute."""
    first = min(first_moments, default=start)
    return max(start, min(first, now - MIN_SPAN))


def _burn_down(by_agent: dict[str, list[AgentSnapshotRow]], start: float, now: float) -> Iterable[Series]:
    for agent_id in sorted(by_agent):
        rows = by_agent[agent_id]
        if len(rows) > MAX_POINTS:  # thinned before anything is computed per row: a step keeps its last value
            rows = [rows[high - 1] for high in _bucket_ends([r.ts for r in rows], start, now)]
        points = [(max(r.ts, start), float(_remaining(r))) for r in rows]
        if points:
            points.append((now, points[-1][1]))
        yield Series(agent_id, tuple(_thin(_last_per_time(points), start, now)))


def throughput(by_agent: dict[str, list[AgentSnapshotRow]], start: float, now: float) -> float:
    """Checklist items ticked per hour from ``start`` to ``now`` (each agent from its state when it began)."""
    hours = (now - start) / 3600
    if hours <= 0:
        return 0.0
    gained = sum(max(0, rows[-1].done - rows[0].done) for rows in by_agent.values() if rows)
    return gained / hours


def _remaining(row: AgentSnapshotRow) -> int:
    return 0 if row.status in FINISHED else max(0, row.total - row.done)


def _by_status(rows: Sequence[AgentSnapshotRow], start: float, now: float) -> Iterable[Series]:
    status_of: dict[str, str] = {}
    counts: Counter[str] = Counter()
    steps: list[tuple[float, dict[str, int]]] = []
    for row in rows:
        previous = status_of.get(row.agent_id)
        if previous == row.status:
            continue
        if previous is not None:
            counts[previous] -= 1
        counts[row.status] += 1
        status_of[row.agent_id] = row.status
        steps.append((max(row.ts, start), dict(counts)))
    statuses = sorted({s for _, c in steps for s in c})
    for status in statuses:
        points = [(ts, float(c.get(status, 0))) for ts, c in steps]
        if points:
            points.append((now, points[-1][1]))
        yield Series(status, tuple(_thin(_last_per_time(points), start, now)))


def _latency(rows: Sequence[TimingRow], start: float, now: float) -> Iterable[Series]:
    by_op: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        if start <= row.ts:
            by_op.setdefault(row.op, []).append((min(row.ts, now), row.seconds * 1000))
    for op in sorted(by_op):
        yield Series(op, tuple(_thin(sorted(by_op[op]), start, now, keep=max)))


def _human_wait(waits: Sequence[WaitInterval], start: float, now: float) -> Iterable[Series]:
    """Cumulative minutes waited since ``start``, per reason, stepping at every interval's edges."""
    for reason in sorted({w.reason for w in waits}):
        spans = [(max(w.started, start), min(w.ended, now)) for w in waits if w.reason == reason]
        spans = [(a, b) for a, b in spans if b > a]
        edges = sorted({start, now, *(a for a, _ in spans), *(b for _, b in spans)})
        points = []
        for edge in edges:
            waited = sum(min(b, edge) - a for a, b in spans if a < edge)
            points.append((edge, waited / 60))
        yield Series(reason, tuple(_thin(points, start, now)))


def _last_per_time(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points at the same moment collapse into the last of them."""
    kept: list[tuple[float, float]] = []
    for ts, value in points:
        if kept and kept[-1][0] == ts:
            kept[-1] = (ts, value)
        else:
            kept.append((ts, value))
    return kept


def _bucket_ends(times: Sequence[float], start: float, end: float) -> list[int]:
    """Where each of ``MAX_POINTS`` equal time buckets ends in ``times`` (sorted), empty buckets left out."""
    width = (end - start) / MAX_POINTS
    ends: list[int] = []
    low = 0
    for bucket in range(1, MAX_POINTS):
        high = bisect.bisect_right(times, start + bucket * width, low)
        if high > low:
            ends.append(high)
            low = high
    if len(times) > low:
        ends.append(len(times))
    return ends


def _thin(
    points: Sequence[tuple[float, float]], start: float, end: float, keep=None
) -> list[tuple[float, float]]:
    """At most ``MAX_POINTS`` points: one per time bucket, the bucket's last (or ``keep`` of its values,
    e.g. ``max`` so that a brief spike stays visible)."""
    if len(points) <= MAX_POINTS or end <= start:
        return list(points)
    thinned = []
    low = 0
    for high in _bucket_ends([ts for ts, _ in points], start, end):
        value = points[high - 1][1] if keep is None else keep(v for _, v in points[low:high])
        thinned.append((points[high - 1][0], value))
        low = high
    return thinned


def _thin_moments(moments: list[float], limit: int = 2000) -> list[float]:
    """The replay's stops: every change when there are few, evenly chosen ones when there are many."""
    if len(moments) <= limit:
        return moments
    step = len(moments) / limit
    return [moments[int(i * step)] for i in range(limit - 1)] + [moments[-1]]
