"""Predicted merge conflicts between agents and against the target branch.

Every prediction is a real ort merge (``git merge-tree --write-tree``) with no index or working tree
involved. Uncommitted work is included by snapshotting a worktree into a commit through a temporary index.
Git calls are batched (one ``merge-tree --stdin`` per chunk of merges, one ``diff-tree --stdin`` for all
changed-file lists, merge bases from one ``rev-list``) so the whole matrix costs a handful of processes.

A refresh given the previous report and the agents that changed since re-snapshots only those agents'
worktrees and merges only the pairs with a side whose commits differ: a pair's result is keyed by the two
sides' commit ids, which never change meaning.

Given the object cache, the same holds across processes: pair results, merge bases and changed-file lists
are kept under the commit ids they come from, and a worktree's snapshot commit under a signature of its
state, so a prediction on an unchanged workspace costs the branch tips and one ``git status`` per worktree.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.conflicts.order import declared_overlaps, merge_steps, order_conflicts
from cdev_tui.conflicts.plumbing import (
    ANY_CODE,
    CountingGit,
    Merge,
    changed_files,
    merge_bases,
    merge_chunk,
    resolve_refs,
)
from cdev_tui.conflicts.report import AgentRef, ConflictReport, OrderStep, PairPrediction, SideCommits
from cdev_tui.conflicts.snapshot import WorktreeState, make_snapshot, worktree_state
from cdev_tui.errors import CdevError
from cdev_tui.gitops import locate_common_dir

if TYPE_CHECKING:
    from cdev_tui.object_cache import ObjectCache

PAIR = "conflicts.pair"
"""Cache kind: the commits of two sides (``tip:current|tip:current``, sorted) → their pair prediction."""
MERGE_BASE = "git.merge-base"
"""Cache kind: two commits (``x|y``, sorted) → their best merge base (None: unrelated histories)."""
DIFF_NAMES = "git.diff-names"
"""Cache kind: ``base:side`` commits → the paths changed from one to the other."""


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
    previous: ConflictReport | None = None,
    changed_agents: set[str] | None = None,
    cache: ObjectCache | None = None,
) -> ConflictReport:
    """Predict conflicts for every agent pair and each agent vs ``target``, and propose a merge order.

    Agents without a branch or a usable worktree, and plan problems (dependency cycles), are reported in
    ``errors``, never raised; a ``repo`` that is not a git repository raises :class:`CdevError`. ``cancel``
    is polled on the calling thread between steps; ``progress`` receives (steps done, steps planned), a
    step being one worktree scanned or one merge, and the plan grows once the worktrees are scanned.

    With ``previous`` (an earlier report on the same repository), agents outside ``changed_agents`` (None:
    every agent changed) whose branch tip has not moved keep their earlier commits without a new look at
    their worktree, and pairs whose two sides have the same commits as before are reused, not merged.

    With ``cache``, pair results, merge bases, changed-file lists and worktree snapshots found there are
    reused too (counted in ``reused_pairs`` for pairs), and what is worked out is kept there.
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
        elif agent.worktree is None:  # a branch with no worktree here (a remote agent): its commits alone
            candidates.append(agent)
        elif not Path(agent.worktree).is_dir():
            errors.append(f"agent {agent.agent_id}: worktree {agent.worktree} is missing")
        elif not (Path(agent.worktree) / ".git").exists():
            errors.append(f"agent {agent.agent_id}: {agent.worktree} is not a git worktree")
        else:
            candidates.append(agent)

    def report(outcome: _Outcome, cancelled: bool) -> ConflictReport:
        steps: list[OrderStep] = []
        conflicting_steps: list[tuple[str, str]] = []
        try:
            steps = merge_steps(unique, [(p.a, p.b) for p in outcome.pairs if p.conflicts])
            conflicting_steps = order_conflicts([s.agent_id for s in steps], outcome.pairs)
        except CdevError as exc:
            errors.append(str(exc))
        return ConflictReport(
            pairs=outcome.pairs,
            vs_target=outcome.vs_target,
            declared_overlaps=declared_overlaps(unique),
            merge_order=[s.agent_id for s in steps],
            merge_order_conflicts=conflicting_steps,
            git_calls=run.calls,
            seconds=time.perf_counter() - started,
            errors=errors,
            cancelled=cancelled,
            merge_steps=steps,
            repo=Path(repo),
            target=target,
            sides=outcome.sides,
            uncommitted_included=include_uncommitted,
            reused_pairs=outcome.reused,
        )

    if previous is not None and (previous.cancelled or previous.uncommitted_included != include_uncommitted):
        previous = None
    try:
        outcome = _predict(
            run,
            target,
            candidates,
            include_uncommitted,
            errors,
            cancel,
            progress,
            previous,
            changed_agents,
            cache,
        )
        return report(outcome, False)
    except Cancelled:
        errors.append("cancelled before the prediction finished")
        return report(_Outcome(), True)


