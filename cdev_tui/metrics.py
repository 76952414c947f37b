"""Metrics computed from the workspace and the store's history (Textual-free)."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cdev_tui.plan import critical_path
from cdev_tui.store import AgentSnapshotRow, EventRow, Store, TimingRow, VoiceRow
from cdev_tui.workspace import WorkspaceSnapshot

if TYPE_CHECKING:
    from cdev_tui.metrics_outcomes import OutcomeSummary


@dataclass(frozen=True)
class TimingSummary:
    """Count and median duration of one kind of operation."""

    op: str
    count: int
    median_seconds: float
    last_seconds: float


@dataclass(frozen=True)
class VoiceSummary:
    """How voice commands went: how many, how many ran, how sure and how fast."""

    utterances: int
    commands_run: int
    not_understood: int
    """Utterances that matched no command or needed an alternative picked."""
    median_confidence: float
    median_latency_ms: float
    p90_latency_ms: float

    @property
    def understood(self) -> float:
        """Share of utterances (silence aside) that became a command at once."""
        return self.commands_run / self.utterances if self.utterances else 0.0


def summarize_voice(rows: Sequence[VoiceRow]) -> VoiceSummary | None:
    """Voice accuracy and latency from the log (None when nothing was said yet)."""
    heard = [r for r in rows if r.outcome != "rejected"]
    if not heard:
        return None
    latencies = sorted(r.latency_ms for r in heard)
    return VoiceSummary(
        utterances=len(heard),
        commands_run=sum(1 for r in heard if r.outcome in ("run", "asked")),
        not_understood=sum(1 for r in heard if r.outcome in ("none", "alternatives")),
        median_confidence=statistics.median(r.confidence for r in heard),
        median_latency_ms=statistics.median(latencies),
        p90_latency_ms=latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))],
    )


@dataclass(frozen=True)
class MetricsSummary:
    """Everything the metrics pane and ``cdev-tui metrics`` show."""

    agents_total: int
    by_status: dict[str, int]
    overall_progress: float
    items_done: int
    items_total: int
    sequential_minutes: int
    critical_path: list[str]
    critical_minutes: int
    violations: int
    progress_history: list[tuple[float, float]]
    items_per_hour: float
    timings: list[TimingSummary]
    recent_events: list[EventRow] = field(default_factory=list)
    """The newest events (status changes and actions), newest last."""
    voice: VoiceSummary | None = None
    caches: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Hits and misses per cached operation (answers by git object id, scan results by blob)."""
    outcomes: OutcomeSummary | None = None
    """How merges, conflict predictions, suggestions and scans went over the last 30 days (None without a
    store); see :class:`cdev_tui.metrics_outcomes.OutcomeSummary`."""

    @property
    def redundant_avoided(self) -> float:
        """The share of cached lookups that needed no work (0 when nothing was asked yet)."""
        hits = sum(h for h, _ in self.caches.values())
        total = hits + sum(m for _, m in self.caches.values())
        return hits / total if total else 0.0

    @property
    def speedup(self) -> float | None:
        """How much faster the plan runs in parallel than one agent after another."""
        if not self.critical_minutes:
            return None
        return self.sequential_minutes / self.critical_minutes


HOUSEKEEPING = ("store.", "alert.")
"""Event kinds the recent events leave out."""


def summarize(
    snapshot: WorkspaceSnapshot,
    store: Store | None,
    *,
    now: float | None = None,
    window_hours: float = 24.0,
    series: bool = True,
) -> MetricsSummary:
    """Summarise the current workspace and, when a store is given, its recent history. ``series=False``
    leaves out the progress series and throughput (the Metrics pane draws them from its own time range)."""
    agents = list(snapshot.agents)
    specs = [a.spec for a in agents]
    chain, chain_minutes = critical_path(specs)
    history: list[tuple[float, float]] = []
    per_hour = 0.0
    timings: list[TimingSummary] = []
    events: list[EventRow] = []
    voice: VoiceSummary | None = None
    caches: dict[str, tuple[int, int]] = {}
    outcomes: OutcomeSummary | None = None
    if store is not None:
        from cdev_tui.metrics_outcomes import summarize_outcomes

        if series:
            rows = store.snapshots(since=(now or time.time()) - window_hours * 3600)
            history = progress_series(rows)
            per_hour = items_per_hour(rows)
        timings = summarize_timings(store.timings())
        # Housekeeping (compactions, alerts already posted) is not what happened to the work.
        events = [e for e in store.events(limit=60) if not e.kind.startswith(HOUSEKEEPING)][:20]
        voice = summarize_voice(store.voice_log())
        caches = dict(sorted(store.cache_stats().items()))
        outcomes = summarize_outcomes(store, now=now)
    return MetricsSummary(
        agents_total=len(agents),
        by_status=dict(sorted(Counter(str(a.status) for a in agents).items())),
        overall_progress=(sum(a.fraction for a in agents) / len(agents)) if agents else 0.0,
        items_done=sum(a.progress[0] for a in agents),
        items_total=sum(a.progress[1] for a in agents),
        sequential_minutes=sum(s.estimated_minutes or 0 for s in specs),
        critical_path=chain,
        critical_minutes=chain_minutes,
        violations=sum(len(a.violations) for a in agents),
        progress_history=history,
        items_per_hour=per_hour,
        timings=timings,
        recent_events=events,
        voice=voice,
        caches=caches,
        outcomes=outcomes,
    )


def progress_series(rows: Sequence[AgentSnapshotRow]) -> list[tuple[float, float]]:
    """Overall checklist completion after each recorded snapshot, as (time, fraction).

    Linear in the rows: the sum of the agents' fractions is kept as each changes (a year of per-minute
    snapshots is read when the Metrics pane opens), rounded to 9 places so the sums' float noise never shows.
    """
    fractions: dict[str, float] = {}
    total = 0.0
    series: list[tuple[float, float]] = []
    for row in rows:
        fraction = (
            1.0
            if row.status in ("complete", "committed", "merged")
            else (row.done / row.total if row.total else 0.0)
        )
        total += fraction - fractions.get(row.agent_id, 0.0)
        fractions[row.agent_id] = fraction
        point = (row.ts, round(total / len(fractions), 9))
        if series and abs(series[-1][0] - row.ts) < 1e-6:
            series[-1] = point
        else:
            series.append(point)
    return series


def items_per_hour(rows: Sequence[AgentSnapshotRow]) -> float:
    """Checklist items ticked per hour over the span of the given snapshots."""
    if len(rows) < 2:
        return 0.0
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for row in rows:
        first.setdefault(row.agent_id, row.done)
        last[row.agent_id] = row.done
    gained = sum(max(0, last[a] - first[a]) for a in last)
    hours = (rows[-1].ts - rows[0].ts) / 3600
    return gained / hours if hours > 0 else 0.0


def summarize_timings(rows: Sequence[TimingRow]) -> list[TimingSummary]:
    """Median and last duration per operation."""
    by_op: dict[str, list[float]] = {}
    for row in rows:
        by_op.setdefault(row.op, []).append(row.seconds)
    return [
        TimingSummary(op, len(values), statistics.median(values), values[-1])
        for op, values in sorted(by_op.items())
    ]
