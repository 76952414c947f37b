"""The Security pane: secrets found in any worktree (always masked) and file hygiene problems."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cdev_tui.screens.pane import Pane
from cdev_tui.widgets.cells import SEVERITY_STYLES


class SecurityPane(Pane):
    """Findings of the secret scanner and the hygiene checks."""

    def compose(self) -> ComposeResult:
        yield Static("Scanning worktrees for secrets…", id="security-summary", classes="pane-summary")
        findings: DataTable[Text | str] = DataTable(
            id="findings-table", cursor_type="row", zebra_stripes=True
        )
        findings.add_columns("Severity", "Rule", "Where", "File", "Secret (masked)")
        yield findings
        yield Static("Hygiene", classes="section-title")
        hygiene: DataTable[Text | str] = DataTable(id="hygiene-table", cursor_type="row", zebra_stripes=True)
        hygiene.add_columns("Severity", "Check", "File", "Problem")
        yield hygiene

    def show_progress(self, done: int, total: int) -> None:
        """Scan progress."""
        self.query_one("#security-summary", Static).update(
            Text(f"Scanning… {done}/{total} files", style="dim")
        )

    def show_report(self, report: Any) -> None:
        """Show a :class:`cdev_tui.security.ScanReport`."""
        findings = self.query_one("#findings-table", DataTable)
        findings.clear()
        for finding in sorted(
            report.findings, key=lambda f: (f.severity != "high", f.root_label, f.path, f.line)
        ):
            findings.add_row(
                Text(finding.severity, style=SEVERITY_STYLES.get(finding.severity, "")),
                finding.description,
                finding.root_label,
                f"{finding.path}:{finding.line}",
                Text(finding.masked, style="bold"),
            )
        hygiene = self.query_one("#hygiene-table", DataTable)
        hygiene.clear()
        for issue in report.hygiene:
            hygiene.add_row(
                Text(issue.severity, style=SEVERITY_STYLES.get(issue.severity, "")),
                issue.check,
                issue.path,
                issue.message,
            )
        summary = Text()
        count = len(report.findings)
        summary.append(
            f"{count} secret{'s' if count != 1 else ''} found", style="bold red" if count else "bold green"
        )
        summary.append(
            f"  ·  {len(report.hygiene)} hygiene issues  ·  {report.files_scanned} files, "
            f"{report.bytes_scanned / 1e6:.1f} MB in {report.seconds:.2f}s over {len(report.roots)} worktrees"
        )
        if report.skipped:
            summary.append(f"  ·  {len(report.skipped)} skipped", style="dim")
        self.query_one("#security-summary", Static).update(summary)

    def show_error(self, message: str) -> None:
        """Show why the scan failed."""
        self.query_one("#security-summary", Static).update(Text(message, style="red"))
