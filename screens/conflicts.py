"""The Conflicts pane: the agents-by-agents matrix (the target as its own column), the selected cell's files
with their conflict hunks, and the merge order with the reason for each step.

Predictions come from real ``git merge-tree`` runs, uncommitted work included; the pane only draws them.
Hunk counts are read on demand for the selected cell, in a thread worker, and kept per pair of commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from cdev_tui.screens.pane import Pane
from cdev_tui.widgets.cells import age_text
from cdev_tui.widgets.conflict_matrix import (
    ConflictMatrix,
    MatrixCell,
    all_agents,
    involved_agents,
    legend,
    matrix_agents,
)
from cdev_tui.widgets.job_progress import JobProgressBar

if TYPE_CHECKING:
    from cdev_tui.conflicts.hunk_counts import FileHunks
    from cdev_tui.conflicts.report import ConflictReport, SideCommits
    from cdev_tui.progress import JobProgress

HunkCounter = Callable[[Path, "SideCommits", "SideCommits", Sequence[str]], "list[FileHunks]"]
_HunkKey = tuple[tuple[str, str], tuple[str, str], tuple[str, ...]]
COUNTING = "counting…"
PREDICT_JOB = "Predicting conflicts"


class ConflictsPane(Pane):
    """Pairwise predictions as a matrix; ``enter`` on a cell asks for a trial resolution of that merge."""

    # Plain message classes, not dataclasses: each dataclass costs start-up time (see MainScreen).

    class TrialRequested(Message):
        """The user asked for a trial resolution of a cell (``enter``).

        ``a`` is the row agent, ``b`` the column agent or the target branch (then ``against_target``).
        """

        def __init__(self, a: str, b: str, against_target: bool) -> None:
            super().__init__()
            self.a = a
            self.b = b
            self.against_target = against_target

    class _HunksCounted(Message):
        """Hunk counts (or why they could not be read) for one pair of commits."""

        def __init__(self, key: _HunkKey, counts: list[FileHunks] | str) -> None:
            super().__init__()
            self.key = key
            self.counts = counts

    def __init__(
        self, *, hunk_counter: HunkCounter | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._hunk_counter = hunk_counter
        self._report: ConflictReport | None = None
        self._as_of: float | None = None
        self._hunks: dict[_HunkKey, list[FileHunks] | str] = {}

    def compose(self) -> ComposeResult:
        yield Static("Predicting conflicts…", id="conflicts-summary", classes="pane-summary")
        yield JobProgressBar(id="conflicts-progress")
        yield ConflictMatrix(id="conflicts-matrix")
        yield Static(legend(), id="conflicts-legend")
        with VerticalScroll(id="conflicts-lower"):
            yield Static("", id="conflicts-detail")
            yield Static("", id="conflicts-order")

    @property
    def matrix(self) -> ConflictMatrix:
        """The matrix widget."""
        return self.query_one("#conflicts-matrix", ConflictMatrix)

    def show_pending(self) -> None:
        """Say that a prediction is running."""
        self.query_one("#conflicts-summary", Static).update(Text("Predicting conflicts…", style="dim"))
        self._progress_line.start(PREDICT_JOB, unit="steps")

    def show_progress(self, progress: JobProgress) -> None:
        """A prediction running: its progress line (worktrees looked at and merges run, of those planned)."""
        self._progress_line.show(progress)

    @property
    def _progress_line(self) -> JobProgressBar:
        return self.query_one("#conflicts-progress", JobProgressBar)

    def show_report(self, report: Any, as_of: float | None = None) -> None:
        """Show a :class:`cdev_tui.conflicts.ConflictReport`; ``as_of`` marks the last known one from the store
        (taken then) while a new prediction runs."""
        self._report = report
        self._as_of = as_of
        self.matrix.show(report)
        summary = _summary(report)
        if as_of is not None:
            age = age_text(max(0.0, time.time() - as_of))
            summary = Text.assemble(
                (f"⟳ predicting again: last known result from {age} ago  ", "bold yellow"), summary
            )
        self.query_one("#conflicts-summary", Static).update(summary)
        self.query_one("#conflicts-order", Static).update(_order(report))
        if as_of is None:
            self._progress_line.finish()
        elif not self._progress_line.running:  # the last known result: a new prediction is under way
            self._progress_line.start(PREDICT_JOB, unit="steps")
        self._show_detail()

    def show_error(self, message: str) -> None:
        """Show why the prediction failed."""
        self._progress_line.finish()
        self.query_one("#conflicts-summary", Static).update(Text(message, style="red"))

    # -- the selected cell -----------------------------------------------------------------------

    @on(DataTable.CellHighlighted, "#conflicts-matrix")
    def _on_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self._show_detail()

    @on(DataTable.CellSelected, "#conflicts-matrix")
    def _on_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        cell = self.matrix.cell_at(event.coordinate)
        if cell is None or cell.diagonal:
            return
        self.post_message(self.TrialRequested(cell.row, cell.column, cell.against_target))

    def _show_detail(self) -> None:
        cell = self.matrix.selected
        detail = self.query_one("#conflicts-detail", Static)
        if cell is None or self._report is None:
            detail.update("")
            return
        key = self._hunk_key(cell) if self._as_of is None else None  # counted on the live report only
        if key is not None and key not in self._hunks:
            self._hunks[key] = COUNTING
            assert self._report.repo is not None
            a, b = self._report.sides[cell.row], self._report.sides[cell.column]
            self._count_hunks(key, self._report.repo, a, b, key[2])
        detail.update(_detail(cell, self._hunks.get(key) if key is not None else None))

    def _hunk_key(self, cell: MatrixCell) -> _HunkKey | None:
        """What the cell's hunk counts depend on, or None when there is nothing to count."""
        report, p = self._report, cell.prediction
        if report is None or report.repo is None or p is None or not p.conflicted_files:
            return None
        a, b = report.sides.get(cell.row), report.sides.get(cell.column)
        if a is None or b is None:
            return None
        return (a.key, b.key, p.conflicted_files)

    @work(thread=True, group="conflict-hunks", exit_on_error=False, description="Counting conflict hunks")
    def _count_hunks(
        self, key: _HunkKey, repo: Path, a: SideCommits, b: SideCommits, files: tuple[str, ...]
    ) -> None:
        counter = self._hunk_counter or _default_counter()
        try:
            counts: list[FileHunks] | str = counter(repo, a, b, files)
        except Exception as error:  # shown in the detail: a failed count must not take the pane down
            counts = f"hunks not counted: {error}"
        self.post_message(self._HunksCounted(key, counts))

    @on(_HunksCounted)
    def _on_hunks_counted(self, message: _HunksCounted) -> None:
        self._hunks[message.key] = message.counts
        cell = self.matrix.selected
        if cell is not None and self._hunk_key(cell) == message.key:
            self._show_detail()


