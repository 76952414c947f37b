"""The main screen's agent sessions: following their states, peeking, prompting, answering, attaching.

A mixin of :class:`~cdev_tui.screens.main.MainScreen`. The session monitor (its own thread, one tmux
control-mode client) posts :class:`SessionJobsMixin.SessionsChanged` whenever a state moves; everything that
talks to tmux runs in a worker. The highlighted agent's screen is captured again only while its program
prints (working), when its state moves, or when another agent is highlighted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from textual import work
from textual.message import Message

from cdev_tui.desktop import notify_desktop
from cdev_tui.errors import CdevError

PEEK_SECONDS = 0.5
"""How often the highlighted agent's screen is captured while its program prints."""
AGE_TICKS = 10
"""Every this many peek ticks (5 s) the time each program has been in its state is brought up to date."""
USAGE_SECONDS = 15.0
"""How often a program's usage (its local transcripts) is read again while it is highlighted."""


class SessionJobsMixin:
    """Agent program sessions on the main screen."""

    service: Any
    app: Any
    snapshot: Any

    class SessionsChanged(Message):
        """The session monitor's current sessions (agent id → :class:`SessionInfo`)."""

        def __init__(self, sessions: dict[str, Any]) -> None:
            super().__init__()
            self.sessions = sessions

    class ScreenCaptured(Message):
        """The last screenful of an agent's terminal."""

        def __init__(self, agent_id: str, screen: str, usage: str | None) -> None:
            super().__init__()
            self.agent_id, self.screen, self.usage = agent_id, screen, usage

    _session_monitor: Any = None
    _peek_timer: Any = None
    _peeked: tuple[Any, ...] = ()
    _usage_read: dict[str, float] | None = None

    @property
    def sessions(self) -> dict[str, Any]:
        """Agent id → its program session, as the monitor last told."""
        return getattr(self, "_current_sessions", {})

    def follow_sessions(self, snapshot: Any) -> None:
        """Start the session monitor on the first snapshot; keep its worktrees current."""
        worktrees = {a.agent_id: a.facts.worktree for a in snapshot.agents}
        if self._session_monitor is not None:
            self._session_monitor.worktrees = worktrees
            return
        from cdev_tui.sessions.monitor import SessionMonitor

        if shutil.which("tmux") is None:
            return  # no sessions without tmux; starting one says so
        monitor = SessionMonitor(self.service.sessions, self._monitor_moved)
        monitor.worktrees = worktrees
        monitor.start()
        self._session_monitor = monitor
        # The peek tick runs only while some agent has a session: an idle app without any costs nothing.
        self._peek_timer = self.set_interval(PEEK_SECONDS, self._peek_tick, pause=True)  # type: ignore[attr-defined]

    def _monitor_moved(self, sessions: dict[str, Any]) -> None:
        self.post_message(SessionJobsMixin.SessionsChanged(sessions))  # type: ignore[attr-defined]

    def close_sessions_monitor(self) -> None:
        """Stop following (the sessions go on without the app)."""
        if self._session_monitor is not None:
            self._session_monitor.close()

    def on_session_jobs_mixin_sessions_changed(self, message: SessionsChanged) -> None:
        from cdev_tui.screens.agents import AgentsPane

        previous = self.sessions
        self._current_sessions = message.sessions
        if self._peek_timer is not None:
            if message.sessions:
                self._peek_timer.resume()
            else:
                self._peek_timer.pause()
        self._deliver(AgentsPane, "show_sessions", (message.sessions,))  # type: ignore[attr-defined]
        for info in self.service.record_session_states(message.sessions, previous):
            self._tell_waiting(info)
        self.update_header()  # type: ignore[attr-defined]
        self._peek_tick()

    def _tell_waiting(self, info: Any) -> None:
        config = self.service.config
        self.notify(  # type: ignore[attr-defined]
            f"{info.agent_id} is waiting for you ({info.program}): y / n answers, > prompts, enter attaches.",
            title="Waiting for you",
            severity="warning",
            timeout=10,
        )
        if config.session_bell:
            self.app.bell()
        if config.session_desktop_notify:
            notify_desktop(f"{info.agent_id} is waiting for you")

    # -- peeking ---------------------------------------------------------------------------------------------

    def _peek_tick(self) -> None:
        from cdev_tui.screens.agents import AgentsPane

        if self.active_pane != "agents":  # type: ignore[attr-defined]
            return
        pane = next(iter(self.query(AgentsPane)), None)  # type: ignore[attr-defined]
        self._ticks = getattr(self, "_ticks", 0) + 1
        if pane is not None and self._ticks % AGE_TICKS == 0:
            pane.refresh_session_ages()
        agent_id = pane.selected_agent_id() if pane is not None else None
        info = self.sessions.get(agent_id) if agent_id else None
        if info is None:
            self._peeked = ()
            return
        key = (agent_id, info.state, info.since)
        if key == self._peeked and str(info.state) != "working":
            return
        self._peeked = key
        self._capture(agent_id, info.program)

    @work(
        thread=True,
        exclusive=True,
        group="peek",
        exit_on_error=False,
        description="Reading the agent's screen",
    )
    def _capture(self, agent_id: str, program: str) -> None:
        import time

        screen = self.service.sessions.peek(agent_id)
        usage = None
        read = self._usage_read if self._usage_read is not None else {}
        self._usage_read = read
        if time.monotonic() - read.get(agent_id, -USAGE_SECONDS) >= USAGE_SECONDS:
            read[agent_id] = time.monotonic()
            usage = self.service.session_usage_text(self.snapshot, agent_id, program)
        self.post_message(SessionJobsMixin.ScreenCaptured(agent_id, screen, usage))  # type: ignore[attr-defined]

    def on_session_jobs_mixin_screen_captured(self, message: ScreenCaptured) -> None:
        from cdev_tui.screens.agents import AgentsPane
        from cdev_tui.widgets.session_view import SessionView

        for pane in self.query(AgentsPane):  # type: ignore[attr-defined]
            pane.show_screen(message.agent_id, message.screen)
            if message.usage is not None:
                pane.query_one(SessionView).show_usage(message.agent_id, message.usage)

    # -- acting -------------------------------------------------------------------------------------------

    def session_command(self, name: str, agent: Any) -> None:
        """``a`` start, ``>`` prompt, ``y``/``n`` answer, space mark, ``K`` stop, attach: on the highlighted
        agent (the prompt on every marked one)."""
        info = self.sessions.get(agent.agent_id)
        live = info is not None and str(info.state) != "exited"
        if name == "agent":
            if live:
                self.notify(f"{agent.agent_id}'s program is already running: enter attaches.")  # type: ignore[attr-defined]
            else:
                self._start_session(agent.agent_id, clear=info is not None)
        elif name == "mark":
            self.agents_pane_call("toggle_mark")  # type: ignore[attr-defined]
        elif name == "prompt":
            self._ask_prompt()
        elif not live and name != "session-stop":
            self.notify(f"{agent.agent_id} has no running program: a starts it.", severity="warning")  # type: ignore[attr-defined]
        elif name in ("answer-yes", "answer-no"):
            self._answer(agent.agent_id, name == "answer-yes")
        elif name == "attach":
            self.attach_session(agent.agent_id)
        elif name == "session-stop":
            self._confirm_stop(agent.agent_id, info)

    def _confirm_stop(self, agent_id: str, info: Any) -> None:
        from cdev_tui.widgets.confirm import ConfirmScreen

        if info is None:
            self.notify(f"{agent_id} has no program session.", severity="warning")  # type: ignore[attr-defined]
            return
        if str(info.state) == "exited":
            self._stop_session(agent_id)  # only its last screen goes
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._stop_session(agent_id)

        question = f"Stop {agent_id}'s program ({info.program}, {info.state})?"
        detail = "Its tmux session ends; what it has not saved or committed is lost."
        self.app.push_screen(ConfirmScreen(question, detail, yes_label="Stop"), answered)

    @work(thread=True, group="session", exit_on_error=False, description="Starting the agent's program")
    def _start_session(self, agent_id: str, clear: bool = False) -> None:
        if clear:  # the last run exited: its pane goes, a new one starts
            self.service.stop_session(agent_id)
        message = self.service.start_session(self.snapshot, agent_id)
        self.app.call_from_thread(self.notify, message, timeout=6)
        self._session_monitor_refresh()

    @work(thread=True, group="session", exit_on_error=False, description="Stopping the agent's program")
    def _stop_session(self, agent_id: str) -> None:
        message = self.service.stop_session(agent_id)
        self.app.call_from_thread(self.notify, message, timeout=6)
        self._session_monitor_refresh()

    def _session_monitor_refresh(self) -> None:
        if self._session_monitor is not None:
            self._session_monitor.refresh()

    def refresh_sessions(self) -> None:
        """Read every agent session again (sessions started elsewhere: the Plan screen, the CLI)."""
        self._session_monitor_refresh()

    def _ask_prompt(self) -> None:
        from cdev_tui.screens.agents import AgentsPane
        from cdev_tui.widgets.prompt import PromptScreen

        pane = next(iter(self.query(AgentsPane)), None)  # type: ignore[attr-defined]
        targets = [a for a in (pane.targets() if pane else []) if self._live(a)]
        if not targets:
            self.notify("No running program to prompt: a starts the highlighted agent's.", severity="warning")  # type: ignore[attr-defined]
            return
        who = targets[0] if len(targets) == 1 else f"{len(targets)} agents ({', '.join(targets)})"

        def answered(text: str | None) -> None:
            if text is not None:
                self._send(targets, text)
                if len(targets) > 1 and pane is not None:
                    pane.clear_marks()

        hint = "Enter sends the line and Enter; an empty line sends Enter alone. Escape cancels."
        self.app.push_screen(PromptScreen(f"Prompt {who}", hint=hint, placeholder="what to type"), answered)

    def _live(self, agent_id: str) -> bool:
        info = self.sessions.get(agent_id)
        return info is not None and str(info.state) != "exited"

    @work(thread=True, group="session", exit_on_error=False, description="Prompting")
    def _send(self, targets: list[str], text: str) -> None:
        failed = []
        for agent_id in targets:
            try:
                self.service.sessions.send(agent_id, text)
            except CdevError as exc:
                failed.append(str(exc))
        sent = len(targets) - len(failed)
        note = (
            f"Sent to {', '.join(targets)}"
            if not failed
            else f"Sent to {sent} of {len(targets)}: {failed[0]}"
        )
        self.app.call_from_thread(self.notify, note, severity="error" if failed else "information", timeout=5)

    @work(thread=True, group="session", exit_on_error=False, description="Answering")
    def _answer(self, agent_id: str, yes: bool) -> None:
        from cdev_tui.sessions.answers import read_question

        question = read_question(self.service.sessions.peek(agent_id, ansi=False))
        choice = None if question is None else question.yes() if yes else question.no()
        if choice is None:
            what = "no question" if question is None else f"no {'yes' if yes else 'no'} answer"
            self.app.call_from_thread(
                self.notify, f"{agent_id}: {what} on its screen; > types any answer.", severity="warning"
            )
            return
        if choice.destructive:
            self.app.call_from_thread(self._confirm_answer, agent_id, question.text, choice)
            return
        self._send_answer(agent_id, choice)

    def _confirm_answer(self, agent_id: str, question: str, choice: Any) -> None:
        from cdev_tui.widgets.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._send([agent_id], choice.keys)

        detail = f"{question}\nThis answer allows something that is hard to undo."
        self.app.push_screen(ConfirmScreen(f"Answer {agent_id}: {choice.label}?", detail), answered)

    def _send_answer(self, agent_id: str, choice: Any) -> None:
        self.service.sessions.send(agent_id, choice.keys)
        self.app.call_from_thread(self.notify, f"{agent_id}: answered {choice.label}", timeout=4)

    def attach_session(self, agent_id: str) -> None:
        """Attach the terminal to the agent's session: a new window inside tmux, else the app steps aside."""
        info = self.sessions.get(agent_id)
        if info is None:
            self.notify(f"{agent_id} has no program session: a starts one.", severity="warning")  # type: ignore[attr-defined]
            return
        argv = self.service.sessions.server.attach_argv(
            info.session
        )  # known from the monitor: no tmux call here
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        if os.environ.get("TMUX"):
            window = ["tmux", "new-window", "-n", agent_id[:30], "env -u TMUX " + " ".join(_quoted(argv))]
            subprocess.Popen(window, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.notify(f"{agent_id}'s session opened in a new tmux window.")  # type: ignore[attr-defined]
            return
        with self.app.suspend():
            subprocess.run(argv, env=env, check=False)
        self._session_monitor_refresh()
        self.app.call_later(self._peek_tick)


def _quoted(argv: list[str]) -> list[str]:
    import shlex

    return [shlex.quote(part) for part in argv]
