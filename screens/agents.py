"""The Agents pane: a live table of every agent worktree and a detail view of the highlighted one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from cdev_tui.screens.pane import Pane
from cdev_tui.status import AgentStatus
from cdev_tui.widgets.agent_detail import AgentDetail
from cdev_tui.widgets.cells import (
    age_text,
    display_path,
    elapsed_text,
    progress_bar,
    session_text,
    status_text,
)
from cdev_tui.widgets.measured_table import MeasuredTable
from cdev_tui.widgets.session_view import SessionView

if TYPE_CHECKING:
    from cdev_tui.sessions.state import SessionInfo
    from cdev_tui.workspace import Agent, WorkspaceSnapshot
    from cdev_tui.workspace.last_known import LastKnown


COLUMNS = (
    ("agent", "Agent"),
    ("status", "Status"),
    ("session", "Session"),
    ("progress", "Progress"),
    ("time", "Time / est."),
    ("deps", "Depends on"),
    ("git", "↑↓ ±"),
    ("flags", "Flags"),
    ("commit", "Last commit"),
)


SORTS = ("plan", "status", "progress", "name")
"""Orders the table cycles through: plan order, most urgent status first, least progress first, by id."""
FILTERS = ("all", "active", "attention")
"""Row filters: everything; not yet merged; only agents that need a look (blocked, missing, violations...)."""
STATUS_URGENCY = ("missing", "blocked", "in progress", "ready", "complete", "committed", "merged", "planned")


def needs_attention(agent: Agent, session: SessionInfo | None = None) -> bool:
    """Waiting for you, blocked, missing, stalled, touching files it does not own, or with problems reading
    its files."""
    return (
        is_waiting(session)
        or str(agent.status) in ("blocked", "missing")
        or bool(agent.violations)
        or bool(agent.facts.problems)
        or agent.stalled
    )


def is_waiting(session: SessionInfo | None) -> bool:
    """The agent's program waits for the user."""
    return session is not None and str(session.state) == "waiting"


def visible_agents(
    agents: Sequence[Agent],
    *,
    query: str = "",
    sort: str = "plan",
    filter: str = "all",
    sessions: Mapping[str, SessionInfo] | None = None,
) -> list[Agent]:
    """The agents the table shows, after search, filter and sort; whatever the sort, the agents whose program
    waits for you come first (longest waiting first)."""
    sessions = sessions or {}
    words = query.lower().split()

    def matches(agent: Agent) -> bool:
        haystack = " ".join(
            (
                agent.agent_id,
                agent.spec.role,
                agent.facts.branch or "",
                str(agent.status),
                agent.facts.task_id,
            )
        ).lower()
        return all(word in haystack for word in words)

    rows = [a for a in agents if matches(a)]
    if filter == "active":
        rows = [a for a in rows if str(a.status) not in ("merged", "planned")]
    elif filter == "attention":
        rows = [a for a in rows if needs_attention(a, sessions.get(a.agent_id))]
    tasks = {a.facts.task_id for a in agents if a.facts.task_id}
    # Several tasks: one group per task, agents of no known task last.
    group = (lambda a: (not a.facts.task_id, a.facts.task_id)) if len(tasks) > 1 else (lambda a: (False, ""))

    def waiting(agent: Agent) -> tuple[bool, float]:
        session = sessions.get(agent.agent_id)
        return (not is_waiting(session), session.since if session is not None else 0.0)

    if sort == "status":
        rows.sort(key=lambda a: (group(a), waiting(a), STATUS_URGENCY.index(str(a.status))))
    elif sort == "progress":
        rows.sort(key=lambda a: (group(a), a.fraction))
    elif sort == "name":
        rows.sort(key=lambda a: (group(a), a.agent_id))
    else:
        rows.sort(key=group)  # stable: plan order within each task
    rows.sort(key=lambda a: (group(a), waiting(a)))  # stable: whatever the order, who waits for you first
    return rows


