"""The main screen: four panes in tabs, fed by background workers that never block the UI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from cdev_tui.commands import PANES
from cdev_tui.errors import CdevError
from cdev_tui.executor import lower_thread_priority
from cdev_tui.screens.agents import AgentsPane
from cdev_tui.screens.alert_jobs import AlertJobsMixin
from cdev_tui.screens.conflicts import ConflictsPane
from cdev_tui.screens.metrics import MetricsPane
from cdev_tui.screens.pane import LazyPane, Pane
from cdev_tui.screens.remote_jobs import RemoteFetchMixin
from cdev_tui.screens.security import SecurityPane
from cdev_tui.screens.security_jobs import SecurityJobsMixin
from cdev_tui.screens.session_jobs import SessionJobsMixin
from cdev_tui.watch import watch_changes
from cdev_tui.widgets.voice_indicator import VoiceIndicator

if TYPE_CHECKING:
    from cdev_tui.service import WorkspaceService
    from cdev_tui.workspace import WorkspaceSnapshot


SESSION_COMMANDS = frozenset({"agent", "prompt", "answer-yes", "answer-no", "mark", "attach", "session-stop"})
"""Agent commands about its program's session (``a`` starts it)."""
STORM_PATHS = 200
"""A batch of this many changed paths starts a storm: refreshes wait for it to end."""
STORM_QUIET = 0.5
"""Seconds without a new batch that end a storm."""
STORM_MAX = 3.0
"""A storm longer than this still refreshes every so often."""


