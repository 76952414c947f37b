"""Agent sessions in tests: the demo workspace with a scripted agent program, and our tmux server cleaned up."""

from __future__ import annotations

import re
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cdev_tui.demo import DemoWorkspace, build_demo
from cdev_tui.sessions.tmux import TmuxServer, socket_name

ASKS = "work 1.5; ask Proceed with the change?; work 1.5; idle; exit 3"
"""Works, asks a yes/no question, works again, goes idle at its prompt, then exits with code 3 on ``exit``."""


def scripted_command(script: str) -> str:
    """The command line of cdev-tui's scripted stand-in agent playing ``script``."""
    return shlex.join([sys.executable, "-m", "cdev_tui.sessions.demo_agent", "--script", script])


def scripted(script: str, *, prompt: str = "argument", extra: str = "") -> str:
    """A ``[programs.NAME]`` body running the scripted stand-in agent with ``script``; like the real agent
    CLIs' profiles, it knows how the program's screen looks when it is done and idle."""
    idle = "idle_patterns = ['Waiting for the next instruction']"
    return f"command = {scripted_command(script)!r}\nprompt = {prompt!r}\n{idle}\n{extra}"


def with_programs(demo: DemoWorkspace, programs: dict[str, str], default: str | None = None) -> None:
    """Add ``[programs.NAME]`` tables (and the default program) to the demo repository's config."""
    config = demo.repo / ".cdev" / "config.toml"
    text = config.read_text()
    if default is not None:
        text, count = re.subn(r'^agent_program = ".*"$', f'agent_program = "{default}"', text, flags=re.M)
        assert count == 1, "the demo config names its agent program once"
    for name, body in programs.items():
        text += f"\n[programs.{name}]\n{body}\n"
    config.write_text(text)


def server_of(demo: DemoWorkspace) -> TmuxServer:
    """Our tmux server for the demo repository."""
    return TmuxServer(socket_name(demo.repo / ".git"))


@pytest.fixture
def session_demo(tmp_path: Path) -> Iterator[DemoWorkspace]:
    """The demo workspace whose default program is the scripted agent (:data:`ASKS`); its sessions end after."""
    demo = build_demo(tmp_path / "demo")
    with_programs(demo, {"scripted": scripted(ASKS)}, default="scripted")
    try:
        yield demo
    finally:
        server_of(demo).kill_server()


def eventually(condition: Callable[[], object], timeout: float = 20.0, what: str = "") -> object:
    """Poll ``condition`` until it is truthy (real processes take their time); fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition.__doc__ or condition}")
