"""The highlighted agent's program session: its state, the question it asks, its usage and its live screen."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text
from textual.widgets import Static

from cdev_tui.widgets.cells import session_text

if TYPE_CHECKING:
    from cdev_tui.sessions.state import SessionInfo

PEEK_LINES = 30
"""The bottom lines of the agent's terminal shown (the whole screen scrolls in the detail view)."""


class SessionView(Static):
    """Empty until the agent has a session; then a header line, the question when it waits, and the screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.agent_id: str | None = None
        self.info: SessionInfo | None = None
        self.screen_text = ""
        self.usage = ""

    def show_session(self, agent_id: str | None, info: SessionInfo | None) -> None:
        """Follow another agent, or the same one's new state."""
        if agent_id != self.agent_id:
            self.agent_id, self.screen_text, self.usage = agent_id, "", ""
        self.info = info
        self._draw()

    def show_screen(self, agent_id: str, screen: str) -> None:
        """The last screenful of the agent's terminal, ANSI colours kept."""
        if agent_id == self.agent_id and screen != self.screen_text:
            self.screen_text = screen
            self._draw()

    def show_usage(self, agent_id: str, usage: str) -> None:
        """Tokens and estimated cost of the agent's program, when it records them."""
        if agent_id == self.agent_id and usage != self.usage:
            self.usage = usage
            self._draw()

    def _draw(self) -> None:
        self.display = self.info is not None
        if self.info is not None:
            self.update(self._view())

    def _view(self) -> RenderableType:
        from cdev_tui.sessions.answers import read_question

        info = self.info
        assert info is not None
        head = Text.assemble(("Session ", "bold"), session_text(info, time.time()))
        head.append(f"  ·  {info.program}", style="cyan")
        if info.pid:
            head.append(f"  ·  pid {info.pid}", style="dim")
        live = str(info.state) != "exited"
        keys = "enter attach · > prompt · K stop" if live else "a starts it again · K clears it"
        head.append(f"\n{keys}", style="dim")
        parts: list[RenderableType] = [head]
        question = read_question(self.screen_text) if str(info.state) == "waiting" else None
        if question is not None:
            ask = Text(question.text or "It asks:", style="bold yellow")
            for choice in question.choices:
                hint = " (y)" if choice is question.yes() else " (n)" if choice is question.no() else ""
                style = "bold red" if choice.destructive else "bold"
                ask.append(f"\n  {choice.keys}. {choice.label}{hint}", style=style)
            ask.append("\ny / n answer · > types any answer", style="dim")
            parts.append(ask)
        if self.usage:
            parts.append(Text(self.usage, style="magenta"))
        if self.screen_text:
            lines = self.screen_text.rstrip("\n").splitlines()[-PEEK_LINES:]
            screen = Text.from_ansi("\n".join(lines), no_wrap=True)
            parts.append(
                Panel(screen, title=f"{info.session} (live)", title_align="left", border_style="dim")
            )
        return Group(*parts)
