"""Pure editing operations on a :class:`~cdev_tui.plan.Plan`, for the plan editor screen.

Each operation returns a new plan with the derived fields (``canStartImmediately``, the merge order, the
ownership block) recomputed, and raises :class:`CdevError` with a clear message when the edit is invalid.
Ownership stays exclusive: a file moved to an agent is removed from every other agent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent
from cdev_tui.planner import find_cycles, with_derived

_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
MAX_MINUTES = 100_000


def recompute(plan: Plan) -> Plan:
    """``plan`` with canStartImmediately, the merge order (topological, ties by id) and ownership recomputed."""
    return with_derived(plan)


def _agent(plan: Plan, agent_id: str) -> PlanAgent:
    agent = plan.agent(agent_id)
    if agent is None:
        known = ", ".join(a.agent_id for a in plan.agents) or "none"
        raise CdevError(f"no agent {agent_id!r} in plan {plan.task_id} (agents: {known})")
    return agent


def _replace_agent(plan: Plan, agent_id: str, new: PlanAgent) -> Plan:
    return replace(plan, agents=tuple(new if a.agent_id == agent_id else a for a in plan.agents))


def _check_new_id(plan: Plan, agent_id: str) -> str:
    agent_id = agent_id.strip()
    if not _AGENT_ID.match(agent_id) or ".." in agent_id:
        raise CdevError(f"invalid agent id {agent_id!r}: use letters, digits, '.', '_' or '-'")
    if plan.agent(agent_id) is not None:
        raise CdevError(f"agent {agent_id} already exists")
    return agent_id


def _texts(values: Iterable[str], what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise CdevError(f"{what} must be a list of strings, not one string")
    return tuple(dict.fromkeys(" ".join(str(v).split()) for v in values if str(v).strip()))


def _check_path(path: str) -> str:
    path = path.strip().replace("\\", "/").removeprefix("./")
    if not path or path.startswith("/") or re.match(r"^[A-Za-z]:/", path):
        raise CdevError(f"invalid path {path!r}: use a path relative to the repository")
    if ".." in path.split("/") or path.split("/")[0] == ".git":
        raise CdevError(f"invalid path {path!r}: it must stay inside the repository")
    return path


def add_agent(
    plan: Plan,
    agent_id: str,
    *,
    role: str = "",
    focus_area: str = "",
    dependencies: Iterable[str] = (),
    estimated_minutes: int | None = None,
) -> Plan:
    """Append a new agent (without files: move files to it next)."""
    agent_id = _check_new_id(plan, agent_id)
    deps = _texts(dependencies, "dependencies")
    for dep in deps:
        _agent(plan, dep)
    agent = PlanAgent(
        agent_id=agent_id,
        role=role.strip(),
        focus_area=focus_area.strip(),
        dependencies=deps,
        estimated_minutes=_check_minutes(estimated_minutes),
    )
    return recompute(replace(plan, agents=(*plan.agents, agent)))


def remove_agent(plan: Plan, agent_id: str) -> Plan:
    """Drop an agent (its files become unowned) and remove it from every other agent's dependencies."""
    _agent(plan, agent_id)
    agents = tuple(
        replace(a, dependencies=tuple(d for d in a.dependencies if d != agent_id))
        for a in plan.agents
        if a.agent_id != agent_id
    )
    return recompute(replace(plan, agents=agents))


def rename_agent(plan: Plan, old_id: str, new_id: str) -> Plan:
    """Rename an agent everywhere: its entry, other agents' dependencies and the merge order."""
    _agent(plan, old_id)
    if new_id.strip() == old_id:
        return recompute(plan)
    new_id = _check_new_id(plan, new_id)

    def renamed(agent: PlanAgent) -> PlanAgent:
        deps = tuple(new_id if d == old_id else d for d in agent.dependencies)
        return replace(
            agent, agent_id=new_id if agent.agent_id == old_id else agent.agent_id, dependencies=deps
        )

    order = tuple(new_id if a == old_id else a for a in plan.merge_order)
    return recompute(replace(plan, agents=tuple(renamed(a) for a in plan.agents), merge_order=order))


