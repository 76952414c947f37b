"""Metrics in Prometheus' text exposition format, built with ``prometheus_client`` (Textual-free).

One collector reads the workspace and the store each time it is collected, so ``metrics --serve`` answers
every scrape with current figures: gauges for what is (agents by status, progress, sessions by state),
counters for what accumulates (cached lookups, operations, seconds waited for a human) and a histogram of
operation durations from the recorded timings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

if TYPE_CHECKING:
    from cdev_tui.metrics import MetricsSummary
    from cdev_tui.metrics_outcomes import OutcomeSummary
    from cdev_tui.store import Store
    from cdev_tui.workspace import WorkspaceSnapshot

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
"""Seconds: from a one-agent refresh to a whole integration with tests."""
TIMINGS_READ = 5000
"""The most recent recorded operations the duration histogram is made of."""


def metric_families(
    snapshot: WorkspaceSnapshot, metrics: MetricsSummary, store: Store | None, sessions: dict[str, Any]
) -> list[Metric]:
    """Every cdev-tui metric as Prometheus metric families."""
    agents = GaugeMetricFamily("cdev_agents", "Agents by status.", labels=["status"])
    for status, count in metrics.by_status.items():
        agents.add_metric([status], count)
    progress = GaugeMetricFamily("cdev_progress_ratio", "Mean checklist completion over all agents.")
    progress.add_metric([], round(metrics.overall_progress, 4))
    per_agent = GaugeMetricFamily(
        "cdev_agent_progress_ratio", "Checklist completion of each agent.", labels=["agent", "task"]
    )
    for agent in snapshot.agents:
        per_agent.add_metric([agent.agent_id, agent.facts.task_id], round(agent.fraction, 4))
    violations = GaugeMetricFamily(
        "cdev_ownership_violations", "Changed files not owned by the agent that changed them."
    )
    violations.add_metric([], metrics.violations)
    states = GaugeMetricFamily(
        "cdev_agent_sessions",
        "Agent programs by session state (working, waiting, idle, exited).",
        labels=["state"],
    )
    counts: dict[str, int] = {}
    for info in sessions.values():
        counts[str(info.state)] = counts.get(str(info.state), 0) + 1
    for state in ("working", "waiting", "idle", "exited"):
        states.add_metric([state], counts.get(state, 0))
    caches = CounterMetricFamily(
        "cdev_cache_lookups",
        "Cached lookups by operation and outcome (hit: no work redone).",
        labels=["op", "outcome"],
    )
    for op, (hits, misses) in metrics.caches.items():
        caches.add_metric([op, "hit"], hits)
        caches.add_metric([op, "miss"], misses)
    families: list[Metric] = [agents, progress, per_agent, violations, states, caches]
    if metrics.outcomes is not None:
        families += _outcome_families(metrics.outcomes)
    if store is not None:
        families += _history_families(store)
    return families


def _outcome_families(outcomes: OutcomeSummary) -> list[Metric]:
    """Counters of how merges, predictions and resolutions ended, and the scan throughput, over the
    outcome window (:data:`cdev_tui.metrics_outcomes.WINDOW_DAYS`)."""
    merges = outcomes.merges
    integrations = CounterMetricFamily(
        "cdev_integrations",
        "Integration steps (one agent merged into an integration branch) by outcome; refused: kept out by "
        "the security gate.",
        labels=["outcome"],
    )
    for outcome, count in (
        ("merged", merges.merged_clean),
        ("resolved", merges.resolved),
        ("conflict", merges.conflicts),
        ("tests-failed", merges.tests_failed),
        ("failed", merges.failed),
        ("refused", merges.refused),
    ):
        integrations.add_metric([outcome], count)
    predictions = outcomes.predictions
    predicted = CounterMetricFamily(
        "cdev_conflicts_predicted",
        "Conflicts predicted before an integration run, by whether the run met them.",
        labels=["met"],
    )
    predicted.add_metric(["true"], predictions.predicted_met)
    predicted.add_metric(["false"], predictions.predicted_not_met)
    unpredicted = CounterMetricFamily(
        "cdev_conflicts_unpredicted", "Conflicts an integration run met that no prediction before it named."
    )
    unpredicted.add_metric([], predictions.met_not_predicted)
    accepted = CounterMetricFamily(
        "cdev_suggestions_accepted",
        "Resolved conflict hunks by where the written resolution came from (suggestion source, "
        "hand-edited, or a side picked).",
        labels=["source"],
    )
    for source, count in outcomes.suggestions.items():
        accepted.add_metric([source], count)
    families: list[Metric] = [integrations, predicted, unpredicted, accepted]
    if outcomes.scans is not None:
        scans = GaugeMetricFamily(
            "cdev_scan_throughput", "Median secret-scan throughput over recent scans.", labels=["unit"]
        )
        scans.add_metric(["files_per_second"], round(outcomes.scans.median_files_per_second, 3))
        if outcomes.scans.median_mb_per_second is not None:
            scans.add_metric(["megabytes_per_second"], round(outcomes.scans.median_mb_per_second, 3))
        families.append(scans)
    return families


def _history_families(store: Store) -> list[Metric]:
    waited = CounterMetricFamily(
        "cdev_human_wait_seconds", "Seconds each agent's program has waited for a person.", labels=["agent"]
    )
    for agent_id, seconds in sorted(store.session_seconds("waiting").items()):
        waited.add_metric([agent_id], round(seconds, 3))
    durations = HistogramMetricFamily(
        "cdev_operation_duration_seconds",
        "Durations of recorded operations (refresh, scan, prediction, merge, ...).",
        labels=["op"],
    )
    by_op: dict[str, list[float]] = {}
    for row in store.timings(limit=TIMINGS_READ):
        by_op.setdefault(row.op, []).append(row.seconds)
    for op, seconds in sorted(by_op.items()):
        buckets = [(str(edge), sum(1 for s in seconds if s <= edge)) for edge in DURATION_BUCKETS]
        buckets.append(("+Inf", len(seconds)))
        durations.add_metric([op], buckets, sum_value=round(sum(seconds), 6))
    return [waited, durations]


class WorkspaceCollector:
    """A ``prometheus_client`` collector that reads the workspace and the store afresh at every collection."""

    def __init__(self, read: Callable[[], list[Metric]]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        """The current metric families (a failed read becomes ``cdev_up 0``, never a broken scrape)."""
        up = GaugeMetricFamily("cdev_up", "1 when the workspace and the store could be read.")
        started = time.perf_counter()
        try:
            families = self._read()
        except Exception:  # a scrape reports the failure as a value; the server goes on
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        took = GaugeMetricFamily("cdev_scrape_seconds", "How long reading the workspace and the store took.")
        took.add_metric([], round(time.perf_counter() - started, 6))
        yield up
        yield took
        yield from families


def registry_for(read: Callable[[], list[Metric]]) -> CollectorRegistry:
    """A registry holding only cdev-tui's collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WorkspaceCollector(read))  # type: ignore[arg-type]
    return registry


def exposition(read: Callable[[], list[Metric]]) -> str:
    """The text exposition of one collection."""
    return generate_latest(registry_for(read)).decode()
