"""The Integrate screen: pre-flight, real merges into a new branch with live test output, then finish.

Nothing touches the target branch until the user presses ``f`` and confirms; a failed run leaves the
target and every agent branch as they were (the core guarantees it, this screen only asks and shows).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from rich.markdown import Markdown
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Log, Static, Switch
from textual.worker import Worker, WorkerState, get_current_worker

from cdev_tui.errors import CdevError
from cdev_tui.progress import job_reporter
from cdev_tui.widgets.confirm import ConfirmScreen
from cdev_tui.widgets.job_progress import JobProgressBar

if TYPE_CHECKING:
    from cdev_tui.progress import JobProgress
    from cdev_tui.service import WorkspaceService
    from cdev_tui.workspace import WorkspaceSnapshot


INTEGRATE_JOB = "Integrating"


class IntegrateScreen(Screen[None]):
    """Merge every finished agent into ``integration-<timestamp>``, in dependency order."""

    BINDINGS = [
        Binding("g", "start", "Start integration", id="integrate.start"),
        Binding("space", "toggle_agent", "Include / skip agent", id="integrate.toggle"),
        Binding(
            "I", "toggle_switch('allow-incomplete')", "Allow incomplete", id="integrate.allow-incomplete"
        ),
        Binding(
            "V", "toggle_switch('allow-violations')", "Allow violations", id="integrate.allow-violations"
        ),
        Binding(
            "S", "toggle_switch('override-gate')", "Override security gate", id="integrate.override-gate"
        ),
        Binding("f", "finish", "Finish into target", id="integrate.finish"),
        Binding("escape", "close", "Close / cancel", id="integrate.close"),
    ]

    class Preflight(Message):
        """Pre-flight problems and the order the merges would take."""

        def __init__(
            self, problems: list[Any], order: list[str], everyone: list[str], overridden: list[Any]
        ) -> None:
            super().__init__()
            self.problems = problems
            self.overridden = overridden
            self.order = order
            self.everyone = everyone

    class Output(Message):
        """A line of test output from one step."""

        def __init__(self, step: int, line: str) -> None:
            super().__init__()
            self.step = step
            self.line = line

    class Step(Message):
        """A step started merging, started testing, or finished (an ``integrate.StepEvent``)."""

        def __init__(self, event: Any) -> None:
            super().__init__()
            self.event = event

    class Progress(Message):
        """How far the run is (a ``JobProgress`` in agents)."""

        def __init__(self, progress: JobProgress) -> None:
            super().__init__()
            self.progress = progress

    class Done(Message):
        """The run ended (an ``integrate.IntegrationResult``) and its Markdown report."""

        def __init__(self, result: Any, report: str) -> None:
            super().__init__()
            self.result = result
            self.report = report

    def __init__(self, service: WorkspaceService, snapshot: WorkspaceSnapshot) -> None:
        super().__init__()
        self.service = service
        self.snapshot = snapshot
        self.order: list[str] = []
        self.problems: list[Any] = []
        self._refused: set[str] = set()
        self.overridden: list[Any] = []
        """Security-gate problems the user chose to override (recorded as events when the run starts)."""
        self.result: Any = None
        self.running = False
        self.skipped: set[str] = set()
        """Agents the user left out of this integration (space on a row)."""
        self.everyone: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Checking what can be integrated…", id="integrate-summary", classes="pane-summary")
        yield Static("", id="integrate-problems")
        yield JobProgressBar(id="integrate-progress", hint="escape cancels")
        with Horizontal(id="integrate-options"):
            yield Label("Tests after each merge:")
            yield Input(
                self.service.config.test_command or "", placeholder="no test command", id="test-command"
            )
            yield Label("allow violations")
            yield Switch(False, id="allow-violations")
            yield Label("allow incomplete")
            yield Switch(False, id="allow-incomplete")
            yield Label("override security gate")
            yield Switch(False, id="override-gate")
        table: DataTable[Text | str] = DataTable(id="steps-table", cursor_type="row")
        table.add_columns("#", "Agent", "Merge", "Tests", "Time", "Notes")
        yield table
        yield Log(id="integrate-log", highlight=False)
        with VerticalScroll(id="integrate-report-scroll"):
            yield Static("", id="integrate-report")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Integrate"
        self.sub_title = f"into a new branch from {self.snapshot.paths.target}"
        self.query_one("#steps-table", DataTable).focus()  # letter keys act; tab reaches the options
        self.query_one("#integrate-report-scroll").display = False
        self._run_preflight()

    # -- pre-flight ----------------------------------------------------------------------------------

    @on(Switch.Changed)
    def _options_changed(self) -> None:
        if not self.running:
            self._run_preflight()

    @work(
        thread=True, exclusive=True, group="preflight", exit_on_error=False, description="Pre-flight checks"
    )
    def _run_preflight(self) -> None:
        from cdev_tui.integrate import integration_order, preflight, select_agents

        everyone = select_agents(self.snapshot)
        chosen = [a for a in everyone if a not in self.skipped]
        problems = (
            preflight(
                self.snapshot,
                agents=chosen if self.skipped else None,
                allow_violations=self.query_one("#allow-violations", Switch).value,
                allow_incomplete=self.query_one("#allow-incomplete", Switch).value,
                gate=self.service.security_gate(),
            )
            if chosen
            else []
        )
        override = self.query_one("#override-gate", Switch).value
        overridden = [p for p in problems if p.kind == "security"] if override else []
        problems = [p for p in problems if p not in overridden]
        try:
            order = list(integration_order(self.snapshot, chosen if self.skipped else None)) if chosen else []
        except CdevError:
            order = []
        self.post_message(self.Preflight(problems, order, everyone, overridden))

    @on(Preflight)
    def _show_preflight(self, message: Preflight) -> None:
        self.problems, self.order, self.everyone = message.problems, message.order, message.everyone
        self.overridden = message.overridden
        summary = Text()
        summary.append(f"{len(self.order)} agents", style="bold")
        summary.append(f" would merge into a new integration branch from {self.snapshot.paths.target}: ")
        summary.append(" → ".join(self.order) or "nothing to merge", style="bold")
        if self.skipped:
            summary.append(f"\nSkipped (space): {', '.join(sorted(self.skipped))}", style="yellow")
        summary.append(
            "\nThe target branch changes only when you finish (f) and confirm. Space skips or includes an agent; "
            "a conflict opens the merge editor.",
            style="dim",
        )
        self.query_one("#integrate-summary", Static).update(summary)
        problems = Text()
        for problem in self.problems:
            problems.append(f"✕ {problem.message}\n", style="red")
            if problem.kind == "security":
                problems.append(
                    "  accept it in the Security pane (b), or override the gate (S, recorded)\n", style="dim"
                )
        for problem in self.overridden:
            problems.append(f"⚠ overridden: {problem.message}\n", style="yellow")
        if not self.problems and self.order:
            problems.append("Pre-flight passed: press g to start.", style="green")
        self.query_one("#integrate-problems", Static).update(problems)
        table = self.query_one("#steps-table", DataTable)
        table.clear()
        for number, agent in enumerate(self.order, start=1):
            table.add_row(str(number), agent, "waiting", "-", "-", "", key=agent)
        for agent in self.everyone:
            if agent in self.skipped:
                table.add_row(
                    "-",
                    Text(agent, style="dim strike"),
                    Text("skipped", style="dim"),
                    "-",
                    "-",
                    "",
                    key=agent,
                )

    def action_toggle_switch(self, switch: str) -> None:
        """Flip one of the pre-flight allowances (the switches next to the test command)."""
        if not self.running and self.result is None:
            self.query_one(f"#{switch}", Switch).toggle()

    def action_toggle_agent(self) -> None:
        """Leave the highlighted agent out of this integration, or take it back in."""
        if self.running or self.result is not None:
            return
        table = self.query_one("#steps-table", DataTable)
        if not table.row_count:
            return
        agent = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if agent is None:
            return
        self.skipped ^= {agent}
        self._run_preflight()

    # -- the run ---------------------------------------------------------------------------------------

    def action_start(self) -> None:
        """Ask, then merge every agent in order."""
        if self.running:
            return
        if self.problems or not self.order:
            # Agents the security gate keeps out count in the merge figures, once per agent on this screen.
            refused = [p for p in self.problems if p.kind == "security" and p.agent not in self._refused]
            self.service.record_refused(refused)
            self._refused.update(p.agent for p in refused)
            self.notify("Fix the pre-flight problems first (or allow them).", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                if self.overridden:
                    self.service.record_gate_override(
                        [p.message for p in self.overridden], "integrate screen"
                    )
                self.running = True
                self.query_one("#integrate-log", Log).clear()
                self.query_one("#integrate-problems", Static).update("")
                self.query_one("#integrate-progress", JobProgressBar).start(
                    INTEGRATE_JOB, total=len(self.order), unit="agents"
                )
                self._run_integration(self.query_one("#test-command", Input).value.strip() or None)

        self.app.push_screen(
            ConfirmScreen(
                f"Merge {len(self.order)} agents into a new integration branch?",
                f"Order: {' → '.join(self.order)}. {self.snapshot.paths.target} is not touched.",
                yes_label="Integrate",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="integrate", exit_on_error=False, description="Integrating")
    def _run_integration(self, test_command: str | None) -> None:
        worker = get_current_worker()
        progress = job_reporter(
            INTEGRATE_JOB, lambda p: self.post_message(self.Progress(p)), total=len(self.order), unit="agents"
        )
        result = self.service.integrate(
            self.snapshot,
            order=self.order,
            test_command=test_command,
            on_output=lambda step, line: self.post_message(self.Output(step, line)),
            on_step=lambda event: self.post_message(self.Step(event)),
            cancel=lambda: worker.is_cancelled,
            resolver=lambda stop: self._resolve_in_editor(stop, lambda: worker.is_cancelled),
            progress=progress,
        )
        try:
            report = result.report_md.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            report = f"(the report could not be read: {exc.strerror})"
        self.post_message(self.Done(result, report))

    def _resolve_in_editor(self, stop: Any, cancelled: Any) -> bool:
        """From the integration worker: offer the merge editor on the conflicted step and wait for it."""
        answered = threading.Event()
        outcome: list[bool] = [False]

        def finished(result: bool | None) -> None:
            outcome[0] = bool(result)
            answered.set()

        def offer() -> None:
            def decided(yes: bool | None) -> None:
                if not yes:
                    finished(False)
                    return
                purpose = f"integration step {stop.index + 1} of {stop.total}: {stop.agent}"
                self.app.open_merge_editor(  # type: ignore[attr-defined]
                    stop.worktree,
                    then=finished,
                    purpose=purpose,
                    leave_note="The integration stops at this step; the hunks you wrote are learned and "
                    "offered again next time.",
                    gate=False,
                )

            self.app.push_screen(
                ConfirmScreen(
                    f"Merging {stop.agent} conflicts in {', '.join(stop.files)}.",
                    "Resolve it in the merge editor? Once you conclude the merge there, the tests run and the "
                    "integration goes on. No stops the integration here, as without the editor.",
                    yes_label="Resolve",
                ),
                decided,
            )

        self.app.call_from_thread(offer)
        while not answered.wait(0.1):
            if cancelled():
                return False
        return outcome[0]

    @on(Progress)
    def _on_progress(self, message: Progress) -> None:
        if self.running:
            self.query_one("#integrate-progress", JobProgressBar).show(message.progress)

    @on(Output)
    def _on_output(self, message: Output) -> None:
        agent = self.order[message.step] if 0 <= message.step < len(self.order) else "?"
        self.query_one("#integrate-log", Log).write_line(f"[{agent}] {message.line}")

    @on(Step)
    def _on_step(self, message: Step) -> None:
        event = message.event
        table = self.query_one("#steps-table", DataTable)
        if event.agent not in {row.value for row in table.rows}:
            return
        if event.phase == "merging":
            table.update_cell(
                event.agent, table.ordered_columns[2].key, Text("merging…", style="yellow"), update_width=True
            )
        elif event.phase == "resolving":
            table.update_cell(
                event.agent,
                table.ordered_columns[2].key,
                Text("resolving…", style="bold yellow"),
                update_width=True,
            )
        elif event.phase == "testing":
            table.update_cell(
                event.agent, table.ordered_columns[2].key, Text("merged", style="green"), update_width=True
            )
            table.update_cell(
                event.agent, table.ordered_columns[3].key, Text("running…", style="yellow"), update_width=True
            )
        elif event.result is not None:
            self._show_step(table, event.result)

    def _show_step(self, table: DataTable, step: Any) -> None:
        columns = [c.key for c in table.ordered_columns]
        if step.merged and step.resolved_files:
            merge = Text(f"merged, resolved {', '.join(step.resolved_files)}", style="green")
        elif step.merged:
            merge = Text("merged", style="green")
        elif step.conflicted_files:
            merge = Text(f"conflict: {', '.join(step.conflicted_files)}", style="bold red")
        else:
            merge = Text("not merged", style="red")
        tests = {
            True: Text("passed", style="green"),
            False: Text("FAILED", style="bold red"),
            None: Text("-"),
        }
        table.update_cell(step.agent, columns[2], merge, update_width=True)
        table.update_cell(step.agent, columns[3], tests[step.test_passed], update_width=True)
        table.update_cell(step.agent, columns[4], f"{step.seconds:.1f}s", update_width=True)
        table.update_cell(step.agent, columns[5], step.message, update_width=True)

    @on(Done)
    def _on_done(self, message: Done) -> None:
        self.running = False
        self.query_one("#integrate-progress", JobProgressBar).finish()
        self.result = result = message.result
        self.query_one("#integrate-problems", Static).update("")
        summary = Text()
        if result.ok:
            summary.append(f"{result.branch} is ready", style="bold green")
            summary.append(f": every agent merged and tested. Press f to merge it into {result.target}.")
        else:
            summary.append(f"{result.branch} stopped", style="bold red")
            summary.append(f": {result.stopped_reason}. {result.target} is untouched.")
        summary.append(f"\nReport: {result.report_md}", style="dim")
        self.query_one("#integrate-summary", Static).update(summary)
        self.query_one("#integrate-report", Static).update(Markdown(message.report))
        self.query_one("#integrate-report-scroll").display = True
        self.app.main.refresh_workspace()  # type: ignore[attr-defined]

    def action_finish(self) -> None:
        """Merge the finished integration branch into the target, after a confirmation."""
        result = self.result
        if result is None or not result.ok:
            self.notify("Finish is available after a successful integration.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._finish(result.branch)

        self.app.push_screen(
            ConfirmScreen(
                f"Merge {result.branch} into {result.target}?",
                "This changes the target branch in your main worktree.",
                yes_label="Merge into target",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, group="finish", exit_on_error=False, description="Finishing")
    def _finish(self, branch: str) -> None:
        commit = self.service.finish_integration(branch)
        self.app.call_from_thread(self.notify, f"{branch} merged into the target at {commit[:8]}", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Failures become a notice and the run state resets; never a crash."""
        if event.state is WorkerState.ERROR:
            self.running = False
            self.query_one("#integrate-progress", JobProgressBar).finish()
            self.notify(str(event.worker.error), title=event.worker.description, severity="error", timeout=10)

    def action_close(self) -> None:
        """Cancel a running integration (it stops between steps), or close the screen."""
        if self.running:
            for worker in self.workers:
                if worker.group == "integrate":
                    worker.cancel()
            self.notify("Cancelling after the current step…")
            return
        self.dismiss()
