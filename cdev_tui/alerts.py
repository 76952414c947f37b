"""Alert rules: fixed thresholds beside baselines learned from the history (Textual-free).

Fixed rules: an agent stalled, over its estimate, its program waiting for a person too long. Learned rule: an
operation (refresh, scan, prediction, ...) much slower than its own usual, by a robust score — the distance of
the latest run from the median of the runs before it, in median absolute deviations — so one slow machine
does not page anybody and a planted slowdown does.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cdev_tui.errors import CdevError

if TYPE_CHECKING:
    from cdev_tui.conflicts.report import ConflictReport
    from cdev_tui.security.deps.model import DepsReport
    from cdev_tui.security.model import ScanReport
    from cdev_tui.store import Store, TimingRow
    from cdev_tui.workspace import WorkspaceSnapshot

WEBHOOK_KINDS = ("slack", "discord", "teams", "json")


@dataclass(frozen=True)
class Webhook:
    """Where alerts are posted, in that platform's payload format."""

    kind: str
    url: str


@dataclass(frozen=True)
class AlertSettings:
    """The ``[alerts]`` table of the config."""

    over_estimate_percent: int = 50
    """An agent this far over its plan's estimate raises an alert."""
    waiting_minutes: int = 10
    """An agent's program waiting for a person longer than this raises an alert."""
    stalled: bool = True
    """An agent flagged stalled (no activity for ``stall_minutes``) raises an alert."""
    slow_score: float = 6.0
    """How many median absolute deviations above its median an operation must take to count as slow."""
    slow_window: int = 30
    """How many earlier runs of an operation make its baseline (at least 8 are needed)."""
    pace_score: float = 6.0
    """How many median absolute deviations above an agent's usual time per checklist item its current item
    must take to count as slow (its baseline: the items it finished in the last day, at least 3)."""
    pace_minutes: int = 10
    """An item must also have taken at least this long before its slowness is told."""
    conflicts: bool = True
    """A conflict newly predicted between two agents, or with the target branch, raises an alert."""
    secrets: bool = True
    """A secret or a vulnerable dependency found in an agent's work raises an alert."""
    tests: bool = True
    """Tests failing while an agent was integrated raise an alert."""
    webhooks: tuple[Webhook, ...] = field(default=())
    bell: bool = False
    desktop: bool = False


@dataclass(frozen=True)
class Alert:
    """A rule firing, for one agent or one operation."""

    rule: str
    subject: str
    """The agent id, or the operation for an operation rule."""
    message: str
    since: float
    """When the condition began (epoch seconds)."""
    instance: str = ""
    """What tells this condition from another of the same rule and subject when its start is not known
    (the files of a conflict, a finding's fingerprint); empty: its start does."""

    @property
    def key(self) -> str:
        """Identifies this alert across evaluations (the same condition is told once)."""
        return f"{self.rule}:{self.subject}:{self.instance or f'{self.since:.0f}'}"

    def to_json(self) -> dict[str, Any]:
        """The alert as ``alerts --format json`` prints it."""
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(self.since, UTC).isoformat(timespec="seconds")
        return {"rule": self.rule, "agent": self.subject, "message": self.message, "since": when}


