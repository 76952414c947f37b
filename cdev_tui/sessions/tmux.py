"""A tmux server of our own (a private socket per repository) holding one session per agent program.

Every agent session's window is also linked into a hidden monitor session, so that one control-mode client
attached there hears the output of every agent (tmux tells a control client only about its own session).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError

MONITOR_SESSION = "_cdev-monitor"
SESSION_PREFIX = "cdev-"
WINDOW_SIZE = ("160", "45")
"""Columns and rows of a session nobody is attached to (attaching resizes it to the terminal)."""
EXIT_MARK = "[cdev-tui: program exited with code "
_WRAPPER = (
    'trap : INT; "$@"; code=$?; '
    'tmux set-option -p -t "$TMUX_PANE" @cdev_exit "$code" 2>/dev/null; '
    f'printf "\\r\\n{EXIT_MARK}%d]\\r\\n" "$code"; exit "$code"'
)
"""Runs the program, survives its Ctrl-C, and says how it ended: on the pane (``@cdev_exit``: tmux itself
may take seconds to reap the process and tell its status) and as a last line the monitor hears."""
_FIELDS = (
    "session_name",
    "@cdev_agent",
    "@cdev_program",
    "pane_id",
    "window_id",
    "pane_pid",
    "pane_dead",
    "pane_dead_status",
    "pane_dead_signal",
    "@cdev_exit",
    "pane_dead_time",
    "window_activity",
    "session_created",
    "@cdev_state",
    "@cdev_since",
)
PANE_FORMAT = "\t".join(f"#{{{name}}}" for name in _FIELDS)


class TmuxError(CdevError):
    """tmux is missing, its server is gone, or it refused a command."""


@dataclass(frozen=True)
class PaneFacts:
    """One agent session's pane as tmux reports it."""

    session: str
    agent_id: str
    program: str
    pane_id: str
    window_id: str
    pane_pid: int
    dead: bool
    exit_code: int | None
    dead_at: float | None
    activity: float
    """When the pane last printed anything (whole seconds)."""
    created: float
    recorded_state: str
    """The state an observer last wrote on the session (``@cdev_state``), and since when."""
    recorded_since: float | None


def session_name(agent_id: str) -> str:
    """The tmux session of an agent (tmux forbids ``.`` and ``:`` in names)."""
    return SESSION_PREFIX + re.sub(r"[^A-Za-z0-9_-]", "_", agent_id)


def socket_name(common_dir: Path) -> str:
    """The private socket of a repository's agent sessions (one server per repository)."""
    digest = hashlib.sha1(str(common_dir.resolve()).encode()).hexdigest()[:10]
    return f"cdev-tui-{digest}"


