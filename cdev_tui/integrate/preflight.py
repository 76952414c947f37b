"""Which agents to integrate, in what order, and what stands in the way (reads only, changes nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cdev_tui import gitops
from cdev_tui.errors import CdevError
from cdev_tui.integrate.gitutil import listing
from cdev_tui.integrate.results import BRANCH_PREFIX, WORKTREE_PREFIX, Problem
from cdev_tui.plan import Plan
from cdev_tui.status import DONE_STATUSES, AgentStatus
from cdev_tui.workspace import BOOKKEEPING_PREFIXES, Agent, WorkspaceSnapshot

if TYPE_CHECKING:
    from cdev_tui.integrate.gate import SecurityGate

_SETTLED = DONE_STATUSES


def is_integration_worktree(agent: Agent) -> bool:
    worktree = agent.facts.worktree
    branch = agent.facts.branch or ""
    return (worktree is not None and worktree.name.startswith(WORKTREE_PREFIX)) or branch.startswith(
        BRANCH_PREFIX
    )


def select_agents(
    snapshot: WorkspaceSnapshot, agents: Iterable[str] | None = None, plan: Plan | None = None
) -> list[str]:
    """The agents to integrate: ``agents`` as given, else the plan's (or every planned) agents not yet merged.

    An explicitly named agent that the workspace and the plan do not know raises :class:`CdevError`.
    """
    if agents is not None:
        chosen = list(dict.fromkeys(a.strip() for a in agents if a and a.strip()))
        if not chosen:
            raise CdevError("no agents named: pass agent ids like --agents auth_agent,api_agent")
        known = {a.agent_id for a in snapshot.agents} | ({a.agent_id for a in plan.agents} if plan else set())
        for agent_id in chosen:
            if agent_id not in known:
                names = ", ".join(sorted(known)) or "none"
                raise CdevError(f"unknown agent {agent_id!r} (known: {names})")
        return chosen
    if plan is not None:
        ids = [a.agent_id for a in plan.agents]
    else:
        with_plan = bool(snapshot.task_plans)
        ids = [
            a.agent_id
            for a in snapshot.agents
            if not is_integration_worktree(a) and not (with_plan and a.facts.plain)
        ]
    result = []
    for agent_id in ids:
        agent = snapshot.agent(agent_id)
        if agent is None or agent.status is not AgentStatus.MERGED:
            result.append(agent_id)
    return result


def _dependencies(snapshot: WorkspaceSnapshot, plan: Plan | None, agent_id: str) -> tuple[str, ...]:
    spec = plan.agent(agent_id) if plan is not None else None
    if spec is None:
        agent = snapshot.agent(agent_id)
        return agent.spec.dependencies if agent else ()
    return spec.dependencies


def integration_order(
    snapshot: WorkspaceSnapshot, agents: Iterable[str] | None = None, plan: Plan | None = None
) -> list[str]:
    """The merge order for the selected agents: the plan's merge order when it covers them, else derived.

    Dependencies among the selected agents come first either way. Raises :class:`CdevError` when the plan's
    order contradicts a dependency or the dependencies form a cycle.
    """
    from cdev_tui.conflicts import AgentRef, merge_order

    selection = select_agents(snapshot, agents, plan)
    chosen = set(selection)
    deps = {i: tuple(d for d in _dependencies(snapshot, plan, i) if d in chosen) for i in selection}
    plans = [plan] if plan is not None else list(snapshot.task_plans)
    planned = list(dict.fromkeys(i for p in plans for i in p.merge_order))
    if selection and chosen <= set(planned):
        order = [i for i in planned if i in chosen]
        position = {agent_id: n for n, agent_id in enumerate(order)}
        for agent_id in order:
            for dep in deps[agent_id]:
                if position[dep] > position[agent_id]:
                    source = next((p.path for p in plans if agent_id in p.merge_order and p.path), None)
                    where = f"{source}: " if source else ""
                    raise CdevError(f"{where}merge order puts {agent_id} before its dependency {dep}")
        return order
    return merge_order([AgentRef(i, None, None, deps[i]) for i in selection], [])


def preflight(
    snapshot: WorkspaceSnapshot,
    *,
    agents: Iterable[str] | None = None,
    allow_violations: bool = False,
    allow_incomplete: bool = False,
    plan: Plan | None = None,
    gate: SecurityGate | None = None,
) -> list[Problem]:
    """Everything that stands in the way of integrating the selected agents (empty: ready).

    Checks that each agent is complete (or merged), has a branch with commits, a clean worktree and no
    ownership violations, that its dependencies are merged or selected, and that a merge order exists;
    with a security ``gate``, that its branch adds no secret or vulnerable dependency the gate refuses
    (problems of kind ``security``: a caller may override them, and records that it did). Unknown agent
    names raise :class:`CdevError`. Reads only; changes nothing.
    """
    paths = snapshot.paths
    selection = select_agents(snapshot, agents, plan)
    if not selection:
        return [
            Problem("nothing", f"nothing to integrate: every agent is already merged into {paths.target}")
        ]
    chosen = set(selection)
    problems: list[Problem] = []
    for agent_id in selection:
        agent = snapshot.agent(agent_id)
        if agent is None:
            problems.append(
                Problem("missing-branch", f"{agent_id}: not spawned (no branch, no worktree)", agent_id)
            )
            continue
        problems.extend(_agent_problems(snapshot, agent, allow_violations, allow_incomplete))
        if gate is not None and agent.status is not AgentStatus.MERGED:
            problems.extend(_security_problems(snapshot, agent, gate))
        for dep in _dependencies(snapshot, plan, agent_id):
            if dep in chosen:
                continue
            found = snapshot.agent(dep)
            if found is None and (plan is None or plan.agent(dep) is None):
                problems.append(Problem("dependency", f"{agent_id}: unknown dependency {dep}", agent_id))
            elif found is None or found.status is not AgentStatus.MERGED:
                problems.append(
                    Problem(
                        "dependency",
                        f"{agent_id}: depends on {dep}, which is neither merged into {paths.target} nor "
                        "selected for this integration",
                        agent_id,
                    )
                )
    try:
        integration_order(snapshot, selection, plan)
    except CdevError as exc:
        problems.append(Problem("order", f"no usable merge order: {exc}"))
    return problems


def _security_problems(snapshot: WorkspaceSnapshot, agent: Agent, gate: SecurityGate) -> list[Problem]:
    branch, ref = agent.facts.branch, agent.facts.ref
    if not branch or not ref or not gitops.ref_exists(snapshot.paths.repo, ref):
        return []  # reported as a missing branch
    verdict = gate.check_branch(snapshot.paths.repo, snapshot.paths.target, branch, agent.agent_id)
    if verdict.passed:
        return []
    files = tuple(
        dict.fromkeys([*(f.path for f in verdict.findings), *(v.dependency.path for v in verdict.vulnerable)])
    )
    return [Problem("security", verdict.describe(), agent.agent_id, files)]


def _agent_problems(
    snapshot: WorkspaceSnapshot, agent: Agent, allow_violations: bool, allow_incomplete: bool
) -> list[Problem]:
    facts = agent.facts
    agent_id = agent.agent_id
    problems: list[Problem] = []
    branch = facts.branch  # a remote agent's is its remote-tracking branch (origin/agent/x)
    if not branch or not facts.ref or not gitops.ref_exists(snapshot.paths.repo, facts.ref):
        what = f"branch {branch} does not exist" if branch else "no branch (detached or missing worktree)"
        problems.append(Problem("missing-branch", f"{agent_id}: {what}", agent_id))
    if not allow_incomplete:
        if agent.status not in _SETTLED:
            done, total = agent.progress
            detail = f"{done}/{total} checklist items done" if total else "no checklist"
            if agent.blocked_by:
                detail += f", blocked by {', '.join(agent.blocked_by)}"
            problems.append(Problem("incomplete", f"{agent_id}: {agent.status} ({detail})", agent_id))
        elif agent.status is AgentStatus.COMPLETE and facts.git is not None and facts.git.ahead == 0:
            problems.append(
                Problem(
                    "empty",
                    f"{agent_id}: marked complete but {branch} has no commits beyond {snapshot.paths.target}",
                    agent_id,
                )
            )
    dirty = tuple(p for p in (facts.git.dirty if facts.git else ()) if not p.startswith(BOOKKEEPING_PREFIXES))
    if dirty:
        problems.append(
            Problem(
                "dirty",
                f"{agent_id}: uncommitted changes in {facts.worktree} would be left out: "
                f"{listing(dirty)} (commit or stash them)",
                agent_id,
                dirty,
            )
        )
    if agent.violations and not allow_violations:
        described = [
            f"{v.path} ({'owned by ' + v.owner if v.owner else 'owned by nobody'})" for v in agent.violations
        ]
        problems.append(
            Problem(
                "violation",
                f"{agent_id}: changes files it does not own: {listing(described)}",
                agent_id,
                tuple(v.path for v in agent.violations),
            )
        )
    return problems
