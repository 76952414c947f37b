"""The Plan screen: turn a task into agents with exclusive file ownership, edit it, save it, spawn it.

Every edit is a pure function of :mod:`cdev_tui.plan_edit`; validation runs after each one in a worker and
its problems are shown live. Saving and spawning are refused while the plan has errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from cdev_tui import plan_edit
from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, critical_path
from cdev_tui.planner.template_plan import made_notes
from cdev_tui.progress import job_reporter
from cdev_tui.widgets.confirm import ConfirmScreen
from cdev_tui.widgets.dep_graph import DependencyGraph
from cdev_tui.widgets.job_progress import JobProgressBar
from cdev_tui.widgets.prompt import PromptScreen
from cdev_tui.widgets.template_picker import TemplatePickerScreen

if TYPE_CHECKING:
    from cdev_tui.service import WorkspaceService


def _split(text: str, separator: str = ",") -> list[str]:
    return [part.strip() for part in text.split(separator) if part.strip()]


SPAWN_JOB = "Spawning agents"


class PlanScreen(Screen[None]):
    """A plan editor with live validation and a dependency graph."""

    BINDINGS = [
        Binding("n", "new", "New from task", id="plan.new"),
        Binding("A", "new_ai", "New with AI", id="plan.new_ai", show=False),
        Binding("t", "template", "From template", id="plan.template"),
        Binding("a", "add", "Add agent", id="plan.add"),
        Binding("R", "rename", "Rename", id="plan.rename", show=False),
        Binding("x", "remove", "Remove agent", id="plan.remove", show=False),
        Binding("m", "move", "Move file", id="plan.move"),
        Binding("d", "deps", "Dependencies", id="plan.deps"),
        Binding("k", "criteria", "Criteria", id="plan.criteria", show=False),
        Binding("K", "contracts", "Contracts", id="plan.contracts", show=False),
        Binding("E", "estimate", "Estimate", id="plan.estimate", show=False),
        Binding("w", "save", "Save", id="plan.save"),
        Binding("s", "spawn", "Spawn", id="plan.spawn"),
        Binding("S", "spawn(True)", "Spawn + copy .env", id="plan.spawn_env", show=False),
        Binding("escape", "close", "Close", id="plan.close"),
    ]

    class Planned(Message):
        """A new plan came out of the decomposer."""

        def __init__(self, plan: Plan) -> None:
            super().__init__()
            self.plan = plan

    class Validated(Message):
        """Validation problems of a plan (for the plan they were computed on)."""

        def __init__(self, plan: Plan, problems: list[Any]) -> None:
            super().__init__()
            self.plan = plan
            self.problems = problems

    class SpawnStep(Message):
        """Spawn progress (a ``progress.JobProgress`` in agents, the last agent handled as its detail)."""

        def __init__(self, progress: Any) -> None:
            super().__init__()
            self.progress = progress

    class Spawned(Message):
        """A spawn run finished (a ``spawn.SpawnReport``)."""

        def __init__(self, report: Any) -> None:
            super().__init__()
            self.report = report

    def __init__(self, service: WorkspaceService, plan: Plan | None = None) -> None:
        super().__init__()
        self.service = service
        self.plan = plan
        self.problems: list[Any] = []
        self.saved_to: str | None = str(plan.path) if plan and plan.path else None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="plan-summary", classes="pane-summary")
        with Horizontal(id="plan-body"):
            table: DataTable[Text | str] = DataTable(id="plan-agents", cursor_type="row", zebra_stripes=True)
            table.add_columns("Agent", "Role", "Files", "Depends on", "Est.")
            yield table
            with VerticalScroll(id="plan-agent-scroll"):
                yield Static("", id="plan-agent")
        yield DependencyGraph(id="plan-graph")
        yield Static("", id="plan-problems")
        yield JobProgressBar(id="spawn-progress")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Plan"
        self.query_one("#plan-agents").focus()
        self._show()
        if self.plan is not None:
            self._validate(self.plan)

    # -- showing ---------------------------------------------------------------------------------------

    @property
    def selected(self) -> str | None:
        """The highlighted agent's id."""
        table = self.query_one("#plan-agents", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _show(self) -> None:
        plan = self.plan
        summary = self.query_one("#plan-summary", Static)
        table = self.query_one("#plan-agents", DataTable)
        if plan is None:
            summary.update(
                Text(
                    "No plan yet. Press n to plan a task (a description, a task file or a Linear id), "
                    "t to plan it from a template.",
                    style="bold",
                )
            )
            table.clear()
            self.query_one("#plan-graph", DependencyGraph).show({})
            return
        selected = self.selected
        chain, minutes = critical_path(plan.agents)
        sequential = sum(a.estimated_minutes or 0 for a in plan.agents)
        text = Text()
        text.append(f"{plan.task_id}", style="bold")
        text.append(
            f": {plan.task_title}  ·  {len(plan.agents)} agents  ·  {sequential} min one after another, "
        )
        text.append(f"{minutes} min along {' → '.join(chain) or '-'}")
        text.append(f"\nmerge order: {' → '.join(plan.merge_order) or '-'}", style="dim")
        text.append("".join(f"\n{note}" for note in made_notes(plan)), style="dim")
        text.append(
            f"\n{'saved to ' + self.saved_to if self.saved_to else 'not saved yet (w saves)'}", style="dim"
        )
        summary.update(text)
        table.clear()
        for agent in plan.agents:
            table.add_row(
                Text(agent.agent_id, style="bold"),
                agent.role or "-",
                str(len(agent.owned_files)),
                ", ".join(agent.dependencies) or "-",
                f"{agent.estimated_minutes or '-'}",
                key=agent.agent_id,
            )
        ids = [a.agent_id for a in plan.agents]
        if selected in ids:
            table.move_cursor(row=ids.index(selected))
        self._show_agent()

    @on(DataTable.RowHighlighted, "#plan-agents")
    def _show_agent(self) -> None:
        plan, agent_id = self.plan, self.selected
        agent = plan.agent(agent_id) if plan and agent_id else None
        view = self.query_one("#plan-agent", Static)
        graph = self.query_one("#plan-graph", DependencyGraph)
        if plan is not None:
            graph.show({a.agent_id: list(a.dependencies) for a in plan.agents}, highlight=agent_id)
        if agent is None:
            view.update("")
            return
        files = Text()
        for path in agent.files_to_create:
            files.append(f"  CREATE {path}\n", style="green")
        for path in agent.files_to_modify:
            files.append(f"  MODIFY {path}\n")
        criteria = Text("".join(f"  • {c}\n" for c in agent.validation_criteria) or "  none\n")
        contracts = Text("".join(f"  • {c}\n" for c in agent.test_contracts) or "  none\n")
        view.update(
            Group(
                Text(f"{agent.agent_id}  {agent.role}", style="bold"),
                Text("Files it owns", style="bold underline"),
                files or Text("  none yet: move files to it with m\n", style="yellow"),
                Text("Validation criteria (k)", style="bold underline"),
                criteria,
                Text("Test contracts (K)", style="bold underline"),
                contracts,
            )
        )

    # -- validation ------------------------------------------------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        group="plan-validate",
        exit_on_error=False,
        description="Validating the plan",
    )
    def _validate(self, plan: Plan) -> None:
        self.post_message(self.Validated(plan, self.service.validate_plan(plan)))

    @on(Validated)
    def _on_validated(self, message: Validated) -> None:
        if message.plan is not self.plan:
            return  # an older edit's result
        self.problems = message.problems
        text = Text()
        errors = [p for p in self.problems if p.severity == "error"]
        for problem in self.problems:
            where = f"{problem.agent_id}: " if problem.agent_id else ""
            style = "red" if problem.severity == "error" else "yellow"
            text.append(
                f"{'✕' if problem.severity == 'error' else '!'} {where}{problem.message}\n", style=style
            )
        if not errors:
            text.append("✔ exclusive ownership, known dependencies, no cycles", style="green")
        self.query_one("#plan-problems", Static).update(text)

    def _apply(self, edit: Any, *args: Any) -> None:
        """Run one edit on the plan; a refused edit is a notice and the plan stays as it was."""
        if self.plan is None:
            self.notify("No plan yet: press n first.", severity="warning")
            return
        try:
            self.plan = edit(self.plan, *args)
        except CdevError as exc:
            self.notify(str(exc), severity="error")
            return
        self.saved_to = None
        self._show()
        self._validate(self.plan)

    # -- actions ---------------------------------------------------------------------------------------

    def _ask(self, question: str, then: Any, *, value: str = "", hint: str = "") -> None:
        def answered(text: str | None) -> None:
            if text is not None:
                then(text)

        self.app.push_screen(PromptScreen(question, value=value, hint=hint), answered)

    def action_new(self, ai: bool = False) -> None:
        """Plan a task: a description, a task or plan file, or a cached Linear issue id."""
        self._ask(
            "What should the agents build?",
            lambda text: self._decompose(text, ai),
            hint="A description, a markdown/text task file, an existing plan file, or a cached Linear issue id.",
        )

    def action_new_ai(self) -> None:
        """Plan a task with the AI decomposer (validated by the same rules)."""
        self.action_new(ai=True)

    @work(thread=True, exclusive=True, group="plan-decompose", exit_on_error=False, description="Planning")
    def _decompose(self, source: str, ai: bool) -> None:
        plan = self.service.plan_from_input(source, ai=ai)
        if plan.path is None:  # a new plan (a plan file stays as written): its estimates learn from history
            plan = self._calibrated(plan)
        self.post_message(self.Planned(plan))

    def action_template(self) -> None:
        """Plan a task along a workflow template: pick the template, then type the task."""
        from cdev_tui.planner import list_templates

        def answered(answer: tuple[str, str] | None) -> None:
            if answer:
                self._from_template(*answer)

        picker = TemplatePickerScreen(lambda: list_templates(self.service.paths.repo))
        self.app.push_screen(picker, answered)

    @work(thread=True, exclusive=True, group="plan-decompose", exit_on_error=False, description="Planning")
    def _from_template(self, name: str, source: str) -> None:
        from pathlib import Path

        from cdev_tui import planner

        repo = self.service.paths.repo
        template = planner.load_template(repo, name)
        path = repo / Path(source.strip()).expanduser()
        task = (
            planner.load_task_file(path)
            if len(source) < 1024 and source.strip() and path.is_file()
            else planner.task_from_text(source)
        )
        plan = planner.plan_from_template(template, task, repo, cache=self.service.objects)
        self.service.objects.flush()
        self.post_message(self.Planned(self._calibrated(plan)))

    def _calibrated(self, plan: Plan) -> Plan:
        """A new plan's estimates scaled by how long the workspace's finished agents took (see the summary)."""
        from cdev_tui.planner import calibrate_plan, finished_history

        snapshot = getattr(getattr(self.app, "main", None), "snapshot", None)
        if snapshot is None:
            return plan
        return calibrate_plan(plan, finished_history(snapshot.agents, snapshot.task_plans))[0]

    @on(Planned)
    def _on_planned(self, message: Planned) -> None:
        self.plan = message.plan
        self.saved_to = str(message.plan.path) if message.plan.path else None
        self._show()
        self._validate(message.plan)

    def action_add(self) -> None:
        """Add an agent (then move files to it)."""
        self._ask(
            "New agent id (snake_case, e.g. docs_agent)",
            lambda text: self._apply(plan_edit.add_agent, text.strip()),
        )

    def action_rename(self) -> None:
        """Rename the highlighted agent (dependencies follow)."""
        if old := self.selected:
            self._ask(
                f"Rename {old} to",
                lambda text: self._apply(plan_edit.rename_agent, old, text.strip()),
                value=old,
            )

    def action_remove(self) -> None:
        """Remove the highlighted agent (after a confirmation)."""
        if not (agent_id := self.selected):
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply(plan_edit.remove_agent, agent_id)

        self.app.push_screen(
            ConfirmScreen(f"Remove {agent_id} from the plan?", "Its files become unowned."), answered
        )

    def action_move(self) -> None:
        """Give a file to the highlighted agent, taking it from its owner."""
        if not (agent_id := self.selected):
            return

        def move(text: str) -> None:
            kind = None
            path = text.strip()
            if path.startswith(("create ", "CREATE ")):
                kind, path = "create", path[7:].strip()
            elif path.startswith(("modify ", "MODIFY ")):
                kind, path = "modify", path[7:].strip()
            self._apply(lambda plan, p, a: plan_edit.move_file(plan, p, a, kind=kind), path, agent_id)

        self._ask(
            f"File to give to {agent_id}",
            move,
            hint="A path; prefix with 'create ' or 'modify ' for a file nobody owns yet.",
        )

    def action_deps(self) -> None:
        """Edit the highlighted agent's dependencies."""
        if self.plan and (agent_id := self.selected):
            current = ", ".join(self.plan.agent(agent_id).dependencies)
            self._ask(
                f"{agent_id} depends on (comma-separated agent ids)",
                lambda text: self._apply(plan_edit.set_dependencies, agent_id, _split(text)),
                value=current,
            )

    def action_criteria(self) -> None:
        """Edit the highlighted agent's validation criteria (separated by ';')."""
        if self.plan and (agent_id := self.selected):
            current = "; ".join(self.plan.agent(agent_id).validation_criteria)
            self._ask(
                f"Validation criteria of {agent_id} (separated by ;)",
                lambda text: self._apply(plan_edit.set_criteria, agent_id, _split(text, ";")),
                value=current,
            )

    def action_contracts(self) -> None:
        """Edit the highlighted agent's test contracts (separated by ',')."""
        if self.plan and (agent_id := self.selected):
            current = ", ".join(self.plan.agent(agent_id).test_contracts)
            self._ask(
                f"Test contracts of {agent_id} (comma-separated test files)",
                lambda text: self._apply(plan_edit.set_contracts, agent_id, _split(text)),
                value=current,
            )

    def action_estimate(self) -> None:
        """Edit the highlighted agent's estimate in minutes."""
        if self.plan and (agent_id := self.selected):

            def set_minutes(text: str) -> None:
                if text.strip() and not text.strip().isdigit():
                    self.notify("The estimate is a whole number of minutes.", severity="error")
                    return
                self._apply(plan_edit.set_estimate, agent_id, int(text) if text.strip() else None)

            self._ask(
                f"Estimate of {agent_id} in minutes",
                set_minutes,
                value=str(self.plan.agent(agent_id).estimated_minutes or ""),
            )

    def _has_errors(self) -> bool:
        if self.plan is None:
            self.notify("No plan yet: press n first.", severity="warning")
            return True
        if any(p.severity == "error" for p in self.problems):
            self.notify("The plan has errors (listed in red); fix them first.", severity="error")
            return True
        return False

    def action_save(self) -> None:
        """Write the plan as JSON under shared/deployment-plans/."""
        if not self._has_errors():
            self._save(self.plan)

    @work(thread=True, exclusive=True, group="plan-save", exit_on_error=False, description="Saving the plan")
    def _save(self, plan: Plan) -> None:
        path = self.service.save_plan(plan)
        self.app.call_from_thread(self._saved, str(path))

    def _saved(self, path: str) -> None:
        self.saved_to = path
        self._show()
        self.notify(f"Plan saved to {path}")

    def action_spawn(self, copy_env: bool = False) -> None:
        """Create a branch and worktree for every agent (after a confirmation), with progress and ETA.

        With ``copy_env`` the main worktree's ``.env*`` files and IDE folders are copied into each worktree;
        the confirmation says plainly that this copies secrets.
        """
        if self._has_errors():
            return
        plan = self.plan
        assert plan is not None

        def answered(yes: bool | None) -> None:
            if yes:
                self.query_one("#spawn-progress", JobProgressBar).start(
                    SPAWN_JOB, total=len(plan.agents), unit="agents"
                )
                self._spawn(plan, copy_env)

        root = self.service.paths.worktrees_root
        detail = f"Creates branches {plan.task_id}-<agent> from {self.service.paths.target} and worktrees in {root}."
        if copy_env:
            detail += (
                "\n⚠ Also copies .env files and .claude/.cursor/.vscode into every worktree: "
                "any secrets in them end up in each agent's folder."
            )
        self.app.push_screen(
            ConfirmScreen(f"Spawn {len(plan.agents)} agents?", detail, yes_label="Spawn"), answered
        )

    @work(thread=True, exclusive=True, group="plan-spawn", exit_on_error=False, description="Spawning agents")
    def _spawn(self, plan: Plan, copy_env: bool) -> None:
        if self.saved_to is None:
            self.service.save_plan(plan)
        report_step = job_reporter(
            SPAWN_JOB, lambda p: self.post_message(self.SpawnStep(p)), total=len(plan.agents), unit="agents"
        )
        report = self.service.spawn(
            plan,
            copy_env=copy_env,
            progress=lambda p: report_step(p.done, p.total, f"{p.agent_id} {p.step}"),
        )
        self.post_message(self.Spawned(report))

    @on(SpawnStep)
    def _on_spawn_step(self, message: SpawnStep) -> None:
        self.query_one("#spawn-progress", JobProgressBar).show(message.progress)

    @on(Spawned)
    def _on_spawned(self, message: Spawned) -> None:
        self.query_one("#spawn-progress", JobProgressBar).finish()
        report = message.report
        counts: dict[str, int] = {}
        for outcome in report.agents:
            counts[str(outcome.outcome)] = counts.get(str(outcome.outcome), 0) + 1
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
        failures = [f"{o.agent_id}: {o.error}" for o in report.failed]
        severity = "error" if failures else "information"
        self.notify(
            "Spawned: " + summary + ("\n" + "\n".join(failures) if failures else ""),
            severity=severity,
            timeout=10,
        )
        for warning in report.warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.app.main.refresh_workspace()  # type: ignore[attr-defined]
        ready = [o.agent_id for o in report.agents if o not in report.failed and self._ready(o.agent_id)]
        if ready and not report.cancelled:
            self._offer_start(ready)

    def _ready(self, agent_id: str) -> bool:
        """The plan lets the agent start now: no dependencies (or it says it can start immediately)."""
        agent = self.plan.agent(agent_id) if self.plan is not None else None
        return agent is not None and (not agent.dependencies or bool(agent.can_start_immediately))

    def _offer_start(self, ready: list[str]) -> None:
        program = self.service.config.agent_program
        detail = (
            f"Starts {program} (or the program each plan entry names) in its own tmux session, in each "
            f"worktree, with a first prompt from the agent's files: {', '.join(ready)}. "
            "The others wait for their dependencies: a starts one from the Agents pane."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_programs(ready)

        agents = "1 agent" if len(ready) == 1 else f"{len(ready)} agents"
        question = f"Start the programs of the {agents} ready to work?"
        self.app.push_screen(ConfirmScreen(question, detail, yes_label="Start"), answered)

    @work(thread=True, group="plan-start", exit_on_error=False, description="Starting agent programs")
    def _start_programs(self, agent_ids: list[str]) -> None:
        snapshot = self.service.load()
        started, failed = [], []
        for agent_id in agent_ids:
            try:
                self.service.start_session(snapshot, agent_id)
                started.append(agent_id)
            except CdevError as exc:
                failed.append(str(exc))
        note = f"Started {len(started)} agent programs" + (f"; {failed[0]}" if failed else "")
        self.app.call_from_thread(self.notify, note, severity="error" if failed else "information", timeout=8)
        self.app.call_from_thread(self.app.main.refresh_sessions)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed worker (bad input, git refusing) becomes a notice."""
        if event.state is WorkerState.ERROR:
            if event.worker.group == "plan-spawn":
                self.query_one("#spawn-progress", JobProgressBar).finish()
            self.notify(str(event.worker.error), title=event.worker.description, severity="error", timeout=10)

    def action_close(self) -> None:
        """Back to the dashboard."""
        self.dismiss()
