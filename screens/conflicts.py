"""The Conflicts pane: predicted conflicts between agents and against the target, and a safe merge order."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cdev_tui.screens.pane import Pane


class ConflictsPane(Pane):
    """Pairwise predictions from real ``git merge-tree`` runs, uncommitted work included."""

    def compose(self) -> ComposeResult:
        yield Static("Predicting conflicts…", id="conflicts-summary", classes="pane-summary")
        table: DataTable[Text | str] = DataTable(id="conflicts-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Between", "Verdict", "Conflicting files", "Also changed on both sides")
        yield table

    def show_pending(self) -> None:
        """Say that a prediction is running."""
        self.query_one("#conflicts-summary", Static).update(Text("Predicting conflicts…", style="dim"))

    def show_report(self, report: Any) -> None:
        """Show a :class:`cdev_tui.conflicts.ConflictReport`."""
        table = self.query_one("#conflicts-table", DataTable)
        table.clear()
        rows = sorted([*report.pairs, *report.vs_target], key=lambda p: (not p.conflicts, p.a, p.b))
        for pair in rows:
            table.add_row(
                Text(f"{pair.a} × {pair.b}", style="bold"),
                _verdict(pair),
                Text(", ".join(pair.conflicted_files) or "-", style="red" if pair.conflicts else "dim"),
                Text(
                    ", ".join(f for f in pair.overlapping_files if f not in pair.conflicted_files) or "-",
                    style="dim",
                ),
            )
        conflicting = sum(1 for p in rows if p.conflicts)
        summary = Text()
        summary.append(f"{conflicting} conflicting", style="bold red" if conflicting else "bold green")
        summary.append(f" of {len(rows)} checked in {report.seconds:.2f}s\n")
        summary.append("Merge order: ", style="bold")
        summary.append(" → ".join(report.merge_order) or "-")
        for a, b in report.merge_order_conflicts:
            summary.append(f"\n  merging {b} will need a resolution against {a}", style="yellow")
        for overlap in report.declared_overlaps:
            summary.append(
                f"\nplan gives {', '.join(overlap.files)} to both {overlap.a} and {overlap.b}", style="yellow"
            )
        for error in report.errors:
            summary.append(f"\n{error}", style="red")
        self.query_one("#conflicts-summary", Static).update(summary)

    def show_error(self, message: str) -> None:
        """Show why the prediction failed."""
        self.query_one("#conflicts-summary", Static).update(Text(message, style="red"))


def _verdict(pair: Any) -> Text:
    if pair.uncommitted_only:
        return Text("conflict (uncommitted work)", style="bold yellow")
    if pair.conflicts:
        return Text("conflict", style="bold red")
    if pair.overlapping_files:
        return Text("merges cleanly, overlap", style="cyan")
    return Text("clean", style="green")
