"""Deployment plans: one normalised model for every plan variant cdev has written."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.structured import load_structured


@dataclass(frozen=True)
class PlanAgent:
    """One agent of a plan, whatever key names the file used."""

    agent_id: str
    role: str = ""
    focus_area: str = ""
    dependencies: tuple[str, ...] = ()
    files_to_create: tuple[str, ...] = ()
    files_to_modify: tuple[str, ...] = ()
    test_contracts: tuple[str, ...] = ()
    validation_criteria: tuple[str, ...] = ()
    estimated_minutes: int | None = None
    can_start_immediately: bool | None = None
    program: str = ""
    """The program profile that runs this agent (``program`` in the plan); empty: the configured default."""

    @property
    def owned_files(self) -> tuple[str, ...]:
        """Every path this agent owns (created or modified)."""
        return tuple(dict.fromkeys((*self.files_to_create, *self.files_to_modify)))


@dataclass(frozen=True)
class Plan:
    """A task-level deployment plan (cdev's ``parallelAgents`` schema)."""

    task_id: str
    task_title: str
    agents: tuple[PlanAgent, ...]
    merge_order: tuple[str, ...] = ()
    path: Path | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    validation_steps: tuple[str, ...] = ()  # integrationPlan.validationSteps

    def agent(self, agent_id: str) -> PlanAgent | None:
        """The agent with this id, or None."""
        return next((a for a in self.agents if a.agent_id == agent_id), None)

    def owners(self) -> dict[str, list[str]]:
        """Path → the agents that own it (more than one means the plan is not exclusive)."""
        result: dict[str, list[str]] = {}
        for agent in self.agents:
            for path in agent.owned_files:
                result.setdefault(path, []).append(agent.agent_id)
        return result


_MINUTES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minute|minutes|h|hr|hrs|hour|hours)?\s*$", re.I)


def parse_minutes(value: Any) -> int | None:
    """An estimate in minutes from ``25``, ``"30 minutes"`` or ``"1.5 hours"``; None when absent or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    match = _MINUTES.match(str(value))
    if not match:
        return None
    number = float(match.group(1))
    unit = (match.group(2) or "m").lower()
    return round(number * 60 if unit.startswith("h") else number)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(dict.fromkeys(str(v) for v in value if v is not None and str(v).strip()))
    return ()


def _first(entry: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if entry.get(key) is not None:
            return entry[key]
    return None


def plan_agent_from_dict(entry: Mapping[str, Any]) -> PlanAgent:
    """Normalise one ``parallelAgents`` entry or agent context (camelCase, ``all*`` and snake_case keys)."""
    agent_id = _first(entry, "agentId", "agent_id", "id")
    if not agent_id:
        raise ValueError("agent entry has no agentId")
    instances = entry.get("agentInstances") or []
    first_instance = instances[0] if instances and isinstance(instances[0], Mapping) else {}
    can_start = _first(entry, "canStartImmediately", "can_start_immediately")
    return PlanAgent(
        agent_id=str(agent_id),
        role=str(_first(entry, "agentRole", "agent_role", "role") or first_instance.get("agentRole") or ""),
        focus_area=str(_first(entry, "focusArea", "focus_area") or first_instance.get("focusArea") or ""),
        dependencies=_strings(_first(entry, "dependencies", "deps")),
        files_to_create=_strings(_first(entry, "filesToCreate", "allFilesToCreate", "files_to_create")),
        files_to_modify=_strings(_first(entry, "filesToModify", "allFilesToModify", "files_to_modify")),
        test_contracts=_strings(_first(entry, "testContracts", "allTestContracts", "test_contracts")),
        validation_criteria=_strings(
            _first(entry, "validationCriteria", "allValidationCriteria", "validation_criteria")
        ),
        estimated_minutes=parse_minutes(_first(entry, "estimatedTime", "estimated_time")),
        can_start_immediately=None if can_start is None else bool(can_start),
        program=str(_first(entry, "program", "agentProgram") or ""),
    )


def plan_from_dict(data: Any, path: Path | None = None) -> Plan:
    """Build a :class:`Plan` from parsed plan data; raises ValueError describing what is wrong.

    ``integrationPlan.validationSteps`` become :attr:`Plan.validation_steps`. An ``exclusiveOwnership`` block
    is derived data: it is not kept as written but recomputed from the agents (:func:`ownership_summary`),
    so a stale block never survives loading. Other unknown top-level keys are kept in :attr:`Plan.extras`.
    """
    if not isinstance(data, Mapping):
        raise ValueError("expected a mapping at the top level")
    entries = data.get("parallelAgents")
    if entries is None and isinstance(data.get("agents"), list):
        entries = data["agents"]
    if entries is None:
        if "integration_order" in data:
            raise ValueError("this is a per-agent deployment plan (integration_order), not a task plan")
        raise ValueError("no parallelAgents list")
    if not isinstance(entries, list):
        raise ValueError("parallelAgents is not a list")
    merged: dict[str, PlanAgent] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ValueError(f"parallelAgents[{index}] is not a mapping")
        try:
            agent = plan_agent_from_dict(entry)
        except ValueError as exc:
            raise ValueError(f"parallelAgents[{index}]: {exc}") from None
        merged[agent.agent_id] = _merge_instances(merged.get(agent.agent_id), agent)
    integration = data.get("integrationPlan") if isinstance(data.get("integrationPlan"), Mapping) else {}
    order = _strings(integration.get("mergeOrder")) or _strings(data.get("integration_order"))
    known = {
        "taskId",
        "taskTitle",
        "parallelAgents",
        "integrationPlan",
        "integration_order",
        "exclusiveOwnership",
    }
    agents = tuple(merged.values())
    extras = {k: v for k, v in data.items() if k not in known}
    if "exclusiveOwnership" in data:
        extras["exclusiveOwnership"] = ownership_summary(agents)
    return Plan(
        task_id=str(_first(data, "taskId", "task_id") or "unknown"),
        task_title=str(_first(data, "taskTitle", "task_title") or ""),
        agents=agents,
        merge_order=order,
        path=path,
        extras=extras,
        validation_steps=_strings(integration.get("validationSteps")),
    )


def _merge_instances(existing: PlanAgent | None, new: PlanAgent) -> PlanAgent:
    """Several entries with one agentId form one agent: union of lists, summed estimates (as cdev's spawn did)."""
    if existing is None:
        return new

    def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*a, *b)))

    minutes = (existing.estimated_minutes or 0) + (new.estimated_minutes or 0)
    return PlanAgent(
        agent_id=existing.agent_id,
        role=existing.role or new.role,
        focus_area=existing.focus_area or new.focus_area,
        dependencies=union(existing.dependencies, new.dependencies),
        files_to_create=union(existing.files_to_create, new.files_to_create),
        files_to_modify=union(existing.files_to_modify, new.files_to_modify),
        test_contracts=union(existing.test_contracts, new.test_contracts),
        validation_criteria=union(existing.validation_criteria, new.validation_criteria),
        estimated_minutes=minutes or None,
        can_start_immediately=bool(existing.can_start_immediately and new.can_start_immediately),
        program=existing.program or new.program,
    )


