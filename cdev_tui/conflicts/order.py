"""Plan-level checks and the merge order: declared ownership overlaps, dependency order, conflicting steps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from cdev_tui.conflicts.report import AgentRef, DeclaredOverlap, OrderStep, PairPrediction
from cdev_tui.errors import CdevError


def declared_overlaps(agents: Sequence[AgentRef]) -> list[DeclaredOverlap]:
    """Paths that the plan gives to more than one agent, per agent pair."""
    owned = [(a.agent_id, {_normalise(p) for p in a.owned_files if p.strip()}) for a in agents]
    overlaps = []
    for i, (id_a, files_a) in enumerate(owned):
        for id_b, files_b in owned[i + 1 :]:
            common = files_a & files_b
            if common:
                overlaps.append(DeclaredOverlap(id_a, id_b, tuple(sorted(common))))
    return overlaps


def _normalise(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def merge_order(agents: Sequence[AgentRef], conflicting_pairs: Iterable[tuple[str, str]]) -> list[str]:
    """A dependency-respecting merge order that merges the least conflicting ready agent first.

    At each step the ready agent that conflicts with the fewest already-ordered agents goes next (ties by
    agent id). Raises :class:`CdevError` for an unknown dependency or a dependency cycle.
    """
    return [step.agent_id for step in merge_steps(agents, conflicting_pairs)]


def merge_steps(agents: Sequence[AgentRef], conflicting_pairs: Iterable[tuple[str, str]]) -> list[OrderStep]:
    """The :func:`merge_order`, each agent with a one-line reason for its place (same algorithm)."""
    deps: dict[str, tuple[str, ...]] = {}
    for agent in agents:
        if agent.agent_id in deps:
            raise CdevError(f"agent {agent.agent_id}: listed twice")
        deps[agent.agent_id] = agent.dependencies
    for agent_id, agent_deps in deps.items():
        for dep in agent_deps:
            if dep not in deps:
                raise CdevError(f"agent {agent_id}: unknown dependency {dep}")
    conflicts: dict[str, set[str]] = defaultdict(set)
    for a, b in conflicting_pairs:
        conflicts[a].add(b)
        conflicts[b].add(a)
    steps: list[OrderStep] = []
    done: set[str] = set()
    deferred: set[str] = set()
    while len(steps) < len(deps):
        ready = [i for i in deps if i not in done and all(d in done for d in deps[i])]
        if not ready:
            raise CdevError(f"dependency cycle: {' -> '.join(_find_cycle(deps, done))}")
        count = {i: len(conflicts[i] & done) for i in ready}
        chosen = min(ready, key=lambda i: (count[i], i))
        deferred |= {i for i in ready if count[i] > count[chosen]}
        before = tuple(s.agent_id for s in steps if s.agent_id in conflicts[chosen])
        steps.append(_step(chosen, deps[chosen], before, chosen in deferred, first=not steps))
        done.add(chosen)
    return steps


def _step(
    agent_id: str, deps: tuple[str, ...], before: tuple[str, ...], deferred: bool, first: bool
) -> OrderStep:
    parts: list[str] = []
    if deferred:
        parts.append("placed late: fewest conflicts with what is merged before")
    if deps:
        parts.append(f"after {', '.join(deps)} (its {'dependency' if len(deps) == 1 else 'dependencies'})")
    if before:
        parts.append(f"conflicts with {', '.join(before)} merged before it: resolve at this step")
    elif first:
        parts.append("first: no dependencies, conflicts with nobody merged before it")
    elif not deps:
        parts.append("no dependencies, conflicts with nobody merged before it")
    return OrderStep(agent_id, "; ".join(parts), deps, before, deferred)


def _find_cycle(deps: Mapping[str, tuple[str, ...]], done: set[str]) -> list[str]:
    # Every remaining agent has an unfinished dependency, so following them must revisit one.
    node = min(i for i in deps if i not in done)
    path: list[str] = []
    while node not in path:
        path.append(node)
        node = min(d for d in deps[node] if d not in done)
    return [*path[path.index(node) :], node]


def order_conflicts(order: list[str], pairs: Sequence[PairPrediction]) -> list[tuple[str, str]]:
    """Conflicting pairs as (merged first, merged later), in the order the later one merges."""
    position = {agent_id: i for i, agent_id in enumerate(order)}
    ordered: list[tuple[str, str]] = []
    for p in pairs:
        if p.conflicts and p.a in position and p.b in position:
            ordered.append((p.a, p.b) if position[p.a] < position[p.b] else (p.b, p.a))
    return sorted(ordered, key=lambda pair: (position[pair[1]], position[pair[0]]))