def move_file(
    plan: Plan, path: str, to_agent: str, *, kind: Literal["create", "modify"] | None = None
) -> Plan:
    """Give ``path`` to ``to_agent`` only, taking it from whoever owned it.

    ``kind`` says whether the agent creates or modifies it; by default the path keeps its current kind. A
    path no agent owns yet needs an explicit ``kind``. A test contract naming the path moves with it.
    """
    path = _check_path(path)
    target = _agent(plan, to_agent)
    if kind not in (None, "create", "modify"):
        raise CdevError(f"kind must be 'create' or 'modify', not {kind!r}")
    was_create = any(path in a.files_to_create for a in plan.agents)
    was_modify = any(path in a.files_to_modify for a in plan.agents)
    if kind is None:
        if not (was_create or was_modify):
            raise CdevError(f"{path} is not in the plan yet: say whether {to_agent} creates or modifies it")
        kind = "create" if was_create and not was_modify else "modify"
    had_contract = any(path in a.test_contracts for a in plan.agents)
    agents = []
    for agent in plan.agents:
        create = tuple(p for p in agent.files_to_create if p != path)
        modify = tuple(p for p in agent.files_to_modify if p != path)
        contracts = tuple(c for c in agent.test_contracts if c != path)
        if agent.agent_id == target.agent_id:
            if kind == "create":
                create = (*create, path)
            else:
                modify = (*modify, path)
            if had_contract:
                contracts = (*contracts, path)
        agents.append(
            replace(agent, files_to_create=create, files_to_modify=modify, test_contracts=contracts)
        )
    return recompute(replace(plan, agents=tuple(agents)))


def set_dependencies(plan: Plan, agent_id: str, dependencies: Iterable[str]) -> Plan:
    """Replace an agent's dependencies; unknown agents, itself or a resulting cycle are refused."""
    agent = _agent(plan, agent_id)
    deps = _texts(dependencies, "dependencies")
    for dep in deps:
        if dep == agent_id:
            raise CdevError(f"{agent_id} cannot depend on itself")
        _agent(plan, dep)
    edited = _replace_agent(plan, agent_id, replace(agent, dependencies=deps))
    for cycle in find_cycles(edited.agents):
        if agent_id in cycle and not any(agent_id in c for c in find_cycles(plan.agents)):
            raise CdevError("that would make a dependency cycle: " + " → ".join(cycle))
    return recompute(edited)


def set_criteria(plan: Plan, agent_id: str, criteria: Iterable[str]) -> Plan:
    """Replace an agent's validation criteria (blank and repeated lines are dropped)."""
    agent = _agent(plan, agent_id)
    return recompute(
        _replace_agent(plan, agent_id, replace(agent, validation_criteria=_texts(criteria, "criteria")))
    )


def set_contracts(plan: Plan, agent_id: str, contracts: Iterable[str]) -> Plan:
    """Replace an agent's test contracts (paths of test files, relative to the repository)."""
    agent = _agent(plan, agent_id)
    checked = tuple(dict.fromkeys(_check_path(c) for c in _texts(contracts, "contracts")))
    return recompute(_replace_agent(plan, agent_id, replace(agent, test_contracts=checked)))


def _check_minutes(minutes: int | None) -> int | None:
    if minutes is None:
        return None
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise CdevError(f"an estimate is a whole number of minutes, not {minutes!r}")
    if not 0 <= minutes <= MAX_MINUTES:
        raise CdevError(f"an estimate must be between 0 and {MAX_MINUTES} minutes, not {minutes}")
    return minutes


def set_estimate(plan: Plan, agent_id: str, minutes: int | None) -> Plan:
    """Set an agent's estimate in whole minutes (None clears it)."""
    agent = _agent(plan, agent_id)
    return recompute(
        _replace_agent(plan, agent_id, replace(agent, estimated_minutes=_check_minutes(minutes)))
    )
