"""The help screen: every key and command, from the one command registry."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cdev_tui.commands import COMMANDS, SLOT, Command

TABLE_KEYS = (
    ("↑ ↓ pgup pgdn", "Move in a table"),
    ("enter", "Focus the details of the highlighted agent"),
    ("tab / shift+tab", "Move focus between widgets"),
    ("ctrl+p", "Command palette (every command, themes, keys)"),
    ("mouse", "Click tabs, rows and scroll"),
)


def key_label(keys: str) -> str:
    """How a binding's keys read on screen."""
    names = {
        "question_mark": "?",
        "slash": "/",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
    }
    return " / ".join(names.get(key, key) for key in keys.split(","))


def say_hint(command: Command) -> str:
    """How to ask for a command that has no key: its first spoken form, slots as ``<agent>``."""
    if not command.spoken:
        return ""
    form = SLOT.sub(lambda slot: f"<{slot.group(1)}>", command.spoken[0])
    return f" · say “{form}”"


_SCOPE_NOTES = {
    "merge-editor": "these keys work in the merge editor",
    "security": "these keys work in the Security pane",
}


class HelpScreen(ModalScreen[None]):
    """Lists every key binding and command."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        table = Table(title="cdev-tui keys", expand=True, show_edge=False)
        table.add_column("Key", style="bold cyan", no_wrap=True)
        table.add_column("Command", style="bold")
        table.add_column("What it does")
        keymap = getattr(self.app, "keymap", {}) or {}
        group = None
        for command in COMMANDS:
            if command.group != group:
                group = command.group
                note = _SCOPE_NOTES.get(command.scope, "")
                table.add_row("", Text(group, style="bold underline"), Text(note, style="dim"))
            keys = keymap.get(command.id, command.keys)
            if keys:
                table.add_row(key_label(keys), command.title, command.description)
            else:
                said = Text(say_hint(command), style="dim")
                table.add_row("-", command.title, Text(command.description) + said)
        for keys, what in TABLE_KEYS:
            table.add_row(keys, "", what)
        with VerticalScroll(id="help-body"):
            yield Static(table, id="help-table")
            yield Static(Text("Press escape to close.", style="dim"))
