"""Tick and untick an agent's checklist items; the file is only written when the user saves."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection


class ChecklistScreen(ModalScreen[set[int] | None]):
    """Dismisses with the 1-based numbers of the items that should be ticked, or None when cancelled."""

    DEFAULT_CSS = """
    ChecklistScreen {
        align: center middle;
    }
    ChecklistScreen > Vertical {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    ChecklistScreen SelectionList {
        height: auto;
        max-height: 30;
    }
    ChecklistScreen .hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("enter,ctrl+s", "save", "Save", id="checklist.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="checklist.cancel"),
    ]

    def __init__(self, agent_id: str, items: Sequence[tuple[str, bool]]) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Checklist of {self.agent_id}", classes="section-title")
            yield SelectionList[int](
                *(
                    Selection(text, number, checked)
                    for number, (text, checked) in enumerate(self.items, start=1)
                ),
                id="checklist-items",
            )
            yield Static("space ticks or unticks · enter saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_save(self) -> None:
        """Close with the ticked items."""
        self.dismiss(set(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