class AgentsPane(Pane):
    """Agent table on top, details of the highlighted agent below; search, filter and sort the rows."""

    def __init__(
        self, clock: Callable[[], float], *, id: str | None = None, last_known: LastKnown | None = None
    ) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._last_known = last_known
        self._snapshot: WorkspaceSnapshot | None = None
        self._as_of: float | None = None
        """When the shown snapshot was taken, while it is the last known one and the live read is running."""
        self.query_text = ""
        self.sort = SORTS[0]
        self.filter = FILTERS[0]
        self.sessions: dict[str, SessionInfo] = {}
        """Agent id → its program session (from the session monitor)."""
        self.marked: set[str] = set()
        """Agents marked with space: a prompt goes to all of them (broadcast)."""

    def compose(self) -> ComposeResult:
        yield Static("Loading agents…", id="agents-summary", classes="pane-summary")
        yield Input(placeholder="search agents: id, role, branch, status…", id="agents-search")
        table: DataTable[Text | str] = MeasuredTable(id="agents-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        with VerticalScroll(id="agent-detail-scroll"):
            yield SessionView(id="agent-session")
            yield AgentDetail(id="agent-detail")

    def on_mount(self) -> None:
        if self._last_known is not None and self._snapshot is None:
            self.show_snapshot(self._last_known.snapshot, self._last_known.taken_at)
        if self.screen.focused is None or self.screen.focused.id != "agent-detail-scroll":
            self.table.focus()  # arrow keys work as soon as the table is on screen

    @property
    def table(self) -> DataTable:
        """The agent table."""
        return self.query_one("#agents-table", DataTable)

    def show_snapshot(self, snapshot: WorkspaceSnapshot, as_of: float | None = None) -> None:
        """Update the table in place, keeping the highlighted agent.

        ``as_of`` marks the last known state from the store (taken at that time) while git is read again;
        the summary says so and how old it is until the live snapshot replaces it.
        """
        self._snapshot = snapshot
        self._as_of = as_of
        self._render_rows()

    def _render_rows(self) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        table = self.table
        selected = self.selected_agent_id()
        agents = visible_agents(
            snapshot.agents, query=self.query_text, sort=self.sort, filter=self.filter, sessions=self.sessions
        )
        wanted = [a.agent_id for a in agents]
        show_task = len({a.facts.task_id for a in snapshot.agents if a.facts.task_id}) > 1  # group by task
        # Rebuilt whole each time (a few dozen rows at most): one rendering path, and the columns always fit.
        scroll_y = table.scroll_y
        table.clear()
        now = self._clock()
        for agent in agents:
            cells = _cells(
                agent, self.sessions.get(agent.agent_id), now, show_task, agent.agent_id in self.marked
            )
            table.add_row(*cells, key=agent.agent_id)
        if selected in wanted:
            table.move_cursor(row=wanted.index(selected), scroll=False)
        table.scroll_to(y=scroll_y, animate=False)
        self.query_one("#agents-summary", Static).update(self._summary(snapshot, len(agents)))
        self._show_detail()

    def show_sessions(self, sessions: Mapping[str, SessionInfo]) -> None:
        """The agents' program sessions changed: their cells and the count waiting; the order too when one
        starts or stops waiting (waiting agents come first)."""
        previous, self.sessions = self.sessions, dict(sessions)
        moved = {k for k in {*sessions, *previous} if sessions.get(k) != previous.get(k)}
        if self._snapshot is None or not moved:
            return
        table = self.table
        reorder = any(is_waiting(sessions.get(a)) != is_waiting(previous.get(a)) for a in moved)
        if reorder or self.filter == "attention" or not all(a in table.rows for a in moved):
            self._render_rows()
            return
        now = self._clock()
        for agent_id in moved:
            table.update_cell(
                agent_id, "session", session_text(self.sessions.get(agent_id), now, coarse=True)
            )
        self.query_one("#agents-summary", Static).update(self._summary(self._snapshot, table.row_count))
        self._show_session()

    def refresh_session_ages(self) -> None:
        """Bring the time each program has been in its state up to date (cells whose text changed only)."""
        if self._snapshot is None or not self.sessions:
            return
        table, now = self.table, self._clock()
        for agent_id, info in self.sessions.items():
            if agent_id in table.rows:
                cell = session_text(info, now, coarse=True)
                if str(table.get_cell(agent_id, "session")) != cell.plain:
                    table.update_cell(agent_id, "session", cell)

    def show_screen(self, agent_id: str, screen: str) -> None:
        """The live last screenful of an agent's terminal (shown when it is the highlighted one)."""
        if agent_id == self.selected_agent_id():
            self.query_one(SessionView).show_screen(agent_id, screen)

    def toggle_mark(self) -> None:
        """Mark or unmark the highlighted agent for a broadcast prompt."""
        agent_id = self.selected_agent_id()
        if agent_id is None:
            return
        self.marked ^= {agent_id}
        row = self.table.cursor_row
        self._render_rows()
        self.table.move_cursor(row=min(row + 1, self.table.row_count - 1))

    def clear_marks(self) -> None:
        """Unmark every agent (after a broadcast)."""
        if self.marked:
            self.marked.clear()
            self._render_rows()

    def targets(self) -> list[str]:
        """Who a prompt goes to: the marked agents, else the highlighted one."""
        if self.marked:
            return [key.value for key in self.table.rows if key.value in self.marked]
        agent_id = self.selected_agent_id()
        return [agent_id] if agent_id else []

    # -- search, filter, sort ------------------------------------------------------------------------

    def start_search(self) -> None:
        """Show the search box and type into it; escape clears it, enter goes back to the table."""
        search = self.query_one("#agents-search", Input)
        search.display = True
        search.focus()

    def cycle_sort(self) -> None:
        """Plan order → status → progress → name."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._render_rows()

    def cycle_filter(self) -> None:
        """All → active → needs attention."""
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._render_rows()

    @on(Input.Changed, "#agents-search")
    def _on_search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._render_rows()

    @on(Input.Submitted, "#agents-search")
    def _on_search_submitted(self) -> None:
        self.table.focus()

    def on_key(self, event: Key) -> None:
        search = self.query_one("#agents-search", Input)
        if event.key == "escape" and search.has_focus:
            event.stop()
            search.value = ""
            search.display = False
            self.table.focus()

    def select_next(self) -> None:
        """Highlight the next agent."""
        self.table.action_cursor_down()

    def select_previous(self) -> None:
        """Highlight the previous agent."""
        self.table.action_cursor_up()

    def select_agent(self, agent_id: str) -> bool:
        """Highlight ``agent_id`` (clearing a search that hides it) and show its detail; False if unknown."""
        if self._snapshot is None or self._snapshot.agent(agent_id) is None:
            return False
        if agent_id not in self.table.rows:
            self.query_text = ""
            search = self.query_one("#agents-search", Input)
            search.value, search.display = "", False
            self.filter = FILTERS[0]
            self._render_rows()
        rows = [key.value for key in self.table.rows]
        if agent_id not in rows:
            return False
        self.table.move_cursor(row=rows.index(agent_id))
        self._show_detail()
        return True

    def show_error(self, message: str) -> None:
        """Say why the workspace could not be read (and that the rows are old, when they are)."""
        text = Text(message, style="bold red")
        if self._as_of is not None:
            age = age_text(max(0.0, self._clock() - self._as_of))
            text.append(f"\nThe rows below are the last known state, from {age} ago.", style="bold yellow")
        self.query_one("#agents-summary", Static).update(text)

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

    class AttachRequested(Message):
        """Enter on an agent whose program runs in a session: attach the terminal to it."""

        def __init__(self, agent_id: str) -> None:
            super().__init__()
            self.agent_id = agent_id

    @on(DataTable.RowSelected, "#agents-table")
    def _on_row_selected(self) -> None:
        agent_id = self.selected_agent_id()
        session = self.sessions.get(agent_id) if agent_id else None
        if agent_id and session is not None and str(session.state) != "exited":
            self.post_message(self.AttachRequested(agent_id))
            return
        self.query_one("#agent-detail-scroll").focus()

    def _summary(self, snapshot: WorkspaceSnapshot, shown: int) -> Text:
        text = _summary_text(snapshot, shown, self.sort, self.filter, self.query_text)
        waiting = sorted(a for a, s in self.sessions.items() if is_waiting(s))
        if waiting:
            text = Text.assemble(
                (f"◐ {len(waiting)} waiting for you: {', '.join(waiting)}  ", "bold yellow"), text
            )
        if self.marked:
            text.append(f"  ·  {len(self.marked)} marked (> prompts them all)", style="bold cyan")
        if self._as_of is not None:
            age = max(0.0, self._clock() - self._as_of)
            text = Text.assemble(
                (f"⟳ refreshing: last known state from {age_text(age)} ago  ", "bold yellow"), text
            )
        return text

    @property
    def showing_last_known(self) -> bool:
        """The rows are the last known state from the store, not yet the live one."""
        return self._as_of is not None

    def _show_detail(self) -> None:
        agent_id = self.selected_agent_id()
        agent = self._snapshot.agent(agent_id) if self._snapshot and agent_id else None
        repo = self._snapshot.paths.repo if self._snapshot else Path.cwd()
        self.query_one(AgentDetail).show_agent(agent, repo, self._clock())
        self._show_session()

    def _show_session(self) -> None:
        agent_id = self.selected_agent_id()
        self.query_one(SessionView).show_session(agent_id, self.sessions.get(agent_id) if agent_id else None)


def _cells(
    agent: Agent, session: SessionInfo | None, now: float, show_task: bool = False, marked: bool = False
) -> tuple[Text | str, ...]:
    facts = agent.facts
    state = facts.git
    done, total = agent.progress
    blocked = f"on {', '.join(agent.blocked_by)}" if agent.status is AgentStatus.BLOCKED else ""
    flags = Text()
    if facts.remote:  # a branch on a remote: another machine's agent
        flags.append(f"⇅ {(facts.branch or '').partition('/')[0]} ", style="bold cyan")
    if state is not None and state.unmerged:
        flags.append(f"⚡ {len(state.unmerged)} conflicted (m) ", style="bold yellow")
    if agent.stalled:
        flags.append("⏱ stalled ", style="bold magenta")
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
    name = Text(agent.agent_id, style="bold")
    if show_task and facts.task_id:
        name = Text.assemble((f"{facts.task_id} ", "dim"), name)
    if marked:
        name = Text.assemble(("✓ ", "bold cyan"), name)
    return (
        name,
        status_text(agent.status, blocked),
        session_text(session, now, coarse=True),
        progress_bar(agent.fraction, done, total),
        elapsed_text(agent),
        ", ".join(agent.spec.dependencies) or "-",
        git_cell,
        flags,
        commit,
    )


def _summary_text(snapshot: WorkspaceSnapshot, shown: int, sort: str, filter: str, query: str) -> Text:
    paths = snapshot.paths
    text = Text()
    text.append(f"{paths.repo.name}", style="bold")
    count = (
        f"{len(snapshot.agents)} agents"
        if shown == len(snapshot.agents)
        else f"{shown} of {len(snapshot.agents)} agents"
    )
    text.append(
        f"  target {paths.target}  ·  {count}  ·  worktrees {display_path(paths.worktrees_root, paths.repo)}"
    )
    view = [f"sorted by {sort}"] if sort != "plan" else []
    if filter != "all":
        view.append(f"showing {filter}")
    if query:
        view.append(f"matching {query!r}")
    if view:
        text.append(f"  ·  {', '.join(view)}", style="italic")
    for plan in snapshot.task_plans:
        text.append(f"\nplan {plan.task_id}: {plan.task_title}", style="dim")
    if not snapshot.agents:
        text.append(
            "\nNo agent worktrees yet. Press p to plan a task and spawn its agents, "
            "or try `cdev-tui demo` for a ready-made workspace.",
            style="bold yellow",
        )
    return text
