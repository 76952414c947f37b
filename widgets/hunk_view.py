"""The hunk view: ours, base and theirs side by side with syntax colours and changed words marked, the result
so far between its context lines, and the hunk's suggestions shown as diffs.

Pure rendering: it is handed a hunk, its choice and suggestions, and draws them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

CHANGED = "bold reverse"
TAB_SIZE = 4
PANEL_TITLES = {"ours": "OURS", "base": "BASE", "theirs": "THEIRS"}


def lexer_for(path: str) -> str:
    """The Pygments lexer name for a file (plain text when unknown)."""
    try:
        return Syntax.guess_lexer(path, code="")
    except Exception:  # pygments may not know the name at all
        return "text"


def highlighted(code: str, lexer: str, theme: str = "ansi_dark") -> Text:
    """``code`` with syntax colours, as Text (line endings shown as plain newlines)."""
    plain = code.replace("\r\n", "\n")
    if not plain:
        return Text("(empty)", style="dim italic")
    text = Syntax(plain, lexer, theme=theme, background_color="default", tab_size=TAB_SIZE).highlight(plain)
    text.rstrip()
    return text


def mark_changes(text: Text, against: str | None, style: str = CHANGED) -> Text:
    """Stylise the words of ``text`` (as drawn: tabs expanded) that differ from ``against``."""
    if against is None:
        return text
    from cdev_tui.cext.diff import word_opcodes

    other = against.replace("\r\n", "\n").expandtabs(TAB_SIZE)
    for tag, start, end, _j1, _j2 in word_opcodes(text.plain, other):
        if tag in ("replace", "insert") and end > start:
            text.stylize(style, start, end)
    return text


def diff_text(before: str, after: str) -> Text:
    """A unified line diff of ``before`` → ``after`` (for showing a suggestion against ours)."""
    out = Text()
    lines = difflib.unified_diff(
        before.replace("\r\n", "\n").splitlines(), after.replace("\r\n", "\n").splitlines(), lineterm="", n=1
    )
    for line in list(lines)[2:]:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        if line.startswith("@@"):
            style = "cyan dim"
        out.append(line + "\n", style=style)
    out.rstrip()
    return out if out.plain else Text("(same as ours)", style="dim")


@dataclass(frozen=True)
class HunkShown:
    """Everything the view draws for one hunk."""

    path: str
    hunk: Any
    """A :class:`cdev_tui.conflicts.hunks.Hunk`."""
    choice: Any
    """The hunk's :class:`cdev_tui.conflicts.session.Choice`, or None."""
    suggestions: list[Any]
    position: str
    """e.g. ``hunk 2 of 5``."""


class SidePanel(Static):
    """One side of a hunk; clicking it takes that side."""

    DEFAULT_CSS = """
    SidePanel {
        width: 1fr;
        height: auto;
        border: round $primary-darken-2;
        padding: 0 1;
    }
    SidePanel.-missing {
        color: $text-muted;
    }
    """

    class Picked(Message):
        """The user clicked a side."""

        def __init__(self, side: str) -> None:
            super().__init__()
            self.side = side

    def __init__(self, side: str, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.side = side
        self.border_title = PANEL_TITLES[side]

    def on_click(self) -> None:
        self.post_message(self.Picked(self.side))


class HunkView(Vertical):
    """Ours | base | theirs, the result in its context, and the suggestions."""

    DEFAULT_CSS = """
    HunkView {
        height: auto;
    }
    HunkView > Horizontal {
        height: auto;
    }
    HunkView #hunk-result {
        border: round $success;
        padding: 0 1;
        height: auto;
    }
    HunkView #hunk-result.-open {
        border: round $warning;
    }
    HunkView #hunk-suggestions {
        border: round $accent;
        padding: 0 1;
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="hunk-sides"):
            yield SidePanel("ours", id="side-ours")
            yield SidePanel("base", id="side-base")
            yield SidePanel("theirs", id="side-theirs")
        yield Static("", id="hunk-result")
        yield Static("", id="hunk-suggestions")

    def show(self, shown: HunkShown) -> None:
        """Draw one hunk."""
        hunk = shown.hunk
        lexer = lexer_for(shown.path)
        labels = {"ours": hunk.ours_label, "base": hunk.base_label, "theirs": hunk.theirs_label}
        base = hunk.base
        # Changed words against the base; without one, the two sides against each other.
        for side, code, against in (
            ("ours", hunk.ours, base if base is not None else hunk.theirs),
            ("base", base, None),
            ("theirs", hunk.theirs, base if base is not None else hunk.ours),
        ):
            panel = self.query_one(f"#side-{side}", SidePanel)
            label = labels[side]
            panel.border_title = PANEL_TITLES[side] + (f" {label}" if label else "")
            if code is None:
                panel.update(Text("base not known", style="dim italic"))
                panel.set_class(True, "-missing")
                continue
            panel.set_class(False, "-missing")
            panel.update(mark_changes(highlighted(code, lexer), against))
        base_panel = self.query_one("#side-base", SidePanel)
        base_panel.border_subtitle = "from git's index" if hunk.base_source == "index" else ""
        self._show_result(shown, lexer)
        self._show_suggestions(shown)

    def _show_result(self, shown: HunkShown, lexer: str) -> None:
        hunk, choice = shown.hunk, shown.choice
        result = self.query_one("#hunk-result", Static)
        parts: list[RenderableType] = []
        if hunk.before:
            parts.append(Text(hunk.before.replace("\r\n", "\n").rstrip("\n"), style="dim"))
        if choice is None:
            parts.append(
                Text(
                    "⟪ unresolved: o ours · t theirs · b both · s base · a suggestion · e edit ⟫",
                    style="bold yellow",
                )
            )
            result.border_title = f"RESULT · {shown.position} · open"
        else:
            parts.append(
                highlighted(choice.result, lexer) if choice.result else Text("(nothing)", style="dim italic")
            )
            how = choice.how if choice.how != "suggestion" else f"{choice.source} suggestion"
            result.border_title = f"RESULT · {shown.position} · {how}"
        if hunk.after:
            parts.append(Text(hunk.after.replace("\r\n", "\n").rstrip("\n"), style="dim"))
        result.set_class(choice is None, "-open")
        result.update(Group(*parts))

    def _show_suggestions(self, shown: HunkShown) -> None:
        panel = self.query_one("#hunk-suggestions", Static)
        panel.border_title = f"SUGGESTIONS ({len(shown.suggestions)})"
        if not shown.suggestions:
            panel.update(Text("No suggestion: pick a side, edit, or ask the LLM (l).", style="dim"))
            return
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column()
        for n, suggestion in enumerate(shown.suggestions):
            badge = Text()
            badge.append("a " if n == 0 else "  ", style="bold cyan")
            badge.append(suggestion.source, style="bold green" if suggestion.safe else "bold yellow")
            badge.append(
                " ✓ safe" if suggestion.safe else f" {suggestion.confidence:.0%}",
                style="green" if suggestion.safe else "yellow",
            )
            reason = Text(suggestion.reason)
            if suggestion.learned_at:
                from datetime import datetime

                when = datetime.fromtimestamp(suggestion.learned_at).strftime("%Y-%m-%d %H:%M")
                reason.append(f" · learned {when}", style="dim")
            table.add_row(badge, Group(reason, diff_text(shown.hunk.ours, suggestion.result)))
        panel.update(table)
