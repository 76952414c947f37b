"""Voice in the app: what is heard runs like a key press, asks first when destructive, offers alternatives.

These tests hand the app transcripts (the matcher is real, the audio path is tested in test_voice_audio and
test_voice_e2e); they check what the user sees and what is logged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo
from cdev_tui.screens.merge_editor import MergeEditorScreen
from cdev_tui.voice.engine import Heard
from cdev_tui.voice.intents import match
from cdev_tui.widgets.alternatives import AlternativesScreen
from cdev_tui.widgets.confirm import ConfirmScreen
from tests.apptools import FROZEN_NOW, summary_text, wait_until
from tests.conflict_repos import CLIENT_BASE, CLIENT_OURS, CLIENT_THEIRS, git_ok, two_branches

SIZE = (150, 45)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


async def say(app, text: str) -> str:
    """What the app does with ``text`` as if it had just been heard."""
    heard = Heard(text, match(text, app.voice_context()), latency_ms=420.0)
    return await app.voice_dispatch(heard)


async def test_heard_commands_switch_panes_and_open_an_agent(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        assert await say(app, " Show conflicts.") == "run"
        await pilot.pause()
        assert app.main.query_one("#panes", TabbedContent).active == "conflicts"
        assert "Show Conflicts" in summary_text(app, "#voice-indicator")
        assert await say(app, "open agent auth") == "run"
        await pilot.pause()
        assert app.main.query_one("#panes", TabbedContent).active == "agents"
        from cdev_tui.screens.agents import AgentsPane

        assert app.main.query_one(AgentsPane).selected_agent_id() == "auth_agent"
        assert await say(app, "next agent") == "run"
        await pilot.pause()
        assert app.main.query_one(AgentsPane).selected_agent_id() != "auth_agent"
        assert await say(app, "what is the weather like") == "none"
        await pilot.pause()
        assert "not a command" in summary_text(app, "#voice-indicator") or "weather" in summary_text(
            app, "#voice-indicator"
        )
        app.service.store.flush()
        log = app.service.store.voice_log()
        assert [row.command_id for row in log][:3] == ["pane.conflicts", "agent.open", "agents.next"]
        assert log[1].args == '{"agent": "auth_agent"}' and all(row.latency_ms == 420.0 for row in log)


async def test_quit_asks_and_a_spoken_yes_answers(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        assert await say(app, "quit") == "asked"
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert await say(app, "no") == "declined"
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmScreen)
        await say(app, "quit")
        await pilot.pause()
        assert await say(app, "yes") == "confirmed"
        await wait_until(pilot, lambda: not app.is_running)


async def test_unsure_offers_three_alternatives_picked_by_number(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        heard = "switch to secur"
        found = match(heard, app.voice_context())
        assert found.command_id is None and found.alternatives, "the matcher must be unsure here"
        assert await say(app, heard) == "alternatives"
        await pilot.pause()
        assert isinstance(app.screen, AlternativesScreen)
        titles = app.screen.titles
        wanted = titles.index(next(t for t in titles if "Security" in t)) + 1
        assert await say(app, ["one", "two", "three"][wanted - 1]) == "run"
        await wait_until(pilot, lambda: app.main.query_one("#panes", TabbedContent).active == "security")


async def test_status_is_answered(demo: Path, tmp_path: Path) -> None:
    app = make_app(demo, db=tmp_path / "c.db")
    app.service.config = type(app.service.config)(**{**app.service.config.__dict__, "voice_speak": False})
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        sentence = app.voice_status("auth_agent", "how is auth")
        assert sentence.startswith("Auth is in progress, 2 of 4 checklist items done")
        assert await say(app, "what's blocked") == "run"


async def test_take_ours_in_the_merge_editor(tmp_path: Path) -> None:
    repo = two_branches(
        tmp_path, {"client.py": CLIENT_BASE}, {"client.py": CLIENT_OURS}, {"client.py": CLIENT_THEIRS}
    )
    assert git_ok(repo, "merge", "feature").returncode == 1
    app = make_app(repo, db=tmp_path / "c.db", resolve=repo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MergeEditorScreen) and app.screen.loaded)
        assert app.voice_context().scope == "merge-editor"
        assert await say(app, "take theirs") == "run"
        await pilot.pause()
        state = app.screen.session.file("client.py")
        assert state.choices[0].how == "theirs"
        assert await say(app, "undo") == "run"
        await pilot.pause()
        assert not state.choices


def test_the_reading_that_says_a_command_wins() -> None:
    from cdev_tui.voice.engine import choose
    from cdev_tui.voice.intents import VoiceContext

    context = VoiceContext(agents=("auth_agent", "cart_agent"))
    text, found = choose(["Okay, code.", "show conflicts", "show conflict"], context)
    assert (text, found.command_id) == ("show conflicts", "pane.conflicts")
    text, found = choose(["show conflicts please", "show security"], context)
    assert found.command_id == "pane.conflicts"  # the model's first reading wins a tie of two commands
    text, found = choose(["what a lovely day", "a lovely day"], context)
    assert text == "what a lovely day" and found.command_id is None


async def test_no_microphone_says_why_and_the_app_works_on(demo: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from cdev_tui.config import load_config

    config = replace(load_config(demo), voice_device="no-such-microphone", voice_speak=False)
    app = make_app(demo, db=tmp_path / "c.db", config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("v")
        await wait_until(pilot, lambda: app.voice_state.phase == "unavailable", timeout=60)
        said = summary_text(app, "#voice-indicator")
        # Without a sound server there is no microphone at all; with one, that name is not among them.
        assert "voice unavailable" in said and ("no-such-microphone" in said or "no input device" in said)
        await pilot.press("2")
        assert app.main.query_one("#panes", TabbedContent).active == "conflicts"
        await pilot.press("v")  # pressing again tries again, and says why again
        await wait_until(pilot, lambda: app._voice_stop is None)
