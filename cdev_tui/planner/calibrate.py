"""Estimates that learn from history: a new plan's minutes scaled by how long finished agents really took.

The ratio is the median of real over estimated minutes among the workspace's finished agents (as
:func:`cdev_tui.forecast.calibration_ratio` works it out). Their estimates are compared as the planner made
them: a plan that was itself calibrated records its ratio (``estimateCalibration``), which is divided out
again, so calibrating twice does not undo the first.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cdev_tui.forecast import FINISHED
from cdev_tui.plan import Plan

if TYPE_CHECKING:
    from cdev_tui.workspace import Agent

CALIBRATION_KEY = "estimateCalibration"
"""The plan's top-level key that records how its estimates were scaled."""


@dataclass(frozen=True)
class FinishedAgent:
    """A finished agent: how long it really took and what the planner estimated, in minutes."""

    agent_id: str
    real_minutes: float
    estimated_minutes: float


@dataclass(frozen=True)
class Calibration:
    """How a plan's estimates are scaled, and from how many finished agents."""

    ratio: float
    finished: int

    @property
    def note(self) -> str:
        """One line for the user, e.g. ``estimates x1.4 from 6 finished agents`` (with a multiplication sign)."""
        agents = "agent" if self.finished == 1 else "agents"
        return f"estimates ×{self.ratio:.1f} from {self.finished} finished {agents}"


def calibration_from(history: Sequence[FinishedAgent]) -> Calibration | None:
    """The median of real over estimated minutes; None without a finished agent that has both."""
    ratios = [
        h.real_minutes / h.estimated_minutes
        for h in history
        if h.real_minutes > 0 and h.estimated_minutes > 0
    ]
    return Calibration(statistics.median(ratios), len(ratios)) if ratios else None


def scaled(minutes: int, ratio: float) -> int:
    """``minutes * ratio`` rounded half up, at least one minute."""
    return max(1, int(minutes * ratio + 0.5))


def calibrate_estimates(
    estimates: Mapping[str, int | None], history: Sequence[FinishedAgent]
) -> tuple[dict[str, int | None], Calibration | None]:
    """Each estimate scaled by the history's ratio (an agent without an estimate keeps none), and the
    calibration used; the estimates unchanged when the history says nothing."""
    calibration = calibration_from(history)
    if calibration is None:
        return dict(estimates), None
    return {
        agent: None if minutes is None else scaled(minutes, calibration.ratio)
        for agent, minutes in estimates.items()
    }, calibration


def calibrate_plan(plan: Plan, history: Sequence[FinishedAgent]) -> tuple[Plan, Calibration | None]:
    """``plan`` with calibrated estimates and the calibration recorded in its extras (``plan`` itself when
    the history says nothing)."""
    estimates, calibration = calibrate_estimates(
        {a.agent_id: a.estimated_minutes for a in plan.agents}, history
    )
    if calibration is None:
        return plan, None
    agents = tuple(replace(a, estimated_minutes=estimates[a.agent_id]) for a in plan.agents)
    record = {
        "ratio": round(calibration.ratio, 3),
        "finishedAgents": calibration.finished,
        "note": calibration.note,
    }
    return replace(plan, agents=agents, extras={**plan.extras, CALIBRATION_KEY: record}), calibration


def plan_ratio(plan: Plan | None) -> float:
    """The ratio a plan's estimates were calibrated by (1 for a plan that was not)."""
    record = plan.extras.get(CALIBRATION_KEY) if plan is not None else None
    ratio = record.get("ratio") if isinstance(record, Mapping) else None
    return (
        float(ratio) if isinstance(ratio, int | float) and not isinstance(ratio, bool) and ratio > 0 else 1.0
    )


def finished_history(agents: Sequence[Agent], plans: Sequence[Plan]) -> list[FinishedAgent]:
    """The finished agents of a workspace with their real minutes and their estimates as first made."""
    by_task = {p.task_id: p for p in plans}
    history = []
    for agent in agents:
        estimate = agent.spec.estimated_minutes
        if str(agent.status) in FINISHED and agent.elapsed_minutes and estimate:
            raw = estimate / plan_ratio(by_task.get(agent.facts.task_id))
            history.append(FinishedAgent(agent.agent_id, float(agent.elapsed_minutes), raw))
    return history


def repository_history(repo: Path) -> list[FinishedAgent]:
    """:func:`finished_history` of the workspace around ``repo``, read without the store (nothing written)."""
    from cdev_tui.config import load_config
    from cdev_tui.workspace import WorkspaceLoader, resolve_paths

    paths = resolve_paths(repo, load_config(repo))
    snapshot = WorkspaceLoader(paths, stall_minutes=0).load()
    return finished_history(snapshot.agents, snapshot.task_plans)
