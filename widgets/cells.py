"""Rich renderables for table cells: progress bars and status labels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from cdev_tui.status import AgentStatus

if TYPE_CHECKING:
    from cdev_tui.sessions.state import SessionInfo
    from cdev_tui.workspace import Agent

STATUS_STYLES: dict[str, str] = {
    AgentStatus.PLANNED: "dim",
    AgentStatus.READY: "bold cyan",
    AgentStatus.BLOCKED: "bold yellow",
    AgentStatus.IN_PROGRESS: "bold blue",
    AgentStatus.COMPLETE: "bold green",
    AgentStatus.COMMITTED: "bold green",
    AgentStatus.MERGED: "green",
    AgentStatus.MISSING: "bold red",
}

STATUS_GLYPHS: dict[str, str] = {
    AgentStatus.PLANNED: "·",
    AgentStatus.READY: "○",
    AgentStatus.BLOCKED: "⏸",
    AgentStatus.IN_PROGRESS: "◐",
    AgentStatus.COMPLETE: "●",
    AgentStatus.COMMITTED: "◉",
    AgentStatus.MERGED: "✔",
    AgentStatus.MISSING: "✕",
}

SEVERITY_STYLES: dict[str, str] = {"high": "bold red", "medium": "yellow", "low": "dim"}


def status_text(status: AgentStatus, detail: str = "") -> Text:
    """A status with its glyph and colour, plus an optional dim detail (e.g. what blocks it)."""
    text = Text(f"{STATUS_GLYPHS[status]} {status}", style=STATUS_STYLES[status])
    if detail:
        text.append(f" {detail}", style="dim")
    return text


def progress_bar(fraction: float, done: int, total: int, width: int = 10) -> Text:
    """``████░░░░░░ 2/5`` with the filled part coloured by completion."""
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * width)
    style = "green" if fraction >= 1.0 else "blue" if fraction > 0 else "grey50"
    text = Text("█" * filled, style=style)
    text.append("░" * (width - filled), style="grey37")
    text.append(f" {done}/{total}" if total else "  -", style="default")
    return text


def display_path(path: Path, repo: Path) -> str:
    """A path as the user thinks of it: relative to the repository when it sits beside or inside it."""
    try:
        relative = os.path.relpath(path, repo)
    except ValueError:
        return str(path)
    return relative if relative.count("..") <= 1 else str(path)


def elapsed_text(agent: Agent) -> Text:
    """``35m / 40m``: time since the agent started against its estimate, red when over."""
    estimate = agent.estimated_minutes
    if agent.elapsed_minutes is None:
        return Text(f"- / {estimate}m" if estimate else "-", style="dim")
    text = Text(f"{agent.elapsed_minutes}m", style="bold red" if agent.over_estimate else "")
    text.append(f" / {estimate}m" if estimate else "", style="dim")
    return text


def age_text(seconds: float) -> str:
    """``42 s``, ``5 min``, ``3 h``, ``2 days``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min"
    if seconds < 86400:
        return f"{seconds // 3600:.0f} h"
    return f"{seconds // 86400:.0f} days"


SESSION_STYLES = {"working": "bold green", "waiting": "bold yellow", "idle": "cyan", "exited": "dim"}


def session_text(info: SessionInfo | None, now: float, *, coarse: bool = False) -> Text:
    """``◐ waiting for you 2 min`` for an agent's program session; ``-`` when it has none. ``coarse``: under
    a minute reads ``<1 min`` (a table cell that changes once a minute, not every second)."""
    if info is None:
        return Text("-", style="dim")
    from cdev_tui.sessions.state import STATE_ICONS

    state = str(info.state)
    label = "waiting for you" if state == "waiting" else state
    if state == "exited":
        label = f"exited {info.exit_code}" if info.exit_code is not None else "exited"
    text = Text(f"{STATE_ICONS[info.state]} {label}", style=SESSION_STYLES.get(state, ""))
    age = max(0.0, now - info.since)
    text.append(" <1 min" if coarse and age < 60 else f" {age_text(age)}", style="dim")
    return text
