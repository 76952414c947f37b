"""Trial resolutions: a predicted conflict resolved ahead of time on a scratch worktree, learned for later."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdev_tui.conflicts.learned import LearnedStore
from cdev_tui.conflicts.session import ResolveSession
from cdev_tui.conflicts.trial import TRIAL_PREFIX, remove_trial, side_of, start_trial
from cdev_tui.errors import CdevError
from cdev_tui.integrate import integrate
from cdev_tui.integrate.resolution import auto_resolver
from cdev_tui.store import Store
from tests.conftest import run_git
from tests.test_integrate import NOW, build_workspace, fingerprint
from tests.test_integrate_resolve import CONFLICTING, ORDER


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "store.db")
    yield store
    store.close()


def test_a_trial_resolution_is_learned_and_the_integration_finds_it_solved(
    tmp_path: Path, store: Store
) -> None:
    ws = build_workspace(tmp_path, work=CONFLICTING)
    before = fingerprint(ws)
    ours = side_of("b_agent", ws.branch("b_agent"), ws.worktree("b_agent"), ws.repo)
    theirs = side_of("c_agent", ws.branch("c_agent"), ws.worktree("c_agent"), ws.repo)
    trial = start_trial(ws.repo, ws.root, ours, theirs)
    assert trial.files == ("src/app.py",) and trial.worktree.name.startswith(TRIAL_PREFIX)
    assert run_git(trial.worktree, "rev-parse", "HEAD") == run_git(ws.repo, "rev-parse", ws.branch("b_agent"))

    learned = LearnedStore(store)
    session = ResolveSession(trial.worktree, learned=learned)
    session.load()
    session.edit("src/app.py", 0, "    return 2 + 99\n")
    assert session.write("src/app.py").learned == 1
    remove_trial(ws.repo, trial.worktree)
    assert not trial.worktree.exists()
    assert fingerprint(ws) == before  # no branch, no worktree, nothing of the agents touched

    result = integrate(ws.snapshot(), order=ORDER, now=NOW, resolver=auto_resolver(("learned",), learned))
    assert result.ok and result.steps[-1].resolved_files == ("src/app.py",)
    assert run_git(ws.repo, "show", f"{result.branch}:src/app.py") == "def main():\n    return 2 + 99"


def test_uncommitted_work_is_part_of_the_trial_and_a_clean_pair_has_no_files(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path)
    (ws.worktree("c_agent") / "src" / "app.py").write_text("def main():\n    return 7\n")
    ours = side_of("b_agent", ws.branch("b_agent"), ws.worktree("b_agent"), ws.repo)
    dirty = side_of("c_agent", ws.branch("c_agent"), ws.worktree("c_agent"), ws.repo)
    trial = start_trial(ws.repo, ws.root, ours, dirty)
    try:
        assert trial.files == ("src/app.py",)
    finally:
        remove_trial(ws.repo, trial.worktree)
    clean = start_trial(ws.repo, ws.root, side_of("a_agent", ws.branch("a_agent"), None, ws.repo), ours)
    try:
        assert clean.files == ()
    finally:
        remove_trial(ws.repo, clean.worktree)
    with pytest.raises(CdevError, match="neither a worktree nor a branch"):
        side_of("ghost", "no-such-branch", None, ws.repo)
