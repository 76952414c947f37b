"""Benchmark the conflict matrix against the raw ``git merge-tree`` calls it needs.

Builds a 5,000-file repository with 6 agent worktrees (a few commits each, some conflicting, one dirty)
in a temporary directory, then times :func:`cdev_tui.conflicts.predict_conflicts` (median of 3) against
the 21 committed ``git merge-tree`` invocations (15 pairs + 6 vs the target) run one by one with
subprocess (median of 3). It also times a refresh after one worktree changed (the previous report given, only
that agent's pairs merged again) against a full prediction. Run with ``python benchmarks/bench_conflicts.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cdev_tui.conflicts import AgentRef, predict_conflicts

AGENTS = 6
FILES = 5000
REPEAT = 3
BUDGET = 2.0
TARGET = "main"

_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def _git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args]
    return subprocess.run(command, cwd=cwd, env=_ENV, check=True, capture_output=True, text=True).stdout


def _module(i: int, version: str = "base") -> str:
    body = "".join(f"    value_{j} = compute({i}, {j})  # {version}\n" for j in range(24))
    return f'"""Module {i}."""\n\n\ndef run_{i}(compute):\n{body}    return value_0\n'


def _commit(worktree: Path, files: dict[str, str], message: str) -> None:
    for rel, text in files.items():
        path = worktree / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(worktree, "add", "-A")
    _git(worktree, "commit", "-q", "-m", message)


def _path(i: int) -> str:
    return f"src/pkg{i % 40:02d}/sub{i % 7}/module_{i:04d}.py"


def build(root: Path) -> tuple[Path, list[AgentRef]]:
    """The repository and its agents: 0/1 and 3/4 conflict, 2 conflicts with the moved target, 5 is dirty."""
    repo = root / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", TARGET)
    _commit(repo, {_path(i): _module(i) for i in range(FILES)} | {".gitignore": "*.log\n"}, "initial import")
    _git(
        repo, "repack", "-adq"
    )  # existing history arrives packed, as after a clone; agents' commits stay loose
    agents: list[AgentRef] = []
    for n in range(AGENTS):
        worktree = root / "work-trees" / f"agent-{n}"
        _git(repo, "worktree", "add", "-q", "-b", f"agent/{n}", str(worktree))
        own = [100 + n * 50 + k for k in range(30)]  # 30 files of its own, 10 per commit
        for c in range(3):
            files = {_path(i): _module(i, f"agent {n} step {c}") for i in own[c * 10 : c * 10 + 10]}
            files[f"features/agent_{n}/part_{c}.py"] = f"PART = {c}\n"
            if c == 0 and n in (0, 1):
                files[_path(1)] = _module(1, f"agent {n}")  # content conflict 0/1
            if c == 1 and n in (3, 4):
                files["docs/shared-guide.md"] = f"# Guide written by agent {n}\n"  # add/add conflict 3/4
            if c == 2 and n == 2:
                files[_path(7)] = _module(7, "agent 2")  # conflicts with the moved target
            _commit(worktree, files, f"agent {n}: step {c}")
        agents.append(AgentRef(f"agent-{n}", f"agent/{n}", worktree, owned_files=tuple(map(_path, own))))
    for c in range(3):
        moved = {_path(i): _module(i, f"target {c}") for i in range(3000 + c * 20, 3020 + c * 20)}
        if c == 1:
            moved[_path(7)] = _module(7, "target")
        _commit(repo, moved, f"target moves {c}")
    dirty = root / "work-trees" / f"agent-{AGENTS - 1}"
    (dirty / _path(1)).write_text(_module(1, "agent 5, not committed yet"))
    (dirty / "features" / "scratch.py").write_text("WIP = True\n")
    (dirty / "debug.log").write_text("ignored\n")
    # A worktree checked out this very second has "racily clean" index entries that every status must
    # re-hash; real agent worktrees are older than that, so let the clock move on and refresh once.
    time.sleep(1.1)
    for agent in agents:
        assert agent.worktree is not None
        _git(agent.worktree, "update-index", "-q", "--refresh")
    return repo, agents


def raw_merge_trees(repo: Path, agents: list[AgentRef]) -> None:
    """The 21 committed merges, one ``git merge-tree`` process each, as a naive tool runs them."""
    branches = [a.branch for a in agents if a.branch]
    pairs = [(x, y) for i, x in enumerate(branches) for y in branches[i + 1 :]]
    pairs += [(x, TARGET) for x in branches]
    for x, y in pairs:
        command = ["git", "merge-tree", "--write-tree", "--name-only", "--no-messages", x, y]
        subprocess.run(command, cwd=repo, capture_output=True, check=False)


def _medians_ms(actions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median wall time of each action; rounds interleave the actions so load drift hits all alike."""
    for action in actions.values():
        action()  # warm-up: imports and file-system caches
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(REPEAT):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def _statuses(agents: list[AgentRef]) -> None:
    for agent in agents:
        command = ["git", "--no-optional-locks", "status", "--porcelain"]
        subprocess.run(command, cwd=agent.worktree, check=True, capture_output=True)


