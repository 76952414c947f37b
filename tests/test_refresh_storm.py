"""A refresh storm (a checkout rewriting thousands of files in several worktrees) costs a few refreshes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo
from tests.apptools import wait_until

FILES_PER_WORKTREE = 2000
STORMED = ("api_agent", "auth_agent", "catalog_agent")


def write_storm(worktrees: list[Path]) -> None:
    """What `git checkout` of a big branch does to each worktree: thousands of files, all at once."""
    for worktree in worktrees:
        folder = worktree / "generated"
        folder.mkdir()
        for index in range(FILES_PER_WORKTREE):
            (folder / f"module_{index}.py").write_text(f"VALUE = {index}\n")


async def test_thousands_of_changed_files_coalesce_into_a_few_refreshes(tmp_path: Path) -> None:
    repo = build_demo(tmp_path / "demo").repo
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.pause(1.0)  # the watcher is running
        worktrees = [app.main.snapshot.agent(agent_id).facts.worktree for agent_id in STORMED]
        since = time.time()
        await asyncio.to_thread(write_storm, worktrees)

        def settled() -> bool:
            snapshot = app.main.snapshot
            return all(len(snapshot.agent(a).facts.git.dirty) >= FILES_PER_WORKTREE for a in STORMED)

        await wait_until(pilot, settled, timeout=60)
        await pilot.pause(1.0)  # anything still queued has run
        app.service.store.flush()
        refreshes = [t for t in app.service.store.timings("workspace.refresh") if t.ts >= since]
        changed = FILES_PER_WORKTREE * len(STORMED)
        assert 1 <= len(refreshes) <= 5, f"{len(refreshes)} refreshes for {changed} changed files"
        loads = [t for t in app.service.store.timings("workspace.load") if t.ts >= since]
        assert not loads  # files inside worktrees never force a full reload


async def test_commits_and_new_worktrees_are_seen_without_watching_git_objects(tmp_path: Path) -> None:
    """The watcher looks at git's refs and per-worktree folders only (objects are written by the thousand),
    and still sees a commit made in a worktree and a worktree added from outside the app."""
    from tests.conftest import run_git

    repo = build_demo(tmp_path / "demo").repo
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=(140, 42)) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.pause(1.0)
        assert not any("objects" in p.parts for p in app.main._watched)
        worktree = app.main.snapshot.agent("api_agent").facts.worktree
        (worktree / "NOTES.md").write_text("notes\n")
        run_git(worktree, "add", "NOTES.md")
        run_git(worktree, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "notes")

        def last_subject() -> str:
            git = app.main.snapshot.agent("api_agent").facts.git
            return git.last_commit.subject if git and git.last_commit else ""

        await wait_until(pilot, lambda: last_subject() == "notes", timeout=20)
        extra = repo.parent / f"{repo.name}-work-trees" / "extra-agent"
        run_git(repo, "worktree", "add", "-q", "-b", "extra-agent", str(extra))
        await wait_until(pilot, lambda: app.main.snapshot.agent("extra-agent") is not None, timeout=20)
