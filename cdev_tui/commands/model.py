"""What a command is: its keys, action, palette text, spoken forms and scope; and the panes it can show."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SLOT = re.compile(r"\{(agent|pane|number)\}")
"""A typed slot in a spoken form: ``{agent}`` (a live agent id), ``{pane}`` (a pane id), ``{number}``."""


@dataclass(frozen=True)
class Command:
    """Something the user can ask for, by key, from the palette, or by voice."""

    id: str
    title: str
    keys: str
    action: str
    description: str
    show_in_footer: bool = True
    group: str = "General"
    scope: str = "app"
    """``app`` (bound everywhere) or the screen it belongs to (``merge-editor``): its keys work there only."""
    spoken: tuple[str, ...] = ()
    """What a user says for it, most natural first; may hold the slots ``{agent}``, ``{pane}``, ``{number}``."""
    destructive: bool = False
    """It removes, commits, merges or leaves: the app asks for confirmation, also when it comes from voice."""

    @property
    def slots(self) -> tuple[str, ...]:
        """The slot names its spoken forms use, in order of first appearance."""
        names = (name for form in self.spoken for name in SLOT.findall(form))
        return tuple(dict.fromkeys(names))

    def invocation(self, args: Mapping[str, str | int] | None = None) -> str:
        """The action string with the arguments of its slots appended: ``open_agent('auth_agent')``."""
        values = [repr(args[name]) for name in self.slots if args and name in args]
        return f"{self.action}({', '.join(values)})" if values else self.action


def pane_commands(
    scope: str, group: str, rows: tuple[tuple[str, str, str, str, str, bool], ...]
) -> tuple[Command, ...]:
    """The commands of one pane, bound there only, from (name, title, keys, action, description, in footer)."""
    return tuple(
        Command(
            f"{scope}.{name}",
            title,
            keys,
            action,
            description,
            show_in_footer=footer,
            group=group,
            scope=scope,
        )
        for name, title, keys, action, description, footer in rows
    )


PANES: tuple[tuple[str, str], ...] = (
    ("agents", "Agents"),
    ("conflicts", "Conflicts"),
    ("security", "Security"),
    ("metrics", "Metrics"),
)
"""Pane id and title, in tab order (keys 1 to 4)."""


_PANE_WORDS: dict[str, tuple[str, ...]] = {
    "agents": ("agent list",),
    "conflicts": ("conflict matrix",),
    "security": ("show secrets", "secrets", "findings"),
    "metrics": ("stats", "statistics"),
}
