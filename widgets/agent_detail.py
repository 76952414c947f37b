"""The detail view of one agent: plan, checklist, files, ownership violations and git state."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from cdev_tui.widgets.cells import display_path, elapsed_text, progress_bar, status_text

if TYPE_CHECKING:
    from cdev_tui.workspace import Agent


class AgentDetail(Static):
    """Shows everything known about the highlighted agent."""

    DEFAULT_CSS = """
    AgentDetail {
        padding: 0 1;
        height: auto;
    }
    """

    def show_agent(self, agent: Agent | None, repo: Path, now: float) -> None:
        """Render ``agent`` (or a hint when there is none); ``now`` dates the last commit."""
        self.update(render_agent(agent, repo, now) if agent else Text("No agent selected.", style="dim"))


def render_agent(agent: Agent, repo: Path, now: float) -> RenderableType:
    """A Rich renderable describing one agent."""
    facts = agent.facts
    spec = agent.spec
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    title = Text(agent.agent_id, style="bold")
    if spec.role:
        title.append(f"  {spec.role}", style="italic")
    head.add_row("Agent", title)
    blocked = f"waiting on {', '.join(agent.blocked_by)}" if agent.status == "blocked" else ""
    head.add_row("Status", status_text(agent.status, blocked))
    done, total = agent.progress
    head.add_row("Checklist", progress_bar(agent.fraction, done, total, width=20))
    head.add_row("Branch", facts.branch or Text("detached / none", style="dim"))
    if facts.remote:
        where = Text(f"remote branch {facts.branch} — no worktree here", style="cyan")
    elif facts.worktree:
        where = Text(display_path(facts.worktree, repo))
    else:
        where = Text("not spawned", style="dim")
    head.add_row("Worktree", where)
    head.add_row("Depends on", ", ".join(spec.dependencies) or Text("nothing", style="dim"))
    head.add_row("Time", elapsed_text(agent))
    if facts.last_activity is not None:
        idle = Text(_ago(facts.last_activity, now))
        if agent.stalled:
            idle.append("  stalled: no file or commit activity since", style="bold magenta")
        head.add_row("Last activity", idle)
    state = facts.git
    if state is not None:
        head.add_row(
            "vs target", f"{state.ahead} ahead, {state.behind} behind, {len(state.dirty)} uncommitted"
        )
        if state.unmerged:
            head.add_row(
                "Conflicts",
                Text(
                    f"{len(state.unmerged)} files in conflict ({', '.join(state.unmerged[:3])}"
                    f"{'…' if len(state.unmerged) > 3 else ''}): press m for the merge editor",
                    style="bold yellow",
                ),
            )
        if state.last_commit:
            head.add_row(
                "Last commit",
                f"{state.last_commit.sha[:8]} {state.last_commit.subject} ({_ago(state.last_commit.when, now)})",
            )
    parts: list[RenderableType] = [head]
    if facts.plain:
        parts.append(Text("Plain worktree: no cdev plan or context files found.", style="dim italic"))
    if facts.checklist and facts.checklist.items:
        items = Text()
        for item in facts.checklist.items:
            items.append("  ✔ " if item.checked else "  ☐ ", style="green" if item.checked else "yellow")
            items.append(item.text + "\n", style="dim" if item.checked else "")
        parts += [Text("Checklist", style="bold underline"), items]
    if spec.owned_files:
        changed = set(state.changed_files) if state else set()
        files = Text()
        for path in spec.files_to_create:
            files.append(f"  CREATE {path}", style="green" if path in changed else "")
            files.append("  (changed)\n" if path in changed else "\n", style="dim")
        for path in spec.files_to_modify:
            files.append(f"  MODIFY {path}", style="green" if path in changed else "")
            files.append("  (changed)\n" if path in changed else "\n", style="dim")
        parts += [Text("Owned files", style="bold underline"), files]
    if agent.violations:
        lines = Text()
        for violation in agent.violations:
            owner = f"owned by {violation.owner}" if violation.owner else "owned by nobody"
            where = "uncommitted" if violation.uncommitted else "committed"
            lines.append(f"  ⚠ {violation.path}", style="bold red")
            lines.append(f"  {owner}, {where}\n", style="red")
        parts += [Text("Ownership violations", style="bold underline red"), lines]
    if agent.bookkeeping:
        parts += [
            Text(
                "Coordination files committed to the branch (merge-conflict risk)",
                style="bold underline yellow",
            ),
            Text("".join(f"  {p}\n" for p in agent.bookkeeping), style="yellow"),
        ]
    if facts.contracts:
        contracts = Text()
        for contract, present in facts.contracts:
            contracts.append("  ✔ " if present else "  ✗ ", style="green" if present else "red")
            contracts.append(contract + "\n")
        parts += [Text("Test contracts", style="bold underline"), contracts]
    if facts.problems:
        parts += [
            Text("Problems", style="bold underline red"),
            Text("".join(f"  {p}\n" for p in facts.problems)),
        ]
    return Group(*parts)


def _ago(when: datetime, now: float) -> str:
    seconds = max(0, int(now - when.timestamp()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"