@dataclass
class _Outcome:
    pairs: list[PairPrediction] = field(default_factory=list)
    vs_target: list[PairPrediction] = field(default_factory=list)
    sides: dict[str, SideCommits] = field(default_factory=dict)
    reused: int = 0


def _predict(
    run: CountingGit,
    target: str,
    candidates: list[AgentRef],
    include_uncommitted: bool,
    errors: list[str],
    cancel: Callable[[], bool] | None,
    progress: Callable[[int, int], None] | None,
    previous: ConflictReport | None,
    changed_agents: set[str] | None,
    cache: ObjectCache | None,
) -> _Outcome:
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

    work = _Work(run, check, progress, cache)
    known = _known_sides(previous, changed_agents, {i: tip for i, (tip, _) in tips.items()})
    commits = _agent_sides(work, agents, tips, known, include_uncommitted, errors)
    # Snapshot commits from the cache are unreferenced, so they may have been pruned since; the report's
    # sides are read again later (hunk counts), so one that is gone is made again (its id may be the same).
    remade = work.make_again(agents, tips)
    commits.update({i: replace(commits[i], snapshot=snapshot) for i, snapshot in remade.items()})
    sides = [_Side(i, side.tip, side.snapshot) for i, side in commits.items()]
    target_side = _Side(target, target_tip[0]) if target_tip is not None else None
    if target_side is not None:
        commits[target] = SideCommits(target_side.tip)
    comparisons = _comparisons(sides, target_side)
    found = _known_pairs(comparisons, previous, cache)
    todo = [c for n, c in enumerate(comparisons) if n not in found]
    work.merge([pair for a, b, _ in todo for pair in ((a.tip, b.tip), (a.current, b.current))])
    work.check()
    bases = _merge_bases(run, {(a.tip, b.tip) for a, b, _ in todo if a.tip != b.tip}, cache)
    work.diff(bases, todo)

    outcome = _Outcome(sides=commits)
    made: dict[str, PairPrediction] = {}
    for n, (a, b, against_target) in enumerate(comparisons):
        prediction = found.get(n)
        if prediction is None:
            prediction = _prediction(work, bases, a, b, errors)
            if prediction is not None:
                made[_pair_key(a, b)] = prediction
        if prediction is not None:
            (outcome.vs_target if against_target else outcome.pairs).append(prediction)
    if cache is not None:
        cache.put_many(PAIR, {key: _pair_to_json(p) for key, p in made.items()})
    outcome.reused = len(found)
    return outcome


def _agent_sides(
    work: _Work,
    agents: list[AgentRef],
    tips: Mapping[str, tuple[str, str]],
    known: Mapping[str, SideCommits],
    include_uncommitted: bool,
    errors: list[str],
) -> dict[str, SideCommits]:
    """The commits of every usable agent, in agent order: known ones as they were, the others looked at."""
    fresh = [a for a in agents if a.agent_id not in known and a.worktree is not None]
    states = work.inspect(fresh, tips) if include_uncommitted and fresh else {}
    commits: dict[str, SideCommits] = {}
    for agent in agents:
        side = known.get(agent.agent_id)
        if side is None:
            state = states.get(agent.agent_id, WorktreeState())
            if state.skip:
                errors.extend([state.error] if state.error else [])
                continue
            side = SideCommits(tips[agent.agent_id][0], state.snapshot, state.error)
        errors.extend([side.note] if side.note else [])
        commits[agent.agent_id] = side
    return commits


def _known_sides(
    previous: ConflictReport | None, changed_agents: set[str] | None, tips: Mapping[str, str]
) -> dict[str, SideCommits]:
    """Agents whose earlier commits still hold: not changed since ``previous`` and their branch tip unmoved."""
    if previous is None or changed_agents is None:
        return {}
    return {
        agent_id: side
        for agent_id, side in previous.sides.items()
        if agent_id in tips and agent_id not in changed_agents and side.tip == tips[agent_id]
    }


