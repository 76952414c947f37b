"""Stalled flags, last activity and elapsed time vs estimate, on real worktrees with real file and commit times."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cdev_tui.config import Config
from cdev_tui.demo import build_demo
from cdev_tui.object_cache import ObjectCache
from cdev_tui.status import AgentStatus
from cdev_tui.store import Store
from cdev_tui.workspace import WorkspaceLoader, WorkspaceSnapshot, resolve_paths
from tests.conftest import run_git

NOW = datetime.now(UTC).replace(microsecond=0)
"""The loaders here run at this moment, so elapsed minutes do not depend on how long the suite takes."""
HOURS_AGO_2 = NOW - timedelta(hours=2)


def load(repo: Path, **loader: object) -> WorkspaceSnapshot:
    loader.setdefault("now", NOW)
    return WorkspaceLoader(resolve_paths(repo, Config()), **loader).load()  # type: ignore[arg-type]


def commit_at(worktree: Path, when: datetime, message: str, *paths: str) -> None:
    run_git(worktree, "add", *paths)
    stamp = when.isoformat()
    env = {**os.environ, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=worktree, env=env, check=True)


def age(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.fixture
def agent_tree(repo: Path) -> Path:
    """One agent worktree with a context (createdAt, estimate), an old checklist tick and an old commit."""
    (repo / ".gitignore").write_text("workspaces/\n")
    run_git(repo, "add", ".gitignore")
    run_git(repo, "commit", "-q", "-m", "ignore workspaces")
    worktree = repo.parent / "project-work-trees" / "T-5-slow_agent"
    run_git(repo, "worktree", "add", "-q", "-b", "T-5-slow_agent", str(worktree))
    workspace = worktree / "workspaces" / "slow_agent"
    workspace.mkdir(parents=True)
    (workspace / "agent_context.json").write_text(
        '{"agentId": "slow_agent", "taskId": "T-5", "branchName": "T-5-slow_agent", "estimatedTime": 20,'
        f' "createdAt": "{(HOURS_AGO_2 - timedelta(minutes=30)).isoformat()}"}}'
    )
    checklist = workspace / "validation_checklist.txt"
    checklist.write_text("1. [x] first\n2. [ ] second")
    age(checklist, HOURS_AGO_2)
    (worktree / "src" / "slow.py").write_text("SLOW = 1\n")
    commit_at(worktree, HOURS_AGO_2, "slow work", "src/slow.py")
    return worktree


def test_old_commit_and_old_checklist_mean_stalled(agent_tree: Path, repo: Path) -> None:
    agent = load(repo).agent("slow_agent")
    assert agent.status is AgentStatus.IN_PROGRESS
    assert agent.stalled
    assert abs((agent.facts.last_activity - HOURS_AGO_2).total_seconds()) < 2
    assert agent.estimated_minutes == 20 and agent.elapsed_minutes == 150 and agent.over_estimate
    assert agent.facts.started_from == "context"


def test_a_fresh_commit_clears_the_flag(agent_tree: Path, repo: Path) -> None:
    (agent_tree / "src" / "slow.py").write_text("SLOW = 2\n")
    commit_at(agent_tree, NOW - timedelta(minutes=3), "more work", "src/slow.py")
    age(agent_tree / "src" / "slow.py", HOURS_AGO_2)  # only the commit is recent
    assert not load(repo).agent("slow_agent").stalled


def test_a_recently_edited_uncommitted_file_clears_the_flag(agent_tree: Path, repo: Path) -> None:
    edited = agent_tree / "src" / "slow.py"
    edited.write_text("SLOW = 3\n")
    age(edited, HOURS_AGO_2)
    assert load(repo).agent("slow_agent").stalled  # an old edit is no activity
    age(edited, NOW - timedelta(minutes=1))
    agent = load(repo).agent("slow_agent")
    assert not agent.stalled
    assert agent.facts.last_activity == NOW - timedelta(minutes=1)


def test_a_ticked_checklist_item_is_activity(agent_tree: Path, repo: Path) -> None:
    checklist = agent_tree / "workspaces" / "slow_agent" / "validation_checklist.txt"
    checklist.write_text("1. [x] first\n2. [ ] second\n")  # touched now
    assert not load(repo).agent("slow_agent").stalled


def test_stall_minutes_comes_from_the_loader_and_zero_turns_it_off(agent_tree: Path, repo: Path) -> None:
    assert load(repo, stall_minutes=180).agent("slow_agent").stalled is False
    assert load(repo, stall_minutes=0).agent("slow_agent").stalled is False
    assert load(repo, stall_minutes=100).agent("slow_agent").stalled is True
    frozen = HOURS_AGO_2 + timedelta(minutes=10)
    agent = load(repo, now=frozen).agent("slow_agent")
    assert not agent.stalled and agent.elapsed_minutes == 40
    assert load(repo, now=lambda: frozen.timestamp()).agent("slow_agent").elapsed_minutes == 40


def test_only_agents_in_progress_are_ever_stalled(agent_tree: Path, repo: Path) -> None:
    checklist = agent_tree / "workspaces" / "slow_agent" / "validation_checklist.txt"
    checklist.write_text("1. [x] first\n2. [x] second")
    age(checklist, HOURS_AGO_2)
    agent = load(repo).agent("slow_agent")
    assert agent.status is AgentStatus.COMMITTED and not agent.stalled
    assert agent.elapsed_minutes == 30  # stops at the last activity when no completion time is recorded

    idle = repo.parent / "project-work-trees" / "idle"
    run_git(repo, "worktree", "add", "-q", "-b", "idle", str(idle))
    ready = load(repo).agent("idle")
    assert ready.status is AgentStatus.READY and not ready.stalled
    assert ready.elapsed_minutes is None and ready.facts.last_activity is None


def test_elapsed_falls_back_to_the_first_commit_on_the_branch(repo: Path) -> None:
    plain = repo.parent / "project-work-trees" / "spike"
    run_git(repo, "worktree", "add", "-q", "-b", "spike", str(plain))
    first = NOW - timedelta(minutes=50)
    (plain / "a.txt").write_text("a\n")
    commit_at(plain, first, "first", "a.txt")
    (plain / "b.txt").write_text("b\n")
    commit_at(plain, first + timedelta(minutes=20), "second", "b.txt")
    agent = load(repo).agent("spike")
    assert agent.facts.started_from == "first commit" and agent.facts.started_at == first
    assert agent.facts.git.first_commit_at == first
    assert agent.elapsed_minutes == 50 and agent.estimated_minutes is None and not agent.over_estimate
    assert agent.facts.last_activity == first + timedelta(minutes=20)


def test_demo_elapsed_from_the_coordination_status_and_stalled_later(tmp_path: Path) -> None:
    built = datetime.now(UTC)
    demo = build_demo(tmp_path / "demo", now=built)
    snapshot = load(demo.repo, now=built)
    agents = {a.agent_id: a for a in snapshot.agents}
    assert agents["api_agent"].facts.started_from == "coordination"
    assert agents["api_agent"].elapsed_minutes == 100 and agents["api_agent"].over_estimate
    assert agents["db_agent"].elapsed_minutes == 160 - 112  # from start to its recorded completion
    assert agents["cart_agent"].elapsed_minutes is None  # blocked: not started
    assert {a.agent_id for a in snapshot.agents if a.stalled} == {
        "api_agent"
    }  # idle for 52 minutes by design

    later = load(demo.repo, now=built + timedelta(minutes=45))
    assert {a.agent_id for a in later.agents if a.stalled} == {"api_agent", "auth_agent"}


def test_git_processes_per_read_stay_within_budget(tmp_path: Path, git_calls: list[tuple[str, ...]]) -> None:
    """N + 2 git processes for a full read once commits are cached; one for an agent whose files changed."""
    demo = build_demo(tmp_path / "demo")
    paths = resolve_paths(demo.repo, Config())
    store = Store(tmp_path / "cdev.db")
    loader = WorkspaceLoader(paths, cache=ObjectCache(store))
    calls = git_calls
    calls.clear()  # counted from the first read on
    first = loader.load()
    worktrees = [a for a in first.agents if a.facts.worktree is not None]
    moved = {a.facts.git.head for a in worktrees if a.facts.git.head != first.target_head}
    assert len(calls) == len(worktrees) + 2 + 2 * len(moved)  # each new branch tip: ahead/behind, files

    calls.clear()
    again = loader.load()
    assert len(calls) == len(worktrees) + 2
    assert [
        (a.agent_id, a.status, a.facts.git.ahead, a.facts.git.committed_changes) for a in again.agents
    ] == [(a.agent_id, a.status, a.facts.git.ahead, a.facts.git.committed_changes) for a in first.agents]

    store.flush()  # a new process (the next `cdev-tui status`) finds the answers in the store
    calls.clear()
    WorkspaceLoader(paths, cache=ObjectCache(store)).load()
    assert len(calls) == len(worktrees) + 2

    api = again.agent("api_agent").facts.worktree
    (api / "src" / "shopfront" / "api" / "extra.py").write_text("X = 1\n")
    calls.clear()
    edited = loader.refresh(again, {"api_agent"})
    assert len(calls) == 1
    assert "src/shopfront/api/extra.py" in edited.agent("api_agent").facts.git.dirty

    subprocess.run(["git", "add", "-A"], cwd=api, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "extra"],
        cwd=api,
        check=True,
    )
    calls.clear()
    committed = loader.refresh(edited, {"api_agent"})
    assert len(calls) <= 3  # status, then ahead/behind with the new commit's subject, and the files
    fresh = committed.agent("api_agent").facts.git
    assert fresh.last_commit.subject == "extra"
    assert fresh.ahead == again.agent("api_agent").facts.git.ahead + 1
    assert "src/shopfront/api/extra.py" in fresh.committed_changes and not fresh.dirty
    store.close()
