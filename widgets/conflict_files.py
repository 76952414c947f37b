"""The merge editor's file list, and the panel for a file that is not resolved hunk by hunk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

FILE_MARKS = {"written": ("✓", "green"), "done": ("●", "cyan"), "open": ("◆", "yellow")}
ACTION_KEYS = {"ours": "o", "theirs": "t", "keep": "k", "delete": "d"}


class ConflictFileList(OptionList):
    """Conflicted files with their state: written ✓, every hunk chosen ●, work left ◆."""

    def show(self, files: Sequence[Any], highlighted: int) -> None:
        """Redraw from :class:`cdev_tui.conflicts.choices.FileState` objects."""
        self.clear_options()
        for state in files:
            mark, style = FILE_MARKS["written" if state.written else "open" if state.unresolved else "done"]
            label = Text()
            label.append(f"{mark} ", style=style)
            label.append(state.path)
            if state.written:
                label.append("  written", style="dim green")
            elif state.conflict.is_text:
                label.append(f"  {state.unresolved} left", style="dim")
            else:
                label.append(f"  {state.conflict.kind}", style="dim yellow")
            self.add_option(Option(label, id=state.path))
        if files:
            self.highlighted = highlighted


def file_panel(state: Any) -> Text:
    """What settles a file that has no hunks (binary, symlink, modify/delete...) or is written already."""
    from cdev_tui.conflicts.stages import ACTION_TITLES

    text = Text()
    if state.written:
        text.append(f"{state.path} is written and staged.", style="bold green")
        text.append("\nR puts its conflicted original back.", style="dim")
        return text
    conflict = state.conflict
    text.append(f"{state.path}: {conflict.describe()}\n\n", style="bold")
    for action in conflict.actions:
        chosen = state.action == action
        text.append(
            f"  {ACTION_KEYS[action]}  {ACTION_TITLES[action]}", style="bold reverse" if chosen else ""
        )
        text.append("  ← chosen\n" if chosen else "\n", style="green")
    if conflict.kind in ("undecodable", "broken markers"):
        text.append("  E  edit the whole file in $EDITOR\n")
    if state.content is not None:
        text.append("\nEdited in $EDITOR: w writes that text.", style="green")
    elif state.action:
        text.append("\nw applies the choice and stages the file.", style="dim")
    return text
