"""Predicted merge conflicts between agents and against the target branch.

Every prediction is a real ort merge (``git merge-tree --write-tree``) with no index or working tree
involved. Uncommitted work is included by snapshotting a worktree into a commit through a temporary index.
Git calls are batched (one ``merge-tree --stdin`` per chunk of merges, one ``diff-tree --stdin`` for all
changed-file lists, merge bases from one ``rev-list``) so the whole matrix costs a handful of processes.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from cdev_tui.errors import CdevError
from cdev_tui.gitops import GitResult, git

# Fixed identity and dates: the same worktree state always gives the same snapshot commit id,
# and a machine without a configured git identity can still make one.
_SNAPSHOT_ENV = {
    "GIT_AUTHOR_NAME": "cdev-tui",
    "GIT_AUTHOR_EMAIL": "cdev-tui@localhost",
    "GIT_AUTHOR_DATE": "@0 +0000",
    "GIT_COMMITTER_NAME": "cdev-tui",
    "GIT_COMMITTER_EMAIL": "cdev-tui@localhost",
    "GIT_COMMITTER_DATE": "@0 +0000",
}
_ANY_CODE = tuple(range(-255, 256))
_MAX_PATHSPECS = 500


@dataclass(frozen=True)
class AgentRef:
    """What conflict prediction needs to know about one agent."""

    agent_id: str
    branch: str | None
    worktree: Path | None
    dependencies: tuple[str, ...] = ()
    owned_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairPrediction:
    """Predicted outcome of merging ``a`` with ``b`` (an agent or the target branch).

    ``conflicted_files`` and ``overlapping_files`` cover both the committed tips and, when it was included,
    the uncommitted work. Without uncommitted work on either side ``conflicts_with_uncommitted`` equals
    ``conflicts_committed``.
    """

    a: str
    b: str
    conflicted_files: tuple[str, ...]
    overlapping_files: tuple[str, ...]
    conflicts_committed: bool
    conflicts_with_uncommitted: bool

    @property
    def conflicts(self) -> bool:
        """Whether the pair conflicts at all (committed or with uncommitted work)."""
        return self.conflicts_committed or self.conflicts_with_uncommitted

    @property
    def uncommitted_only(self) -> bool:
        """Whether the conflict appears only once uncommitted work is included."""
        return self.conflicts_with_uncommitted and not self.conflicts_committed


@dataclass(frozen=True)
class DeclaredOverlap:
    """The same paths owned by two agents in the plan."""

    a: str
    b: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class ConflictReport:
    """Everything :func:`predict_conflicts` found, with its cost."""

    pairs: list[PairPrediction]
    vs_target: list[PairPrediction]
    declared_overlaps: list[DeclaredOverlap]
    merge_order: list[str]
    merge_order_conflicts: list[tuple[str, str]]
    git_calls: int
    seconds: float
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def has_conflicts(self) -> bool:
        """Whether any pair or any agent vs the target conflicts, or the plan gives a path to two agents."""
        return (
            any(p.conflicts for p in self.pairs)
            or any(p.conflicts for p in self.vs_target)
            or bool(self.declared_overlaps)
        )


class _Git:
    """Runs git commands in one repository and counts them (thread-safe)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(
        self,
        *args: str,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        ok_codes: Sequence[int] = (0,),
    ) -> GitResult:
        with self._lock:
            self.calls += 1
        return git(cwd or self.cwd, *args, env=env, input=input, ok_codes=ok_codes, strip=False)


class _Cancelled(Exception):
    pass


# --- snapshots --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Status:
    head: str | None  # None on an unborn branch
    branch: str | None  # None when detached
    changed: tuple[str, ...]  # paths (from the top) that differ from HEAD, untracked ones included


def _status(run: _Git, worktree: Path) -> _Status | None:
    """The worktree's HEAD and changed paths, or None when it is not a git worktree (real index untouched)."""
    result = run(
        "--no-optional-locks",
        "status",
        "--porcelain=v2",
        "-z",
        "--branch",
        "--no-ahead-behind",
        "--no-renames",
        "--untracked-files=normal",
        "--ignore-submodules=dirty",
        cwd=worktree,
        ok_codes=_ANY_CODE,
    )
    if result.code != 0:
        return None
    head = branch = None
    changed: list[str] = []
    tokens = iter(result.stdout.split("\0"))
    for entry in tokens:
        kind = entry[:1]
        if entry.startswith("# branch.oid "):
            head = entry[len("# branch.oid ") :]
        elif entry.startswith("# branch.head "):
            branch = entry[len("# branch.head ") :]
        elif kind == "1":
            changed.append(entry.split(" ", 8)[8])
        elif kind == "2":
            changed += [entry.split(" ", 9)[9], next(tokens, "")]
        elif kind == "u":
            changed.append(entry.split(" ", 10)[10])
        elif kind in ("?", "!"):
            changed.append(entry[2:])
    return _Status(
        head=None if head in (None, "(initial)") else head,
        branch=None if branch in (None, "(detached)") else branch,
        changed=tuple(p for p in changed if p),
    )