class MainScreen(SecurityJobsMixin, RemoteFetchMixin, SessionJobsMixin, AlertJobsMixin, Screen[None]):
    """Agents, Conflicts, Security and Metrics, kept current by file watching."""

    # Messages are plain classes rather than dataclasses: each dataclass costs a millisecond of start-up.

    class WorkspaceUpdated(Message):
        """A fresh snapshot of the workspace; ``changed`` is None after a full load."""

        def __init__(self, snapshot: WorkspaceSnapshot, changed: frozenset[Path] | None) -> None:
            super().__init__()
            self.snapshot = snapshot
            self.changed = changed

    class ConflictsPredicted(Message):
        """A new conflict prediction (a ``ConflictReport``), answering prediction number ``request``."""

        def __init__(self, report: Any, request: int = 0) -> None:
            super().__init__()
            self.report = report
            self.request = request

    class ConflictsProgress(Message):
        """How far the running conflict prediction got (a ``JobProgress``)."""

        def __init__(self, progress: Any) -> None:
            super().__init__()
            self.progress = progress

    def __init__(self, service: WorkspaceService) -> None:
        super().__init__()
        self.service = service
        self.snapshot: WorkspaceSnapshot | None = None
        self._pending: set[Path] = set()
        self._storm_since: float | None = None  # when the current storm of changes began
        self._storm_timer: Timer | None = None
        self._refreshing = False
        self._watched: list[Path] = []
        self._latest: dict[type[Pane], dict[str, tuple[Any, ...]]] = {}
        self._scan_report: Any = None  # the latest full scan, with later per-agent rescans merged in
        self._conflicts: Any = None  # the latest finished prediction: the next one reuses its pairs
        self._conflicts_changed: set[str] | None = None  # agents changed since it (None: all of them)
        self._conflicts_asked = 0  # the number of the latest prediction asked for
        self._start_notices: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        last_known = self._last_known()  # drawn in the first frame, marked as refreshing until git answers
        conflicts = self._last_known("conflicts") if last_known is not None else None
        if conflicts is not None:  # shown the moment the pane opens, marked, until the prediction lands
            self._latest[ConflictsPane] = {"show_report": (conflicts.snapshot, conflicts.taken_at)}
        agents = AgentsPane(self.service.wall_clock, id="agents-pane", last_known=last_known)
        with TabbedContent(initial="agents", id="panes"):
            panes: dict[str, Widget] = {
                # Without a last known state, every pane mounts just after the first frame (its data needs
                # git anyway); results that arrive earlier wait in _latest.
                "agents": agents if last_known is not None else LazyPane(agents),
                "conflicts": LazyPane(ConflictsPane(id="conflicts-pane")),
                "security": LazyPane(SecurityPane(id="security-pane")),
                "metrics": LazyPane(MetricsPane(self.service.metrics_history, id="metrics-pane")),
            }
            for number, (pane_id, title) in enumerate(PANES, start=1):
                with TabPane(f"{number} {title}", id=pane_id):
                    yield panes[pane_id]
        yield VoiceIndicator(id="voice-indicator")
        yield Footer()

    def _last_known(self, name: str = "workspace") -> Any:
        """The workspace (or conflict report) as the store last saw it (a few milliseconds, no git), or None."""
        if getattr(self.app, "resolve", None) is not None:
            return None
        try:
            return self.service.last_known(name)
        except CdevError as exc:
            self._start_notices.append(str(exc))
            return None

    def on_mount(self) -> None:
        for notice in self._start_notices:
            self.notify(notice, severity="warning", timeout=8)
        self.title = "cdev-tui"
        self.sub_title = self.service.start.name
        if getattr(self.app, "resolve", None) is not None:
            return  # opened for the merge editor alone (cdev-tui resolve): no dashboard behind it
        self.call_after_refresh(self.load_workspace)  # the first frame first, then git
        self.start_remote_fetching()  # only with remote_agents configured

    def update_header(self) -> None:
        """The header's subtitle: repository → target, agents waiting for a person, alerts not yet seen."""
        paths = self.snapshot.paths if self.snapshot is not None else None
        parts = [f"{paths.repo.name} → {paths.target}" if paths is not None else self.service.start.name]
        waiting = sum(1 for info in self.sessions.values() if str(info.state) == "waiting")
        if waiting:
            parts.append(f"◐ {waiting} waiting for you")
        if self.unseen_alerts:
            parts.append(f"⚠ {self.unseen_alerts} alerts (!)")
        self.sub_title = "  ·  ".join(parts)

    def _deliver(self, pane_type: type[Pane], method: str, value: Any) -> None:
        """Hand a result to a pane now if it is mounted, and keep it for when it mounts."""
        latest = self._latest.setdefault(pane_type, {})
        latest.pop(method, None)
        latest[method] = value
        for pane in self.query(pane_type):
            getattr(pane, method)(*value)

    @on(Pane.Mounted)
    def _replay_to_pane(self, message: Pane.Mounted) -> None:
        for method, value in self._latest.get(type(message.pane), {}).items():
            getattr(message.pane, method)(*value)

    # -- panes -----------------------------------------------------------------------------------

    def show_pane(self, pane: str) -> None:
        """Bring a pane to the front and focus its main table."""
        self.query_one("#panes", TabbedContent).active = pane
        for pane_widget in self.query(f"#{pane}-pane"):
            tables = pane_widget.query("DataTable")
            if tables:
                tables.first().focus()

    def agents_pane_call(self, method: str) -> None:
        """Call a method of the Agents pane once it is mounted."""
        for pane in self.query(AgentsPane):
            getattr(pane, method)()

    # -- agent actions ---------------------------------------------------------------------------------

    CONFIRM = {
        "complete": (
            "Mark {agent} complete?",
            "Ticks every checklist item and creates the COMPLETED marker.",
        ),
        "commit": ("Commit {agent}'s work on its branch?", "{message}"),
        "remove": (
            "Remove {agent}'s worktree?",
            "The folder goes; the branch {branch} and its commits stay.",
        ),
        "delete-branch": ("Delete branch {branch}?", "Only allowed when it is merged into the target."),
    }

    def agent_command(self, name: str) -> None:
        """Run an agent action on the highlighted agent, asking first when it changes or removes something."""
        if name == "prune":
            self._run_prune()
            return
        pane = next(iter(self.query(AgentsPane)), None)
        agent_id = pane.selected_agent_id() if pane else None
        agent = self.snapshot.agent(agent_id) if self.snapshot and agent_id else None
        if agent is None and self.snapshot is None and agent_id:
            self.notify("Still reading the workspace: actions wait for the live state.", severity="warning")
            return
        if agent is None:
            self.notify("No agent highlighted.", severity="warning")
            return
        if agent.facts.remote:  # no worktree here: every agent action needs one
            from cdev_tui.actions import remote_refusal

            self.notify(remote_refusal(agent), severity="warning", timeout=6)
            return
        if name in SESSION_COMMANDS:
            self.session_command(name, agent)
        elif name in ("editor", "shell"):
            self._open(agent, name)
        elif name == "resolve":
            self._resolve(agent)
        elif name == "checklist":
            self._edit_checklist(agent)
        else:
            self._confirm_then_run(agent, name)

    def _resolve(self, agent: Any) -> None:
        worktree = agent.facts.worktree
        if worktree is None or not worktree.is_dir():
            self.notify(f"{agent.agent_id} has no worktree to resolve.", severity="warning")
            return

        def closed(_result: bool | None) -> None:
            self._queue_changes({worktree})

        self.app.open_merge_editor(worktree, then=closed, purpose=f"agent {agent.agent_id}")  # type: ignore[attr-defined]

    def _confirm_then_run(self, agent: Any, name: str) -> None:
        if name == "commit":
            self._prepare_commit(agent)  # the message reads the agent's files: off the UI thread
        else:
            self._ask_then_run(agent, name, "")

    @work(thread=True, group="agent-action", exit_on_error=False, description="Preparing the commit")
    def _prepare_commit(self, agent: Any) -> None:
        from cdev_tui.actions import commit_message

        message = commit_message(agent)
        self.app.call_from_thread(self._ask_then_run, agent, "commit", message)

    def _ask_then_run(self, agent: Any, name: str, message: str) -> None:
        from cdev_tui.widgets.confirm import ConfirmScreen

        question, detail = self.CONFIRM[name]
        words = {"agent": agent.agent_id, "branch": agent.facts.branch or "-", "message": message}

        def answered(yes: bool | None) -> None:
            if yes:
                self._run_agent_action(name, agent.agent_id, {})

        self.app.push_screen(ConfirmScreen(question.format(**words), detail.format(**words)), answered)

    def _edit_checklist(self, agent: Any) -> None:
        from cdev_tui.widgets.checklist_editor import ChecklistScreen

        checklist = agent.facts.checklist
        if checklist is None or not checklist.items:
            self.notify(f"{agent.agent_id} has no checklist.", severity="warning")
            return
        before = {n for n, item in enumerate(checklist.items, start=1) if item.checked}

        def saved(ticked: set[int] | None) -> None:
            if ticked is None or ticked == before:
                return
            if ticked - before:
                self._run_agent_action("check", agent.agent_id, {"numbers": sorted(ticked - before)})
            if before - ticked:
                self._run_agent_action("uncheck", agent.agent_id, {"numbers": sorted(before - ticked)})

        items = [(item.text, item.checked) for item in checklist.items]
        self.app.push_screen(ChecklistScreen(agent.agent_id, items), saved)

    @work(thread=True, group="agent-action", exit_on_error=False, description="Agent action")
    def _run_agent_action(self, name: str, agent_id: str, options: dict[str, Any]) -> None:
        snapshot = self.snapshot
        assert snapshot is not None
        message = self.service.agent_action(snapshot, name, agent_id, **options)
        self.app.call_from_thread(self.notify, message, timeout=6)
        # The watcher sees the change too; queueing the agent's folder makes the refresh certain.
        agent = snapshot.agent(agent_id)
        if agent is not None and agent.facts.worktree is not None:
            self.app.call_from_thread(self._queue_changes, {agent.facts.worktree})

    @work(thread=True, group="agent-action", exit_on_error=False, description="Prune worktrees")
    def _run_prune(self) -> None:
        message = self.service.prune()
        self.app.call_from_thread(self.notify, message, timeout=6)
        self.app.call_from_thread(self.load_workspace)

    def _open(self, agent: Any, what: str) -> None:
        import subprocess

        from cdev_tui.actions import open_command

        argv = open_command(agent, what, self.service.config)
        cwd = agent.facts.worktree
        if argv[0] == "tmux":  # a new tmux window: the dashboard stays on screen
            subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.notify(f"Opened {what} for {agent.agent_id} in a new tmux window.")
            return
        try:
            with self.app.suspend():
                subprocess.run(argv, cwd=cwd, check=False)
        except FileNotFoundError:
            self.notify(f"{argv[0]}: command not found (set it in the config)", severity="error")

    @property
    def active_pane(self) -> str:
        """The id of the pane in front."""
        return self.query_one("#panes", TabbedContent).active

    # -- workers ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="Reading the workspace")
    def load_workspace(self) -> None:
        """Read every agent (git and files) off the UI thread."""
        lower_thread_priority()
        snapshot = self.service.load()
        self.post_message(self.WorkspaceUpdated(snapshot, None))

    @work(thread=True, group="refresh", exit_on_error=False, description="Refreshing changed agents")
    def _refresh_agents(self, snapshot: WorkspaceSnapshot, changed: frozenset[Path]) -> None:
        lower_thread_priority()
        fresh = self.service.refresh(snapshot, set(changed))
        self.post_message(self.WorkspaceUpdated(fresh, changed))

    @work(exclusive=True, group="watch", exit_on_error=False, description="Watching worktrees")
    async def _run_workspace_watcher(self, roots: list[Path]) -> None:
        async for changes in watch_changes(
            roots,
            debounce_ms=self.service.config.refresh_debounce_ms,
            common_dir=self.service.paths.common_dir,
        ):
            self._queue_changes(changes)

    def _queue_changes(self, changes: set[Path]) -> None:
        """Remember changed paths and refresh the agents they touch (on the UI thread).

        A storm (a checkout rewriting thousands of files) is held until it has been quiet for
        ``STORM_QUIET`` seconds, at most ``STORM_MAX`` seconds: one refresh per worktree for the lot, not one
        per batch the watcher delivers. Ordinary edits refresh at once.
        """
        self._pending |= changes
        now = time.monotonic()
        if len(changes) >= STORM_PATHS or self._storm_since is not None:
            if self._storm_since is None:
                self._storm_since = now
            if self._storm_timer is not None:
                self._storm_timer.stop()
            if now - self._storm_since < STORM_MAX:
                self._storm_timer = self.set_timer(STORM_QUIET, self._storm_over)
                return
            self._storm_since = self._storm_timer = None  # a long storm still shows progress now and then
        self._start_refresh()

    def _storm_over(self) -> None:
        self._storm_since = self._storm_timer = None
        self._start_refresh()

    @work(
        thread=True,
        exclusive=True,
        group="conflicts",
        exit_on_error=False,
        description="Predicting conflicts",
    )
    def _predict_conflicts(
        self, snapshot: WorkspaceSnapshot, previous: Any, changed_agents: set[str] | None, request: int
    ) -> None:
        from cdev_tui.progress import job_reporter

        lower_thread_priority()
        worker = get_current_worker()
        progress = job_reporter(
            "Predicting conflicts", lambda p: self.post_message(self.ConflictsProgress(p)), unit="steps"
        )
        report = self.service.predict_conflicts(
            snapshot,
            cancel=lambda: worker.is_cancelled,
            previous=previous,
            changed_agents=changed_agents,
            progress=progress,
        )
        if not worker.is_cancelled:
            self.post_message(self.ConflictsPredicted(report, request))

    def _ask_conflicts(
        self, snapshot: WorkspaceSnapshot, previous: WorkspaceSnapshot | None, changed: frozenset[Path] | None
    ) -> None:
        """Predict again, re-merging only the pairs of agents changed since the last finished prediction."""
        from cdev_tui.workspace.derive import agents_changed

        touched = None
        if previous is not None and changed is not None:
            touched = self.service.loader.agents_touched(previous, changed)
        elif previous is not None:  # a full read: only the agents whose git state moved
            touched = agents_changed(previous, snapshot)
        # Changes pile up until a prediction that saw them all finishes: a cancelled one saw nothing.
        if touched is None or self._conflicts_changed is None:
            self._conflicts_changed = None
        else:
            self._conflicts_changed = self._conflicts_changed | touched
        self._conflicts_asked += 1
        changed_agents = None if self._conflicts_changed is None else set(self._conflicts_changed)
        self._predict_conflicts(snapshot, self._conflicts, changed_agents, self._conflicts_asked)

    @work(thread=True, exclusive=True, group="metrics", exit_on_error=False, description="Computing metrics")
    def _compute_metrics(self, snapshot: WorkspaceSnapshot) -> None:
        lower_thread_priority()
        worker = get_current_worker()
        metrics = self.service.metrics(snapshot, series=False)  # the pane plots its own time range
        if not worker.is_cancelled:  # a newer computation was asked for: this one would overwrite it late
            self.post_message(self._MetricsReady(metrics, snapshot))

    class _MetricsReady(Message):
        def __init__(self, metrics: Any, snapshot: WorkspaceSnapshot) -> None:
            super().__init__()
            self.metrics = metrics
            self.snapshot = snapshot

    def _start_refresh(self) -> None:
        if self._refreshing or not self._pending or self.snapshot is None:
            return
        self._refreshing = True
        changed = frozenset(self._pending)
        self._pending.clear()
        self._refresh_agents(self.snapshot, changed)

    # -- results ---------------------------------------------------------------------------------

    @on(WorkspaceUpdated)
    def _on_workspace_updated(self, message: WorkspaceUpdated) -> None:
        first = self.snapshot is None
        previous = self.snapshot
        self.snapshot = message.snapshot
        self._deliver(AgentsPane, "show_snapshot", (message.snapshot,))
        if first:
            self.update_header()
        if first or message.changed is None:
            for notice in message.snapshot.notices:
                self.notify(notice, severity="warning", timeout=8)
        if message.changed is not None:
            self._refreshing = False
        if message.snapshot is not previous:
            self._ask_conflicts(message.snapshot, previous, message.changed)
            self._compute_metrics(message.snapshot)
            if not first:
                self.ask_alerts()
        if first:
            self._scan(message.snapshot)
            self.start_alerts()
            if self.service.telemetry is not None:  # an endpoint refusing exports is a notice, not stderr
                self.service.telemetry.report = lambda text: self.app.notify(
                    text, title="Telemetry", severity="warning", timeout=10
                )
        elif message.changed is not None and previous is not None and self._scan_report is not None:
            touched = self.service.loader.agents_touched(previous, message.changed)
            if touched:
                self._rescan_agents(message.snapshot, touched)
        self.follow_sessions(message.snapshot)
        roots = self.service.loader.watch_roots(message.snapshot)
        if roots != self._watched:
            self._watched = roots
            self._run_workspace_watcher(roots)
        self._start_refresh()

    # -- trial resolutions -----------------------------------------------------------------------------

    class _TrialReady(Message):
        def __init__(self, trial: Any) -> None:
            super().__init__()
            self.trial = trial

    @on(ConflictsPane.TrialRequested)
    def _trial_requested(self, message: ConflictsPane.TrialRequested) -> None:
        if self.snapshot is None:
            return
        order = list(self._conflicts.merge_order) if self._conflicts is not None else []
        self.notify(f"Merging {message.a} × {message.b} in a scratch worktree…", timeout=3)
        self._start_trial(self.snapshot, message.a, message.b, message.against_target, order)

    @work(thread=True, exclusive=True, group="trial", exit_on_error=False, description="Trial resolution")
    def _start_trial(
        self, snapshot: WorkspaceSnapshot, a: str, b: str, against: bool, order: list[str]
    ) -> None:
        trial = self.service.start_trial(snapshot, a, b, against_target=against, merge_order=order)
        if not trial.files:
            self.service.end_trial(trial)
            self.app.call_from_thread(
                self.notify,
                f"{trial.theirs.name} merges cleanly into {trial.ours.name} now: nothing to resolve.",
            )
            return
        self.post_message(self._TrialReady(trial))

    @on(_TrialReady)
    def _open_trial(self, message: _TrialReady) -> None:
        trial = message.trial

        def closed(_result: bool | None) -> None:
            self._end_trial(trial)

        self.app.open_merge_editor(  # type: ignore[attr-defined]
            trial.worktree,
            then=closed,
            purpose=f"trial: {trial.theirs.name} into {trial.ours.name}, learned for the real merge",
            leave_note="The trial worktree goes; every hunk you wrote is learned and offered when the real "
            "merge meets this conflict.",
        )

    @work(thread=True, group="trial", exit_on_error=False, description="Removing the trial worktree")
    def _end_trial(self, trial: Any) -> None:
        self.service.end_trial(trial)
        self.app.call_from_thread(
            self.notify, "Trial done: what you wrote is learned for the real merge.", timeout=6
        )

    @on(ConflictsProgress)
    def _on_conflicts_progress(self, message: ConflictsProgress) -> None:
        self._deliver(ConflictsPane, "show_progress", (message.progress,))

    @on(ConflictsPredicted)
    def _on_conflicts(self, message: ConflictsPredicted) -> None:
        if message.request == self._conflicts_asked and not message.report.cancelled:
            self._conflicts, self._conflicts_changed = message.report, set()
        self._deliver(ConflictsPane, "show_report", (message.report,))
        self._refresh_metrics()
        self.ask_alerts()

    def _refresh_metrics(self) -> None:
        if self.snapshot is not None:
            self._compute_metrics(self.snapshot)

    @on(_MetricsReady)
    def _on_metrics(self, message: _MetricsReady) -> None:
        self._deliver(MetricsPane, "show_metrics", (message.metrics, message.snapshot))

    @on(AgentsPane.AttachRequested)
    def _attach_requested(self, message: AgentsPane.AttachRequested) -> None:
        self.attach_session(message.agent_id)

    def on_unmount(self) -> None:
        self.close_sessions_monitor()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for worker failures: a clear notice, never a crash."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        message = str(error) if isinstance(error, CdevError) else f"{type(error).__name__}: {error}"
        group = event.worker.group
        if group == "refresh":
            self._refreshing = False
        if group == "conflicts":
            self._deliver(ConflictsPane, "show_error", (message,))
        elif group in ("scan", "deps", "history"):
            self._deliver(SecurityPane, "show_error", (message,))
        elif group == "load":
            self._deliver(AgentsPane, "show_error", (message,))
        self.notify(
            message, title=event.worker.description or "Background task failed", severity="error", timeout=10
        )

    # -- actions ---------------------------------------------------------------------------------

    def refresh_workspace(self) -> None:
        """Re-read everything from scratch (fetching the remote agents' remotes first, when there are any)."""
        if self.fetches_remotes:
            self.fetch_remotes()
        else:
            self.load_workspace()
