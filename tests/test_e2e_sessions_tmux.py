"""End to end: attaching to an agent's session from the installed ``cdev-tui`` in a real terminal (tmux),
and detaching back to the app — outside tmux (the app steps aside) and inside it (a new window)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdev_tui.demo import build_demo
from tests.sessiontools import ASKS, scripted, server_of, with_programs
from tests.test_e2e_tmux import Terminal

pytestmark = pytest.mark.e2e


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: run `make test`, which installs it")
    demo = build_demo(tmp_path / "demo")
    with_programs(demo, {"scripted": scripted(ASKS.replace("work 1.5; idle", "work 60"))}, default="scripted")
    yield demo.repo, tmp_path / "c.db"
    server_of(demo).kill_server()


def open_terminal(repo: Path, db: Path, *, inside_tmux: bool) -> Terminal:
    exe = Path(sys.executable).with_name("cdev-tui")
    term = Terminal(f"cdev-tui-e2e-{os.getpid()}-{int(inside_tmux)}", "app")
    app = f"{exe} --repo {repo} --db {db}"
    command = f"{app}; sleep 30" if inside_tmux else f"env -u TMUX {app}; sleep 30"
    term.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "170", "-y", "45", command)
    return term


def start_auth_agent(term: Terminal) -> None:
    term.wait_for(lambda s: "auth_agent" in s and "blocked on auth_agent" in s)
    term.press("/")
    time.sleep(0.5)  # the search box takes the focus
    term.press("-l", "auth_agent")
    term.press("Enter")
    term.wait_for(lambda s: "1 of 5 agents" in s)
    term.press("a")
    term.wait_for("◐ waiting for you")


def test_enter_attaches_outside_tmux_and_detaching_returns_to_the_app(workspace: tuple[Path, Path]) -> None:
    term = open_terminal(*workspace, inside_tmux=False)
    try:
        start_auth_agent(term)
        term.press("Enter")  # the app steps aside; tmux attaches this terminal to the agent's session
        screen = term.wait_for("Proceed with the change? [y/n]")
        assert "1 of 5 agents" not in screen
        term.press("y", "Enter")  # typed straight into the agent program
        term.wait_for("→ approved")
        term.press("C-b", "d")  # detach: back to the app, current
        term.wait_for(lambda s: "1 of 5 agents" in s and "waiting for you" not in s and _row_working(s))
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True)


def _row_working(screen: str) -> bool:
    """auth_agent's row says its program is working again (its session cell)"""
    row = next((line for line in screen.splitlines() if line.startswith(" auth_agent ")), "")
    return "● working" in row


def test_enter_inside_tmux_opens_the_session_in_a_new_window(workspace: tuple[Path, Path]) -> None:
    term = open_terminal(*workspace, inside_tmux=True)
    try:
        start_auth_agent(term)
        term.press("Enter")
        app_window = Terminal(term.socket, "app:0")
        app_window.wait_for("opened in a new tmux window")
        windows = term.tmux("list-windows", "-t", "app", "-F", "#{window_name}").split()
        assert "auth_agent" in windows  # in front: the terminal shows the agent
        attached = Terminal(term.socket, "app:auth_agent")
        attached.wait_for("Proceed with the change? [y/n]")
        attached.press("C-b", "d")  # detaching closes the window; the app's window never left
        term.wait_for(
            lambda _: "auth_agent" not in term.tmux("list-windows", "-t", "app", "-F", "#{window_name}")
        )
        assert "◐ waiting for you" in term.screen()  # back to the app, still current
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True)