def evaluate(
    snapshot: WorkspaceSnapshot,
    store: Store | None,
    sessions: Mapping[str, Any],
    settings: AlertSettings,
    now: float,
    *,
    conflicts: ConflictReport | None = None,
    findings: ScanReport | None = None,
    deps: DepsReport | None = None,
) -> list[Alert]:
    """Every alert firing now: the fixed rules, the learned ones (from the store), and those of the latest
    conflict prediction and security scans when they are given."""
    from cdev_tui import alert_rules

    alerts: list[Alert] = []
    for agent in snapshot.agents:
        facts = agent.facts
        if settings.stalled and agent.stalled:
            since = facts.last_activity.timestamp() if facts.last_activity else now
            minutes = (now - since) / 60
            alerts.append(
                Alert(
                    "stalled", agent.agent_id, f"{agent.agent_id}: no activity for {minutes:.0f} min", since
                )
            )
        estimate, elapsed = agent.spec.estimated_minutes, agent.elapsed_minutes
        limit = estimate * (1 + settings.over_estimate_percent / 100) if estimate else None
        if (
            limit is not None
            and elapsed is not None
            and elapsed > limit
            and str(agent.status) == "in progress"
        ):
            since = facts.started_at.timestamp() + limit * 60 if facts.started_at else now
            text = f"{agent.agent_id}: {elapsed} min against an estimate of {estimate} min"
            alerts.append(Alert("over-estimate", agent.agent_id, text, since))
        session = sessions.get(agent.agent_id)
        if session is not None and str(session.state) == "waiting":
            waited = (now - session.since) / 60
            if waited >= settings.waiting_minutes:
                text = (
                    f"{agent.agent_id}: its program ({session.program}) has waited for you {waited:.0f} min"
                )
                alerts.append(Alert("waiting-for-human", agent.agent_id, text, session.since))
    if store is not None:
        alerts += slow_operations(store.timings(limit=5000), settings)
        alerts += alert_rules.slow_pace(store.snapshot_changes(now - 86400), settings, now)
        if settings.tests:
            alerts += alert_rules.failed_tests(store, now)
    if conflicts is not None and settings.conflicts:
        alerts += alert_rules.predicted_conflicts(conflicts, now)
    if settings.secrets:
        alerts += alert_rules.security_findings(findings, deps, now)
    return alerts


def robust_score(value: float, history: Sequence[float]) -> float:
    """How far ``value`` lies above the median of ``history``, in median absolute deviations (scaled to a
    standard deviation for normal noise); a floor keeps an all-equal history from dividing by zero."""
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history) * 1.4826
    return (value - median) / max(mad, abs(median) * 0.05, 1e-6)


def slow_operations(rows: Sequence[TimingRow], settings: AlertSettings) -> list[Alert]:
    """The operations whose latest run was far slower than their own usual."""
    by_op: dict[str, list[TimingRow]] = {}
    for row in sorted(rows, key=lambda r: r.ts):
        by_op.setdefault(row.op, []).append(row)
    alerts = []
    for op, runs in sorted(by_op.items()):
        latest, before = runs[-1], [r.seconds for r in runs[-1 - settings.slow_window : -1]]
        if len(before) < 8:
            continue
        score = robust_score(latest.seconds, before)
        if score >= settings.slow_score:
            usual = statistics.median(before)
            text = f"{op} took {latest.seconds * 1000:.0f} ms, usually {usual * 1000:.0f} ms ({score:.0f} MADs over)"
            alerts.append(Alert("slow-operation", op, text, latest.ts))
    return alerts


def parse_alerts(data: Any, source: str) -> AlertSettings:
    """The ``[alerts]`` table; a one-line error naming the file and the key when it is wrong."""
    if not isinstance(data, Mapping):
        raise CdevError(f"{source}: alerts must be a table ([alerts])")
    known = {f for f in AlertSettings.__dataclass_fields__}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{source}: alerts.{key}"
        if key not in known:
            raise CdevError(f"{source}: unknown key alerts.{key} (known: {', '.join(sorted(known))})")
        if key == "webhooks":
            changes[key] = _webhooks(value, where)
        elif key in ("stalled", "bell", "desktop", "conflicts", "secrets", "tests"):
            if not isinstance(value, bool):
                raise CdevError(f"{where} must be true or false, got {value!r}")
            changes[key] = value
        elif key in ("slow_score", "pace_score"):
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise CdevError(f"{where} must be a positive number, got {value!r}")
            changes[key] = float(value)
        else:
            low = 8 if key == "slow_window" else 0
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise CdevError(f"{where} must be an integer of at least {low}, got {value!r}")
            changes[key] = value
    return AlertSettings(**changes)


def _webhooks(value: Any, where: str) -> tuple[Webhook, ...]:
    if not isinstance(value, list):
        raise CdevError(f'{where} must be a list of {{kind = "slack", url = "https://..."}} tables')
    hooks = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"kind", "url"}:
            raise CdevError(f"{here} must have exactly kind and url")
        if item["kind"] not in WEBHOOK_KINDS:
            raise CdevError(f"{here}.kind must be one of {', '.join(WEBHOOK_KINDS)}, got {item['kind']!r}")
        url = item["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise CdevError(f"{here}.url must be an http(s) URL, got {url!r}")
        hooks.append(Webhook(item["kind"], url))
    return tuple(hooks)
