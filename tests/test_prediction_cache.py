"""Conflict prediction through the object cache: real repositories, real worktrees, a real SQLite store."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdev_tui.conflicts import AgentRef, ConflictReport, predict_conflicts
from cdev_tui.conflicts.plumbing import CountingGit
from cdev_tui.conflicts.prediction import PAIR
from cdev_tui.conflicts.snapshot import WORKTREE_SNAPSHOT, worktree_signature, worktree_status
from cdev_tui.object_cache import ObjectCache
from cdev_tui.store import Store
from tests.conftest import run_git
from tests.test_conflicts import add_agent, pair, wt


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "cdev.db")
    yield store
    store.close()


def four_agents(repo: Path) -> list[AgentRef]:
    """a and b conflict on src/app.py; c and d work alone; b and c have uncommitted work."""
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b", {"src/app.py": "def main():\n    return 3\n"})
    c = add_agent(repo, "c", {"src/c.py": "C = 1\n"})
    d = add_agent(repo, "d", {"src/d.py": "D = 1\n"})
    (wt(b) / "notes.txt").write_text("draft\n")
    (wt(c) / "src/c.py").write_text("C = 2\n")
    (wt(c) / "scratch").mkdir()
    (wt(c) / "scratch/idea.py").write_text("IDEA = 1\n")  # an untracked folder: status says scratch/
    settle()
    return [a, b, c, d]


def settle() -> None:
    """Let files just written age past the window in which stat data cannot tell two versions apart."""
    time.sleep(0.2)


def next_process(store: Store) -> ObjectCache:
    """What another ``cdev-tui conflicts`` process would start with: only the store is shared."""
    store.flush()
    return ObjectCache(store)


def results(report: ConflictReport) -> tuple[object, ...]:
    return (
        report.pairs,
        report.vs_target,
        report.merge_order,
        report.merge_steps,
        report.sides,
        report.errors,
    )


def test_a_second_process_on_an_unchanged_workspace_runs_only_the_unavoidable_git_calls(
    repo: Path, store: Store
) -> None:
    agents = four_agents(repo)
    first = predict_conflicts(repo, "main", agents, cache=ObjectCache(store))
    assert first.reused_pairs == 0 and not first.errors
    assert first.sides["b"].snapshot and first.sides["c"].snapshot

    cache = next_process(store)
    again = predict_conflicts(repo, "main", agents, cache=cache)

    assert results(again) == results(first)
    assert again.reused_pairs == len(first.pairs) + len(first.vs_target) == 10
    assert cache.totals[PAIR] == [10, 0] and cache.totals[WORKTREE_SNAPSHOT] == [2, 0]
    # What is left is the floor: the branch tips (one cat-file) and one `git status` per worktree; the
    # snapshots, merges, merge bases and diffs (15 processes in all here) are not run again.
    counts = f"first {first.git_calls} git calls, again {again.git_calls}"
    assert again.git_calls == 1 + len(agents), counts
    assert again.git_calls / first.git_calls <= 1 / 3, counts
    # Without the cache the same prediction costs what the first did.
    assert predict_conflicts(repo, "main", agents).git_calls == first.git_calls


def test_an_edit_in_one_worktree_merges_only_that_agents_pairs_again(repo: Path, store: Store) -> None:
    agents = four_agents(repo)
    first = predict_conflicts(repo, "main", agents, cache=ObjectCache(store))
    assert not pair(first.pairs, "a", "d").conflicts
    (wt(agents[3]) / "src/app.py").write_text("def main():\n    return 4\n")  # d now conflicts with a and b
    settle()

    cache = next_process(store)
    edited = predict_conflicts(repo, "main", agents, cache=cache)

    assert cache.totals[WORKTREE_SNAPSHOT] == [2, 1]  # b and c as they were, d snapshotted
    # d's pairs (with a, b, c and main) are merged again, the other six come from the cache.
    assert cache.totals[PAIR] == [6, 4] and edited.reused_pairs == 6
    assert pair(edited.pairs, "a", "d").uncommitted_only and pair(edited.pairs, "b", "d").uncommitted_only
    assert not pair(edited.pairs, "c", "d").conflicts
    assert edited.sides["d"].snapshot is not None
    assert results(edited) == results(predict_conflicts(repo, "main", agents))


def test_touching_a_file_without_changing_it_is_noticed_but_gives_the_same_snapshot(
    repo: Path, store: Store
) -> None:
    agents = four_agents(repo)
    first = predict_conflicts(repo, "main", agents, cache=ObjectCache(store))
    os.utime(wt(agents[2]) / "scratch/idea.py")  # inside the untracked folder
    settle()

    cache = next_process(store)
    touched = predict_conflicts(repo, "main", agents, cache=cache)

    assert cache.totals[WORKTREE_SNAPSHOT] == [1, 1]  # c is looked at again: its stat data changed
    assert cache.totals[PAIR] == [10, 0]  # ... and gives the same commit, so every pair is known
    assert results(touched) == results(first)


def test_a_cached_snapshot_commit_that_does_not_exist_is_made_again(repo: Path, store: Store) -> None:
    agents = four_agents(repo)
    expected = predict_conflicts(repo, "main", agents)
    b = wt(agents[1])
    status = worktree_status(CountingGit(b), b)
    assert status is not None
    signature = worktree_signature(b, status)
    assert signature is not None and signature.settled
    ObjectCache(store).put(WORKTREE_SNAPSHOT, signature.key, "0123456789abcdef0123456789abcdef01234567")

    cache = next_process(store)
    report = predict_conflicts(repo, "main", agents, cache=cache)

    assert results(report) == results(expected)
    assert report.sides["b"].snapshot == expected.sides["b"].snapshot
    # The entry now holds the real commit.
    assert next_process(store).get(WORKTREE_SNAPSHOT, signature.key) == expected.sides["b"].snapshot


def test_a_pruned_snapshot_commit_is_made_again(repo: Path, store: Store) -> None:
    agents = four_agents(repo)
    first = predict_conflicts(repo, "main", agents, cache=ObjectCache(store))
    snapshot = first.sides["c"].snapshot
    assert snapshot is not None
    # What `git gc --prune=now` does to an unreferenced commit (its tree and blobs are left: merge-tree
    # and diff-tree read the commit first).
    loose = Path(run_git(repo, "rev-parse", "--git-common-dir")) / "objects" / snapshot[:2] / snapshot[2:]
    (loose if loose.is_absolute() else repo / loose).unlink()

    cache = next_process(store)
    report = predict_conflicts(repo, "main", agents, cache=cache)

    assert results(report) == results(first)
    run_git(repo, "cat-file", "-e", f"{snapshot}^{{commit}}")  # there again, for the hunk counts to read


def test_signatures_follow_the_worktree_state(repo: Path) -> None:
    agent = add_agent(repo, "a")
    worktree = wt(agent)
    (worktree / "src/app.py").write_text("def main():\n    return 5\n")
    settle()

    def signature(now_ns: int | None = None):
        status = worktree_status(CountingGit(worktree), worktree)
        assert status is not None
        return worktree_signature(worktree, status, now_ns)

    before = signature()
    assert before is not None and before.settled and signature() == before
    (worktree / "src/app.py").write_text("def main():\n    return 6\n")  # same size, new content
    edited = signature()
    assert edited is not None and edited.key != before.key
    (worktree / "new.txt").write_text("x\n")
    assert signature().key not in (before.key, edited.key)  # a new untracked file
    # A file changed within the last timestamp tick could change again unseen: not settled.
    mtime = os.stat(worktree / "new.txt").st_mtime_ns
    assert not signature(mtime + 1_000_000).settled
    assert signature(mtime + 5_000_000_000).settled
    # A committed change moves HEAD.
    (worktree / "new.txt").unlink()
    run_git(worktree, "commit", "-qam", "six")
    (worktree / "src/app.py").write_text("def main():\n    return 6\n\n")
    after = signature()
    assert after is not None and after.key not in (before.key, edited.key)


def test_the_service_keeps_prediction_results_in_its_store(tmp_path: Path) -> None:
    from cdev_tui.config import load_config
    from cdev_tui.demo import build_demo
    from cdev_tui.service import WorkspaceService

    demo = build_demo(tmp_path / "demo")
    settle()
    db = tmp_path / "cdev.db"
    reports = []
    for _ in range(2):  # two `cdev-tui conflicts` processes
        service = WorkspaceService(demo.repo, load_config(demo.repo, env={}), db=db)
        try:
            reports.append(service.predict_conflicts(service.load()))
            service.store.flush()
            stats = service.store.cache_stats()
        finally:
            service.store.close()
    first, again = reports
    assert results(again) == results(first) and first.pairs
    assert again.reused_pairs == len(first.pairs) + len(first.vs_target)
    # The worktrees' statuses come from the workspace read just made: only the branch tips are asked.
    assert again.git_calls == 1, f"first {first.git_calls}, again {again.git_calls}"
    assert stats[PAIR] == (again.reused_pairs, len(first.pairs) + len(first.vs_target))