def load_plan(path: Path) -> Plan:
    """Read a task plan (YAML or JSON, any historical variant); a bad file raises a one-line CdevError."""
    data = load_structured(path)
    try:
        return plan_from_dict(data, path)
    except ValueError as exc:
        raise CdevError(f"{path}: {exc}") from None


def find_plans(repo: Path) -> list[Path]:
    """Task plans under ``shared/deployment-plans/`` (per-agent plans are told apart by content later)."""
    folder = repo / "shared" / "deployment-plans"
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.suffix in (".json", ".yaml", ".yml") and p.name.endswith(p.suffix)
    )


def critical_path(agents: Sequence[PlanAgent]) -> tuple[list[str], int]:
    """The longest chain of dependencies by estimated minutes, and its length in minutes."""
    by_id = {a.agent_id: a for a in agents}
    memo: dict[str, tuple[int, list[str]]] = {}

    def longest(agent_id: str, trail: frozenset[str]) -> tuple[int, list[str]]:
        if agent_id in memo:
            return memo[agent_id]
        agent = by_id[agent_id]
        best: tuple[int, list[str]] = (0, [])
        for dep in agent.dependencies:
            if dep in by_id and dep not in trail:
                candidate = longest(dep, trail | {agent_id})
                if candidate[0] > best[0]:
                    best = candidate
        result = (best[0] + (agent.estimated_minutes or 0), [*best[1], agent_id])
        memo[agent_id] = result
        return result

    if not agents:
        return [], 0
    minutes, chain = max((longest(a.agent_id, frozenset()) for a in agents), key=lambda r: r[0])
    return chain, minutes


def ownership_summary(agents: Sequence[PlanAgent]) -> dict[str, Any]:
    """cdev's ``exclusiveOwnership`` block: validated, totalFiles and each agent's files."""
    owners: dict[str, set[str]] = {}
    for agent in agents:
        for path in agent.owned_files:
            owners.setdefault(path, set()).add(agent.agent_id)
    return {
        "validated": all(len(v) == 1 for v in owners.values()),
        "totalFiles": len(owners),
        "agentOwnership": {a.agent_id: list(a.owned_files) for a in agents},
    }
