"""Refreshing 50 agents: git subprocesses and time for one full load, and for the refresh of one agent.

Builds a repository with 50 agent worktrees (each with a cdev context, a checklist, a commit and an
uncommitted edit), then counts the git commands the workspace loader runs and times them.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

AGENTS = 50
REPEAT = 5


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def build(root: Path, agents: int = AGENTS) -> Path:
    """A repo with ``agents`` worktrees in ``<root>/proj-work-trees`` (and at least as many modules)."""
    from cdev_tui.workspace_files import write_agent_workspace

    repo = root / "proj"
    (repo / "src").mkdir(parents=True)
    for i in range(max(200, agents)):
        (repo / "src" / f"module_{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    (repo / ".gitignore").write_text("workspaces/\n")
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    _git(root, "init", "-q", "-b", "main", str(repo))
    _git(repo, "add", "-A")
    _git(repo, *identity, "commit", "-q", "-m", "base")
    for i in range(agents):
        agent = f"agent_{i:02d}"
        worktree = root / "proj-work-trees" / f"T-1-{agent}"
        _git(repo, "worktree", "add", "-q", "-b", f"T-1-{agent}", str(worktree))
        context = {"agentId": agent, "taskId": "T-1", "branchName": f"T-1-{agent}", "dependencies": []}
        write_agent_workspace(
            worktree,
            context,
            files_to_create=[f"src/new_{i}.py"],
            files_to_modify=[f"src/module_{i}.py"],
            test_contracts=[f"tests/test_new_{i}.py"],
            validation_criteria=["one", "two", "three"],
        )
        (worktree / "src" / f"new_{i}.py").write_text("x = 1\n")
        _git(worktree, "add", "src")
        _git(worktree, *identity, "commit", "-q", "-m", f"{agent} work")
        (worktree / "src" / f"module_{i}.py").write_text("# edited, not committed\n")
    return repo


def main() -> list[str]:
    """Git subprocess count and median time of a full load and of a one-agent refresh."""
    from cdev_tui import gitops
    from cdev_tui.app import make_app
    from cdev_tui.config import Config
    from cdev_tui.workspace import WorkspaceLoader, resolve_paths

    calls = 0
    real_git = gitops.git

    def counting_git(*args, **kwargs):  # counts every git subprocess the loader starts
        nonlocal calls
        calls += 1
        return real_git(*args, **kwargs)

    with tempfile.TemporaryDirectory(prefix="cdev-bench-refresh-") as tmp:
        repo = build(Path(tmp))
        loader = WorkspaceLoader(resolve_paths(repo, Config()))
        gitops.git = counting_git
        try:
            full, one = [], []
            for _ in range(REPEAT):
                calls = 0
                started = time.perf_counter()
                snapshot = loader.load()
                full.append(time.perf_counter() - started)
                full_calls = calls
                calls = 0
                started = time.perf_counter()
                loader.refresh(snapshot, {"agent_07"})
                one.append(time.perf_counter() - started)
                one_calls = calls
        finally:
            gitops.git = real_git
        assert len(snapshot.agents) == AGENTS
        keystroke = _keystroke_ms(lambda: make_app(repo, db=Path(tmp) / "cdev.db"))
        bare = _keystroke_ms(_bare_table_app)
    full_ms, one_ms = statistics.median(full) * 1000, statistics.median(one) * 1000
    return [
        f"refresh.full({AGENTS} agents): {full_calls} git subprocesses ({full_calls / AGENTS:.1f} per agent), "
        f"median {full_ms:.0f} ms",
        f"refresh.one_agent(of {AGENTS}): {one_calls} git subprocesses, median {one_ms:.0f} ms "
        f"(the watcher re-reads only the agents whose files changed)",
        f"keystroke({AGENTS} agents): arrow key handled and redrawn (agent detail included), "
        f"ours {keystroke:.0f} ms, a bare {AGENTS}-row DataTable {bare:.0f} ms in the same pilot, "
        f"ratio {keystroke / bare:.2f}x",
    ]


def _bare_table_app() -> Any:
    """The yardstick: a Textual app with nothing but a DataTable of as many rows."""
    from textual.app import App
    from textual.widgets import DataTable

    class Bare(App[None]):
        def compose(self):
            table: DataTable[str] = DataTable(id="agents-table", cursor_type="row")
            table.add_columns("agent", "status", "progress")
            for index in range(AGENTS):
                table.add_row(f"agent_{index:02d}", "in progress", "3/4")
            yield table

    return Bare()


def _keystroke_ms(make: Callable[[], Any]) -> float:
    """Median time for one arrow key in a 50-row table to be handled and the screen redrawn (pilot)."""
    import asyncio

    async def drive() -> list[float]:
        app = make()
        times: list[float] = []
        async with app.run_test(size=(160, 50)) as pilot:
            while (
                not app.screen.query("#agents-table")
                or app.screen.query_one("#agents-table").row_count < AGENTS
            ):
                await pilot.pause(0.05)
            app.screen.query_one("#agents-table").focus()
            await pilot.pause(0.5)
            for index in range(40):
                started = time.perf_counter()
                await pilot.press("down" if index < 20 else "up")
                await pilot.wait_for_scheduled_animations()
                times.append(time.perf_counter() - started)
        return times

    return statistics.median(asyncio.run(drive())) * 1000