class TmuxServer:
    """Commands to our tmux server; every failure is a :class:`TmuxError` with one clear line."""

    def __init__(self, socket: str, tmux: str = "tmux", env: Mapping[str, str] | None = None) -> None:
        self.socket = socket
        self.tmux = tmux
        self._env = os.environ if env is None else env
        self.channel: Any = None
        """A connected control-mode client: commands that can go through it do, without a process each."""

    @property
    def socket_path(self) -> Path:
        """Where tmux puts the socket of ``-L socket``."""
        base = Path(self._env.get("TMUX_TMPDIR") or "/tmp")
        return base / f"tmux-{os.getuid()}" / self.socket

    def running(self) -> bool:
        """A server answers on our socket (checked without starting a process when there is no socket)."""
        if not self.socket_path.exists():
            return False
        return self.run(["has-session", "-t", MONITOR_SESSION], check=False) is not None

    def argv(self, args: Sequence[str]) -> list[str]:
        """The full tmux command line for ``args``."""
        return [self.tmux, "-L", self.socket, *args]

    def run(self, args: Sequence[str], *, check: bool = True) -> str | None:
        """Run one tmux command; its output, or None when it failed and ``check`` is off."""
        channel = self.channel
        if channel is not None and channel.alive and ";" not in args:
            # One command a line: tmux may answer a ";" list with one block or with one per command.
            try:
                lines = channel.command(args)
            except (TmuxError, TimeoutError) as exc:
                if not check:
                    return None
                raise TmuxError(f"tmux {args[0]}: {str(exc).removeprefix('tmux: ')}") from None
            if lines is not None:
                return "".join(line + "\n" for line in lines)
        try:
            done = subprocess.run(
                self.argv(args), capture_output=True, text=True, errors="replace", timeout=15, check=False
            )
        except FileNotFoundError:
            raise TmuxError(f"{self.tmux}: not installed (agent sessions run in tmux)") from None
        except subprocess.TimeoutExpired:
            raise TmuxError(f"tmux server {self.socket}: not answering") from None
        if done.returncode != 0:
            if not check:
                return None
            message = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            raise TmuxError(f"tmux {args[0]}: {message}")
        return done.stdout

    # -- reading ------------------------------------------------------------------------------------------

    def panes(self) -> list[PaneFacts]:
        """Every agent session's pane (none when the server is not running)."""
        if not self.socket_path.exists():
            return []
        output = self.run(["list-panes", "-a", "-F", PANE_FORMAT], check=False)
        return parse_panes(output or "")

    def capture(self, target: str, lines: int = 0, *, ansi: bool = True) -> str:
        """The pane's screen (and ``lines`` of history above it), colours kept as escape sequences."""
        args = ["capture-pane", "-p", "-J", "-t", target]
        if ansi:
            args.append("-e")
        if lines:
            args += ["-S", f"-{lines}"]
        return (self.run(args) or "").rstrip("\n")

    # -- acting -------------------------------------------------------------------------------------------

    def start(
        self,
        agent_id: str,
        program: str,
        argv: Sequence[str],
        cwd: Path,
        env: Mapping[str, str] | None = None,
    ) -> str:
        """Start ``argv`` in a new detached session for the agent; returns the session name."""
        name = session_name(agent_id)
        if not self.running():
            keep_alive = "while :; do sleep 3600; done"  # a session needs a window; the agents' are linked in
            self.run(["new-session", "-d", "-s", MONITOR_SESSION, "-x", "80", "-y", "24", keep_alive])
        if self.run(["has-session", "-t", f"={name}"], check=False) is not None:
            raise TmuxError(
                f"{agent_id}: its session is already running (stop it first: cdev-tui agent stop)"
            )
        setup = [
            *("set-option", "-g", "remain-on-exit", "on", ";"),
            *("set-option", "-g", "destroy-unattached", "off", ";"),
        ]
        exports = [item for key, value in (env or {}).items() for item in ("-e", f"{key}={value}")]
        new = [
            "new-session",
            "-d",
            "-s",
            name,
            "-n",
            agent_id[:30],
            "-x",
            WINDOW_SIZE[0],
            "-y",
            WINDOW_SIZE[1],
        ]
        command = ["sh", "-c", _WRAPPER, "cdev-agent", *argv]
        tag = [
            *(";", "set-option", "-t", name, "@cdev_agent", agent_id),
            *(";", "set-option", "-t", name, "@cdev_program", program),
            *(";", "set-option", "-w", "-t", f"{name}:", "remain-on-exit", "on"),
            *(";", "link-window", "-d", "-s", f"{name}:", "-t", f"{MONITOR_SESSION}:"),
        ]
        self.run([*setup, *new, *exports, "-c", str(cwd), *command, *tag])
        return name

    def send_text(self, target: str, text: str, *, enter: bool = True) -> None:
        """Type ``text`` into the pane (literally), then Enter."""
        if text:
            self.run(["send-keys", "-t", target, "-l", "--", text])
        if enter:
            self.run(["send-keys", "-t", target, "Enter"])

    def set_state(self, session: str, state: str, since: float) -> None:
        """Write the state an observer saw on the session, for the next observer (the CLI, the app)."""
        self.run(["set-option", "-t", session, "@cdev_since", f"{since:.3f}"], check=False)
        self.run(["set-option", "-t", session, "@cdev_state", state], check=False)

    def stop(self, pane: PaneFacts) -> None:
        """End the agent's program and its session; the server goes when no agent session is left."""
        self.run(["kill-window", "-t", pane.window_id], check=False)
        self.run(["kill-session", "-t", f"={pane.session}"], check=False)
        if not self.panes():
            self.kill_server()

    def kill_server(self) -> None:
        """End every agent session at once (and the socket file tmux leaves behind)."""
        if self.socket_path.exists():
            self.run(["kill-server"], check=False)
            self.socket_path.unlink(missing_ok=True)

    def attach_argv(self, session: str) -> list[str]:
        """The command that attaches a terminal to the agent's session (detach with the tmux prefix, d)."""
        return self.argv(["attach-session", "-t", f"={session}"])


def parse_panes(output: str) -> list[PaneFacts]:
    """``list-panes -F PANE_FORMAT`` lines → the agent sessions' panes (the monitor's links skipped)."""
    panes = []
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) != len(_FIELDS) or not parts[1] or parts[0] == MONITOR_SESSION:
            continue
        session, agent, program, pane_id, window_id, pid, dead, status, signal, told, dead_at = parts[:11]
        activity, created, state, since = parts[11:]
        # tmux may close the terminal a while before it has reaped the process: dead at once, the exit code
        # (None until then) follows
        code = _int(told) if _int(told) is not None else _int(status)
        if code is None and _int(signal) is not None:
            code = 128 + (_int(signal) or 0)
        ended = dead == "1"
        panes.append(
            PaneFacts(
                session=session,
                agent_id=agent,
                program=program,
                pane_id=pane_id,
                window_id=window_id,
                pane_pid=_int(pid) or 0,
                dead=ended,
                exit_code=code if ended else None,
                dead_at=float(_int(dead_at)) if _int(dead_at) else None,
                activity=float(_int(activity) or 0),
                created=float(_int(created) or 0),
                recorded_state=state,
                recorded_since=_float(since),
            )
        )
    return panes


def program_available(argv0: str, cwd: Path) -> bool:
    """The program can be started: a command on ``$PATH`` or an executable path (relative to ``cwd``)."""
    if os.sep in argv0:
        path = Path(argv0) if os.path.isabs(argv0) else cwd / argv0
        return os.access(path, os.X_OK)
    return shutil.which(argv0) is not None


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
