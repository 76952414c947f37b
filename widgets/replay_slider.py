"""A slider over the recorded moments: left/right step through them, the Agents table shows that moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from cdev_tui.widgets.cells import age_text

LIVE = -1
"""The position that follows the newest moment as new ones are recorded."""


class ReplaySlider(Widget, can_focus=True):
    """Which recorded moment the replay shows; at the right end it follows the live state."""

    DEFAULT_CSS = """
    ReplaySlider {
        height: 1;
        padding: 0 1;
    }
    ReplaySlider:focus {
        background: $boost;
    }
    """

    BINDINGS = [
        Binding("left", "step(-1)", "Earlier", show=False),
        Binding("right", "step(1)", "Later", show=False),
        Binding("shift+left,pageup", "step(-10)", "10 back", show=False),
        Binding("shift+right,pagedown", "step(10)", "10 on", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Live", show=False),
    ]

    @dataclass
    class Moved(Message):
        """The slider now shows another moment (``None``: the live state)."""

        slider: ReplaySlider
        moment: float | None

    position: reactive[int] = reactive(LIVE)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.moments: tuple[float, ...] = ()
        self.now = 0.0

    def set_moments(self, moments: Sequence[float], now: float) -> None:
        """New moments to step through; a position in the past stays on the same moment."""
        kept = self.moment
        self.moments, self.now = tuple(moments), now
        if kept is None or not self.moments:
            self.position = LIVE
        else:
            nearest = max((i for i, m in enumerate(self.moments) if m <= kept), default=0)
            self.position = nearest
        self.refresh()

    @property
    def moment(self) -> float | None:
        """The moment shown, or None when following the live state."""
        if self.position == LIVE or not self.moments:
            return None
        return self.moments[self.position]

    def action_step(self, by: int) -> None:
        if not self.moments:
            return
        current = len(self.moments) - 1 if self.position == LIVE else self.position
        target = current + by
        self._go(LIVE if target >= len(self.moments) - 1 and by > 0 else max(0, target))

    def action_jump(self, index: int) -> None:
        if self.moments:
            self._go(LIVE if index < 0 else index)

    def on_click(self, event: events.Click) -> None:
        width = self._track_width()
        if self.moments and width > 1:
            fraction = min(max((event.x - 1 - 2) / (width - 1), 0.0), 1.0)
            index = round(fraction * (len(self.moments) - 1))
            self._go(LIVE if index == len(self.moments) - 1 else index)

    def _go(self, position: int) -> None:
        if position != self.position:
            self.position = position
            self.post_message(self.Moved(self, self.moment))

    def _track_width(self) -> int:
        return max(10, self.size.width - 2 - 34)

    def render(self) -> Text:
        width = self._track_width()
        text = Text("◀ ", style="dim")
        if not self.moments:
            text.append("─" * width, style="dim")
            text.append(" ▶  nothing recorded yet", style="dim")
            return text
        last = len(self.moments) - 1
        index = last if self.position == LIVE else self.position
        handle = round(index / last * (width - 1)) if last else width - 1
        text.append("━" * handle, style="bold cyan" if self.has_focus else "bold")
        text.append("●", style="bold cyan")
        text.append("─" * (width - 1 - handle), style="dim")
        text.append(" ▶  ")
        if self.position == LIVE:
            text.append("live", style="bold green")
        else:
            moment = self.moments[index]
            text.append(datetime.fromtimestamp(moment).strftime("%m-%d %H:%M:%S"), style="bold")
            text.append(f" ({age_text(max(0.0, self.now - moment))} ago)", style="dim")
        return text
