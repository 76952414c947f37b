"""End to end: the installed ``cdev-tui`` in a real terminal (tmux), driven by keys, read off the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cdev_tui.demo import build_demo, fake_github_token

pytestmark = pytest.mark.e2e


class Terminal:
    """A tmux session on a private server socket."""

    def __init__(self, socket: str, session: str) -> None:
        self.socket = socket
        self.session = session

    def tmux(self, *args: str) -> str:
        # The terminal's own size must win: drop the COLUMNS/LINES that the test runner's env carries.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True, env=env
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, what: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        check = what if callable(what) else (lambda screen: what in screen)
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{what!r} never appeared on screen; last screen:\n{screen}")

    def alive(self) -> bool:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "has-session", "-t", self.session], capture_output=True
        )
        return result.returncode == 0


@pytest.fixture
def terminal(tmp_path: Path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: run `make test`, which installs it")
    repo = build_demo(tmp_path / "demo").repo
    exe = Path(sys.executable).with_name("cdev-tui")
    socket = f"cdev-tui-test-{os.getpid()}"
    term = Terminal(socket, "app")
    command = f"{exe} --repo {repo} --db {tmp_path / 'c.db'}; sleep 30"
    term.tmux("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "170", "-y", "42", command)
    term.tmux("set-option", "-t", "app", "remain-on-exit", "off")
    yield term
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def test_user_session_in_a_real_terminal(terminal: Terminal) -> None:
    screen = terminal.wait_for(lambda s: "db_agent" in s and "blocked on auth_agent" in s)
    assert "merged" in screen and "in progress" in screen and "committed" in screen
    assert "⚠ 1 not owned" in screen and "⏱ stalled" in screen

    terminal.press("2")
    # The matrix marks the conflicting pairs; the worst cell (api x auth) is selected with its file.
    screen = terminal.wait_for(lambda s: "conflict (uncommitted work)" in s and " hunk" in s)
    assert "✖ 1" in screen and "◐ 1" in screen
    assert "api_agent × auth_agent: conflict" in screen and "src/shopfront/api/routes.py" in screen

    terminal.press("3")
    screen = terminal.wait_for(lambda s: "ghp_" in s and "tokens.py" in s)  # the table may draw in two frames
    assert fake_github_token() not in screen

    terminal.press("?")
    terminal.wait_for("What it does")
    terminal.press("Escape")
    terminal.wait_for(lambda s: "What it does" not in s)  # a key sent right after ESC would read as alt+key
    terminal.press("1")
    terminal.wait_for("db_agent")

    terminal.press("q")
    terminal.wait_for(lambda s: "db_agent" not in s, timeout=10)
