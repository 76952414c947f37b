"""The Agents pane: a live table of every agent worktree and a detail view of the highlighted one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from cdev_tui.screens.pane import Pane
from cdev_tui.widgets.agent_detail import AgentDetail
from cdev_tui.widgets.cells import display_path, progress_bar, status_text

if TYPE_CHECKING:
    from cdev_tui.workspace import Agent, WorkspaceSnapshot


COLUMNS = (
    ("agent", "Agent"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("branch", "Branch"),
    ("deps", "Depends on"),
    ("git", "↑↓ ±"),
    ("flags", "Flags"),
    ("commit", "Last commit"),
)


class AgentsPane(Pane):
    """Agent table on top, details of the highlighted agent below."""

    def __init__(self, clock: Callable[[], float], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._snapshot: WorkspaceSnapshot | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading agents…", id="agents-summary", classes="pane-summary")
        table: DataTable[Text | str] = DataTable(id="agents-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        with VerticalScroll(id="agent-detail-scroll"):
            yield AgentDetail(id="agent-detail")

    @property
    def table(self) -> DataTable:
        """The agent table."""
        return self.query_one("#agents-table", DataTable)

    def show_snapshot(self, snapshot: WorkspaceSnapshot) -> None:
        """Update the table in place, keeping the highlighted agent."""
        self._snapshot = snapshot
        table = self.table
        selected = self.selected_agent_id()
        wanted = [a.agent_id for a in snapshot.agents]
        current = [row.value for row in table.rows]
        if current != wanted:
            table.clear()
            for agent in snapshot.agents:
                table.add_row(*_cells(agent), key=agent.agent_id)
        else:
            for agent in snapshot.agents:
                for (column, _label), value in zip(COLUMNS, _cells(agent), strict=True):
                    table.update_cell(agent.agent_id, column, value)
        if selected in wanted:
            table.move_cursor(row=wanted.index(selected))
        self.query_one("#agents-summary", Static).update(_summary(snapshot))
        self._show_detail()

    def show_error(self, message: str) -> None:
        """Say why the workspace could not be read."""
        self.query_one("#agents-summary", Static).update(Text(message, style="bold red"))

    def selected_agent_id(self) -> str | None:
        """The id of the highlighted agent."""
        table = self.table
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # cursor outside the table after a shrink
            return None

    @on(DataTable.RowHighlighted, "#agents-table")
    def _on_row_highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#agents-table")
    def _on_row_selected(self) -> None:
        self.query_one("#agent-detail-scroll").focus()

    def _show_detail(self) -> None:
        agent_id = self.selected_agent_id()
        agent = self._snapshot.agent(agent_id) if self._snapshot and agent_id else None
        repo = self._snapshot.paths.repo if self._snapshot else Path.cwd()
        self.query_one(AgentDetail).show_agent(agent, repo, self._clock())


def _cells(agent: Agent) -> tuple[Text | str, ...]:
    facts = agent.facts
    state = facts.git
    done, total = agent.progress
    blocked = f"on {', '.join(agent.blocked_by)}" if agent.blocked_by else ""
    flags = Text()
    if agent.violations:
        flags.append(f"⚠ {len(agent.violations)} not owned ", style="bold red")
    if agent.bookkeeping:
        flags.append("⚑ coord files ", style="yellow")
    if facts.problems:
        flags.append("✕ problem", style="red")
    if facts.plain:
        flags.append("plain", style="dim")
    git_cell = Text("-", style="dim")
    if state is not None:
        git_cell = Text(f"↑{state.ahead} ↓{state.behind}")
        if state.dirty:
            git_cell.append(f" ±{len(state.dirty)}", style="yellow")
    commit = Text("-", style="dim")
    if state and state.last_commit:
        commit = Text(f"{state.last_commit.sha[:7]} ", style="dim")
        commit.append(state.last_commit.subject[:48])
    return (
        Text(agent.agent_id, style="bold"),
        status_text(agent.status, blocked),
        progress_bar(agent.fraction, done, total),
        facts.branch or "-",
        ", ".join(agent.spec.dependencies) or "-",
        git_cell,
        flags,
        commit,
    )


def _summary(snapshot: WorkspaceSnapshot) -> Text:
    paths = snapshot.paths
    text = Text()
    text.append(f"{paths.repo.name}", style="bold")
    text.append(
        f"  target {paths.target}  ·  {len(snapshot.agents)} agents  ·  worktrees {display_path(paths.worktrees_root, paths.repo)}"
    )
    for plan in snapshot.task_plans:
        text.append(f"\nplan {plan.task_id}: {plan.task_title}", style="dim")
    return text
