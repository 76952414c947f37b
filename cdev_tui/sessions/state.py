"""What an agent's program is doing: working, waiting for you, idle, exited — and how that is told.

Generic rules that hold for any program (output flowing → working; quiet and its foreground process blocked
reading the terminal → waiting; quiet otherwise → idle; the pane dead → exited), refined by the program's
profile: a status file its hooks write, and patterns on the bottom of its screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cdev_tui.sessions.programs import ProgramProfile

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]")
BOTTOM_LINES = 8
"""How many non-blank lines at the bottom of the screen the patterns are matched against."""
TTY_WAITS = frozenset({"n_tty_read", "wait_woken"})
"""Kernel functions a process sleeps in while it reads its terminal (``/proc/PID/wchan``)."""
_READ_SYSCALLS = frozenset({"0", "17", "19", "63"})
"""x86-64 read, pread64, readv and aarch64 read: the first field of ``/proc/PID/syscall``."""


class SessionState(StrEnum):
    """An agent program's state, as the Session column shows it."""

    WORKING = "working"
    WAITING = "waiting"
    IDLE = "idle"
    EXITED = "exited"


STATE_ICONS = {
    SessionState.WORKING: "●",
    SessionState.WAITING: "◐",
    SessionState.IDLE: "○",
    SessionState.EXITED: "✕",
}


@dataclass(frozen=True)
class SessionInfo:
    """One agent's program session and its state."""

    agent_id: str
    session: str
    program: str
    state: SessionState
    since: float
    pid: int | None = None
    exit_code: int | None = None
    pane_id: str = ""

    def to_json(self) -> dict[str, Any]:
        """The ``"session"`` object of ``status --format json``."""
        return {
            "state": str(self.state),
            "since": datetime.fromtimestamp(self.since, UTC).isoformat(timespec="seconds"),
            "program": self.program,
            "pid": self.pid,
            "exit_code": self.exit_code,
            "name": self.session,
        }


def strip_ansi(text: str) -> str:
    """The screen's text without colour and cursor sequences."""
    return ANSI.sub("", text)


def bottom_of(screen: str, lines: int = BOTTOM_LINES) -> str:
    """The last ``lines`` non-blank lines of a screen, as plain text."""
    kept = [line.rstrip() for line in strip_ansi(screen).splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def screen_state(profile: ProgramProfile, screen: str) -> SessionState | None:
    """What the bottom of a quiet screen says by the profile's patterns; None when none matches."""
    if not screen:
        return None
    bottom = bottom_of(screen)
    waiting, idle, working = profile.compiled
    for patterns, state in (
        (working, SessionState.WORKING),
        (waiting, SessionState.WAITING),
        (idle, SessionState.IDLE),
    ):
        if any(pattern.search(bottom) for pattern in patterns):
            return state
    return None


HOOK_SLACK = 2.0
"""A status file written this long before the program's last output still tells its state (a program renders
a little after its hook has run); older, the program has moved on since."""


def status_file_state(paths: list[Path], last_output: float) -> SessionState | None:
    """The state the program or its hooks last wrote (working, waiting or idle) to one of ``paths``."""
    newest: tuple[float, SessionState] | None = None
    for path in paths:
        try:
            written = path.stat().st_mtime
            word = path.read_text(errors="replace").split()[:1]
            state = SessionState(word[0].lower()) if word else None
        except (OSError, ValueError):
            continue
        if state is None or state is SessionState.EXITED or written + HOOK_SLACK < last_output:
            continue
        if newest is None or written > newest[0]:
            newest = (written, state)
    return newest[1] if newest else None


def classify(
    profile: ProgramProfile,
    *,
    dead: bool,
    quiet: bool,
    screen: str = "",
    reading_terminal: bool | None = None,
    hooked: SessionState | None = None,
) -> SessionState:
    """The state from what was observed (see the module's docstring for the order of the rules)."""
    if dead:
        return SessionState.EXITED
    if not quiet:
        return SessionState.WORKING
    if hooked is not None:
        return hooked
    by_screen = screen_state(profile, screen)
    if by_screen is not None:
        return by_screen
    return SessionState.WAITING if reading_terminal else SessionState.IDLE


# -- the pane's processes (Linux /proc; elsewhere "unknown") ----------------------------------------------


def program_pid(pane_pid: int) -> int | None:
    """The program under our wrapper shell: its first child (the wrapper itself when it has none)."""
    children = _children(pane_pid)
    return children[0] if children else (pane_pid or None)


def reading_terminal(pane_pid: int) -> bool | None:
    """Whether a process of the terminal's foreground group is blocked reading the terminal.

    Exact where ``/proc/PID/syscall`` is readable (a read on a descriptor that is the terminal); otherwise the
    kernel function it sleeps in. None when this cannot be told (no ``/proc``, the pane gone).
    """
    try:
        foreground = int(_stat(pane_pid)[5])  # tpgid
    except (OSError, IndexError, ValueError):
        return None
    pending, seen = [pane_pid], set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        pending.extend(_children(pid))
        try:
            fields = _stat(pid)
            if int(fields[2]) != foreground or fields[0] != "S":
                continue
        except (OSError, IndexError, ValueError):
            continue
        if _blocked_on_terminal(pid):
            return True
    return False


def _blocked_on_terminal(pid: int) -> bool:
    try:
        syscall = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        syscall = []
    if len(syscall) > 1 and syscall[0] not in ("running", "-1"):
        if syscall[0] not in _READ_SYSCALLS:
            return False
        try:
            target = Path(f"/proc/{pid}/fd/{int(syscall[1], 16)}").readlink()
        except (OSError, ValueError):
            return False
        return str(target).startswith(("/dev/pts/", "/dev/tty"))
    try:
        return Path(f"/proc/{pid}/wchan").read_text().strip() in TTY_WAITS
    except OSError:
        return False


def _stat(pid: int) -> list[str]:
    """``/proc/PID/stat`` after the command name: state, ppid, pgrp, session, tty_nr, tpgid, ..."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []
