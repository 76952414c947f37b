"""Git facts of the workspace: parsing git's answers, the object-id cache, and worktrees that vanish."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from cdev_tui.config import Config
from cdev_tui.object_cache import ObjectCache
from cdev_tui.status import AgentStatus
from cdev_tui.store import Store
from cdev_tui.workspace import WorkspaceLoader, resolve_paths
from cdev_tui.workspace.git_facts import BRANCH_DELTA, COMMIT_INFO, branch_reflog, read_worktree_status
from tests.conftest import commit_files, run_git


def add_agent(repo: Path, name: str, files: dict[str, str]) -> Path:
    worktree = repo.parent / "wt" / name
    run_git(repo, "worktree", "add", "-q", "-b", name, str(worktree))
    commit_files(worktree, files, f"{name} work")
    return worktree


def test_status_lists_every_kind_of_change_with_its_code(repo: Path) -> None:
    commit_files(repo, {"a.txt": "a\n", "old name.txt": "o\n", "gone.txt": "g\n"}, "more")
    (repo / "a.txt").write_text("changed\n")
    run_git(repo, "mv", "old name.txt", "new name.txt")
    (repo / "gone.txt").unlink()
    (repo / "dir with space").mkdir()
    (repo / "dir with space" / "new file.txt").write_text("n\n")
    status = read_worktree_status(repo)
    assert status.branch == "main" and status.head == run_git(repo, "rev-parse", "HEAD")
    assert dict((path, code) for code, path in status.changes) == {
        "a.txt": " M",
        "new name.txt": "R ",
        "gone.txt": " D",
        "dir with space/new file.txt": "??",
    }
    assert status.unmerged == ()


def test_status_reports_files_left_in_conflict(repo: Path) -> None:
    commit_files(repo, {"f.txt": "base\n"}, "base")
    run_git(repo, "checkout", "-q", "-b", "other")
    commit_files(repo, {"f.txt": "theirs\n"}, "theirs")
    run_git(repo, "checkout", "-q", "main")
    commit_files(repo, {"f.txt": "ours\n"}, "ours")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True)
    assert merge.returncode == 1  # stopped on the conflict
    assert read_worktree_status(repo).unmerged == ("f.txt",)


def test_reflog_is_read_from_its_file_newest_first(repo: Path) -> None:
    worktree = add_agent(repo, "agent-a", {"a.py": "1\n"})
    commit_files(worktree, {"a.py": "2\n"}, "second")
    entries = branch_reflog(repo / ".git", "agent-a")
    assert [sha for sha, _ in entries] == run_git(repo, "log", "--format=%H", "-3", "agent-a").splitlines()
    assert all(when is not None for _, when in entries)
    assert branch_reflog(repo / ".git", "no-such-branch") == []


def test_damaged_cache_entries_are_worked_out_again(repo: Path, tmp_path: Path) -> None:
    add_agent(repo, "agent-a", {"a.py": "1\n"})
    paths = resolve_paths(repo, Config())
    store = Store(tmp_path / "c.db")
    first = WorkspaceLoader(paths, cache=ObjectCache(store)).load()
    store.flush()
    with sqlite3.connect(tmp_path / "c.db") as db:  # what a crash or an older version might have left
        db.execute(
            "UPDATE object_cache SET value = ? WHERE kind = ?", [json.dumps({"ahead": "x"}), BRANCH_DELTA]
        )
        db.execute("UPDATE object_cache SET value = 'not json' WHERE kind = ?", [COMMIT_INFO])
    again = WorkspaceLoader(paths, cache=ObjectCache(store)).load()
    assert [a.facts.git for a in again.agents] == [a.facts.git for a in first.agents]
    agent = again.agent("agent-a")
    assert agent.facts.git.ahead == 1 and agent.facts.git.committed_changes == ("a.py",)
    store.close()


def test_a_worktree_removed_while_reading_is_shown_missing(repo: Path) -> None:
    worktree = add_agent(repo, "agent-a", {"a.py": "1\n"})
    add_agent(repo, "agent-b", {"b.py": "1\n"})
    loader = WorkspaceLoader(resolve_paths(repo, Config()))
    snapshot = loader.load()
    shutil.rmtree(worktree)  # gone between the watcher's event and the refresh
    fresh = loader.refresh(snapshot, {"agent-a", "agent-b"})
    assert fresh.agent("agent-a").status is AgentStatus.MISSING
    assert fresh.agent("agent-b").status is AgentStatus.IN_PROGRESS
    reloaded = loader.load()  # git still lists it until pruned
    assert reloaded.agent("agent-a").status is AgentStatus.MISSING
    assert any("missing" in p for p in reloaded.agent("agent-a").facts.problems)


def test_the_target_moving_is_seen_by_every_agent(repo: Path) -> None:
    add_agent(repo, "agent-a", {"a.py": "1\n"})
    loader = WorkspaceLoader(resolve_paths(repo, Config()))
    assert loader.load().agent("agent-a").facts.git.behind == 0
    commit_files(repo, {"main.txt": "m\n"}, "target moves")
    snapshot = loader.load()
    assert snapshot.target_head == run_git(repo, "rev-parse", "main")
    assert snapshot.agent("agent-a").facts.git.behind == 1


def test_a_full_read_tells_which_agents_moved(repo: Path) -> None:
    from cdev_tui.workspace.derive import agents_changed

    first_tree = add_agent(repo, "agent-a", {"a.py": "1\n"})
    add_agent(repo, "agent-b", {"b.py": "1\n"})
    loader = WorkspaceLoader(resolve_paths(repo, Config()))
    before = loader.load()
    assert agents_changed(before, loader.load()) == set()
    (first_tree / "a.py").write_text("2\n")
    edited = loader.load()
    assert agents_changed(before, edited) == {"agent-a"}
    (first_tree / "a.py").write_text("3\n")  # the same file again: the same paths, newer content
    later = edited.agent("agent-a").facts.last_activity
    os.utime(first_tree / "a.py", (later.timestamp() + 5, later.timestamp() + 5))
    assert agents_changed(edited, loader.load()) == {"agent-a"}
    commit_files(repo.parent / "wt" / "agent-b", {"b.py": "2\n"}, "more")
    assert agents_changed(edited, loader.load()) == {"agent-a", "agent-b"}