_PairKey = tuple[tuple[str, str], tuple[str, str]]


def _cache_key(a: _Side, b: _Side) -> _PairKey:
    return ((a.tip, a.current), (b.tip, b.current))


def _pair_cache(previous: ConflictReport | None) -> dict[_PairKey, PairPrediction]:
    """Earlier results by the commits of their two sides, in both orders (a merge is symmetric)."""
    if previous is None:
        return {}
    cache: dict[_PairKey, PairPrediction] = {}
    for p in (*previous.pairs, *previous.vs_target):
        side_a, side_b = previous.sides.get(p.a), previous.sides.get(p.b)
        if side_a is not None and side_b is not None:
            cache[(side_a.key, side_b.key)] = cache[(side_b.key, side_a.key)] = p
    return cache


def _cached(cache: Mapping[_PairKey, PairPrediction], a: _Side, b: _Side) -> PairPrediction | None:
    found = cache.get(_cache_key(a, b))
    return None if found is None else replace(found, a=a.name, b=b.name)


def _pair_key(a: _Side, b: _Side) -> str:
    """The object cache's key for a pair: both sides' commits, sorted (a merge is symmetric)."""
    return "|".join(sorted((f"{a.tip}:{a.current}", f"{b.tip}:{b.current}")))


def _pair_to_json(p: PairPrediction) -> dict[str, Any]:
    return {
        "conflicted_files": list(p.conflicted_files),
        "overlapping_files": list(p.overlapping_files),
        "conflicts_committed": p.conflicts_committed,
        "conflicts_with_uncommitted": p.conflicts_with_uncommitted,
    }


def _pair_from_json(value: Any, a: str, b: str) -> PairPrediction | None:
    """A kept pair result for ``a`` and ``b``, or None when the entry is not one (worked out again)."""
    try:
        conflicted, overlapping = value["conflicted_files"], value["overlapping_files"]
        committed, uncommitted = value["conflicts_committed"], value["conflicts_with_uncommitted"]
    except (KeyError, TypeError):
        return None
    paths_ok = all(
        isinstance(x, list) and all(isinstance(f, str) for f in x) for x in (conflicted, overlapping)
    )
    if not paths_ok or not isinstance(committed, bool) or not isinstance(uncommitted, bool):
        return None
    return PairPrediction(a, b, tuple(conflicted), tuple(overlapping), committed, uncommitted)


def _known_pairs(
    comparisons: list[tuple[_Side, _Side, bool]], previous: ConflictReport | None, cache: ObjectCache | None
) -> dict[int, PairPrediction]:
    """The results already known for ``comparisons`` (by index): from ``previous``, else from ``cache``."""
    memory = _pair_cache(previous)
    found: dict[int, PairPrediction] = {}
    for n, (a, b, _) in enumerate(comparisons):
        hit = _cached(memory, a, b)
        if hit is not None:
            found[n] = hit
    keys = {n: _pair_key(a, b) for n, (a, b, _) in enumerate(comparisons) if n not in found}
    if cache is not None and keys:
        kept = cache.get_many(PAIR, keys.values())
        for n, key in keys.items():
            a, b, _ = comparisons[n]
            hit = _pair_from_json(kept[key], a.name, b.name) if key in kept else None
            if hit is not None:
                found[n] = hit
    return found


def _merge_bases(
    run: CountingGit, pairs: set[tuple[str, str]], cache: ObjectCache | None
) -> dict[tuple[str, str], str | None]:
    """:func:`merge_bases`, for the pairs the cache does not know."""
    if cache is None or not pairs:
        return merge_bases(run, pairs)
    keys = {pair: "|".join(sorted(pair)) for pair in pairs}
    kept = cache.get_many(MERGE_BASE, keys.values())
    bases = {
        pair: kept[key]
        for pair, key in keys.items()
        if key in kept and (kept[key] is None or isinstance(kept[key], str))
    }
    missing = {pair for pair in pairs if pair not in bases}
    if missing:
        found = merge_bases(run, missing)
        bases.update(found)
        cache.put_many(MERGE_BASE, {keys[pair]: base for pair, base in found.items()})
    return bases


