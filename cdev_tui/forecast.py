"""When each agent and the whole run will be done, and how long work waited (Textual-free).

Forecasts come from each agent's own pace, with a range.

An agent's pace is the time its checklist items took, read from its progress snapshots: the remaining items
times the median item time is the expected finish, times the lower and upper quartiles the range. An agent
with no finished item yet falls back to its plan estimate, calibrated by how long the finished agents really
took against theirs (the median ratio), which is also what the next plan's estimates should be scaled by.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdev_tui.store import AgentSnapshotRow
    from cdev_tui.workspace import Agent, WorkspaceSnapshot

FINISHED = ("complete", "committed", "merged")


@dataclass(frozen=True)
class Forecast:
    """One agent's expected finish (epoch seconds) and its range; None when nothing can be said."""

    agent_id: str
    remaining: int
    finish: float | None
    early: float | None
    late: float | None
    basis: str
    """``done``, ``pace`` (its own item times), ``estimate`` (the plan's, calibrated) or ``unknown``."""


@dataclass(frozen=True)
class RunForecast:
    """Every agent's forecast and the run's: done when its last agent is."""

    agents: tuple[Forecast, ...]
    finish: float | None
    early: float | None
    late: float | None
    calibration: float | None
    """Real time over estimated time of the finished agents (median); None without any."""


def item_seconds(rows: Sequence[AgentSnapshotRow]) -> list[float]:
    """How long each checklist item took: the time between progress steps, shared by the items of a step."""
    steps: list[float] = []
    previous: AgentSnapshotRow | None = None
    for row in sorted(rows, key=lambda r: r.ts):
        if previous is None or row.done < previous.done:  # the first row, or items unticked: count from here
            previous = row
        elif row.done > previous.done:
            gained = row.done - previous.done
            steps += [(row.ts - previous.ts) / gained] * gained
            previous = row
    return steps


def calibration_ratio(agents: Sequence[Agent]) -> float | None:
    """The median of real over estimated minutes among the finished agents that had both."""
    ratios = [
        a.elapsed_minutes / a.spec.estimated_minutes
        for a in agents
        if str(a.status) in FINISHED and a.elapsed_minutes and a.spec.estimated_minutes
    ]
    return statistics.median(ratios) if ratios else None


def forecast_agent(
    agent: Agent, rows: Sequence[AgentSnapshotRow], now: float, calibration: float | None
) -> Forecast:
    """One agent's forecast from its own pace, else from its calibrated estimate."""
    done, total = agent.progress
    remaining = max(0, total - done)
    if str(agent.status) in FINISHED or (total and remaining == 0):
        return Forecast(agent.agent_id, 0, now, now, now, "done")
    times = item_seconds(rows)
    if len(times) >= 2:
        quartiles = statistics.quantiles(times, n=4, method="inclusive")
        median = statistics.median(times)
        return Forecast(
            agent.agent_id,
            remaining,
            now + remaining * median,
            now + remaining * quartiles[0],
            now + remaining * quartiles[2],
            "pace",
        )
    estimate = agent.spec.estimated_minutes
    started = agent.facts.started_at.timestamp() if agent.facts.started_at else None
    if estimate and started is not None:
        planned = estimate * 60 * (calibration or 1.0)
        per_item = planned / total if total else planned
        left = remaining * per_item if total else planned
        # On schedule: the calibrated estimate; behind it: what is left at the estimated pace, from now.
        finish = max(started + planned, now + left)
        early = max(started + planned * 0.75, now + left * 0.75)
        late = max(started + planned * 1.5, now + left * 1.5)
        return Forecast(agent.agent_id, remaining, finish, early, late, "estimate")
    return Forecast(agent.agent_id, remaining, None, None, None, "unknown")


def forecast_run(
    snapshot: WorkspaceSnapshot, rows_by_agent: Mapping[str, Sequence[AgentSnapshotRow]], now: float
) -> RunForecast:
    """Every agent's forecast, and the run's (its slowest agent; unknown while any agent is unknown)."""
    calibration = calibration_ratio(snapshot.agents)
    forecasts = tuple(
        forecast_agent(agent, rows_by_agent.get(agent.agent_id, ()), now, calibration)
        for agent in snapshot.agents
    )
    known = [f for f in forecasts if f.finish is not None]
    if not forecasts or len(known) < len(forecasts):
        return RunForecast(forecasts, None, None, None, calibration)
    return RunForecast(
        forecasts,
        max(f.finish for f in known),  # type: ignore[type-var]
        max(f.early for f in known),  # type: ignore[type-var]
        max(f.late for f in known),  # type: ignore[type-var]
        calibration,
    )


def status_seconds(rows: Sequence[AgentSnapshotRow], now: float) -> dict[str, dict[str, float]]:
    """Agent id → status → seconds spent in it, from the progress snapshots (each status lasts until the
    agent's next snapshot, the last one until ``now``)."""
    by_agent: dict[str, list[AgentSnapshotRow]] = {}
    for row in sorted(rows, key=lambda r: r.ts):
        by_agent.setdefault(row.agent_id, []).append(row)
    result: dict[str, dict[str, float]] = {}
    for agent_id, agent_rows in by_agent.items():
        spent: dict[str, float] = {}
        for row, following in zip(agent_rows, [*agent_rows[1:], None], strict=True):
            end = following.ts if following is not None else now
            spent[row.status] = spent.get(row.status, 0.0) + max(0.0, end - row.ts)
        result[agent_id] = spent
    return result


def human_wait(
    rows: Sequence[AgentSnapshotRow], program_waiting: Mapping[str, float], now: float
) -> dict[str, dict[str, float]]:
    """Agent id → seconds its work waited for a person, by reason: its program asking (``program``), its
    checklist done but the work not committed (``commit``); and, apart, waiting on other agents
    (``dependencies``: blocked)."""
    spent = status_seconds(rows, now)
    agents = sorted({*spent, *program_waiting})
    return {
        agent: {
            "program": round(program_waiting.get(agent, 0.0), 1),
            "commit": round(spent.get(agent, {}).get("complete", 0.0), 1),
            "dependencies": round(spent.get(agent, {}).get("blocked", 0.0), 1),
        }
        for agent in agents
    }
