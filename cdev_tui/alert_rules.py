"""The alert rules beyond the fixed thresholds of :mod:`cdev_tui.alerts` (Textual-free): an agent far slower
than its own usual pace, tests failing at integration, conflicts predicted, secrets and vulnerable
dependencies found. Messages never carry a secret: a finding is told by its rule, file and line."""

from __future__ import annotations

import hashlib
import itertools
import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cdev_tui.alerts import Alert, AlertSettings, robust_score
from cdev_tui.forecast import item_seconds

if TYPE_CHECKING:
    from cdev_tui.conflicts.report import ConflictReport
    from cdev_tui.security.deps.model import DepsReport
    from cdev_tui.security.model import ScanReport
    from cdev_tui.store import AgentSnapshotRow, Store

MIN_ITEMS = 3
"""Checklist items an agent must have finished before its pace is a baseline."""


def slow_pace(rows: Sequence[AgentSnapshotRow], settings: AlertSettings, now: float) -> list[Alert]:
    """Agents whose current checklist item has taken far longer than their items usually take.

    Each agent is its own baseline: the times its finished items took (median and MAD), so a slow agent
    on hard work is not flagged for being slow, only for being much slower than itself.
    """
    by_agent: dict[str, list[AgentSnapshotRow]] = {}
    for row in sorted(rows, key=lambda r: r.ts):
        by_agent.setdefault(row.agent_id, []).append(row)
    alerts = []
    for agent_id, history in sorted(by_agent.items()):
        last = history[-1]
        if last.status != "in progress" or last.done >= last.total:
            continue
        times = item_seconds(history)
        if len(times) < MIN_ITEMS:
            continue
        since = _last_tick(history)
        taken = now - since
        if taken < settings.pace_minutes * 60:
            continue
        score = robust_score(taken, times)
        if score >= settings.pace_score:
            usual = statistics.median(times) / 60
            text = (
                f"{agent_id}: item {last.done + 1} of {last.total} has taken {taken / 60:.0f} min, "
                f"its items usually take {usual:.0f} min"
            )
            alerts.append(Alert("slow-pace", agent_id, text, since))
    return alerts


def _last_tick(history: Sequence[AgentSnapshotRow]) -> float:
    """When the agent last ticked an item (or first showed up, before it ticked any)."""
    since = history[0].ts
    for previous, row in itertools.pairwise(history):
        if row.done > previous.done:
            since = row.ts
    return since


def failed_tests(store: Store, now: float) -> list[Alert]:
    """Agents whose latest integration, in the last day, merged but failed the project's tests."""
    latest = {}
    for row in store.outcomes("integrate", since=now - 86400):
        if row.subject:
            latest[row.subject] = row
    return [
        Alert(
            "tests-failed",
            agent_id,
            f"{agent_id}: the tests failed after merging it into {row.run or 'the integration branch'}",
            row.ts,
            instance=row.run,
        )
        for agent_id, row in sorted(latest.items())
        if row.outcome == "tests-failed"
    ]


def predicted_conflicts(report: ConflictReport, now: float) -> list[Alert]:
    """Every pair of agents, and every agent against the target, predicted to conflict; the same files in
    conflict are the same alert, a new file makes it new."""
    alerts = []
    for pair, against in [(p, p.b) for p in report.pairs] + [(p, "target") for p in report.vs_target]:
        files = pair.conflicted_files
        if not files:
            continue
        shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        other = "the target branch" if against == "target" else against
        text = f"{pair.a} and {other} would conflict in {shown}"
        alerts.append(
            Alert("conflict-predicted", f"{pair.a} × {against}", text, now, instance=_digest(files))
        )
    return alerts


def security_findings(findings: ScanReport | None, deps: DepsReport | None, now: float) -> list[Alert]:
    """A secret found in an agent's work (not set aside by the baseline), or a vulnerable dependency."""
    alerts = []
    for finding in findings.findings if findings is not None else ():
        where = finding.root_label or "main"
        text = f"{where}: {finding.description} ({finding.severity}) in {finding.path}:{finding.line}"
        alerts.append(Alert("secret", where, text, now, instance=finding.fingerprint))
    for vulnerable in deps.vulnerable if deps is not None else ():
        dependency = vulnerable.dependency
        where = dependency.root_label or "main"
        text = (
            f"{where}: {dependency.name} {dependency.version} has {vulnerable.advisory_id} "
            f"({vulnerable.severity}){' — fixed in ' + vulnerable.fixed if vulnerable.fixed else ''}"
        )
        instance = f"{vulnerable.advisory_id}:{dependency.name}:{dependency.version}"
        alerts.append(Alert("vulnerability", where, text, now, instance=instance))
    return alerts


def _digest(files: Sequence[str]) -> str:
    return hashlib.sha1("\n".join(sorted(files)).encode()).hexdigest()[:12]
