"""The Plan screen on a real repository: plan a task from the keyboard, edit it, save it, spawn it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdev_tui.app import CdevApp, make_app
from cdev_tui.screens.plan import PlanScreen
from cdev_tui.sessions.tmux import TmuxServer, socket_name
from cdev_tui.widgets.confirm import ConfirmScreen
from tests.apptools import summary_text, table_rows, wait_until
from tests.conftest import run_git, shop_repo
from tests.sessiontools import scripted

SIZE = (150, 44)


def project(tmp_path: Path) -> Path:
    return shop_repo(
        tmp_path, extra={"tests/test_search.py": "from shop.catalog.search import search_products\n"}
    )


async def test_plan_edit_save_spawn_and_start_the_ready_agents_from_the_keyboard(tmp_path: Path) -> None:
    repo = project(tmp_path)
    (repo / ".cdev").mkdir()
    (repo / ".cdev" / "config.toml").write_text(
        f'agent_program = "scripted"\n[programs.scripted]\n{scripted("idle")}\n'
    )
    app = make_app(repo, db=tmp_path / "c.db")
    try:
        await _plan_spawn_and_start(app, repo, tmp_path)
    finally:
        TmuxServer(socket_name(repo / ".git")).kill_server()


async def _plan_spawn_and_start(app: CdevApp, repo: Path, tmp_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("p")
        assert isinstance(app.screen, PlanScreen)
        screen = app.screen
        task = tmp_path / "task.md"
        task.write_text(
            "# SHOP-7 Invoices and search\n\n- Render invoices as PDF\n- Rank catalog search results\n"
        )
        await pilot.press("n", *str(task), "enter")  # a task file, typed as a path
        await wait_until(pilot, lambda: screen.plan is not None and len(table_rows(app, "#plan-agents")) >= 2)
        await wait_until(pilot, lambda: "exclusive ownership" in summary_text(app, "#plan-problems"))

        agents = [row[0] for row in table_rows(app, "#plan-agents")]
        second = agents[1]
        await pilot.press("down", "d")  # the second agent now depends on the first
        await pilot.press(*agents[0], "enter")
        await wait_until(pilot, lambda: screen.plan.agent(second).dependencies == (agents[0],))
        await pilot.press("d", "ctrl+u", *second, "enter")  # depending on itself is refused, nothing changes
        await pilot.pause(0.3)
        assert screen.plan.agent(second).dependencies == (agents[0],)

        await pilot.press("w")
        await wait_until(pilot, lambda: screen.saved_to is not None)
        saved = json.loads(Path(screen.saved_to).read_text())
        assert saved["integrationPlan"]["mergeOrder"] == [agents[0], second]
        assert saved["integration_order"] == [agents[0], second]

        await pilot.press("s", "y")
        await wait_until(pilot, lambda: len(run_git(repo, "worktree", "list").splitlines()) == 3)
        # Then it offers to start the programs of the agents that can work now (not the blocked one).
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Start the programs of the 1 agent ready to work?" in str(
            app.screen.query_one("#confirm-question").content
        )
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(table_rows(app, "#agents-table")) == 2)
        statuses = {row[0]: row[1] for row in table_rows(app, "#agents-table")}
        assert statuses[agents[0]].endswith("ready")
        assert statuses[second] == f"⏸ blocked on {agents[0]}"
        sessions = {row[0]: row[2] for row in table_rows(app, "#agents-table")}
        await wait_until(
            pilot, lambda: "idle" in {r[0]: r[2] for r in table_rows(app, "#agents-table")}[agents[0]]
        )
        assert sessions[second] == "-"


async def test_a_plan_with_errors_cannot_be_saved(tmp_path: Path) -> None:
    repo = project(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("p", "n", *"Rank catalog search results", "enter")
        screen = app.screen
        await wait_until(pilot, lambda: screen.plan is not None and table_rows(app, "#plan-agents"))
        await pilot.press("a", *"docs_agent", "enter")  # an agent without files is an error
        await wait_until(pilot, lambda: "docs_agent" in summary_text(app, "#plan-problems"))
        await pilot.press("w")
        await pilot.pause(0.3)
        assert screen.saved_to is None
        assert not (repo / "shared" / "deployment-plans").exists()


async def test_criteria_contracts_and_estimate_are_edited_in_place(tmp_path: Path) -> None:
    repo = project(tmp_path)
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("p", "n", *"Rank catalog search results", "enter")
        screen = app.screen
        await wait_until(pilot, lambda: screen.plan is not None and table_rows(app, "#plan-agents"))
        agent_id = screen.selected
        await pilot.press("k", "ctrl+u", *"results ranked by relevance; ties keep catalog order", "enter")
        await pilot.press("K", "ctrl+u", *"tests/test_ranking.py", "enter")
        await pilot.press("E", "ctrl+u", *"45", "enter")
        await wait_until(pilot, lambda: screen.plan.agent(agent_id).estimated_minutes == 45)
        agent = screen.plan.agent(agent_id)
        assert agent.validation_criteria == ("results ranked by relevance", "ties keep catalog order")
        assert agent.test_contracts == ("tests/test_ranking.py",)
        await pilot.press("E", "ctrl+u", *"soon", "enter")  # not a number: refused, unchanged
        await pilot.pause(0.2)
        assert screen.plan.agent(agent_id).estimated_minutes == 45


async def test_spawn_with_env_copy_warns_about_secrets_and_copies(tmp_path: Path) -> None:
    from cdev_tui.widgets.confirm import ConfirmScreen

    repo = project(tmp_path)
    (repo / ".env").write_text("API_TOKEN=not-a-real-one\n")
    (repo / ".gitignore").write_text("workspaces/\n.env\n")
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("p", "n", *"Rank catalog search results", "enter")
        screen = app.screen
        await wait_until(pilot, lambda: screen.plan is not None and table_rows(app, "#plan-agents"))
        await wait_until(pilot, lambda: "exclusive ownership" in summary_text(app, "#plan-problems"))
        await pilot.press("S")
        assert isinstance(app.screen, ConfirmScreen) and "secrets" in app.screen.detail
        await pilot.press("y")
        worktrees = tmp_path / "shop-work-trees"
        await wait_until(pilot, lambda: any(worktrees.glob("*/.env")))
        copied = next(worktrees.glob("*/.env"))
        assert copied.read_text() == "API_TOKEN=not-a-real-one\n"


async def test_a_plan_from_a_template_with_estimates_calibrated_from_a_finished_agent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cdev_tui.widgets.template_picker import TemplatePickerScreen
    from tests.test_plan_templates import finish_an_agent_at_twice_its_estimate, stack_repo

    repo = stack_repo(tmp_path)
    finish_an_agent_at_twice_its_estimate(repo, capsys)  # planned and spawned for real, took twice as long
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("p")
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        await pilot.press("t")
        assert isinstance(app.screen, TemplatePickerScreen)
        picker = app.screen
        await wait_until(pilot, lambda: picker.query_one("#template-list").option_count == 2)
        await pilot.press("enter")  # the first: feature-api-ui-tests
        await pilot.press(*"Invoice PDF: render invoices as PDF in the API", "enter")
        await wait_until(pilot, lambda: screen.plan is not None and table_rows(app, "#plan-agents"))
        rows = {row[0]: row for row in table_rows(app, "#plan-agents")}
        assert list(rows) == ["api_agent", "tests_agent"]
        assert rows["tests_agent"][3] == "api_agent"  # the left-out ui step's edge goes to what it stood on
        assert screen.plan.agent("api_agent").files_to_modify == ("api/invoices.py",)
        summary = summary_text(app, "#plan-summary")
        assert "template feature-api-ui-tests (built-in)" in summary
        assert "left out db: the task touches none of *.sql" in summary
        assert "estimates ×2.0 from 1 finished agent" in summary
        await wait_until(pilot, lambda: "exclusive ownership" in summary_text(app, "#plan-problems"))
        await pilot.press("w")
        await wait_until(pilot, lambda: screen.saved_to is not None)
        saved = json.loads(Path(screen.saved_to).read_text())
        assert saved["estimateCalibration"]["ratio"] == 2.0
        assert saved["decompositionStrategy"] == "template:feature-api-ui-tests"


async def test_a_malformed_template_is_a_notice_and_no_plan(tmp_path: Path) -> None:
    from tests.test_plan_templates import stack_repo

    repo = stack_repo(tmp_path)
    (repo / ".cdev" / "templates").mkdir(parents=True)
    (repo / ".cdev" / "templates" / "x.toml").write_text('[[agents]]\nid = "a"\nfiles = "api/**"\n')
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("p")
        screen = app.screen
        await pilot.press("t")
        await wait_until(pilot, lambda: app.screen is screen)
        notices = [n.message for n in app._notifications]
        assert any("x.toml: agents[0].files must be a list of globs" in n for n in notices)
        assert screen.plan is None
