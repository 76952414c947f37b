"""The deterministic decomposer: one agent per group of requirements that share files.

Dependencies come from the files' imports, agent names from each group's area and estimates from file sizes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent
from cdev_tui.planner.derived import with_derived
from cdev_tui.planner.graph import _strongly_connected
from cdev_tui.planner.matching import _CAMEL, _Matcher, _Pick
from cdev_tui.planner.repo_index import RepoIndex, index_repo, is_test_path
from cdev_tui.planner.tasks import TaskSpec

if TYPE_CHECKING:
    from cdev_tui.object_cache import ObjectCache


_CONTAINER_DIRS = frozenset(
    {"src", "lib", "libs", "app", "apps", "source", "pkg", "packages", "internal", ""}
)


def decompose(task: TaskSpec, repo: Path, *, cache: ObjectCache | None = None) -> Plan:
    """Split ``task`` into agents with exclusive file ownership, from ``repo``'s real structure.

    Each requirement picks the files whose names, folders and symbols match its words (plus their tests) and
    proposes new modules, in the matching folder and the repository's naming and test layout, for words no
    file matches. Requirements sharing a file form one agent; an agent depends on the agents whose files its
    files import (import cycles merge agents). The same input always gives the same plan. ``cache`` keeps the
    repository's index by commit (see :func:`index_repo`).
    """
    if not task.requirements:
        raise CdevError(f"{task.source}: the task has no requirements")
    index = index_repo(repo, cache=cache)
    matcher = _Matcher(index)
    picks = [matcher.pick(i, req) for i, req in enumerate(task.requirements)]
    placed = [p for p in picks if p.files]
    groups = _group_by_files(placed)
    groups = _merge_import_cycles(groups, index)
    agents = _build_agents(groups, index)
    extras: dict[str, Any] = {
        "decompositionStrategy": "repository_structure",
        "conflictResolution": "eliminated_by_design",
    }
    unplaced = [p.requirement for p in picks if not p.files]
    if unplaced:
        extras["unplacedRequirements"] = unplaced
    plan = Plan(task_id=task.task_id, task_title=task.title, agents=tuple(agents), extras=extras)
    return with_derived(plan)


def _group_by_files(picks: Sequence[_Pick]) -> list[list[_Pick]]:
    parent = list(range(len(picks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, pick in enumerate(picks):
        for path in pick.files:
            if path in owner:
                a, b = find(owner[path]), find(i)
                parent[max(a, b)] = min(a, b)
            else:
                owner[path] = i
    groups: dict[int, list[_Pick]] = {}
    for i, pick in enumerate(picks):
        groups.setdefault(find(i), []).append(pick)
    return [groups[k] for k in sorted(groups)]


def _group_edges(groups: Sequence[Sequence[_Pick]], index: RepoIndex) -> list[set[int]]:
    owner = {path: g for g, group in enumerate(groups) for pick in group for path in pick.files}
    edges: list[set[int]] = [set() for _ in groups]
    for g, group in enumerate(groups):
        for pick in group:
            for path in pick.modify:
                source = index.by_path.get(path)
                for imported in source.imports if source else ():
                    other = owner.get(imported)
                    if other is not None and other != g:
                        edges[g].add(other)
    return edges


def _merge_import_cycles(groups: list[list[_Pick]], index: RepoIndex) -> list[list[_Pick]]:
    """Groups whose files import each other (directly or around a cycle) become one group."""
    edges = _group_edges(groups, index)
    components = _strongly_connected(len(groups), edges)
    if all(len(c) == 1 for c in components):
        return groups
    merged = [sorted((p for g in comp for p in groups[g]), key=lambda p: p.index) for comp in components]
    return sorted(merged, key=lambda group: group[0].index)


def _area_of(paths: Sequence[str]) -> str:
    """The group's area: the most common meaningful folder of its source files, else its main file's stem."""
    sources = [p for p in paths if not is_test_path(p)] or list(paths)
    votes: Counter[str] = Counter()  # insertion order breaks ties: the first file's folder wins
    for path in sources:
        folders = [d for d in PurePosixPath(path).parts[:-1] if d.lower() not in _CONTAINER_DIRS]
        if folders:
            votes[folders[-1]] += 1
    if votes:
        return max(votes, key=lambda d: votes[d])
    stem = PurePosixPath(sources[0]).name.split(".", 1)[0]
    return stem if stem not in ("__init__", "index", "main", "mod") else PurePosixPath(sources[0]).parent.name


def snake_case(text: str) -> str:
    """``text`` as snake_case (``CartView`` → ``cart_view``, ``order-history`` → ``order_history``)."""
    words = [w.lower() for chunk in re.findall(r"[A-Za-z0-9]+", text) for w in _CAMEL.findall(chunk)]
    return "_".join(words) or "task"


def _build_agents(groups: Sequence[Sequence[_Pick]], index: RepoIndex) -> list[PlanAgent]:
    edges = _group_edges(groups, index)
    ids: list[str] = []
    for group in groups:
        modify = sorted({p for pick in group for p in pick.modify})
        create = sorted({p for pick in group for p in pick.create} - set(modify))
        area = snake_case(_area_of([*modify, *create]))
        candidate = f"{area}_agent"
        if candidate in ids:
            first = next((p for p in [*modify, *create] if not is_test_path(p)), "x")
            candidate = f"{area}_{snake_case(PurePosixPath(first).name.split('.', 1)[0])}_agent"
        base, n = candidate, 2
        while candidate in ids:
            candidate = f"{base[: -len('_agent')]}_{n}_agent"
            n += 1
        ids.append(candidate)
    agents = []
    for g, group in enumerate(groups):
        modify = sorted({p for pick in group for p in pick.modify})
        create = sorted({p for pick in group for p in pick.create} - set(modify))
        requirements = [pick.requirement for pick in group]
        tests = [p for p in [*create, *modify] if is_test_path(p)]
        focus = " ".join(w.title() for w in ids[g][: -len("_agent")].split("_"))
        role = (
            requirements[0]
            if len(requirements) == 1
            else f"{requirements[0]} (+{len(requirements) - 1} more)"
        )
        criteria = [f"Done: {r}" for r in requirements]
        modules = [p for p in create if not is_test_path(p)]
        if modules:
            criteria.append("New files exist: " + ", ".join(modules))
        if tests:
            criteria.append("Tests pass: " + ", ".join(tests))
        criteria.append(f"Only files owned by {ids[g]} are changed")
        agents.append(
            PlanAgent(
                agent_id=ids[g],
                role=role[:200],
                focus_area=focus,
                dependencies=tuple(ids[d] for d in sorted(edges[g])),
                files_to_create=tuple(create),
                files_to_modify=tuple(modify),
                test_contracts=tuple(tests),
                validation_criteria=tuple(dict.fromkeys(criteria)),
                estimated_minutes=estimate_minutes(create, modify, index),
            )
        )
    return agents


def estimate_minutes(create: Iterable[str], modify: Iterable[str], index: RepoIndex | None = None) -> int:
    """Minutes for an agent: 10 to start, per modified file 5 plus its size (1 per 40 lines, up to 30),
    20 per new module and 10 per new test."""
    minutes = 10
    for path in modify:
        known = index.by_path.get(path) if index else None
        minutes += 5 + min((known.lines if known else 0) // 40, 30)
    for path in create:
        minutes += 10 if is_test_path(path) else 20
    return minutes
