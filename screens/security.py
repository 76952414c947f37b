"""The Security pane: secrets in every worktree (one row per secret, every place it appears, always masked),
vulnerable dependencies, and file hygiene problems.

Keys come from the command registry (scope ``security``): search, group, severity filter, reveal, open in
``$EDITOR``, accept into the baseline, allow a rule for a path. The pane draws and asks; the main screen runs
the scans and the baseline writes in workers and hands results back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from cdev_tui.commands import scoped
from cdev_tui.screens.pane import Pane
from cdev_tui.security.rows import (
    GROUPINGS,
    SEVERITY_FLOORS,
    DependencyRow,
    FindingRow,
    dedupe,
    dependency_rows,
    grouped,
)
from cdev_tui.widgets.cells import SEVERITY_STYLES
from cdev_tui.widgets.job_progress import JobProgressBar

if TYPE_CHECKING:
    from cdev_tui.progress import JobProgress
    from cdev_tui.security.context import ContextLine
    from cdev_tui.security.deps import DepsReport
    from cdev_tui.security.model import ScanReport
    from cdev_tui.security.ruleset import RuleSet

_DEP_STYLES = {"critical": "bold white on red", **SEVERITY_STYLES, "unknown": "dim"}


class SecurityPane(Pane):
    """Findings of the secret scanner, vulnerable dependencies and the hygiene checks."""

    BINDINGS = [
        Binding(c.keys, c.action, c.title, show=c.show_in_footer, id=c.id) for c in scoped("security")
    ]

    class AcceptRequested(Message):
        """Record ``row``'s secret in the main worktree's baseline with ``reason``."""

        def __init__(self, row: FindingRow, reason: str) -> None:
            super().__init__()
            self.row = row
            self.reason = reason

    class AdvisoryAcceptRequested(Message):
        """Accept a dependency advisory for one package in the baseline, with ``reason``."""

        def __init__(self, advisory: str, package: str, reason: str) -> None:
            super().__init__()
            self.advisory = advisory
            self.package = package
            self.reason = reason

    class AllowRequested(Message):
        """Stop reporting ``rule_id`` in files matching ``glob``, for ``reason``."""

        def __init__(self, rule_id: str, glob: str, reason: str) -> None:
            super().__init__()
            self.rule_id = rule_id
            self.glob = glob
            self.reason = reason

    class HistoryRequested(Message):
        """Scan the repository's history (or cancel the scan running)."""

    class _ContextRead(Message):
        def __init__(self, fingerprint: str, revealed: bool, lines: list[ContextLine]) -> None:
            super().__init__()
            self.fingerprint = fingerprint
            self.revealed = revealed
            self.lines = lines

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report: ScanReport | None = None
        self.ruleset: RuleSet | None = None
        self.rows: list[FindingRow] = []
        self.grouping = GROUPINGS[0]
        self.floor = SEVERITY_FLOORS[0]
        self.search = ""
        self.revealed: str | None = None  # fingerprint of the finding shown unmasked, if any
        self._by_key: dict[str, FindingRow] = {}
        self._dependency_rows: dict[str, DependencyRow] = {}

    def compose(self) -> ComposeResult:
        yield Static("Scanning worktrees for secrets…", id="security-summary", classes="pane-summary")
        yield JobProgressBar(id="security-progress")
        search = Input(
            placeholder="search rule, agent or path (enter: keep, escape: clear)", id="security-search"
        )
        search.display = False
        yield search
        findings: DataTable[Text | str] = DataTable(
            id="findings-table", cursor_type="row", zebra_stripes=True
        )
        findings.add_columns("Severity", "Rule", "Agents", "Where", "Secret (masked)")
        yield findings
        yield Static("", id="finding-detail")
        yield Static("History", classes="section-title", id="history-title")
        yield Static("", id="history-summary", classes="dim")
        yield JobProgressBar(id="history-progress", hint="H again cancels")
        history: DataTable[Text | str] = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        history.add_columns("Severity", "Rule", "Commit", "Date", "Where", "Secret (masked)")
        yield history
        yield Static("Dependencies", classes="section-title")
        yield Static("", id="deps-summary", classes="dim")
        deps: DataTable[Text | str] = DataTable(id="deps-table", cursor_type="row", zebra_stripes=True)
        deps.add_columns("Severity", "Package", "Version", "Advisory", "Fixed in", "Where")
        yield deps
        yield Static("Hygiene", classes="section-title")
        hygiene: DataTable[Text | str] = DataTable(id="hygiene-table", cursor_type="row", zebra_stripes=True)
        hygiene.add_columns("Severity", "Check", "File", "Problem")
        yield hygiene

    # -- results from the main screen --------------------------------------------------------------

    def show_progress(self, progress: JobProgress) -> None:
        """A secret scan running: its progress line (the summary keeps the last results meanwhile)."""
        self.query_one("#security-progress", JobProgressBar).show(progress)

    def use_ruleset(self, ruleset: RuleSet) -> None:
        """The rules the scan used: the detail view masks context lines with the same rules."""
        self.ruleset = ruleset

    def show_report(self, report: ScanReport) -> None:
        """Show a :class:`cdev_tui.security.ScanReport`."""
        self.query_one("#security-progress", JobProgressBar).finish()
        self.report = report
        self.rows = dedupe(report.findings)
        if self.revealed and self.revealed not in {r.fingerprint for r in self.rows}:
            self.revealed = None
        self._fill_findings()
        hygiene = self.query_one("#hygiene-table", DataTable)
        hygiene.clear()
        for issue in report.hygiene:
            hygiene.add_row(
                Text(issue.severity, style=SEVERITY_STYLES.get(issue.severity, "")),
                issue.check,
                f"{issue.root_label}: {issue.path}" if issue.root_label not in ("", "main") else issue.path,
                issue.message,
            )
        self._show_summary()

    def show_deps(self, report: DepsReport) -> None:
        """Show a dependency scan: vulnerable packages (one row per package version and advisory)."""
        table = self.query_one("#deps-table", DataTable)
        table.clear()
        rows = dependency_rows(report.vulnerable)
        self._dependency_rows = {}
        for row in rows:
            key = f"{row.ecosystem}\0{row.package}\0{row.version}\0{row.advisory}"
            self._dependency_rows[key] = row
            places = ", ".join(dict.fromkeys(f"{p.root_label}: {p.path}:{p.line}" for p in row.places))
            table.add_row(
                Text(row.severity, style=_DEP_STYLES.get(row.severity, "")),
                row.package,
                row.version,
                row.advisory,
                row.fixed or "-",
                places,
                key=key,
            )
        summary = Text()
        if not report.db_present:
            summary.append(f"No OSV database at {report.db_dir}: ", style="yellow")
            summary.append(
                "run `cdev-tui scan --deps --update-db` where a network exists (secrets scanning goes on)."
            )
        else:
            count = len(rows)
            summary.append(
                f"{count} vulnerable package version{'s' if count != 1 else ''}",
                style="bold red" if count else "bold green",
            )
            summary.append(f" in {len(report.dependencies)} pinned dependencies")
            if report.accepted:
                summary.append(f" · {len(report.accepted)} accepted in the baseline", style="dim")
            if report.unpinned:
                summary.append(f" · {report.unpinned} unpinned (not checked)", style="dim")
            if rows:
                summary.append(" · b on a row accepts an advisory with a reason", style="dim")
        for path, reason in report.problems[:3]:
            summary.append(f"\n{path}: {reason}", style="red")
        self.query_one("#deps-summary", Static).update(summary)

    def on_mount(self) -> None:
        # Pane.on_mount runs too (Textual calls the handler of every class in the MRO)
        for widget in ("#history-title", "#history-summary", "#history-table"):
            self.query_one(widget).display = False

    def _show_history_section(self) -> None:
        for widget in ("#history-title", "#history-summary", "#history-table"):
            self.query_one(widget).display = True

    def show_history_progress(self, progress: JobProgress) -> None:
        """A history scan running: its progress line (the summary keeps the last results meanwhile)."""
        self._show_history_section()
        self.query_one("#history-progress", JobProgressBar).show(progress)

    def show_history(self, report: ScanReport) -> None:
        """Show a history scan: every secret ever committed, at the commit that added it."""
        self._show_history_section()
        self.query_one("#history-progress", JobProgressBar).finish()
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for finding in sorted(report.findings, key=lambda f: (f.author_date, f.path, f.line)):
            table.add_row(
                Text(finding.severity, style=SEVERITY_STYLES.get(finding.severity, "")),
                finding.description,
                finding.commit[:10],
                finding.author_date[:10],
                f"{finding.path}:{finding.line}",
                Text(finding.masked, style="bold"),
            )
        count = len(report.findings)
        summary = Text()
        state = "cancelled after" if report.cancelled else "in"
        summary.append(
            f"{count} secret{'s' if count != 1 else ''} in the history",
            style="bold red" if count else "bold green",
        )
        summary.append(
            f" · {report.files_scanned} file versions ({report.files_from_cache} from the cache) "
            f"{state} {report.seconds:.1f}s"
        )
        if report.accepted:
            summary.append(f" · {len(report.accepted)} accepted in the baseline", style="dim")
        summary.append(" · still in the history after removal: rotate them", style="dim")
        self.query_one("#history-summary", Static).update(summary)

    def action_scan_history(self) -> None:
        """Scan every commit of the repository in the background (again: cancel)."""
        self.post_message(self.HistoryRequested())

    def show_error(self, message: str) -> None:
        """Show why the scan failed."""
        for line in self.query(JobProgressBar):
            line.finish()
        self.query_one("#security-summary", Static).update(Text(message, style="red"))

    # -- drawing -------------------------------------------------------------------------------------

    def _fill_findings(self) -> None:
        table = self.query_one("#findings-table", DataTable)
        keep = self.selected_row
        table.clear()
        self._by_key = {}
        for name, rows in grouped(self.rows, self.grouping, self.search, self.floor):
            if self.grouping != "none":
                label = Text(f"▸ {name} ({len(rows)})", style="bold")
                table.add_row("", label, "", "", "", key=f"group:{name}")
            for row in rows:
                where = row.first.where + (f" +{len(row.places) - 1}" if len(row.places) > 1 else "")
                key = f"{name}\0{row.fingerprint}"
                self._by_key[key] = row
                table.add_row(
                    Text(row.severity, style=SEVERITY_STYLES.get(row.severity, "")),
                    row.description,
                    ", ".join(row.agents),
                    where,
                    Text(row.masked, style="bold"),
                    key=key,
                )
        if keep is not None:
            for index, (_key, row) in enumerate(self._keys()):
                if row is not None and row.fingerprint == keep.fingerprint:
                    table.move_cursor(row=index)
                    break
        elif table.row_count > 1 and self.grouping != "none":
            table.move_cursor(row=1)
        self._show_detail()

    def _keys(self) -> list[tuple[str, FindingRow | None]]:
        table = self.query_one("#findings-table", DataTable)
        return [(str(key.value), self._by_key.get(str(key.value))) for key in table.rows]

    def _show_summary(self) -> None:
        report = self.report
        if report is None:
            return
        summary = Text()
        count = len(self.rows)
        summary.append(
            f"{count} secret{'s' if count != 1 else ''} found", style="bold red" if count else "bold green"
        )
        places = len(report.findings)
        if places != count:
            summary.append(f" ({places} places)")
        if report.accepted:
            accepted = len({finding.fingerprint for finding, _ in report.accepted})
            summary.append(f"  ·  {accepted} accepted in the baseline", style="dim")
        summary.append(
            f"  ·  {len(report.hygiene)} hygiene issues  ·  {report.files_scanned} files"
            f" ({report.files_from_cache} unchanged since the last scan), "
            f"{report.bytes_scanned / 1e6:.1f} MB in {report.seconds:.2f}s over {len(report.roots)} worktrees"
        )
        if report.skipped:
            summary.append(f"  ·  {len(report.skipped)} skipped", style="dim")
        summary.append(f"\n{report.rules}", style="dim")
        view = [f"grouped by {self.grouping}"]
        if self.floor != "all":
            view.append(f"{self.floor} and above")
        if self.search:
            view.append(f"matching “{self.search}”")
        summary.append(f" · {', '.join(view)}", style="dim")
        self.query_one("#security-summary", Static).update(summary)

    @property
    def selected_row(self) -> FindingRow | None:
        """The finding under the cursor (None on a group header or an empty table)."""
        table = self.query_one("#findings-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._by_key.get(str(key))

    def _show_detail(self) -> None:
        row = self.selected_row
        detail = self.query_one("#finding-detail", Static)
        if row is None:
            detail.update("")
            return
        detail.update(self._detail(row, None))
        root = self._root(row.first.root_label)
        if root is not None:
            self._read_context(row, root, self.revealed == row.fingerprint)

    def _detail(self, row: FindingRow, lines: list[ContextLine] | None) -> Group:
        head = Text()
        head.append(f"{row.description}", style="bold")
        head.append(f"  {row.rule_id} · {row.severity}", style="dim")
        if self.revealed == row.fingerprint:
            head.append("  REVEALED (R to mask)", style="bold white on red")
        parts: list[Any] = [head]
        rule = self._rule(row.rule_id)
        if rule is not None and rule.help:
            parts.append(Text(rule.help, style="italic"))
        places = Text("In: ", style="dim")
        places.append(", ".join(f"{p.root_label}: {p.where}" for p in row.places[:6]))
        if len(row.places) > 6:
            places.append(f" and {len(row.places) - 6} more", style="dim")
        parts.append(places)
        for line in lines or ():
            text = Text(f"{line.number:>5} {'▶' if line.is_finding else ' '} ", style="dim")
            text.append(line.text, style="bold" if line.is_finding else "")
            parts.append(text)
        return Group(*parts)

    def _rule(self, rule_id: str) -> Any:
        if self.ruleset is None:
            from cdev_tui.security.ruleset import DEFAULT_RULESET

            self.ruleset = DEFAULT_RULESET
        return next((r for r in self.ruleset.rules if r.id == rule_id), None)

    def _root(self, label: str) -> Path | None:
        if self.report is None or label not in self.report.root_paths:
            return None
        return Path(self.report.root_paths[label])

    @work(thread=True, group="security-context", exclusive=True, exit_on_error=False)
    def _read_context(self, row: FindingRow, root: Path, reveal: bool) -> None:
        from cdev_tui.security.context import finding_context
        from cdev_tui.security.ruleset import DEFAULT_RULESET

        lines = finding_context(root, row.findings[0], self.ruleset or DEFAULT_RULESET, reveal=reveal)
        self.post_message(self._ContextRead(row.fingerprint, reveal, lines))

    @on(_ContextRead)
    def _context_read(self, message: _ContextRead) -> None:
        row = self.selected_row
        if row is None or row.fingerprint != message.fingerprint:
            return
        if message.revealed and self.revealed != row.fingerprint:
            return  # masked again before the file was read
        self.query_one("#finding-detail", Static).update(self._detail(row, message.lines))

    @on(DataTable.RowHighlighted, "#findings-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        row = self._by_key.get(str(event.row_key.value))
        if row is None or row.fingerprint != self.revealed:
            self.revealed = None
        self._show_detail()

    # -- actions -------------------------------------------------------------------------------------

    def action_start_search(self) -> None:
        """Show the search box."""
        search = self.query_one("#security-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#security-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search = event.value.strip()
        self._fill_findings()
        self._show_summary()

    @on(Input.Submitted, "#security-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        search = self.query_one("#security-search", Input)
        search.display = bool(self.search)
        self.query_one("#findings-table", DataTable).focus()

    def key_escape(self) -> bool | None:
        search = self.query_one("#security-search", Input)
        if search.has_focus or search.display:
            search.value = ""
            search.display = False
            self.query_one("#findings-table", DataTable).focus()
            return True
        return None

    def action_cycle_grouping(self) -> None:
        """Group by agent, severity, rule, or not at all."""
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self._fill_findings()
        self._show_summary()
        self.notify(f"Findings grouped by {self.grouping}.", timeout=2)

    def action_cycle_floor(self) -> None:
        """Show all findings, medium and above, or high only."""
        self.floor = SEVERITY_FLOORS[(SEVERITY_FLOORS.index(self.floor) + 1) % len(SEVERITY_FLOORS)]
        self._fill_findings()
        self._show_summary()

    def action_toggle_reveal(self) -> None:
        """Show the highlighted finding's line unmasked, or mask it again."""
        row = self.selected_row
        if row is None:
            self.notify("No finding highlighted.", severity="warning")
            return
        self.revealed = None if self.revealed == row.fingerprint else row.fingerprint
        self._show_detail()

    def action_open_in_editor(self) -> None:
        """Open the highlighted finding's file in ``$EDITOR`` at its line."""
        import subprocess

        from cdev_tui.actions import editor_argv
        from cdev_tui.errors import CdevError

        row = self.selected_row
        root = self._root(row.first.root_label) if row is not None else None
        if row is None or root is None:
            self.notify("No finding highlighted.", severity="warning")
            return
        try:
            argv = [*editor_argv(), f"+{row.first.line}", str(root / row.first.path)]
            with self.app.suspend():
                subprocess.run(argv, cwd=root, check=False)
        except CdevError as exc:
            self.notify(str(exc), severity="error")
        except FileNotFoundError as exc:
            self.notify(f"{exc.filename}: command not found (set $EDITOR)", severity="error")

    def action_accept_finding(self) -> None:
        """Ask why, then record the highlighted secret in the baseline (it clears in every worktree)."""
        from cdev_tui.widgets.prompt import PromptScreen

        deps = self.query_one("#deps-table", DataTable)
        if deps.has_focus:
            self._accept_advisory(deps)
            return
        row = self.selected_row
        if row is None:
            self.notify("No finding highlighted.", severity="warning")
            return

        def answered(reason: str | None) -> None:
            if reason is not None and reason.strip():
                self.post_message(self.AcceptRequested(row, reason.strip()))
            elif reason is not None:
                self.notify("Not accepted: a reason is needed.", severity="warning")

        places = ", ".join(row.agents)
        self.app.push_screen(
            PromptScreen(
                f"Accept {row.description} {row.masked} ({places}) into the baseline: why?",
                hint="Recorded with your name and the date in .cdev/secrets-baseline.json; "
                "the secret itself is never written there. Escape cancels.",
                placeholder="e.g. test fixture, revoked, public demo key",
            ),
            answered,
        )

    def _accept_advisory(self, table: DataTable) -> None:
        from cdev_tui.widgets.prompt import PromptScreen

        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        row = self._dependency_rows.get(str(key))
        if row is None:
            return

        def answered(reason: str | None) -> None:
            if reason is not None and reason.strip():
                self.post_message(self.AdvisoryAcceptRequested(row.advisory, row.package, reason.strip()))
            elif reason is not None:
                self.notify("Not accepted: a reason is needed.", severity="warning")

        fixed = f" (fixed in {row.fixed})" if row.fixed else ""
        self.app.push_screen(
            PromptScreen(
                f"Accept {row.advisory} for {row.package} {row.version}{fixed}: why?",
                hint="Recorded in .cdev/secrets-baseline.json with your name and the date; the merge gate then "
                "lets it through. Escape cancels.",
                placeholder="e.g. the vulnerable code path is not used; upgrade scheduled",
            ),
            answered,
        )

    def action_allow_rule(self) -> None:
        """Ask for a path glob and a reason, then stop reporting the highlighted rule there."""
        from cdev_tui.widgets.prompt import PromptScreen

        row = self.selected_row
        if row is None:
            self.notify("No finding highlighted.", severity="warning")
            return
        folder = row.first.path.rpartition("/")[0]
        suggestion = f"{folder}/**" if folder else row.first.path

        def glob_given(glob: str | None) -> None:
            if not glob or not glob.strip():
                return

            def reason_given(reason: str | None) -> None:
                if reason and reason.strip():
                    self.post_message(self.AllowRequested(row.rule_id, glob.strip(), reason.strip()))
                elif reason is not None:
                    self.notify("Not allowed: a reason is needed.", severity="warning")

            self.app.push_screen(
                PromptScreen(
                    f"Allow {row.rule_id} in {glob.strip()}: why?", placeholder="e.g. test fixtures"
                ),
                reason_given,
            )

        self.app.push_screen(
            PromptScreen(
                f"Allow {row.description} ({row.rule_id}) in files matching:",
                value=suggestion,
                hint="A glob relative to the worktree root (** spans folders). Escape cancels.",
            ),
            glob_given,
        )
