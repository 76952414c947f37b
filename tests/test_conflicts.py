"""Conflict prediction on real repositories with real linked worktrees."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from cdev_tui.conflicts import (
    AgentRef,
    ConflictReport,
    DeclaredOverlap,
    PairPrediction,
    declared_overlaps,
    merge_order,
    predict_conflicts,
    snapshot_worktree,
)
from cdev_tui.conflicts.hunk_counts import FileHunks, count_hunks
from cdev_tui.conflicts.order import merge_steps
from cdev_tui.conflicts.plumbing import CountingGit, merge_bases, parse_merge_stream
from cdev_tui.conflicts.report import SideCommits
from cdev_tui.errors import CdevError
from tests.conftest import commit_files, run_git


def add_agent(
    repo: Path,
    name: str,
    files: dict[str, str] | None = None,
    dependencies: tuple[str, ...] = (),
    owned_files: tuple[str, ...] = (),
) -> AgentRef:
    """A linked worktree on branch ``agent/<name>``, with ``files`` committed on it."""
    worktree = repo.parent / "work-trees" / name
    run_git(repo, "worktree", "add", "-q", "-b", f"agent/{name}", str(worktree))
    if files:
        commit_files(worktree, files, f"{name}: work")
    return AgentRef(name, f"agent/{name}", worktree, dependencies, owned_files)


def wt(agent: AgentRef) -> Path:
    assert agent.worktree is not None
    return agent.worktree


def pair(report_pairs: list[PairPrediction], a: str, b: str) -> PairPrediction:
    return next(p for p in report_pairs if {p.a, p.b} == {a, b})


def fingerprint(worktree: Path) -> dict[str, str]:
    """Everything that must not change when the app only looks at a worktree."""
    gitdir = Path(run_git(worktree, "rev-parse", "--absolute-git-dir"))
    return {
        "index": hashlib.sha256((gitdir / "index").read_bytes()).hexdigest(),
        "status": run_git(
            worktree, "--no-optional-locks", "status", "--porcelain=v2", "--untracked-files=all"
        ),
        "head": run_git(worktree, "rev-parse", "HEAD"),
        "branch": run_git(worktree, "symbolic-ref", "HEAD"),
        "refs": run_git(worktree, "for-each-ref"),
        "files": "\n".join(
            f"{p.relative_to(worktree)}:{hashlib.sha256(p.read_bytes()).hexdigest()}"
            for p in sorted(worktree.rglob("*"))
            if p.is_file() and ".git" not in p.parts
        ),
    }


# --- committed conflicts ----------------------------------------------------------------------------------


def test_clean_pair(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/a.py": "A = 1\n"})
    b = add_agent(repo, "b", {"src/b.py": "B = 1\n"})

    report = predict_conflicts(repo, "main", [a, b])

    assert report.errors == []
    assert report.pairs == [PairPrediction("a", "b", (), (), False, False)]
    assert not report.pairs[0].conflicts
    assert [p.b for p in report.vs_target] == ["main", "main"]
    assert not report.has_conflicts


def test_content_conflict_on_committed_branches(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n", "src/a.py": "A = 1\n"})
    b = add_agent(repo, "b", {"src/app.py": "def main():\n    return 3\n", "src/b.py": "B = 1\n"})

    report = predict_conflicts(repo, "main", [a, b])

    prediction = report.pairs[0]
    assert prediction.conflicts_committed and prediction.conflicts_with_uncommitted
    assert not prediction.uncommitted_only
    assert prediction.conflicted_files == ("src/app.py",)
    assert prediction.overlapping_files == ("src/app.py",)
    assert report.has_conflicts


def test_add_add_conflict(repo: Path) -> None:
    a = add_agent(repo, "a", {"docs/guide.md": "# Guide by a\n"})
    b = add_agent(repo, "b", {"docs/guide.md": "# Guide by b\n"})

    prediction = predict_conflicts(repo, "main", [a, b]).pairs[0]

    assert prediction.conflicts_committed
    assert prediction.conflicted_files == ("docs/guide.md",)
    assert prediction.overlapping_files == ("docs/guide.md",)


def test_overlap_of_stacked_branches_is_measured_from_the_real_merge_base(repo: Path) -> None:
    a = add_agent(repo, "a")
    for i in range(8):
        commit_files(wt(a), {f"a/{i}.txt": f"{i}\n"}, f"a {i}")
    worktree = repo.parent / "work-trees" / "b"
    run_git(repo, "worktree", "add", "-q", "-b", "agent/b", str(worktree), "agent/a")
    commit_files(worktree, {"b.txt": "b\n"}, "b on top of a")
    commit_files(wt(a), {"a/late.txt": "late\n"}, "a continues")
    b = AgentRef("b", "agent/b", worktree, dependencies=("a",))

    report = predict_conflicts(repo, "main", [a, b])

    assert report.pairs == [PairPrediction("a", "b", (), (), False, False)]
    assert report.merge_order == ["a", "b"]


def test_same_change_on_both_sides_overlaps_without_conflict(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b", {"src/app.py": "def main():\n    return 2\n"})

    prediction = predict_conflicts(repo, "main", [a, b]).pairs[0]

    assert not prediction.conflicts
    assert prediction.overlapping_files == ("src/app.py",)


def test_conflict_vs_target_after_the_target_moved(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b", {"src/b.py": "B = 1\n"})
    commit_files(
        repo, {"src/app.py": "def main():\n    return 42\n", "README.md": "# moved\n"}, "target moves"
    )

    report = predict_conflicts(repo, "main", [a, b])

    against_main = {p.a: p for p in report.vs_target}
    assert against_main["a"].conflicts_committed
    assert against_main["a"].conflicted_files == ("src/app.py",)
    # Overlap is measured from the merge base: README changed on main only.
    assert against_main["a"].overlapping_files == ("src/app.py",)
    assert not against_main["b"].conflicts
    assert against_main["b"].overlapping_files == ()
    assert not report.pairs[0].conflicts


# --- uncommitted work -------------------------------------------------------------------------------------


def test_conflict_only_through_uncommitted_edit_leaves_the_worktree_alone(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b", {"src/b.py": "B = 1\n"})
    (wt(b) / "src/app.py").write_text("def main():\n    return 3\n")
    (wt(b) / "notes.txt").write_text("staged\n")
    run_git(wt(b), "add", "notes.txt")
    (wt(b) / "scratch.txt").write_text("untracked\n")
    readme = wt(b) / "README.md"
    os.utime(
        readme, (readme.stat().st_atime, readme.stat().st_mtime + 60)
    )  # a refresh would rewrite the index
    before = fingerprint(wt(b))

    report = predict_conflicts(repo, "main", [a, b])

    prediction = report.pairs[0]
    assert prediction.conflicts_committed is False
    assert prediction.conflicts_with_uncommitted is True
    assert prediction.uncommitted_only
    assert prediction.conflicted_files == ("src/app.py",)
    assert prediction.overlapping_files == ("src/app.py",)
    assert fingerprint(wt(b)) == before
    assert report.errors == []


def test_include_uncommitted_false_ignores_the_edit(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b")
    (wt(b) / "src/app.py").write_text("def main():\n    return 3\n")

    prediction = predict_conflicts(repo, "main", [a, b], include_uncommitted=False).pairs[0]

    assert not prediction.conflicts
    assert prediction.conflicted_files == ()


def test_untracked_new_file_is_in_the_snapshot_and_ignored_files_are_not(repo: Path) -> None:
    commit_files(repo, {".gitignore": "*.log\n"}, "ignore logs")
    worktree = wt(add_agent(repo, "a"))
    (worktree / "pkg").mkdir()
    (worktree / "pkg/new module.py").write_text("NEW = 1\n")
    (worktree / "debug.log").write_text("noise\n")
    (worktree / "README.md").unlink()
    before = fingerprint(worktree)

    snapshot = snapshot_worktree(worktree)

    head = run_git(worktree, "rev-parse", "HEAD")
    assert snapshot != head
    assert run_git(repo, "rev-parse", f"{snapshot}^") == head
    files = run_git(repo, "ls-tree", "-r", "--name-only", snapshot).splitlines()
    assert "pkg/new module.py" in files
    assert "debug.log" not in files
    assert "README.md" not in files
    assert run_git(repo, "show", f"{snapshot}:pkg/new module.py") == "NEW = 1"
    assert snapshot_worktree(worktree) == snapshot  # same state, same commit
    assert fingerprint(worktree) == before


def test_snapshot_of_a_worktree_with_many_changes(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cdev_tui.conflicts.snapshot._MAX_PATHSPECS", 2)
    worktree = wt(add_agent(repo, "a"))
    for i in range(3):
        (worktree / f"new{i}.txt").write_text(f"{i}\n")
    (worktree / "src/app.py").write_text("changed\n")

    snapshot = snapshot_worktree(worktree)

    files = run_git(repo, "ls-tree", "-r", "--name-only", snapshot).splitlines()
    assert {"new0.txt", "new1.txt", "new2.txt", "src/app.py", "README.md"} <= set(files)
    assert run_git(repo, "show", f"{snapshot}:src/app.py") == "changed"


def test_untracked_file_conflicts_with_a_committed_add(repo: Path) -> None:
    a = add_agent(repo, "a", {"docs/guide.md": "# Guide by a\n"})
    b = add_agent(repo, "b")
    (wt(b) / "docs").mkdir()
    (wt(b) / "docs/guide.md").write_text("# Guide by b\n")

    prediction = predict_conflicts(repo, "main", [a, b]).pairs[0]

    assert prediction.uncommitted_only
    assert prediction.conflicted_files == ("docs/guide.md",)


def test_snapshot_of_a_clean_worktree_is_head(repo: Path) -> None:
    worktree = wt(add_agent(repo, "a", {"src/a.py": "A = 1\n"}))
    assert snapshot_worktree(worktree) == run_git(worktree, "rev-parse", "HEAD")


def test_snapshot_works_without_a_git_identity(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    (repo / "README.md").write_text("# changed\n")

    snapshot = snapshot_worktree(repo)

    assert run_git(repo, "log", "-1", "--format=%an <%ae>", snapshot) == "cdev-tui <cdev-tui@localhost>"


def test_snapshot_of_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CdevError, match="no such directory"):
        snapshot_worktree(tmp_path / "gone")
    (tmp_path / "plain").mkdir()
    with pytest.raises(CdevError, match="not a git worktree"):
        snapshot_worktree(tmp_path / "plain")


def test_dirty_worktree_on_another_branch_is_reported_not_merged(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b")
    run_git(wt(b), "switch", "-q", "-c", "elsewhere")
    commit_files(wt(b), {"spike.txt": "spike\n"}, "spike")
    (wt(b) / "src/app.py").write_text("def main():\n    return 3\n")

    report = predict_conflicts(repo, "main", [a, b])

    assert not report.pairs[0].conflicts
    assert any("agent b" in e and "elsewhere" in e and "ignored" in e for e in report.errors)


# --- plan checks and merge order --------------------------------------------------------------------------


def test_declared_overlaps() -> None:
    agents = [
        AgentRef("a", "a", None, owned_files=("src/api.py", "./src/db.py", "docs/a.md")),
        AgentRef("b", "b", None, owned_files=("src/db.py", "src/api.py")),
        AgentRef("c", "c", None, owned_files=("docs/c.md",)),
    ]

    assert declared_overlaps(agents) == [DeclaredOverlap("a", "b", ("src/api.py", "src/db.py"))]


def test_declared_overlaps_are_in_the_report(repo: Path) -> None:
    a = add_agent(repo, "a", owned_files=("src/app.py",))
    b = add_agent(repo, "b", owned_files=("src/app.py", "README.md"))

    report = predict_conflicts(repo, "main", [a, b])

    assert report.declared_overlaps == [DeclaredOverlap("a", "b", ("src/app.py",))]
    assert report.has_conflicts


def test_merge_order_respects_dependencies() -> None:
    agents = [
        AgentRef("ui", None, None, dependencies=("api",)),
        AgentRef("api", None, None, dependencies=("db",)),
        AgentRef("db", None, None),
        AgentRef("auth", None, None),
    ]

    assert merge_order(agents, []) == ["auth", "db", "api", "ui"]


def test_merge_order_puts_a_conflicting_agent_last_when_free() -> None:
    agents = [AgentRef(name, None, None) for name in ("a", "b", "c", "d")]

    assert merge_order(agents, []) == ["a", "b", "c", "d"]
    assert merge_order(agents, [("b", "a")]) == ["a", "c", "d", "b"]
    # A dependency still wins over conflicts: d needs b, so b cannot wait until the end.
    with_dep = [*agents[:3], AgentRef("d", None, None, dependencies=("b",))]
    assert merge_order(with_dep, [("b", "a")]) == ["a", "c", "b", "d"]


def test_merge_order_cycle_names_the_cycle() -> None:
    agents = [
        AgentRef("a", None, None, dependencies=("c",)),
        AgentRef("b", None, None, dependencies=("a",)),
        AgentRef("c", None, None, dependencies=("b",)),
        AgentRef("d", None, None),
    ]

    with pytest.raises(CdevError, match=r"dependency cycle: a -> c -> b -> a"):
        merge_order(agents, [])


def test_merge_order_unknown_dependency() -> None:
    agents = [AgentRef("a", None, None, dependencies=("ghost",))]

    with pytest.raises(CdevError, match="agent a: unknown dependency ghost"):
        merge_order(agents, [])


def test_report_merge_order_and_its_conflicts(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b", {"src/app.py": "def main():\n    return 3\n"})
    c = add_agent(repo, "c", {"src/c.py": "C = 1\n"})

    report = predict_conflicts(repo, "main", [a, b, c])

    assert report.merge_order == ["a", "c", "b"]
    assert report.merge_order_conflicts == [("a", "b")]


def test_plan_errors_are_reported_not_raised(repo: Path) -> None:
    a = add_agent(repo, "a", dependencies=("b",))
    b = add_agent(repo, "b", dependencies=("a",))

    report = predict_conflicts(repo, "main", [a, b])

    assert report.merge_order == []
    assert any("dependency cycle" in e for e in report.errors)
    assert len(report.pairs) == 1


# --- bad input and robustness -----------------------------------------------------------------------------


def test_missing_worktree_and_branch_are_reported_and_skipped(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/a.py": "A = 1\n"})
    gone = add_agent(repo, "gone")
    shutil.rmtree(wt(gone))
    nobranch = AgentRef("nobranch", None, repo)
    typo = AgentRef("typo", "agent/does-not-exist", a.worktree)
    b = add_agent(repo, "b", {"src/b.py": "B = 1\n"})

    report = predict_conflicts(repo, "main", [a, gone, nobranch, typo, b])

    assert [(p.a, p.b) for p in report.pairs] == [("a", "b")]
    assert {p.a for p in report.vs_target} == {"a", "b"}
    assert f"agent gone: worktree {gone.worktree} is missing" in report.errors
    assert "agent nobranch: no branch" in report.errors
    assert "agent typo: branch agent/does-not-exist does not exist" in report.errors


def test_folders_that_are_not_worktrees_are_reported_and_skipped(repo: Path, tmp_path: Path) -> None:
    a = add_agent(repo, "a")
    plain = tmp_path / "plain"
    plain.mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / ".git").write_text(f"gitdir: {tmp_path / 'nowhere'}\n")
    agents = [a, AgentRef("plain", "agent/a", plain), AgentRef("broken", "agent/a", broken)]

    report = predict_conflicts(repo, "main", agents)

    assert report.pairs == []
    assert [p.a for p in report.vs_target] == ["a"]
    assert f"agent plain: {plain} is not a git worktree" in report.errors
    assert f"agent broken: {broken} is not a git worktree" in report.errors


def test_unknown_target_is_reported(repo: Path) -> None:
    a = add_agent(repo, "a")
    b = add_agent(repo, "b")

    report = predict_conflicts(repo, "main-typo", [a, b])

    assert report.vs_target == []
    assert len(report.pairs) == 1
    assert "target main-typo: no such branch" in report.errors


def test_a_folder_that_is_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CdevError, match="no such directory"):
        predict_conflicts(tmp_path / "gone", "main", [])
    (tmp_path / "plain").mkdir()
    with pytest.raises(CdevError, match="plain"):
        predict_conflicts(tmp_path / "plain", "main", [])


def test_unrelated_history_fails_one_pair_not_the_batch(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    worktree = wt(add_agent(repo, "lonely"))
    run_git(worktree, "switch", "-q", "--orphan", "orphan")
    commit_files(worktree, {"other.txt": "x\n"}, "unrelated root")
    lonely = AgentRef("lonely", "orphan", worktree)
    b = add_agent(repo, "b", {"src/app.py": "def main():\n    return 3\n"})

    report = predict_conflicts(repo, "main", [a, lonely, b])

    assert pair(report.pairs, "a", "b").conflicts_committed
    assert {(p.a, p.b) for p in report.pairs} == {("a", "b")}
    assert any(e.startswith("a vs lonely:") and "unrelated" in e for e in report.errors)
    assert any(e.startswith("lonely vs main:") for e in report.errors)


def test_cancel_stops_before_any_git_work(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b", {"src/app.py": "def main():\n    return 3\n"})

    report = predict_conflicts(repo, "main", [a, b], cancel=lambda: True)

    assert report.cancelled
    assert report.git_calls == 0
    assert report.pairs == [] and report.vs_target == []
    assert any("cancelled" in e for e in report.errors)


def test_cancel_midway_stops_early(repo: Path) -> None:
    agents = [add_agent(repo, name, {f"{name}.txt": name}) for name in ("a", "b", "c")]
    (wt(agents[0]) / "dirty.txt").write_text("x\n")
    full = predict_conflicts(repo, "main", agents)
    polls = 0

    def cancel_on_third_poll() -> bool:
        nonlocal polls
        polls += 1
        return polls >= 3

    report = predict_conflicts(repo, "main", agents, cancel=cancel_on_third_poll)

    assert report.cancelled
    assert 0 < report.git_calls < full.git_calls
    assert report.pairs == []


def test_progress_reaches_its_total(repo: Path) -> None:
    agents = [add_agent(repo, name, {f"{name}.txt": name}) for name in ("a", "b", "c")]
    seen: list[tuple[int, int]] = []

    predict_conflicts(repo, "main", agents, progress=lambda done, total: seen.append((done, total)))

    assert seen[-1][0] == seen[-1][1] > 0
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_git_calls_do_not_grow_with_the_number_of_pairs(repo: Path) -> None:
    agents = [add_agent(repo, f"a{i}", {f"f{i}.txt": str(i)}) for i in range(6)]
    (wt(agents[0]) / "f0.txt").write_text("dirty\n")

    report = predict_conflicts(repo, "main", agents)

    assert len(report.pairs) == 15 and len(report.vs_target) == 6
    # cat-file + 6 status + add/write-tree/commit-tree + merge-tree + merge-base + rev-list + diff-tree
    assert report.git_calls == 14
    assert report.seconds > 0


# --- internals against git itself -------------------------------------------------------------------------


def test_merge_bases_match_git_on_a_criss_cross_history(repo: Path) -> None:
    a = add_agent(repo, "a", {"a1.txt": "1"})
    b = add_agent(repo, "b", {"b1.txt": "1"})
    a1, b1 = (run_git(repo, "rev-parse", ref) for ref in ("agent/a", "agent/b"))
    run_git(wt(a), "merge", "-q", "--no-edit", b1)
    run_git(wt(b), "merge", "-q", "--no-edit", a1)
    commit_files(wt(a), {"a2.txt": "2"}, "a 2")
    commit_files(repo, {"m1.txt": "1"}, "main 1")
    tips = sorted(run_git(repo, "rev-parse", ref) for ref in ("agent/a", "agent/b", "main"))
    pairs = {(x, y) for x in tips for y in tips if x < y}
    assert len(run_git(repo, "merge-base", "--all", "agent/a", "agent/b").splitlines()) == 2

    bases = merge_bases(CountingGit(repo), pairs)

    for x, y in pairs:
        assert bases[(x, y)] in run_git(repo, "merge-base", "--all", x, y).splitlines()


def test_merge_bases_ignore_old_commits_both_sides_merged_in(repo: Path) -> None:
    # Both agents merge side branches that start at old main commits. Those old commits are common
    # ancestors outside the fork, and never the best merge base.
    olds = [run_git(repo, "rev-parse", "HEAD")]
    for i in range(3):
        olds.append(commit_files(repo, {f"main{i}.txt": str(i)}, f"main {i}"))
    commit_files(repo, {"fork.txt": "fork"}, "fork point")
    a, b = add_agent(repo, "a"), add_agent(repo, "b")
    for i, old in enumerate(olds):
        for agent in (a, b):
            run_git(repo, "branch", f"side-{agent.agent_id}-{i}", old)
            worktree = repo.parent / "side"
            run_git(repo, "worktree", "add", "-q", str(worktree), f"side-{agent.agent_id}-{i}")
            commit_files(worktree, {f"side-{agent.agent_id}-{i}.txt": "x"}, "side work")
            run_git(repo, "worktree", "remove", str(worktree))
            run_git(wt(agent), "merge", "-q", "--no-edit", f"side-{agent.agent_id}-{i}")
    tips = sorted(run_git(repo, "rev-parse", ref) for ref in ("agent/a", "agent/b", "main"))
    pairs = {(x, y) for x in tips for y in tips if x < y}

    bases = merge_bases(CountingGit(repo), pairs)

    for x, y in pairs:
        assert [bases[(x, y)]] == run_git(repo, "merge-base", "--all", x, y).splitlines()


def test_parse_merge_stream_drops_a_truncated_record() -> None:
    tree = "a" * 40
    complete = f"0\0{tree}\0x.py\0y.py\0\0" + f"1\0{tree}\0\0"

    merges = parse_merge_stream(complete)
    assert [(m.clean, m.files) for m in merges] == [(False, ("x.py", "y.py")), (True, ())]
    assert len(parse_merge_stream(complete + f"0\0{tree}\0z.py\0")) == 2


# --- incremental refresh ----------------------------------------------------------------------------------


def three_agents(repo: Path) -> list[AgentRef]:
    """a and b conflict on src/app.py; c works alone; b has uncommitted work."""
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b", {"src/app.py": "def main():\n    return 3\n"})
    c = add_agent(repo, "c", {"src/c.py": "C = 1\n"})
    (wt(b) / "notes.txt").write_text("draft\n")
    return [a, b, c]


def same_results(x: ConflictReport, y: ConflictReport) -> bool:
    return (x.pairs, x.vs_target, x.merge_order, x.merge_steps, x.sides, x.errors) == (
        y.pairs,
        y.vs_target,
        y.merge_order,
        y.merge_steps,
        y.sides,
        y.errors,
    )


class Recorder:
    """Wraps the prediction's worktree and merge steps to record which worktrees and pairs they touch."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from cdev_tui.conflicts import prediction

        self.inspected: list[str] = []
        self.merged: list[tuple[str, str]] = []
        real_state, real_merge = prediction.worktree_state, prediction.merge_chunk

        def state(run, agent, *args):
            self.inspected.append(agent.agent_id)
            return real_state(run, agent, *args)

        def merge(run, pairs):
            self.merged += pairs
            return real_merge(run, pairs)

        monkeypatch.setattr(prediction, "worktree_state", state)
        monkeypatch.setattr(prediction, "merge_chunk", merge)