def _missing_objects(run: CountingGit, repo: Path, ids: Iterable[str]) -> set[str]:
    """The ``ids`` the repository does not have: loose objects are found on disk, the rest asked in one batch.

    A loose object found is freshened, as git does when it would write it again, so pruning spares it.
    """
    unsure: list[str] = []
    try:
        objects = locate_common_dir(repo) / "objects"
    except (CdevError, OSError):
        objects = None
    for oid in dict.fromkeys(ids):
        loose = objects / oid[:2] / oid[2:] if objects is not None else None
        try:
            if loose is not None and loose.is_file():
                if time.time() - loose.stat().st_mtime > 86_400:
                    os.utime(loose)
                continue
        except OSError:
            pass
        unsure.append(oid)
    if not unsure:
        return set()
    out = run("cat-file", "--batch-check", input="".join(f"{oid}\n" for oid in unsure), ok_codes=ANY_CODE)
    present = {line.split()[0] for line in out.stdout.splitlines() if len(line.split()) == 3}
    return {oid for oid in unsure if oid not in present}


def _prediction(
    work: _Work, bases: Mapping[tuple[str, str], str | None], a: _Side, b: _Side, errors: list[str]
) -> PairPrediction | None:
    """The prediction for one pair from the merges and diffs run, or None (reported) when git refused."""
    committed = work.outcome(a.tip, b.tip)
    current = work.outcome(a.current, b.current)
    if isinstance(committed, str) or isinstance(current, str):
        failures = {m for m in (committed, current) if isinstance(m, str)}
        errors.extend(f"{a.name} vs {b.name}: {message}" for message in sorted(failures))
        return None
    overlap: set[str] = set()
    base = _base_of(bases, a, b)
    if base is not None:
        overlap = work.changed[(base, a.tip)] & work.changed[(base, b.tip)]
        overlap |= work.changed[(base, a.current)] & work.changed[(base, b.current)]
    return PairPrediction(
        a=a.name,
        b=b.name,
        conflicted_files=tuple(sorted({*committed.files, *current.files})),
        overlapping_files=tuple(sorted(overlap)),
        conflicts_committed=not committed.clean,
        conflicts_with_uncommitted=not current.clean,
    )


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
        self,
        run: CountingGit,
        check: Callable[[], None],
        progress: Callable[[int, int], None] | None,
        cache: ObjectCache | None = None,
    ) -> None:
        self.run, self.check, self.progress, self.cache = run, check, progress, cache
        self.merged: dict[tuple[str, str], Merge | str] = {}
        self.changed: dict[tuple[str, str], frozenset[str]] = {}
        self.states: dict[str, WorktreeState] = {}
        self.done = self.total = 0

    def make_again(
        self, agents: list[AgentRef], tips: Mapping[str, tuple[str, str]]
    ) -> dict[str, str | None]:
        """Snapshot again the worktrees whose snapshot commit came from the cache and is no longer there.

        Returns agent id → its new snapshot commit (None: its work turned out to be the tip).
        """
        cached = {i: s for i, s in self.states.items() if s.from_cache and s.snapshot}
        if not cached:
            return {}
        self.check()
        missing = _missing_objects(
            self.run, self.run.cwd, (s.snapshot for s in cached.values() if s.snapshot)
        )
        remade: dict[str, str | None] = {}
        for agent in agents:
            state = cached.get(agent.agent_id)
            if state is None or state.snapshot not in missing:
                continue
            assert agent.worktree is not None
            self.check()
            tip, tip_tree = tips[agent.agent_id]
            fresh = make_snapshot(self.run, Path(agent.worktree), tip, tip_tree, state, self.cache)
            self.states[agent.agent_id] = fresh
            remade[agent.agent_id] = fresh.snapshot
        return remade

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
        if self.cache is not None and queries:
            keys = {q: f"{q[0]}:{q[1]}" for q in queries if q[0] != q[1]}
            kept = self.cache.get_many(DIFF_NAMES, keys.values())
            for query, key in keys.items():
                value = kept.get(key)
                if isinstance(value, list) and all(isinstance(path, str) for path in value):
                    self.changed[query] = frozenset(value)
                    queries.discard(query)
        if queries:
            self.check()
            found = changed_files(self.run, queries)
            self.changed.update(found)
            if self.cache is not None:
                self.cache.put_many(
                    DIFF_NAMES, {f"{b}:{s}": sorted(p) for (b, s), p in found.items() if b != s}
                )

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
            if self.cache is None:
                return worktree_state(self.run, agent, *tips[agent.agent_id])
            return worktree_state(self.run, agent, *tips[agent.agent_id], self.cache)

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
        self.states.update(states)
        return states
