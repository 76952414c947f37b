"""When voice is not sure: the best few commands to pick from by number (key or spoken "one", "two"...)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class AlternativesScreen(ModalScreen[int | None]):
    """Lists the candidate commands; dismisses with the chosen index (0-based) or None."""

    DEFAULT_CSS = """
    AlternativesScreen {
        align: center middle;
    }
    AlternativesScreen > Vertical {
        width: auto;
        max-width: 90;
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    """

    BINDINGS = [
        Binding("1", "choose(0)", "First", id="alternatives.1"),
        Binding("2", "choose(1)", "Second", id="alternatives.2"),
        Binding("3", "choose(2)", "Third", id="alternatives.3"),
        Binding("escape,n", "choose(-1)", "None of them", id="alternatives.none"),
    ]

    def __init__(self, heard: str, titles: list[str]) -> None:
        super().__init__()
        self.heard = heard
        self.titles = titles[:3]

    def compose(self) -> ComposeResult:
        lines = Text()
        lines.append(f"Heard “{self.heard}”. Did you mean:\n\n", style="bold")
        for number, title in enumerate(self.titles, start=1):
            lines.append(f"  {number}  ", style="bold cyan")
            lines.append(f"{title}\n")
        lines.append("\nPress or say the number; escape for none of them.", style="dim")
        with Vertical():
            yield Static(lines, id="alternatives-list")

    def action_choose(self, index: int) -> None:
        """Close with the chosen alternative (None for none of them)."""
        if index < 0:
            self.dismiss(None)
        elif index < len(self.titles):
            self.dismiss(index)
