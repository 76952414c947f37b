"""The real app driven by Textual's Pilot on the real demo workspace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo, fake_github_token
from cdev_tui.errors import CdevError
from cdev_tui.screens.help import HelpScreen
from cdev_tui.widgets.conflict_matrix import ConflictMatrix
from tests.apptools import FROZEN_NOW, summary_text, table_rows, wait_for_everything, wait_until

SIZE = (140, 42)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo workspace for the read-only tests of this module."""
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


def statuses(app) -> dict[str, str]:
    return {row[0]: row[1] for row in table_rows(app, "#agents-table")}


async def test_agents_pane_shows_every_demo_agent_with_its_status(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        rows = statuses(app)
        assert set(rows) == {"db_agent", "catalog_agent", "api_agent", "auth_agent", "cart_agent"}
        assert rows["db_agent"].endswith("merged")
        assert rows["catalog_agent"].endswith("committed")
        assert rows["api_agent"].endswith("in progress")
        assert rows["auth_agent"].endswith("in progress")
        assert "blocked on auth_agent" in rows["cart_agent"]
        flags = {row[0]: row[7] for row in table_rows(app, "#agents-table")}
        assert "not owned" in flags["auth_agent"]


async def test_keys_switch_panes_and_enter_opens_the_detail(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        tabs = app.screen.query_one(TabbedContent)
        for key, pane in zip("2341", ("conflicts", "security", "metrics", "agents"), strict=True):
            await pilot.press(key)
            assert tabs.active == pane
        ids = [row[0] for row in table_rows(app, "#agents-table")]
        app.screen.query_one("#agents-table").focus()
        for _ in range(ids.index("auth_agent")):
            await pilot.press("down")
        await pilot.press("enter")
        assert app.focused is not None and app.focused.id == "agent-detail-scroll"
        detail = summary_text(app, "#agent-detail")
        assert "src/shopfront/api/routes.py" in detail and "owned by api_agent" in detail


async def test_command_palette_and_help_screen(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("ctrl+p")
        await pilot.press(*"show metrics")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.query_one(TabbedContent).active == "metrics")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = summary_text(app, "#help-table")
        for expected in ("Show Agents", "Show Conflicts", "Show Security", "Show Metrics", "Refresh", "Quit"):
            assert expected in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_conflicts_security_and_metrics_show_real_results(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_everything(pilot)
        matrix = app.screen.query_one("#conflicts-matrix", ConflictMatrix)
        verdicts = {(c.row, c.column): c.severity.verdict for row in matrix.cells for c in row}
        for a, b in (("api_agent", "auth_agent"), ("api_agent", "catalog_agent")):
            assert verdicts[(a, b)] == verdicts[(b, a)] == "conflict"
        assert verdicts[("cart_agent", "catalog_agent")] == "conflict (uncommitted work)"
        assert verdicts[("api_agent", "cart_agent")] == "clean"
        assert verdicts[("api_agent", "main")] == "clean"
        assert "src/shopfront/api/routes.py" in summary_text(app, "#conflicts-detail")
        assert "Merge order:" in summary_text(app, "#conflicts-order")

        findings = table_rows(app, "#findings-table")
        token = fake_github_token()
        planted = [row for row in findings if row[2] == "auth_agent" and "tokens.py" in row[3]]
        assert planted and planted[0][4].startswith("ghp_") and "*" in planted[0][4]
        everything = "".join(str(cell) for row in findings for cell in row)
        assert token not in everything

        metrics = summary_text(app, "#metrics-summary")
        assert "Critical path" in metrics
        agents = summary_text(app, "#tile-agents")
        assert sum(int(n) for n in re.findall(r"(\d+) [a-z ]+", agents)) == 5, agents


async def test_checklist_edit_on_disk_updates_the_row_without_a_keypress(tmp_path: Path) -> None:
    repo = build_demo(tmp_path / "live").repo
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.pause(0.5)  # let the watcher start
        before = {row[0]: row[3] for row in table_rows(app, "#agents-table")}
        assert before["api_agent"].endswith("3/4")
        checklist = app.main.snapshot.agent("api_agent").facts.worktree / "workspaces" / "api_agent"
        path = checklist / "validation_checklist.txt"
        path.write_text(path.read_text().replace("[ ]", "[x]"))

        def row_updated() -> bool:
            """the api_agent row shows 4/4 and complete"""
            rows = {row[0]: row for row in table_rows(app, "#agents-table")}
            return rows["api_agent"][3].endswith("4/4") and rows["api_agent"][1].endswith("committed")

        await wait_until(pilot, row_updated, timeout=5)


async def test_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CdevError, match="not a git repository"):
        make_app(tmp_path)


async def test_search_filter_and_sort_the_agent_table(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await wait_until(pilot, lambda: len(table_rows(app, "#agents-table")) == 5)
        await pilot.press("slash", *"auth")
        assert [row[0] for row in table_rows(app, "#agents-table")] == ["auth_agent"]
        assert "1 of 5 agents" in summary_text(app, "#agents-summary")
        await pilot.press("escape")
        assert len(table_rows(app, "#agents-table")) == 5
        await pilot.press("F")  # active: everything not merged
        assert "db_agent" not in [row[0] for row in table_rows(app, "#agents-table")]
        await pilot.press("F")  # attention: stalled, blocked, violations
        assert {row[0] for row in table_rows(app, "#agents-table")} == {
            "api_agent",
            "auth_agent",
            "cart_agent",
        }
        await pilot.press("F", "S")  # all, sorted by status: the blocked agent first
        assert table_rows(app, "#agents-table")[0][0] == "cart_agent"


async def test_a_repository_without_agents_says_what_to_do(repo: Path, tmp_path: Path) -> None:
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None and app.screen.query("#agents-summary"))
        await wait_until(pilot, lambda: "No agent worktrees yet" in summary_text(app, "#agents-summary"))
        assert "Press p to plan a task" in summary_text(app, "#agents-summary")


async def test_user_keymap_rebinds_a_command(demo: Path, tmp_path: Path) -> None:
    from cdev_tui.config import Config

    app = make_app(demo, db=tmp_path / "c.db", config=Config(keymap={"pane.metrics": "m"}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("m")
        assert app.screen.query_one(TabbedContent).active == "metrics"
        await pilot.press("1")
        assert app.screen.query_one(TabbedContent).active == "agents"
        await pilot.press("4")  # the default key no longer does it
        assert app.screen.query_one(TabbedContent).active == "agents"


async def test_a_secret_written_into_a_worktree_shows_up_without_a_rescan(tmp_path: Path) -> None:
    repo = build_demo(tmp_path / "live").repo
    app = make_app(repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "found" in summary_text(app, "#security-summary"))
        await pilot.pause(0.5)  # the watcher is running
        worktree = app.main.snapshot.agent("api_agent").facts.worktree
        key = "AKIA" + "QX7RZ2M4T6V5W3Y5"  # built here so this file holds no key-shaped literal
        (worktree / "src" / "shopfront" / "api" / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{key}"\n')

        def reported() -> bool:
            """the new key is listed for api_agent, masked"""
            rows = table_rows(app, "#findings-table")
            return any(row[2] == "api_agent" and "settings.py" in row[3] for row in rows)

        await wait_until(pilot, reported, timeout=10)
        rows = table_rows(app, "#findings-table")
        assert key not in "".join(cell for row in rows for cell in row)
        assert any(row[2] == "auth_agent" for row in rows)  # the other worktrees' findings stay


def test_agents_of_several_tasks_are_grouped_by_task() -> None:
    from cdev_tui.plan import PlanAgent
    from cdev_tui.screens.agents import visible_agents
    from cdev_tui.status import AgentStatus
    from cdev_tui.workspace import Agent, AgentFacts

    def agent(agent_id: str, task: str) -> Agent:
        facts = AgentFacts(
            agent_id=agent_id, spec=PlanAgent(agent_id), task_id=task, worktree=Path("/w") / agent_id
        )
        return Agent(facts=facts, status=AgentStatus.READY)

    agents = [
        agent("b_agent", "T-2"),
        agent("a_agent", "T-1"),
        agent("c_agent", "T-2"),
        agent("d_agent", "T-1"),
    ]
    assert [a.agent_id for a in visible_agents(agents)] == ["a_agent", "d_agent", "b_agent", "c_agent"]
    assert [a.agent_id for a in visible_agents(agents, sort="name")] == [
        "a_agent",
        "d_agent",
        "b_agent",
        "c_agent",
    ]
