"""The Integrate screen on real branches: pre-flight, confirm, merge with live test output, finish."""

from __future__ import annotations

from pathlib import Path

from cdev_tui.app import make_app
from cdev_tui.screens.integrate import IntegrateScreen
from tests.apptools import summary_text, table_rows, wait_until
from tests.conftest import run_git
from tests.test_integrate import build_workspace

SIZE = (140, 42)


async def test_integrate_then_finish_from_the_keyboard(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path)
    target_before = run_git(ws.repo, "rev-parse", "main")
    app = make_app(ws.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("i")
        assert isinstance(app.screen, IntegrateScreen)
        screen = app.screen
        await wait_until(pilot, lambda: "Pre-flight passed" in summary_text(app, "#integrate-problems"))
        screen.query_one("#test-command").value = "echo tests-ran-here"
        await pilot.press("g")
        await pilot.press("y")  # confirm
        await wait_until(pilot, lambda: screen.result is not None)
        assert screen.result.ok
        assert [row[2] for row in table_rows(app, "#steps-table")] == ["merged"] * 3
        assert [row[3] for row in table_rows(app, "#steps-table")] == ["passed"] * 3
        assert "tests-ran-here" in "\n".join(screen.query_one("#integrate-log").lines)
        report = summary_text(app, "#integrate-report")
        assert "a_agent" in report and "b_agent" in report and "c_agent" in report
        assert run_git(ws.repo, "rev-parse", "main") == target_before  # untouched until finish
        await pilot.press("f", "y")
        await wait_until(pilot, lambda: run_git(ws.repo, "rev-parse", "main") != target_before)
        assert run_git(ws.repo, "rev-parse", "main") == run_git(ws.repo, "rev-parse", screen.result.branch)


async def test_preflight_problems_block_the_start(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path)
    (ws.worktree("a_agent") / "src" / "dirty.py").write_text("not committed\n")
    app = make_app(ws.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("i")
        screen = app.screen
        await wait_until(pilot, lambda: "dirty.py" in summary_text(app, "#integrate-problems"))
        await pilot.press("g")
        assert not isinstance(app.screen, type(None)) and app.screen is screen  # no confirmation opened
        assert screen.result is None and not screen.running
        branches = run_git(ws.repo, "branch", "--list", "integration-*")
        assert branches == ""


async def test_an_agent_the_security_gate_keeps_out_counts_as_refused_in_the_metrics(tmp_path: Path) -> None:
    from cdev_tui.demo import build_demo
    from cdev_tui.store import Store

    repo = build_demo(tmp_path / "demo").repo
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("i")
        await wait_until(pilot, lambda: "auth_agent" in summary_text(app, "#integrate-problems"), timeout=60)
        await pilot.press(
            "g", "g"
        )  # refused, told once: the planted token and vulnerable pin are not accepted
        await pilot.pause(0.2)
        app.service.store.flush()
    refused = [r.subject for r in Store(tmp_path / "c.db").outcomes("integrate") if r.outcome == "refused"]
    assert refused == ["auth_agent"]
