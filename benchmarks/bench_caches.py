"""Git processes per refresh at 5 and 50 agents, and the share a repeated command avoids through the caches.

Every git process is counted by a ``git`` shim put first on ``PATH``: it appends a line to a log and runs
the real git, so every caller (our plumbing, GitPython, a CLI child process) is counted, not only ours.

1. The workspace loader on a repository with N agent worktrees (each with a commit and an uncommitted
   edit), N = 5 and 50: a full read with an empty cache, the same read again (commits cached), the refresh
   of one agent after a file edit and after a commit; the median time of a full read at 50 vs at 5.
2. ``cdev-tui status`` and ``cdev-tui conflicts`` run twice each as real CLI processes on the same store:
   the second run's git processes against the first's (the first starts from an empty store).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_refresh import build

SIZES = (5, 50)
REPEAT = 5
AVOIDED_GOAL = 80.0
SCALE_BUDGET = 5.0


class GitCounter:
    """A ``git`` on PATH that counts its runs."""

    def __init__(self, root: Path) -> None:
        real = shutil.which("git")
        assert real is not None, "git is not installed"
        self.folder = root / "git-shim"
        self.folder.mkdir()
        self.log = root / "git-calls.log"
        self.log.touch()
        shim = self.folder / "git"
        shim.write_text(f'#!/bin/sh\necho "$*" >> "{self.log}"\nexec "{real}" "$@"\n')
        shim.chmod(0o755)

    def env(self) -> dict[str, str]:
        return {**os.environ, "PATH": f"{self.folder}:{os.environ.get('PATH', '')}"}

    def count(self) -> int:
        return len(self.log.read_text().splitlines())

    def reset(self) -> None:
        self.log.write_text("")


def _loader_counts(root: Path, agents: int, counter: GitCounter) -> dict[str, float]:
    from cdev_tui.config import Config
    from cdev_tui.object_cache import ObjectCache
    from cdev_tui.store import Store
    from cdev_tui.workspace import WorkspaceLoader, resolve_paths

    repo = build(root, agents)
    paths = resolve_paths(repo, Config())
    store = Store(root / "cdev.db")
    loader = WorkspaceLoader(paths, cache=ObjectCache(store))
    figures: dict[str, float] = {}
    counter.reset()
    snapshot = loader.load()
    figures["cold"] = counter.count()
    times = []
    for _ in range(REPEAT):
        counter.reset()
        started = time.perf_counter()
        snapshot = loader.load()
        times.append(time.perf_counter() - started)
    figures["warm"] = counter.count()
    figures["seconds"] = statistics.median(times)
    agent = snapshot.agents[agents // 2]
    worktree = agent.facts.worktree
    assert worktree is not None
    (worktree / "src" / "edited_now.py").write_text("y = 2\n")
    counter.reset()
    snapshot = loader.refresh(snapshot, {agent.agent_id})
    figures["edit"] = counter.count()
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "add", "-A"], cwd=worktree, check=True, capture_output=True)
    subprocess.run(["git", *identity, "commit", "-qm", "more"], cwd=worktree, check=True, capture_output=True)
    counter.reset()
    loader.refresh(snapshot, {agent.agent_id})
    figures["commit"] = counter.count()
    store.close()
    return figures


def _cli_runs(root: Path, agents: int, counter: GitCounter, command: str) -> tuple[int, int, float]:
    """Git processes of the first and the second run, and the share of the second run's cached lookups that
    the store counted as answered (what the Metrics pane calls redundant operations avoided)."""
    from cdev_tui.object_cache import avoided_share
    from cdev_tui.store import Store

    repo = build(root, agents)
    db = root / "cdev.db"
    argv = [
        sys.executable,
        "-m",
        "cdev_tui",
        "--repo",
        str(repo),
        "--db",
        str(db),
        command,
        "--format",
        "json",
    ]
    counts, stats = [], []
    for _ in range(2):
        counter.reset()
        subprocess.run(argv, env=counter.env(), check=True, capture_output=True)
        counts.append(counter.count())
        store = Store(db)
        stats.append(store.cache_stats())
        store.close()
    repeat = {
        op: (hits - stats[0].get(op, (0, 0))[0], misses - stats[0].get(op, (0, 0))[1])
        for op, (hits, misses) in stats[1].items()
    }
    return counts[0], counts[1], avoided_share(repeat)


def main() -> list[str]:
    """Count, time and report."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cdev-bench-caches-") as tmp:
        root = Path(tmp)
        counter = GitCounter(root)
        saved_path = os.environ.get("PATH", "")
        os.environ["PATH"] = counter.env()["PATH"]
        try:
            figures = {n: _loader_counts(root / f"loader-{n}", n, counter) for n in SIZES}
        finally:
            os.environ["PATH"] = saved_path
        for n in SIZES:
            f = figures[n]
            lines.append(
                f"refresh.git_processes({n} agents): full {f['warm']:.0f} once commits are cached (goal <= N + 3 = "
                f"{n + 3}), {f['cold']:.0f} from an empty cache; one worktree {f['edit']:.0f} after an edit "
                f"(goal <= 2), {f['commit']:.0f} after a commit"
            )
        small, large = figures[SIZES[0]]["seconds"], figures[SIZES[-1]]["seconds"]
        lines.append(
            f"refresh.full_time: {SIZES[-1]} agents {large * 1000:.0f} ms vs {SIZES[0]} agents {small * 1000:.0f} ms "
            f"(median of {REPEAT}), ratio {large / small:.2f}x (budget <= {SCALE_BUDGET:g}x)"
        )
        totals = [0, 0]
        for command in ("status", "conflicts"):
            first, second, share = _cli_runs(root / f"cli-{command}", SIZES[0], counter, command)
            totals[0] += first
            totals[1] += second
            lines.append(
                f"repeat.{command}({SIZES[0]} agents): {first} git processes on an empty store, {second} on the "
                f"repeat, avoided ratio {100 * (1 - second / first):.0f}% (budget >= {AVOIDED_GOAL:g}%); "
                f"cached lookups answered on the repeat {100 * share:.0f}% (the Metrics pane's counters)"
            )
        lines.append(
            f"repeat.status+conflicts({SIZES[0]} agents): {totals[0]} → {totals[1]} git processes, avoided ratio "
            f"{100 * (1 - totals[1] / totals[0]):.0f}% (budget >= {AVOIDED_GOAL:g}%)"
        )
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