def _check(repo: Path, agents: list[AgentRef]) -> None:
    report = predict_conflicts(repo, TARGET, agents)
    conflicting = {(p.a, p.b) for p in [*report.pairs, *report.vs_target] if p.conflicts}
    uncommitted = {(p.a, p.b) for p in report.pairs if p.uncommitted_only}
    expected = {("agent-0", "agent-1"), ("agent-3", "agent-4"), ("agent-2", TARGET)}
    if report.errors or not expected <= conflicting or ("agent-0", "agent-5") not in uncommitted:
        raise RuntimeError(f"benchmark workspace predicted wrongly: {sorted(conflicting)} {report.errors}")


class _Refresh:
    """One agent's worktree changes, then the prediction refreshes from the previous report."""

    def __init__(self, repo: Path, agents: list[AgentRef]) -> None:
        self.repo, self.agents = repo, agents
        self.previous = predict_conflicts(repo, TARGET, agents)
        self.edits = 0
        self.reused = 0

    def __call__(self) -> None:
        changed = self.agents[-1]
        assert changed.worktree is not None
        self.edits += 1
        (changed.worktree / "features" / "scratch.py").write_text(f"WIP = {self.edits}\n")
        report = predict_conflicts(
            self.repo, TARGET, self.agents, previous=self.previous, changed_agents={changed.agent_id}
        )
        self.previous, self.reused = report, report.reused_pairs


def main() -> list[str]:
    """Build the workspace, time both sides and return the result lines."""
    with tempfile.TemporaryDirectory(prefix="cdev-bench-conflicts-") as tmp:
        repo, agents = build(Path(tmp))
        _check(repo, agents)
        refresh = _Refresh(repo, agents)
        ms = _medians_ms(
            {
                "ours": lambda: predict_conflicts(repo, TARGET, agents),
                "committed": lambda: predict_conflicts(repo, TARGET, agents, include_uncommitted=False),
                "raw": lambda: raw_merge_trees(repo, agents),
                "status": lambda: _statuses(agents),
                "refresh": refresh,
            }
        )
    ours, committed, raw, status = ms["ours"], ms["committed"], ms["raw"], ms["status"]
    label = f"{AGENTS} agents, {FILES} files"
    total = AGENTS * (AGENTS - 1) // 2 + AGENTS
    return [
        f"conflicts.matrix({label}): ours {ours:.0f} ms, raw merge-tree {raw:.0f} ms, "
        f"ratio {ours / raw:.2f}x (budget <= {BUDGET:g}x)",
        f"conflicts.matrix({label}, committed only): ours {committed:.0f} ms, raw merge-tree {raw:.0f} ms, "
        f"ratio {committed / raw:.2f}x (budget <= {BUDGET:g}x)",
        f"conflicts.worktree-status({AGENTS} worktrees, {FILES} files): plain git status {status:.0f} ms "
        "(the floor for including uncommitted work)",
        f"conflicts.refresh({label}, one worktree changed): {ms['refresh']:.0f} ms vs full {ours:.0f} ms, "
        f"{ours / ms['refresh']:.1f}x faster, {refresh.reused}/{total} pairs reused",
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
