"""The voice indicator: one line that says what voice is doing — off, loading the model, listening (with the
microphone level), transcribing, what it heard and the command it became, or why voice is unavailable.

It renders :class:`cdev_tui.voice.engine.VoiceState` objects; listening itself runs in the app.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

BARS = " ▁▂▃▄▅▆▇█"


def level_bar(level: float, width: int = 8) -> str:
    """A small meter for a level between 0 and 1."""
    level = min(1.0, max(0.0, level))
    full = level * width
    cells = []
    for i in range(width):
        fill = min(1.0, max(0.0, full - i))
        cells.append(BARS[round(fill * (len(BARS) - 1))])
    return "".join(cells)


def describe(state: Any) -> Text:
    """The line for one state."""
    phase = state.phase
    text = Text()
    if phase == "off":
        text.append("🎙 voice: press v and speak", style="dim")
    elif phase == "loading":
        text.append("🎙 loading the speech model…", style="yellow")
    elif phase == "listening":
        text.append("🎙 listening ", style="bold green")
        text.append(level_bar(state.level), style="green")
        text.append("  (speak; v stops)", style="dim")
    elif phase == "transcribing":
        text.append("🎙 transcribing…", style="bold yellow")
    elif phase == "heard":
        text.append("🎙 heard ", style="bold")
        text.append(f"“{state.text}”" if state.text else "nothing", style="italic")
        if state.command:
            text.append(f" → {state.command}", style="bold cyan")
            if state.confidence:
                text.append(f" ({state.confidence:.0%})", style="dim")
        elif state.message:
            text.append(f" — {state.message}", style="yellow")
    elif phase == "unavailable":
        text.append(f"🎙 voice unavailable: {state.message}", style="red")
    else:
        text.append(f"🎙 {state.message}", style="dim")
    return text


class VoiceIndicator(Static):
    """One line above the footer; shows the voice state it is given."""

    DEFAULT_CSS = """
    VoiceIndicator {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    """

    def on_mount(self) -> None:
        state = getattr(self.app, "voice_state", None)
        if state is not None:
            self.show_state(state)

    def show_state(self, state: Any) -> None:
        """Draw a :class:`cdev_tui.voice.engine.VoiceState`."""
        self.update(describe(state))
