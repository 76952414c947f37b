"""Agent sessions in the app (Pilot): start from the Agents pane, see it work and wait for you, answer it
without attaching, broadcast, stop — the scripted agent program in our real tmux server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cdev_tui.app import CdevApp, make_app
from cdev_tui.cli.status import status_json
from cdev_tui.demo import DemoWorkspace
from cdev_tui.service import open_service
from cdev_tui.widgets.confirm import ConfirmScreen
from cdev_tui.widgets.prompt import PromptScreen
from tests.apptools import summary_text, table_rows, wait_until
from tests.sessiontools import scripted, server_of, session_demo, with_programs

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (make test installs it)"
)
__all__ = ["session_demo"]
SIZE = (170, 50)


def session_cell(app: CdevApp, agent_id: str) -> str:
    return next((row[2] for row in table_rows(app, "#agents-table") if row[0].endswith(agent_id)), "")


async def highlight(pilot, app: CdevApp, agent_id: str) -> None:
    await wait_until(pilot, lambda: app.main.snapshot is not None and bool(table_rows(app, "#agents-table")))
    assert app.main.query_one("AgentsPane").select_agent(agent_id)


def notices(app: CdevApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_start_see_it_wait_first_in_the_list_and_answer_it_with_a_prompt(
    session_demo: DemoWorkspace, tmp_path: Path
) -> None:
    demo = session_demo
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, app, "auth_agent")
        assert session_cell(app, "auth_agent") == "-"
        await pilot.press("a")
        await wait_until(pilot, lambda: "working" in session_cell(app, "auth_agent"))
        await wait_until(pilot, lambda: "waiting for you" in session_cell(app, "auth_agent"))
        assert table_rows(app, "#agents-table")[0][0] == "auth_agent"  # who waits for you comes first
        assert "1 waiting for you" in app.main.sub_title
        assert "1 waiting for you: auth_agent" in summary_text(app, "#agents-summary")
        assert any("auth_agent is waiting for you" in n for n in notices(app))
        await wait_until(pilot, lambda: "Proceed with the change?" in summary_text(app, "#agent-session"))
        view = summary_text(app, "#agent-session")
        assert "y. Yes (y)" in view and "n. No (n)" in view  # the answers it offers, read off its screen
        assert "task: You are auth_agent" in view  # the live screen: its first prompt came from its files
        await pilot.press("greater_than_sign")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("y", "enter")
        await wait_until(pilot, lambda: "working" in session_cell(app, "auth_agent"))
        assert "waiting" not in app.main.sub_title
        await wait_until(pilot, lambda: "idle" in session_cell(app, "auth_agent"))
        service = open_service(demo.repo, db=tmp_path / "other.db")  # the CLI's view agrees
        snapshot = service.load()

        def cli_says_idle() -> bool:
            """status --format json says auth_agent is idle"""
            document = status_json(snapshot, service.session_states(snapshot))
            found = next(a for a in document["agents"] if a["id"] == "auth_agent")["session"]
            return found["state"] == "idle"

        try:
            await wait_until(
                pilot, cli_says_idle, timeout=10
            )  # tmux gives it the last output in whole seconds
        finally:
            service.close()
        app.service.store.flush()
        waited = app.service.store.session_seconds("waiting")
        assert 0 < waited["auth_agent"] < 60  # the time it waited for a human, kept in the store


async def test_quick_answers_confirm_destructive_ones_and_stop_asks_first(
    session_demo: DemoWorkspace, tmp_path: Path
) -> None:
    demo = session_demo
    with_programs(
        demo, {"risky": scripted("work 1; ask Delete the old migrations?; work 30")}, default="risky"
    )
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, app, "api_agent")
        await pilot.press("a")
        await wait_until(pilot, lambda: "waiting for you" in session_cell(app, "api_agent"))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # deleting: asked first
        await pilot.press("n")  # not now
        await pilot.pause(0.5)
        assert "waiting for you" in session_cell(app, "api_agent")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: "working" in session_cell(app, "api_agent"))
        await wait_until(pilot, lambda: "→ approved" in summary_text(app, "#agent-session"))
        await pilot.press("K")  # stop: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause(0.3)
        assert "working" in session_cell(app, "api_agent")
        await pilot.press("K")
        await pilot.press("y")
        await wait_until(pilot, lambda: session_cell(app, "api_agent") == "-")


async def test_sessions_are_found_again_after_a_restart_and_a_prompt_goes_to_every_marked_agent(
    session_demo: DemoWorkspace, tmp_path: Path
) -> None:
    demo = session_demo
    with_programs(demo, {"waiter": scripted("idle; exit 0")}, default="waiter")
    service = open_service(demo.repo, db=tmp_path / "c.db")
    try:
        snapshot = service.load()
        for agent_id in ("auth_agent", "api_agent"):
            service.start_session(snapshot, agent_id)
    finally:
        service.close()
    app = make_app(demo.repo, db=tmp_path / "c.db")  # a new app: the sessions were started without it
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "idle" in session_cell(app, "auth_agent"))
        await wait_until(pilot, lambda: "idle" in session_cell(app, "api_agent"))
        await highlight(pilot, app, "api_agent")
        await pilot.press("space")  # mark api_agent (the cursor moves on)
        await highlight(pilot, app, "auth_agent")
        await pilot.press("space")
        assert "2 marked" in summary_text(app, "#agents-summary")
        await pilot.press("greater_than_sign")
        assert "2 agents" in str(app.screen.query_one(".question").content)
        await pilot.press(*"status please", "enter")
        for agent_id in ("auth_agent", "api_agent"):
            await highlight(pilot, app, agent_id)
            await wait_until(
                pilot, lambda: "instruction: status please" in summary_text(app, "#agent-session")
            )
        assert "marked" not in summary_text(app, "#agents-summary")


async def test_a_program_that_cannot_start_is_a_clear_message_and_the_app_goes_on(
    session_demo: DemoWorkspace, tmp_path: Path
) -> None:
    demo = session_demo
    with_programs(demo, {"ghost": 'command = "no-such-agent-cli"'}, default="ghost")
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, app, "auth_agent")
        await pilot.press("a")
        await wait_until(
            pilot, lambda: any("no-such-agent-cli: command not found" in n for n in notices(app))
        )
        await pilot.press("y")  # nothing to answer: a notice, no crash
        await wait_until(pilot, lambda: any("has no running program" in n for n in notices(app)))
        await pilot.press("2")
        await wait_until(pilot, lambda: app.main.active_pane == "conflicts")


async def test_a_dead_tmux_server_clears_the_sessions_and_a_new_start_is_followed_again(
    session_demo: DemoWorkspace, tmp_path: Path
) -> None:
    demo = session_demo
    with_programs(demo, {"waiter": scripted("idle; exit 0")}, default="waiter")
    app = make_app(demo.repo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await highlight(pilot, app, "auth_agent")
        await pilot.press("a")
        await wait_until(pilot, lambda: "idle" in session_cell(app, "auth_agent"))
        server_of(demo).kill_server()  # tmux dies under the app
        await wait_until(pilot, lambda: session_cell(app, "auth_agent") == "-")
        await pilot.press("a")  # a new server, found and followed again
        await wait_until(pilot, lambda: "idle" in session_cell(app, "auth_agent"))