def snapshot_worktree(worktree: Path) -> str:
    """A commit id for ``worktree`` including uncommitted and untracked (not ignored) changes.

    HEAD itself when nothing differs from it. The real index, HEAD, refs and files are left untouched;
    only new objects are written.
    """
    worktree = Path(worktree)
    if not worktree.is_dir():
        raise CdevError(f"{worktree}: no such directory")
    run = _Git(worktree)
    status = _status(run, worktree)
    if status is None:
        raise CdevError(f"{worktree}: not a git worktree")
    if status.head is None:
        raise CdevError(f"{worktree}: no commit checked out")
    return _snapshot(run, worktree, status.head, status.changed)


def _snapshot(
    run: _Git, worktree: Path, head: str, changed: Sequence[str], head_tree: str | None = None
) -> str:
    """Commit the worktree state on top of ``head`` through a temporary index.

    The temporary index starts as a copy of the real one: its cached stat data means only the ``changed``
    paths reported by status need hashing (``read-tree HEAD`` + a full ``add -A`` re-hashes every file,
    5x slower on 5,000 files), and sparse-checkout/skip-worktree entries stay as they are.
    """
    if not changed:
        return head
    with tempfile.TemporaryDirectory(prefix="cdev-snapshot-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        real_index = _index_path(worktree)
        if real_index is not None and real_index.is_file():
            shutil.copy2(real_index, env["GIT_INDEX_FILE"])
        else:
            run("read-tree", head, cwd=worktree, env=env)
        add = ("-c", "core.splitIndex=false", "add", "-A")
        if len(changed) <= _MAX_PATHSPECS:
            pathspecs = "".join(f":(top,literal){path}\0" for path in changed)
            run(*add, "--pathspec-from-file=-", "--pathspec-file-nul", cwd=worktree, env=env, input=pathspecs)
        else:  # matching thousands of pathspecs costs more than one full pass
            run(*add, cwd=worktree, env=env)
        tree = run("write-tree", cwd=worktree, env=env).stdout.strip()
    if head_tree is None:
        head_tree = run("rev-parse", f"{head}^{{tree}}", cwd=worktree).stdout.strip()
    if tree == head_tree:
        return head
    commit = ("commit-tree", tree, "-p", head, "-m", "cdev-tui snapshot")
    return run(*commit, cwd=worktree, env=_SNAPSHOT_ENV).stdout.strip()


def _index_path(worktree: Path) -> Path | None:
    dotgit = worktree / ".git"
    if dotgit.is_dir():
        return dotgit / "index"
    if dotgit.is_file():
        text = dotgit.read_text(errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text[len("gitdir:") :].strip())
            return (gitdir if gitdir.is_absolute() else worktree / gitdir) / "index"
    return None


@dataclass(frozen=True)
class _WorktreeState:
    snapshot: str | None = None  # a commit differing from the branch tip, None when clean
    error: str | None = None
    skip: bool = False  # the worktree is unusable: leave the agent out


def _worktree_state(run: _Git, agent: AgentRef, tip: str, tip_tree: str) -> _WorktreeState:
    assert agent.worktree is not None
    worktree = Path(agent.worktree)
    status = _status(run, worktree)
    if status is None:
        return _WorktreeState(error=f"agent {agent.agent_id}: {worktree} is not a git worktree", skip=True)
    if not status.changed:
        return _WorktreeState()
    if status.head != tip:
        checked_out = status.branch or status.head or "no commit"
        return _WorktreeState(
            error=(
                f"agent {agent.agent_id}: worktree {worktree} has {checked_out} checked out, not the tip of "
                f"{agent.branch}; its uncommitted work is ignored"
            )
        )
    snapshot = _snapshot(run, worktree, tip, status.changed, tip_tree)
    return _WorktreeState(snapshot=None if snapshot == tip else snapshot)


# --- batched plumbing -------------------------------------------------------------------------------------


def _resolve(run: _Git, names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Map each branch name to (commit, tree); names that do not resolve are left out."""
    names = list(dict.fromkeys(names))
    queries = []
    for name in names:
        for ref in (f"refs/heads/{name}", name):
            queries += [f"{ref}^{{commit}}", f"{ref}^{{tree}}"]
    out = run("cat-file", "--batch-check", input="".join(q + "\n" for q in queries)).stdout.splitlines()
    found: dict[str, tuple[str, str]] = {}
    for i, name in enumerate(names):
        lines = out[4 * i : 4 * i + 4]
        for commit_line, tree_line in ((lines[0:1], lines[1:2]), (lines[2:3], lines[3:4])):
            commit = commit_line[0].split() if commit_line else []
            tree = tree_line[0].split() if tree_line else []
            if len(commit) == 3 and commit[1] == "commit" and len(tree) == 3:
                found[name] = (commit[0], tree[0])
                break
    return found


@dataclass(frozen=True)
class _Merge:
    clean: bool
    files: tuple[str, ...]


def _merge_chunk(run: _Git, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], _Merge | str]:
    """Merge each commit pair; a pair git refuses (e.g. unrelated histories) maps to git's message."""
    results: dict[tuple[str, str], _Merge | str] = {}
    pending = pairs
    while pending:
        result = run(
            "merge-tree",
            "--write-tree",
            "--name-only",
            "--no-messages",
            "-z",
            "--stdin",
            input="".join(f"{a} {b}\n" for a, b in pending),
            ok_codes=_ANY_CODE,
        )
        merges = _parse_merge_stream(result.stdout)
        results.update(zip(pending, merges, strict=False))
        if len(merges) >= len(pending):
            break
        # git stops at the first pair it cannot merge at all: record it and go on with the rest.
        lines = (result.stderr or "").strip().splitlines()
        results[pending[len(merges)]] = lines[-1] if lines else f"git merge-tree exit code {result.code}"
        pending = pending[len(merges) + 1 :]
    return results


def _parse_merge_stream(text: str) -> list[_Merge]:
    """Parse ``merge-tree --stdin -z --name-only --no-messages``: status, tree, paths, empty terminator."""
    tokens = text.split("\0")
    merges: list[_Merge] = []
    i = 0
    while i + 1 < len(tokens) and tokens[i] in ("0", "1"):
        clean = tokens[i] == "1"  # in --stdin mode 1 means clean
        i += 2
        files: list[str] = []
        while i < len(tokens) and tokens[i] != "":
            files.append(tokens[i])
            i += 1
        if i >= len(tokens) - 1:
            break  # the terminator is missing: git died while writing this record
        i += 1
        merges.append(_Merge(clean, tuple(files)))
    return merges


def _merge_bases(run: _Git, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """One best merge base per commit pair, from a single ``rev-list`` over the commits since the fork."""
    tips = sorted({c for pair in pairs for c in pair})
    if len(tips) < 2:
        return {pair: pair[0] for pair in pairs}
    octopus = run("merge-base", "--octopus", "--all", *tips, ok_codes=(0, 1)).stdout.split()
    if not octopus:  # some tips share no history with the others: ask per pair
        bases: dict[tuple[str, str], str | None] = {}
        for x, y in pairs:
            found = run("merge-base", x, y, ok_codes=(0, 1)).stdout.split()
            bases[(x, y)] = found[0] if found else None
        return bases
    parents: dict[str, list[str]] = {}
    for line in run("rev-list", "--parents", *tips, "--not", *octopus).stdout.splitlines():
        commit, *commit_parents = line.split()
        parents[commit] = commit_parents
    # Every best base of a pair is one of the octopus bases or a listed commit: anything else is an ancestor
    # of an octopus base, itself a common ancestor. Common ancestors are closed under "parent of", so a
    # common ancestor is a best one exactly when it is no other common ancestor's parent.
    allowed = set(parents) | set(octopus)
    ancestors: dict[str, frozenset[str]] = {}

    def reach(tip: str) -> frozenset[str]:
        seen: set[str] = set()
        stack = [tip]
        while stack:
            commit = stack.pop()
            if commit not in seen:
                seen.add(commit)
                stack.extend(parents.get(commit, ()))
        return frozenset(seen)

    result: dict[tuple[str, str], str | None] = {}
    for x, y in pairs:
        for tip in (x, y):
            if tip not in ancestors:
                ancestors[tip] = reach(tip)
        common = ancestors[x] & ancestors[y]
        below = {p for c in common for p in parents.get(c, ())}
        best = sorted((common & allowed) - below)
        result[(x, y)] = best[0] if best else None
    return result


def _changed_files(run: _Git, queries: set[tuple[str, str]]) -> dict[tuple[str, str], frozenset[str]]:
    """Paths changed from ``base`` to ``side`` for each (base, side), in one ``diff-tree --stdin``."""
    ordered = sorted((base, side) for base, side in queries if base != side)
    changed: dict[tuple[str, str], frozenset[str]] = {q: frozenset() for q in queries}
    if not ordered:
        return changed
    out = run(
        "diff-tree",
        "--stdin",
        "-r",
        "--name-only",
        "--no-renames",
        "--always",
        "-z",
        input="".join(f"{side} {base}\n" for base, side in ordered),
    ).stdout
    index = -1
    files: dict[int, list[str]] = defaultdict(list)
    for token in out.split("\0"):
        if index + 1 < len(ordered) and token == ordered[index + 1][1]:
            index += 1  # the header line naming the next queried commit
        elif token and index >= 0:
            files[index].append(token)
    for i, query in enumerate(ordered):
        changed[query] = frozenset(files[i])
    return changed


# --- the matrix -------------------------------------------------------------------------------------------


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
    run = _Git(Path(repo))
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
        order_conflicts: list[tuple[str, str]] = []
        try:
            order = merge_order(unique, [(p.a, p.b) for p in pairs if p.conflicts])
            order_conflicts = _order_conflicts(order, pairs)
        except CdevError as exc:
            errors.append(str(exc))
        return ConflictReport(
            pairs=pairs,
            vs_target=vs_target,
            declared_overlaps=declared_overlaps(unique),
            merge_order=order,
            merge_order_conflicts=order_conflicts,
            git_calls=run.calls,
            seconds=time.perf_counter() - started,
            errors=errors,
            cancelled=cancelled,
        )

    try:
        return report(
            *_predict(run, target, candidates, include_uncommitted, errors, cancel, progress), False
        )
    except _Cancelled:
        errors.append("cancelled before the prediction finished")
        return report([], [], True)


def _predict(
    run: _Git,
    target: str,
    candidates: list[AgentRef],
    include_uncommitted: bool,
    errors: list[str],
    cancel: Callable[[], bool] | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[PairPrediction], list[PairPrediction]]:
    def check() -> None:
        if cancel is not None and cancel():
            raise _Cancelled

    check()
    resolved = _resolve(run, [target, *(a.branch for a in candidates if a.branch)])
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
    bases = _merge_bases(run, {(a.tip, b.tip) for a, b, _ in comparisons if a.tip != b.tip})
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
        self, run: _Git, check: Callable[[], None], progress: Callable[[int, int], None] | None
    ) -> None:
        self.run, self.check, self.progress = run, check, progress
        self.merged: dict[tuple[str, str], _Merge | str] = {}
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
            self.merged.update(_merge_chunk(self.run, todo[start : start + chunk]))
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
            self.changed.update(_changed_files(self.run, queries))

    def outcome(self, x: str, y: str) -> _Merge | str:
        return _Merge(True, ()) if x == y else self.merged[(x, y)]

    def inspect(
        self, agents: list[AgentRef], tips: Mapping[str, tuple[str, str]]
    ) -> dict[str, _WorktreeState]:
        """Status, and a snapshot when dirty, of every worktree, a few at a time.

        The cancel callback is only ever called on this (the caller's) thread.
        """
        stop = threading.Event()

        def inspect(agent: AgentRef) -> _WorktreeState:
            if stop.is_set():
                return _WorktreeState(skip=True)
            return _worktree_state(self.run, agent, *tips[agent.agent_id])

        self.total += len(agents)
        self.advance(0)
        states: dict[str, _WorktreeState] = {}
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


# --- plan-level checks ------------------------------------------------------------------------------------


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
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(deps):
        ready = [i for i in deps if i not in done and all(d in done for d in deps[i])]
        if not ready:
            raise CdevError(f"dependency cycle: {' -> '.join(_find_cycle(deps, done))}")
        chosen = min(ready, key=lambda i: (len(conflicts[i] & done), i))
        order.append(chosen)
        done.add(chosen)
    return order


def _find_cycle(deps: Mapping[str, tuple[str, ...]], done: set[str]) -> list[str]:
    # Every remaining agent has an unfinished dependency, so following them must revisit one.
    node = min(i for i in deps if i not in done)
    path: list[str] = []
    while node not in path:
        path.append(node)
        node = min(d for d in deps[node] if d not in done)
    return [*path[path.index(node) :], node]


def _order_conflicts(order: list[str], pairs: Sequence[PairPrediction]) -> list[tuple[str, str]]:
    position = {agent_id: i for i, agent_id in enumerate(order)}
    ordered: list[tuple[str, str]] = []
    for p in pairs:
        if p.conflicts and p.a in position and p.b in position:
            ordered.append((p.a, p.b) if position[p.a] < position[p.b] else (p.b, p.a))
    return sorted(ordered, key=lambda pair: (position[pair[1]], position[pair[0]]))
