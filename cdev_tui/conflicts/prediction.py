"""Predicted merge conflicts between agents and against the target branch.

Every prediction is a real ort merge (``git merge-tree --write-tree``) with no index or working tree
involved. Uncommitted work is included by snapshotting a worktree into a commit through a temporary index.
Git calls are batched (one ``merge-tree --stdin`` per chunk of merges, one ``diff-tree --stdin`` for all
changed-file lists, merge bases from one ``rev-list``) so the whole matrix costs a handful of processes.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.conflicts.order import declared_overlaps, merge_order, order_conflicts
from cdev_tui.conflicts.plumbing import (
    CountingGit,
    Merge,
    changed_files,
    merge_bases,
    merge_chunk,
    resolve_refs,
)
from cdev_tui.conflicts.report import AgentRef, ConflictReport, PairPrediction
from cdev_tui.conflicts.snapshot import WorktreeState, worktree_state
from cdev_tui.errors import CdevError


class Cancelled(Exception):
    """The caller's cancel callback said stop."""


def predict_conflicts(
    repo: Path,
    target: str,
    agents: Sequence[AgentRef],
    *,
    include_uncommitted: bool = True,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ConflictReport:
    """Predict conflicts for every agent pair and each agent vs ``target``, and propose a merge order.

    Agents without a branch or a usable worktree, and plan problems (dependency cycles), are reported in
    ``errors``, never raised; a ``repo`` that is not a git repository raises :class:`CdevError`. ``cancel``
    is polled on the calling thread between steps; ``progress`` receives (steps done, steps planned), a
    step being one worktree scanned or one merge, and the plan grows once the worktrees are scanned.
    """
    started = time.perf_counter()
    if not Path(repo).is_dir():
        raise CdevError(f"{repo}: no such directory")
    run = CountingGit(Path(repo))
    errors: list[str] = []
    unique: list[AgentRef] = []
    for agent in agents:
        if any(a.agent_id == agent.agent_id for a in unique):
            errors.append(f"agent {agent.agent_id}: listed twice; the second entry is ignored")
        else:
            unique.append(agent)
    candidates: list[AgentRef] = []
    for agent in unique:
        if not agent.branch:
            errors.append(f"agent {agent.agent_id}: no branch")
        elif agent.worktree is None:
            errors.append(f"agent {agent.agent_id}: no worktree")
        elif not Path(agent.worktree).is_dir():
            errors.append(f"agent {agent.agent_id}: worktree {agent.worktree} is missing")
        elif not (Path(agent.worktree) / ".git").exists():
            errors.append(f"agent {agent.agent_id}: {agent.worktree} is not a git worktree")
        else:
            candidates.append(agent)

    def report(
        pairs: list[PairPrediction], vs_target: list[PairPrediction], cancelled: bool
    ) -> ConflictReport:
        order: list[str] = []
        conflicting_steps: list[tuple[str, str]] = []
        try:
            order = merge_order(unique, [(p.a, p.b) for p in pairs if p.conflicts])
            conflicting_steps = order_conflicts(order, pairs)
        except CdevError as exc:
            errors.append(str(exc))
        return ConflictReport(
            pairs=pairs,
            vs_target=vs_target,
            declared_overlaps=declared_overlaps(unique),
            merge_order=order,
            merge_order_conflicts=conflicting_steps,
            git_calls=run.calls,
            seconds=time.perf_counter() - started,
            errors=errors,
            cancelled=cancelled,
        )

    try:
        return report(
            *_predict(run, target, candidates, include_uncommitted, errors, cancel, progress), False
        )
    except Cancelled:
        errors.append("cancelled before the prediction finished")
        return report([], [], True)


def _predict(
    run: CountingGit,
    target: str,
    candidates: list[AgentRef],
    include_uncommitted: bool,
    errors: list[str],
    cancel: Callable[[], bool] | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[PairPrediction], list[PairPrediction]]:
    def check() -> None:
        if cancel is not None and cancel():
            raise Cancelled

    check()
    resolved = resolve_refs(run, [target, *(a.branch for a in candidates if a.branch)])
    target_tip = resolved.get(target)
    if target_tip is None:
        errors.append(f"target {target}: no such branch")
    tips: dict[str, tuple[str, str]] = {}
    agents: list[AgentRef] = []
    for agent in candidates:
        assert agent.branch is not None
        if agent.branch in resolved:
            tips[agent.agent_id] = resolved[agent.branch]
            agents.append(agent)
        else:
            errors.append(f"agent {agent.agent_id}: branch {agent.branch} does not exist")

    work = _Work(run, check, progress)
    snapshots: dict[str, str] = {}
    if include_uncommitted and agents:
        states = work.inspect(agents, tips)
        kept = []
        for agent in agents:
            state = states[agent.agent_id]
            if state.error:
                errors.append(state.error)
            if state.snapshot:
                snapshots[agent.agent_id] = state.snapshot
            if not state.skip:
                kept.append(agent)
        agents = kept

    sides = [_Side(a.agent_id, tips[a.agent_id][0], snapshots.get(a.agent_id)) for a in agents]
    target_side = _Side(target, target_tip[0]) if target_tip is not None else None
    comparisons = _comparisons(sides, target_side)
    work.merge([pair for a, b, _ in comparisons for pair in ((a.tip, b.tip), (a.current, b.current))])
    work.check()
    bases = merge_bases(run, {(a.tip, b.tip) for a, b, _ in comparisons if a.tip != b.tip})
    work.diff(bases, comparisons)

    pairs: list[PairPrediction] = []
    vs_target: list[PairPrediction] = []
    for a, b, against_target in comparisons:
        committed = work.outcome(a.tip, b.tip)
        current = work.outcome(a.current, b.current)
        if isinstance(committed, str) or isinstance(current, str):
            failures = {m for m in (committed, current) if isinstance(m, str)}
            errors.extend(f"{a.name} vs {b.name}: {message}" for message in sorted(failures))
            continue
        overlap: set[str] = set()
        base = _base_of(bases, a, b)
        if base is not None:
            overlap = work.changed[(base, a.tip)] & work.changed[(base, b.tip)]
            overlap |= work.changed[(base, a.current)] & work.changed[(base, b.current)]
        prediction = PairPrediction(
            a=a.name,
            b=b.name,
            conflicted_files=tuple(sorted({*committed.files, *current.files})),
            overlapping_files=tuple(sorted(overlap)),
            conflicts_committed=not committed.clean,
            conflicts_with_uncommitted=not current.clean,
        )
        (vs_target if against_target else pairs).append(prediction)
    return pairs, vs_target


@dataclass(frozen=True)
class _Side:
    name: str
    tip: str
    snapshot: str | None = None

    @property
    def current(self) -> str:
        return self.snapshot or self.tip


def _comparisons(sides: list[_Side], target: _Side | None) -> list[tuple[_Side, _Side, bool]]:
    """Every agent pair, then every agent vs the target (flagged True)."""
    found = [(sides[i], sides[j], False) for i in range(len(sides)) for j in range(i + 1, len(sides))]
    if target is not None:
        found += [(side, target, True) for side in sides]
    return found


def _base_of(bases: Mapping[tuple[str, str], str | None], a: _Side, b: _Side) -> str | None:
    # A snapshot's only parent is its branch tip, so it shares the tip's merge bases.
    return a.tip if a.tip == b.tip else bases.get((a.tip, b.tip))


class _Work:
    """Merge and diff results gathered so far, with progress counted in merges and worktrees."""

    def __init__(
        self, run: CountingGit, check: Callable[[], None], progress: Callable[[int, int], None] | None
    ) -> None:
        self.run, self.check, self.progress = run, check, progress
        self.merged: dict[tuple[str, str], Merge | str] = {}
        self.changed: dict[tuple[str, str], frozenset[str]] = {}
        self.done = self.total = 0

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total)

    def merge(self, pairs: Iterable[tuple[str, str]]) -> None:
        todo = list(dict.fromkeys(p for p in pairs if p[0] != p[1] and p not in self.merged))
        self.total += len(todo)
        self.advance(0)
        # Few, large batches: each one is a process; 20 of them are enough for a smooth progress bar.
        chunk = max(32, math.ceil(len(todo) / 20))
        for start in range(0, len(todo), chunk):
            self.check()
            self.merged.update(merge_chunk(self.run, todo[start : start + chunk]))
            self.advance(len(todo[start : start + chunk]))

    def diff(
        self, bases: Mapping[tuple[str, str], str | None], comparisons: list[tuple[_Side, _Side, bool]]
    ) -> None:
        queries: set[tuple[str, str]] = set()
        for a, b, _ in comparisons:
            base = _base_of(bases, a, b)
            if base is not None:
                queries |= {(base, a.tip), (base, b.tip), (base, a.current), (base, b.current)}
        queries -= self.changed.keys()
        if queries:
            self.check()
            self.changed.update(changed_files(self.run, queries))

    def outcome(self, x: str, y: str) -> Merge | str:
        return Merge(True, ()) if x == y else self.merged[(x, y)]

    def inspect(
        self, agents: list[AgentRef], tips: Mapping[str, tuple[str, str]]
    ) -> dict[str, WorktreeState]:
        """Status, and a snapshot when dirty, of every worktree, a few at a time.

        The cancel callback is only ever called on this (the caller's) thread.
        """
        stop = threading.Event()

        def inspect(agent: AgentRef) -> WorktreeState:
            if stop.is_set():
                return WorktreeState(skip=True)
            return worktree_state(self.run, agent, *tips[agent.agent_id])

        self.total += len(agents)
        self.advance(0)
        states: dict[str, WorktreeState] = {}
        with ThreadPoolExecutor(max_workers=min(len(agents), os.cpu_count() or 2, 8)) as pool:
            pending = {pool.submit(inspect, agent): agent.agent_id for agent in agents}
            try:
                while pending:
                    self.check()
                    finished, _ = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
                    for future in finished:
                        states[pending.pop(future)] = future.result()
                    self.advance(len(finished))
            except BaseException:
                stop.set()
                raise
        return states