def test_refresh_after_one_worktree_changes_merges_only_its_pairs(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agents = three_agents(repo)
    first = predict_conflicts(repo, "main", agents)
    assert first.reused_pairs == 0 and set(first.sides) == {"a", "b", "c", "main"}
    (wt(agents[2]) / "src/app.py").write_text("def main():\n    return 4\n")  # c now conflicts too
    recorder = Recorder(monkeypatch)

    refreshed = predict_conflicts(repo, "main", agents, previous=first, changed_agents={"c"})

    c_commits = {first.sides["c"].tip, refreshed.sides["c"].current}
    assert refreshed.sides["c"].snapshot is not None
    assert recorder.inspected == ["c"]
    assert recorder.merged and all(c_commits & set(pair) for pair in recorder.merged)
    assert refreshed.reused_pairs == 3  # a-b, a-main, b-main
    assert refreshed.git_calls < first.git_calls
    assert pair(refreshed.pairs, "a", "c").uncommitted_only
    full = predict_conflicts(repo, "main", agents)
    assert same_results(refreshed, full)


def test_refresh_with_nothing_changed_reuses_everything_in_one_git_call(repo: Path) -> None:
    agents = three_agents(repo)
    first = predict_conflicts(repo, "main", agents)

    again = predict_conflicts(repo, "main", agents, previous=first, changed_agents=set())

    assert again.git_calls == 1  # the branch tips, to notice commits nobody reported
    assert again.reused_pairs == len(first.pairs) + len(first.vs_target) == 6
    assert same_results(again, first)


def test_a_moved_branch_tip_is_noticed_even_when_not_reported(repo: Path) -> None:
    agents = three_agents(repo)
    first = predict_conflicts(repo, "main", agents)
    commit_files(wt(agents[2]), {"src/app.py": "def main():\n    return 5\n"}, "c touches app")

    refreshed = predict_conflicts(repo, "main", agents, previous=first, changed_agents=set())

    assert refreshed.reused_pairs == 3
    assert pair(refreshed.pairs, "a", "c").conflicts_committed
    assert same_results(refreshed, predict_conflicts(repo, "main", agents))


def test_a_moved_target_recomputes_only_the_target_column(repo: Path) -> None:
    agents = three_agents(repo)
    first = predict_conflicts(repo, "main", agents)
    commit_files(repo, {"src/app.py": "def main():\n    return 9\n"}, "target moves")

    refreshed = predict_conflicts(repo, "main", agents, previous=first, changed_agents=set())

    assert refreshed.reused_pairs == 3  # the agent pairs
    assert {p.a for p in refreshed.vs_target if p.conflicts} == {"a", "b"}
    assert same_results(refreshed, predict_conflicts(repo, "main", agents))


def test_changed_agents_none_looks_at_every_worktree_but_reuses_equal_commits(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agents = three_agents(repo)
    first = predict_conflicts(repo, "main", agents)
    recorder = Recorder(monkeypatch)

    again = predict_conflicts(repo, "main", agents, previous=first)

    # Snapshots are deterministic: the same worktree state gives the same commit, so nothing is merged.
    assert sorted(recorder.inspected) == ["a", "b", "c"]
    assert recorder.merged == []
    assert again.reused_pairs == 6
    assert same_results(again, first)


def test_a_previous_report_of_another_kind_is_not_reused(repo: Path) -> None:
    agents = three_agents(repo)
    committed_only = predict_conflicts(repo, "main", agents, include_uncommitted=False)
    cancelled = predict_conflicts(repo, "main", agents, cancel=lambda: True)

    for previous in (committed_only, cancelled):
        report = predict_conflicts(repo, "main", agents, previous=previous, changed_agents=set())
        assert report.sides["b"].snapshot is not None  # b's worktree was looked at again
        assert same_results(report, predict_conflicts(repo, "main", agents))


def test_a_note_about_ignored_work_is_kept_when_the_agent_is_reused(repo: Path) -> None:
    a = add_agent(repo, "a", {"src/app.py": "def main():\n    return 2\n"})
    b = add_agent(repo, "b")
    run_git(wt(b), "switch", "-q", "-c", "elsewhere")
    commit_files(wt(b), {"spike.txt": "spike\n"}, "spike")
    (wt(b) / "src/app.py").write_text("def main():\n    return 3\n")
    first = predict_conflicts(repo, "main", [a, b])

    again = predict_conflicts(repo, "main", [a, b], previous=first, changed_agents=set())

    assert first.errors == again.errors and any("elsewhere" in e for e in again.errors)


# --- merge order with reasons -----------------------------------------------------------------------------


def test_merge_steps_say_why_each_agent_is_where_it_is() -> None:
    agents = [AgentRef(name, None, None) for name in ("a", "b", "c")]
    agents.append(AgentRef("d", None, None, dependencies=("c",)))

    steps = merge_steps(agents, [("b", "a")])

    assert [s.agent_id for s in steps] == merge_order(agents, [("b", "a")]) == ["a", "c", "d", "b"]
    reasons = {s.agent_id: s.reason for s in steps}
    assert reasons["a"] == "first: no dependencies, conflicts with nobody merged before it"
    assert reasons["c"] == "no dependencies, conflicts with nobody merged before it"
    assert reasons["d"] == "after c (its dependency)"
    assert reasons["b"] == (
        "placed late: fewest conflicts with what is merged before; "
        "conflicts with a merged before it: resolve at this step"
    )
    assert steps[3].conflicts_before == ("a",) and steps[3].deferred
    assert not steps[2].deferred and steps[2].dependencies == ("c",)


def test_merge_step_that_cannot_avoid_a_conflict_is_not_called_late() -> None:
    agents = [
        AgentRef("db", None, None),
        AgentRef("auth", None, None, dependencies=("db",)),
        AgentRef("api", None, None, dependencies=("db", "auth")),
    ]

    steps = merge_steps(agents, [("api", "auth"), ("api", "db")])

    assert [s.reason for s in steps] == [
        "first: no dependencies, conflicts with nobody merged before it",
        "after db (its dependency)",
        "after db, auth (its dependencies); conflicts with db, auth merged before it: resolve at this step",
    ]


def test_report_carries_the_merge_steps(repo: Path) -> None:
    agents = three_agents(repo)

    report = predict_conflicts(repo, "main", agents)

    assert [s.agent_id for s in report.merge_steps] == report.merge_order == ["a", "c", "b"]
    assert report.merge_steps[-1].conflicts_before == ("a",)
    assert report.prediction("b", "a") is pair(report.pairs, "a", "b")
    assert report.prediction("main", "c") is next(p for p in report.vs_target if p.a == "c")
    assert report.prediction("a", "nobody") is None


# --- hunk counts of one cell ------------------------------------------------------------------------------


def lines(changes: dict[int, str]) -> str:
    return "".join(f"{changes.get(i, f'line {i}')}\n" for i in range(30))


def test_hunk_counts_per_conflicted_file(repo: Path) -> None:
    commit_files(repo, {"big.txt": lines({}), "gone.txt": "keep\n"}, "base files")
    a = add_agent(repo, "a", {"big.txt": lines({2: "a two", 20: "a twenty"}), "docs/g.md": "# by a\n"})
    b = add_agent(repo, "b", {"big.txt": lines({2: "b two", 20: "b twenty"}), "docs/g.md": "# by b\n"})
    run_git(wt(a), "rm", "-q", "gone.txt")
    run_git(wt(a), "commit", "-q", "-m", "a removes gone")
    commit_files(wt(b), {"gone.txt": "changed by b\n"}, "b edits gone")
    report = predict_conflicts(repo, "main", [a, b])
    prediction = report.pairs[0]
    assert set(prediction.conflicted_files) == {"big.txt", "docs/g.md", "gone.txt"}

    counts = count_hunks(repo, report.sides["a"], report.sides["b"], prediction.conflicted_files)

    assert {c.path: c.hunks for c in counts} == {"big.txt": 2, "docs/g.md": 1, "gone.txt": 0}


def test_hunk_counts_include_uncommitted_work(repo: Path) -> None:
    commit_files(repo, {"big.txt": lines({})}, "base file")
    a = add_agent(repo, "a", {"big.txt": lines({5: "a five"})})
    b = add_agent(repo, "b")
    (wt(b) / "big.txt").write_text(lines({5: "b five", 25: "b twenty-five"}))
    report = predict_conflicts(repo, "main", [a, b])
    assert report.pairs[0].uncommitted_only

    counts = count_hunks(repo, report.sides["a"], report.sides["b"], report.pairs[0].conflicted_files)

    assert counts == [FileHunks("big.txt", 1)]
    assert count_hunks(repo, report.sides["a"], report.sides["b"], []) == []


def test_hunk_counts_of_unrelated_histories_is_a_clear_error(repo: Path) -> None:
    worktree = wt(add_agent(repo, "lonely"))
    run_git(worktree, "switch", "-q", "--orphan", "orphan")
    commit_files(worktree, {"other.txt": "x\n"}, "unrelated root")
    tip = run_git(worktree, "rev-parse", "HEAD")
    main = run_git(repo, "rev-parse", "main")

    with pytest.raises(CdevError, match="unrelated"):
        count_hunks(repo, SideCommits(tip), SideCommits(main), ["other.txt"])
