"""Agent dependency graphs: strongly connected groups, dependency cycles and the topological merge order."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Sequence

from cdev_tui.plan import PlanAgent


def _strongly_connected(count: int, edges: Sequence[Iterable[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, each sorted, in a deterministic order."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    result: list[list[int]] = []
    counter = 0
    for root in range(count):
        if root in index_of:
            continue
        work: list[tuple[int, Iterable[int]]] = [(root, iter(sorted(edges[root])))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
    return sorted(result)


def find_cycles(agents: Sequence[PlanAgent]) -> list[list[str]]:
    """One dependency cycle (as ``[a, b, a]``) per strongly connected group of agents, self-loops included."""
    ids = sorted({a.agent_id for a in agents})
    position = {agent_id: i for i, agent_id in enumerate(ids)}
    deps: dict[str, set[str]] = {}
    for a in agents:
        deps.setdefault(a.agent_id, set()).update(d for d in a.dependencies if d in position)
    edges = [sorted(position[d] for d in deps.get(agent_id, ())) for agent_id in ids]
    cycles = []
    for component in _strongly_connected(len(ids), edges):
        start, members = component[0], set(component)
        if start in edges[start]:
            cycles.append([ids[start], ids[start]])
            continue
        if len(component) == 1:
            continue
        parent: dict[int, int] = {}
        queue, last = deque([start]), None
        while queue and last is None:  # shortest way from start back to start inside the component
            node = queue.popleft()
            for nxt in edges[node]:
                if nxt == start:
                    last = node
                    break
                if nxt in members and nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        chain = []
        while last is not None and last != start:
            chain.append(last)
            last = parent[last]
        cycles.append([ids[i] for i in [start, *reversed(chain), start]])
    return cycles


def merge_order(agents: Sequence[PlanAgent]) -> tuple[str, ...]:
    """Topological order of the agents by dependencies (ties by id); agents in a cycle come last, by id."""
    ids = {a.agent_id for a in agents}
    pending = {a.agent_id: {d for d in a.dependencies if d in ids and d != a.agent_id} for a in agents}
    dependents: dict[str, list[str]] = {}
    for agent_id, deps in pending.items():
        for dep in deps:
            dependents.setdefault(dep, []).append(agent_id)
    ready = [agent_id for agent_id, deps in pending.items() if not deps]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        current = heapq.heappop(ready)
        order.append(current)
        for dependent in dependents.get(current, ()):
            pending[dependent].discard(current)
            if not pending[dependent]:
                heapq.heappush(ready, dependent)
    rest = sorted(set(pending) - set(order))
    return (*order, *rest)
