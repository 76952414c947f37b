"""Follows every agent session as events happen: output marks it working at once; when its screen has been
quiet for the quiet time it is told once (screen, terminal read, hooks); its wrapper's last line brings exits.

No pane is polled while it prints; a quiet session is looked at again only every few seconds, from ``/proc``
and through the control client (no process started), so twenty waiting sessions cost next to nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from cdev_tui.sessions.control import AgentSessions
from cdev_tui.sessions.control_mode import ControlClient
from cdev_tui.sessions.state import SessionInfo, SessionState
from cdev_tui.sessions.tmux import EXIT_MARK, MONITOR_SESSION, PANE_FORMAT, PaneFacts, TmuxError, parse_panes

ECHO_SECONDS = 0.2
"""Output must go on this long before a waiting or idle program counts as working again: the echo of an
answer, or the last line of a program that is exiting, is not work."""
EARLY_SECONDS = 0.3
"""A working program silent this long is looked at once: blocked reading its terminal or showing a question,
it is waiting now (idle still takes the full quiet time)."""
RECHECK_SECONDS = 10.0
CODE_SECONDS = 0.25
CODE_WAIT_SECONDS = 30.0
"""An exited program whose exit code tmux has not told yet is asked again every ``CODE_SECONDS``, this long."""
"""How often a quiet (waiting or idle) session is looked at again for changes that print nothing."""
CONNECT_SECONDS = 2.0
"""How often the monitor looks for our tmux server while none is running."""
_RESYNC_EVENTS = frozenset(
    {"window-add", "window-close", "unlinked-window-add", "unlinked-window-close", "sessions-changed"}
)


@dataclass
class _Tracked:
    pane: PaneFacts
    info: SessionInfo
    last_output: float
    told_at: float
    exit_seen: bool = False
    first_output: float = 0.0
    """The first output since its state was last told."""
    early_look: float = 0.0
    """When it was last looked at early (before the full quiet time)."""


class SessionMonitor:
    """Keeps every agent session's state current and calls ``on_change`` (from its thread) when one moves."""

    def __init__(
        self,
        sessions: AgentSessions,
        on_change: Callable[[Mapping[str, SessionInfo]], None],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.worktrees: Mapping[str, Path | None] = {}
        """Agent id → worktree (for status files); set by the owner as the workspace changes."""
        self._on_change = on_change
        self._clock = clock
        self._tracked: dict[str, _Tracked] = {}  # by pane id
        self._client: ControlClient | None = None
        self._wake = threading.Condition()
        self._resync = True
        self._closed = False
        self._published: dict[str, SessionInfo] = {}
        self._screens: dict[str, tuple[float, str]] = {}
        """Pane id → (when captured, its screen): a quiet pane's screen is not captured twice."""
        self._thread: threading.Thread | None = None

    # -- life -----------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start following (in a thread of its own)."""
        self._thread = threading.Thread(target=self._run, name="session-monitor", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop following; the sessions go on."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._client is not None:
            self._client.close()
        self.sessions.server.channel = None

    def refresh(self) -> None:
        """Read every session again now (after starting or stopping one)."""
        with self._wake:
            self._resync = True
            self._wake.notify()

    def current(self) -> dict[str, SessionInfo]:
        """Agent id → session, as last told."""
        return dict(self._published)

    # -- events from the control client's thread ------------------------------------------------------------

    def _on_output(self, pane_id: str, data: bytes) -> None:
        tracked = self._tracked.get(pane_id)
        if tracked is None:
            return self.refresh()
        now = self._clock()
        if tracked.last_output <= tracked.told_at:
            tracked.first_output = now
        tracked.last_output = now
        if EXIT_MARK.encode() in data:
            tracked.exit_seen = True
        if tracked.info.state is not SessionState.WORKING or tracked.exit_seen:
            with self._wake:
                self._wake.notify()

    def _on_event(self, name: str) -> None:
        if name in _RESYNC_EVENTS:
            self.refresh()

    def _on_exit(self) -> None:
        self.refresh()

    # -- the monitor's thread ---------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._closed:
                    return
                self._wake.wait(self._timeout())
                if self._closed:
                    return
                resync, self._resync = self._resync, False
            try:
                if resync or not self._connected():
                    self._sync()
                self._tell()
            except (TmuxError, TimeoutError):
                self._resync = True  # the server went away mid-way: start again on the next round
            self._publish()

    def _connected(self) -> bool:
        return self._client is not None and self._client.alive

    def _timeout(self) -> float:
        if not self._connected():
            return CONNECT_SECONDS
        now = self._clock()
        quiet = self.sessions.quiet_seconds
        deadlines = [RECHECK_SECONDS]
        for tracked in self._tracked.values():
            if tracked.exit_seen:
                return 0.05
            if tracked.info.state is SessionState.WORKING:
                deadlines.append(tracked.last_output + quiet - now)
                if tracked.early_look < tracked.last_output:
                    deadlines.append(tracked.last_output + EARLY_SECONDS - now)
            elif tracked.info.state is SessionState.EXITED:
                if tracked.info.exit_code is None and now - tracked.info.since < CODE_WAIT_SECONDS:
                    deadlines.append(tracked.told_at + CODE_SECONDS - now)
            else:
                if tracked.last_output > tracked.told_at:
                    deadlines.append(tracked.first_output + ECHO_SECONDS - now)
                    continue
                deadlines.append(tracked.told_at + RECHECK_SECONDS - now)
        return max(0.02, min(deadlines))

    def _sync(self) -> None:
        """Attach when there is a server, then read every session and tell each one's state afresh."""
        server = self.sessions.server
        if not self._connected():
            server.channel = None
            self._tracked.clear()
            if not server.socket_path.exists() or not server.running():
                return
            client = ControlClient(server.argv([]), self._on_output, self._on_event, self._on_exit)
            client.start()
            self._client = client
            server.channel = client
        output = server.run(["list-panes", "-a", "-F", PANE_FORMAT], check=False) or ""
        linked = {
            line.split("\t")[4] for line in output.splitlines() if line.startswith(MONITOR_SESSION + "\t")
        }
        panes = {pane.pane_id: pane for pane in parse_panes(output)}
        for pane in panes.values():
            if pane.window_id not in linked:  # started by an older cdev-tui or by hand: follow it too
                server.run(
                    ["link-window", "-d", "-s", pane.window_id, "-t", f"{MONITOR_SESSION}:"], check=False
                )
        for pane_id in set(self._tracked) - set(panes):
            del self._tracked[pane_id]
            self._screens.pop(pane_id, None)
        now = self._clock()
        for pane_id, pane in panes.items():
            tracked = self._tracked.get(pane_id)
            if tracked is None:
                info = self.sessions.observe(pane, self.worktrees.get(pane.agent_id))
                last = max(pane.activity, self.sessions.quiet_from(pane))
                self._tracked[pane_id] = _Tracked(pane, info, last, now)
            else:
                tracked.pane = pane

    def _tell(self) -> None:
        """Move each session whose evidence changed: output → working; quiet long enough → told afresh."""
        now = self._clock()
        quiet = self.sessions.quiet_seconds
        for tracked in list(self._tracked.values()):
            state = tracked.info.state
            printed = tracked.last_output > tracked.told_at
            silent = now - tracked.last_output
            early = tracked.early_look < tracked.last_output and silent >= EARLY_SECONDS
            if tracked.exit_seen or (state is SessionState.WORKING and silent >= quiet):
                self._observe(tracked)
            elif state is SessionState.WORKING and early:
                tracked.early_look = now
                self._observe(tracked, early=True)
            elif state is SessionState.EXITED:
                unknown = tracked.info.exit_code is None and now - tracked.info.since < CODE_WAIT_SECONDS
                if unknown and now - tracked.told_at >= CODE_SECONDS:
                    self._observe(tracked)  # dead, its exit code not told yet: ask again
                continue
            elif printed and now - tracked.first_output >= ECHO_SECONDS:
                self._move(
                    tracked, self.sessions.info(tracked.pane, SessionState.WORKING, tracked.last_output)
                )
            elif now - tracked.told_at >= RECHECK_SECONDS:
                self._observe(tracked)

    def _observe(self, tracked: _Tracked, *, early: bool = False) -> None:
        server = self.sessions.server
        target = f"={tracked.pane.session}:{tracked.pane.window_id}"  # its own session: the options are there
        output = server.run(["display-message", "-p", "-t", target, PANE_FORMAT], check=False)
        fresh = parse_panes(output or "")
        if fresh:
            tracked.pane = fresh[0]
        if tracked.exit_seen and not tracked.pane.dead and self._clock() - tracked.last_output < 2.0:
            return  # the wrapper printed its last line; tmux marks the pane dead a moment later
        tracked.exit_seen = False
        if tracked.info.state is SessionState.EXITED:  # only its exit code can still come
            tracked.info = replace(tracked.info, exit_code=tracked.pane.exit_code)
            tracked.told_at = self._clock()
            return
        worktree = self.worktrees.get(tracked.pane.agent_id)
        early_quiet = EARLY_SECONDS if early else None
        info = self.sessions.observe(tracked.pane, worktree, tracked.last_output, early_quiet, self._screens)
        if early and info.state is SessionState.WORKING:
            return  # not waiting yet: the full quiet time decides between idle and working
        self._move(tracked, info)

    def _move(self, tracked: _Tracked, info: SessionInfo) -> None:
        """Take the newly told state; the same state keeps the time it began."""
        if info.state is tracked.info.state:
            info = replace(info, since=tracked.info.since)
        tracked.pane = replace(tracked.pane, recorded_state=str(info.state), recorded_since=info.since)
        tracked.info = info
        tracked.told_at = self._clock()

    def _publish(self) -> None:
        current = {t.info.agent_id: t.info for t in self._tracked.values()}
        if current != self._published:
            self._published = current
            self._on_change(dict(current))
