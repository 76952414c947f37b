"""Agent actions from the keyboard on the real demo: checklist edits, commit with confirmation, removal."""

from __future__ import annotations

from pathlib import Path

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo
from cdev_tui.widgets.checklist_editor import ChecklistScreen
from cdev_tui.widgets.confirm import ConfirmScreen
from tests.apptools import table_rows, wait_until
from tests.conftest import run_git

SIZE = (150, 42)


def highlight(app, agent_id: str) -> None:
    table = app.screen.query_one("#agents-table")
    table.move_cursor(row=[row[0] for row in table_rows(app, "#agents-table")].index(agent_id))


def progress(app, agent_id: str) -> str:
    return {row[0]: row[3] for row in table_rows(app, "#agents-table")}[agent_id]


async def test_tick_items_then_commit_with_confirmation(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo")
    app = make_app(demo.repo, db=tmp_path / "c.db")
    worktree = demo.worktree("auth_agent")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app, "#agents-table")) == 5)
        highlight(app, "auth_agent")
        assert progress(app, "auth_agent").endswith("2/4")

        await pilot.press("t")
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("down", "down", "space", "down", "space", "enter")  # tick items 3 and 4
        await wait_until(pilot, lambda: progress(app, "auth_agent").endswith("4/4"))
        checklist = (worktree / "workspaces" / "auth_agent" / "validation_checklist.txt").read_text()
        assert "3. [x]" in checklist and "4. [x]" in checklist

        (worktree / "src" / "shopfront" / "auth" / "audit.py").write_text("AUDIT = True\n")
        (worktree / "tests" / "test_tokens.py").write_text("def test_tokens_expire():\n    assert 1 < 2\n")
        head_before = run_git(worktree, "rev-parse", "HEAD")
        main_before = run_git(demo.repo, "rev-parse", "main")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "feat(auth_agent)" in app.screen.detail  # the generated message is shown before committing
        await pilot.press("n")  # no: nothing happens
        await pilot.pause(0.3)
        assert run_git(worktree, "rev-parse", "HEAD") == head_before
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: run_git(worktree, "rev-parse", "HEAD") != head_before)
        subject = run_git(worktree, "log", "-1", "--format=%s")
        assert subject.startswith("feat(auth_agent)")
        assert run_git(demo.repo, "rev-parse", "main") == main_before  # only the agent branch moved
        assert "audit.py" in run_git(worktree, "show", "--name-only", "--format=", "HEAD")


async def test_a_refused_action_says_why_and_changes_nothing(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo")
    app = make_app(demo.repo, db=tmp_path / "c.db")
    worktree = demo.worktree("cart_agent")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app, "#agents-table")) == 5)
        highlight(app, "cart_agent")  # 0/4 and dirty
        head_before = run_git(worktree, "rev-parse", "HEAD")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # the checklist gate says no
        await wait_until(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        assert run_git(worktree, "rev-parse", "HEAD") == head_before
        await pilot.press("D", "y")  # dirty worktree: removal refused, the folder stays
        await pilot.pause(0.5)
        assert worktree.is_dir()
