"""Plan validation: every error (blocks saving and spawning) and warning (shown) about a plan."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from cdev_tui.plan import Plan
from cdev_tui.planner.graph import find_cycles


@dataclass(frozen=True)
class PlanProblem:
    """One thing wrong with a plan; errors block saving and spawning, warnings are shown."""

    severity: Literal["error", "warning"]
    agent_id: str | None
    message: str


def _unsafe_path(path: str) -> str | None:
    if not path.strip():
        return "an empty path"
    pure = PurePosixPath(path)
    if pure.is_absolute() or re.match(r"^[A-Za-z]:[\\/]", path):
        return "an absolute path"
    if ".." in pure.parts or "\\" in path:
        return "a path outside the repository"
    if pure.parts and pure.parts[0] == ".git":
        return "a path inside .git"
    return None


def validate_plan(plan: Plan, repo: Path | None = None) -> list[PlanProblem]:
    """Everything wrong with ``plan``: errors first (in plan order), then warnings.

    Errors: no taskId, no agents, duplicate agent ids, agents without files, unsafe paths, a path owned by two
    agents, unknown dependencies, dependency cycles. Warnings: with ``repo``, MODIFY paths that do not exist and
    CREATE paths that already do; a merge order that misses agents, names unknown ones or breaks dependencies;
    a ``canStartImmediately`` that contradicts the dependencies; requirements the decomposer could not place.
    """
    errors: list[PlanProblem] = []
    warnings: list[PlanProblem] = []

    def error(agent: str | None, message: str) -> None:
        errors.append(PlanProblem("error", agent, message))

    def warn(agent: str | None, message: str) -> None:
        warnings.append(PlanProblem("warning", agent, message))

    if not plan.task_id or plan.task_id == "unknown":
        error(None, "the plan has no taskId")
    if not plan.agents:
        error(None, "the plan has no agents")
    counts = Counter(a.agent_id for a in plan.agents)
    for agent_id in sorted(k for k, n in counts.items() if n > 1):
        error(agent_id, f"agent id {agent_id} is used by {counts[agent_id]} agents")
    known = set(counts)
    owners: dict[str, list[str]] = {}
    for agent in plan.agents:
        if not agent.agent_id.strip():
            error(None, "an agent has an empty agentId")
        if not agent.owned_files:
            error(agent.agent_id, f"{agent.agent_id} owns no files")
        for path in dict.fromkeys(agent.owned_files):
            reason = _unsafe_path(path)
            if reason:
                error(agent.agent_id, f"{agent.agent_id}: {path!r} is {reason}")
            owners.setdefault(path, []).append(agent.agent_id)
        both = sorted(set(agent.files_to_create) & set(agent.files_to_modify))
        for path in both:
            warn(agent.agent_id, f"{agent.agent_id} lists {path} both to create and to modify")
        for dep in agent.dependencies:
            if dep == agent.agent_id:
                continue  # reported as a cycle
            if dep not in known:
                error(agent.agent_id, f"{agent.agent_id} depends on unknown agent {dep}")
    for path, agent_ids in owners.items():
        distinct = list(dict.fromkeys(agent_ids))
        if len(distinct) > 1:
            error(distinct[1], f"{path} is owned by {' and '.join(distinct)} (ownership must be exclusive)")
    for cycle in find_cycles(plan.agents):
        error(cycle[0], "dependency cycle: " + " → ".join(cycle))
    if repo is not None:
        root = Path(repo)
        for agent in plan.agents:
            for path in agent.files_to_modify:
                if not _unsafe_path(path) and not (root / path).exists():
                    warn(agent.agent_id, f"{agent.agent_id} modifies {path}, which does not exist")
            for path in agent.files_to_create:
                if not _unsafe_path(path) and (root / path).exists():
                    warn(agent.agent_id, f"{agent.agent_id} creates {path}, which already exists")
    if plan.merge_order:
        order = list(plan.merge_order)
        for agent_id in order:
            if agent_id not in known:
                warn(agent_id, f"the merge order names unknown agent {agent_id}")
        missing = [a for a in counts if a not in order]
        if missing:
            warn(None, f"the merge order misses {', '.join(missing)}")
        position = {a: i for i, a in enumerate(order)}
        for agent in plan.agents:
            for dep in agent.dependencies:
                if (
                    dep in position
                    and agent.agent_id in position
                    and position[dep] > position[agent.agent_id]
                ):
                    warn(agent.agent_id, f"the merge order puts {agent.agent_id} before its dependency {dep}")
    for agent in plan.agents:
        if agent.can_start_immediately and any(d in known for d in agent.dependencies):
            warn(agent.agent_id, f"{agent.agent_id} is marked to start immediately but has dependencies")
    for requirement in plan.extras.get("unplacedRequirements") or ():
        warn(None, f"no files found for requirement: {requirement}")
    return errors + warnings