def _default_counter() -> HunkCounter:
    from cdev_tui.conflicts.hunk_counts import count_hunks  # loads git plumbing: only in the worker

    return count_hunks


def _summary(report: ConflictReport) -> Text:
    pairs = [*report.pairs, *report.vs_target]
    conflicting = sum(1 for p in pairs if p.conflicts)
    summary = Text()
    summary.append(f"{conflicting} conflicting", style="bold red" if conflicting else "bold green")
    summary.append(f" of {len(pairs)} checked in {report.seconds:.2f}s")
    everyone, shown = len(all_agents(report)), len(matrix_agents(report))
    if shown < everyone:
        involved = len(involved_agents(report))
        which = (
            f"the {shown} agents with conflicts or overlaps; the other {everyone - shown} merge cleanly"
            if shown == involved
            else f"the {shown} most serious of the {involved} agents with conflicts or overlaps"
        )
        summary.append(f"\nthe matrix shows {which} ({everyone} agents)", style="italic")
    if report.reused_pairs:
        summary.append(f" ({report.reused_pairs} unchanged since the last prediction)", style="dim")
    for overlap in report.declared_overlaps:
        summary.append(
            f"\nplan gives {', '.join(overlap.files)} to both {overlap.a} and {overlap.b}", style="yellow"
        )
    for error in report.errors:
        summary.append(f"\n{error}", style="red")
    return summary


def _detail(cell: MatrixCell, hunks: list[FileHunks] | str | None) -> Text:
    """The selected cell in words: verdict, conflicting files with hunk counts, files changed on both sides."""
    text = Text()
    text.append(f"{cell.row} × {cell.column}", style="bold")
    if cell.diagonal:
        text.append("  (the same agent)", style="dim")
        return text
    level, p = cell.severity, cell.prediction
    text.append(": ")
    text.append(level.verdict, style=level.style)
    if p is None:
        text.append("\n  no prediction for this pair (see the errors above)", style="dim")
        return text
    if p.conflicted_files:
        counted = {h.path: h.hunks for h in hunks} if isinstance(hunks, list) else {}
        text.append("\nConflicting files:", style="bold")
        for path in p.conflicted_files:
            text.append(f"\n  {path}  ")
            text.append(_hunk_text(counted.get(path), hunks), style="dim" if path not in counted else "")
        if isinstance(hunks, str) and hunks != COUNTING:
            text.append(f"\n  {hunks}", style="red")
    both = [f for f in p.overlapping_files if f not in p.conflicted_files]
    text.append("\nAlso changed on both sides: ", style="bold")
    text.append(", ".join(both) or "-", style="" if both else "dim")
    text.append("\nenter: trial resolution of this merge", style="dim")
    return text


def _hunk_text(count: int | None, hunks: list[FileHunks] | str | None) -> str:
    if count is None:
        return COUNTING if hunks in (None, COUNTING) else "?"
    if count == 0:
        return "whole file (no text hunks)"
    return f"{count} hunk{'s' if count != 1 else ''}"


def _order(report: ConflictReport) -> RenderableType:
    """The merge order, one numbered row per agent with the reason for its place (wrapped under itself)."""
    title = Text("Merge order:", style="bold")
    if not report.merge_steps:
        title.append(" -", style="dim")
        return title
    steps = Table.grid(padding=(0, 2))
    steps.add_column(justify="right")
    steps.add_column(no_wrap=True)
    steps.add_column(ratio=1)
    for number, step in enumerate(report.merge_steps, start=1):
        style = "yellow" if step.conflicts_before else "dim"
        steps.add_row(f"{number}.", step.agent_id, Text(step.reason, style=style))
    return Group(title, steps)
