"""Voice end to end: speech played into the virtual microphone drives the running app (Pilot and tmux).

The private PulseAudio server of tests/voice_audio.py stands in for the desk microphone; espeak-ng speaks;
the app records through sounddevice, transcribes with the bundled tiny.en model and runs the command.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from cdev_tui.app import make_app
from cdev_tui.config import load_config
from cdev_tui.demo import build_demo
from cdev_tui.screens.agents import AgentsPane
from tests.apptools import FROZEN_NOW, wait_until
from tests.test_e2e_tmux import Terminal
from tests.voice_audio import speak_into_mic

pytestmark = pytest.mark.e2e

SIZE = (150, 45)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


async def speak_command(pilot, app, words: str) -> None:
    """Press v, wait until the app listens, and say ``words`` into the microphone."""
    await pilot.press("v")
    await wait_until(pilot, lambda: app.voice_state.phase == "listening", timeout=60)
    await asyncio.to_thread(speak_into_mic, words)


async def test_saying_show_conflicts_and_open_agent_auth(pulse_audio, demo: Path, tmp_path: Path) -> None:
    config = replace(load_config(demo), voice_speak=False)  # the answers must not talk into the microphone
    app = make_app(demo, db=tmp_path / "c.db", config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await speak_command(pilot, app, "show conflicts")
        await wait_until(pilot, lambda: app.main.query_one("#panes", TabbedContent).active == "conflicts", 30)

        await speak_command(pilot, app, "open agent auth")
        pane = app.main.query_one(AgentsPane)
        await wait_until(pilot, lambda: pane.selected_agent_id() == "auth_agent", 30)
        assert app.main.query_one("#panes", TabbedContent).active == "agents"
        assert app.main.focused is not None and app.main.focused.id == "agent-detail-scroll"

        app.service.store.flush()
        log = app.service.store.voice_log()
        assert [row.command_id for row in log] == ["pane.conflicts", "agent.open"]
        assert all(row.outcome == "run" and 0 < row.latency_ms < 5000 for row in log)


def test_voice_in_a_real_terminal(pulse_audio, demo: Path, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: run `make test`, which installs it")
    exe = Path(sys.executable).with_name("cdev-tui")
    socket = f"cdev-tui-voice-{os.getpid()}"
    term = Terminal(socket, "voice")
    env = " ".join(
        f"{name}={os.environ[name]}" for name in ("PULSE_SERVER", "XDG_RUNTIME_DIR") if name in os.environ
    )
    command = f"env {env} CDEV_TUI_VOICE_SPEAK=0 {exe} --repo {demo} --db {tmp_path / 'c.db'}; sleep 30"
    term.tmux("-f", "/dev/null", "new-session", "-d", "-s", "voice", "-x", "160", "-y", "42", command)
    try:
        term.wait_for("db_agent")
        term.press("v")
        term.wait_for("listening", timeout=60)
        speak_into_mic("show conflicts")
        screen = term.wait_for(lambda s: "heard" in s and "Show Conflicts" in s, timeout=30)
        assert "api_agent × auth_agent" in term.wait_for("api_agent × auth_agent", timeout=20)
        assert "🎙" in screen
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


async def test_hands_free_counts_only_what_begins_with_the_wake_word(
    pulse_audio, demo: Path, tmp_path: Path
) -> None:
    config = replace(load_config(demo), voice_speak=False, voice_wake_word="computer")
    app = make_app(demo, db=tmp_path / "c.db", config=config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        panes = app.main.query_one("#panes", TabbedContent)
        await pilot.press("v")
        await wait_until(pilot, lambda: app.voice_state.phase == "listening", timeout=60)
        await asyncio.to_thread(speak_into_mic, "computer, show conflicts")
        await wait_until(pilot, lambda: panes.active == "conflicts", 30)
        await wait_until(pilot, lambda: app.voice_state.phase == "listening", timeout=30)  # still armed
        await asyncio.to_thread(speak_into_mic, "show metrics")
        await wait_until(pilot, lambda: "no wake word" in app.voice_state.message, 30)
        assert panes.active == "conflicts"
        await wait_until(pilot, lambda: app.voice_state.phase == "listening", timeout=30)
        await asyncio.to_thread(speak_into_mic, "computer, show security")
        await wait_until(pilot, lambda: panes.active == "security", 30)
        await pilot.press("v")  # disarm
        await wait_until(pilot, lambda: app._voice_stop is None and not app._hands_free, 30)
