"""The conflict matrix: agents as rows and columns, the target branch as the last column, one mark per pair.

Pure rendering of a ``ConflictReport``: a DataTable with a cell cursor whose cells are coloured by how bad
merging the row agent with the column (an agent or the target) would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable

if TYPE_CHECKING:
    from cdev_tui.conflicts.report import ConflictReport, PairPrediction


@dataclass(frozen=True)
class Severity:
    """How one pair is drawn: its mark, its colour and its verdict in words."""

    name: str
    mark: str
    style: str
    verdict: str


SEVERITIES: dict[str, Severity] = {
    s.name: s
    for s in (
        Severity("conflict", "✖", "bold red", "conflict"),
        Severity("uncommitted", "◐", "bold yellow", "conflict (uncommitted work)"),
        Severity("overlap", "○", "cyan", "merges cleanly, overlap"),
        Severity("clean", "✓", "dim green", "clean"),
        Severity("unknown", "?", "dim", "not predicted"),
    )
}
"""From worst to best."""


def severity(prediction: PairPrediction | None) -> Severity:
    """The severity of a pair: committed conflict, conflict with uncommitted work, overlap, clean."""
    if prediction is None:
        return SEVERITIES["unknown"]
    if prediction.conflicts_committed:
        return SEVERITIES["conflict"]
    if prediction.conflicts:
        return SEVERITIES["uncommitted"]
    if prediction.overlapping_files:
        return SEVERITIES["overlap"]
    return SEVERITIES["clean"]


def legend() -> Text:
    """One line naming every mark."""
    text = Text()
    for s in SEVERITIES.values():
        if s.name != "unknown":
            text.append(f"{s.mark} ", style=s.style)
            text.append(f"{s.verdict}   ", style="dim")
    text.append("(number: files)", style="dim")
    return text


@dataclass(frozen=True)
class MatrixCell:
    """One cell: the row agent merged with the column (another agent, or the target branch)."""

    row: str
    column: str
    against_target: bool
    prediction: PairPrediction | None

    @property
    def diagonal(self) -> bool:
        """An agent against itself: nothing to show."""
        return self.row == self.column and not self.against_target

    @property
    def severity(self) -> Severity:
        """How bad this merge would be."""
        return severity(self.prediction)


MATRIX_LIMIT = 24
"""Beyond this many agents the matrix keeps those with a conflict or an overlap (the worst first): a
200-column grid is neither readable nor quick to draw, and the agents left out merge cleanly."""


def all_agents(report: ConflictReport) -> list[str]:
    """Every agent of the report: in merge order, then any the order does not name (a dependency cycle)."""
    names = [*report.merge_order]
    names += [name for p in report.pairs for name in (p.a, p.b)]
    names += [p.a for p in report.vs_target]
    return list(dict.fromkeys(names))


def involved_agents(report: ConflictReport) -> list[str]:
    """The agents with a conflict or an overlap with anyone, the most serious findings first."""
    names = all_agents(report)
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    worst: dict[str, tuple[int, int]] = {}
    for p in (*report.pairs, *report.vs_target):
        level = severity(p)
        if level.name in ("clean", "unknown"):
            continue
        for name in {p.a, p.b} & set(names):
            best, count = worst.get(name, (rank[level.name], 0))
            worst[name] = (min(best, rank[level.name]), count + 1)
    return sorted(worst, key=lambda n: (worst[n][0], -worst[n][1], names.index(n)))


def matrix_agents(report: ConflictReport, limit: int = MATRIX_LIMIT) -> list[str]:
    """The agents the matrix shows, in merge order: all of them up to ``limit``, else the ``limit`` most
    serious of those involved in a conflict or an overlap."""
    names = all_agents(report)
    if len(names) <= limit:
        return names
    chosen = set(involved_agents(report)[:limit])
    return [n for n in names if n in chosen]


def matrix_cells(report: ConflictReport) -> list[list[MatrixCell]]:
    """Rows of cells: each agent shown against every agent shown, then against the target."""
    agents = matrix_agents(report)
    target = report.target or next((p.b for p in report.vs_target), "")
    found: dict[tuple[str, str, bool], PairPrediction] = {}
    for p in report.pairs:
        found[(p.a, p.b, False)] = found[(p.b, p.a, False)] = p
    found.update({(p.a, p.b, True): p for p in report.vs_target})
    rows = []
    for row in agents:
        cells = [MatrixCell(row, column, False, found.get((row, column, False))) for column in agents]
        if target:
            cells.append(MatrixCell(row, target, True, found.get((row, target, True))))
        rows.append(cells)
    return rows


def mark(cell: MatrixCell) -> Text:
    """The compact, coloured text of a cell: a symbol and, for a conflict or overlap, a file count."""
    if cell.diagonal:
        return Text("")
    level, p = cell.severity, cell.prediction
    count = 0
    if p is not None:
        count = len(p.conflicted_files) if p.conflicts else len(p.overlapping_files)
    return Text(f"{level.mark} {count}" if count else level.mark, style=level.style, justify="center")


class ConflictMatrix(DataTable[Text]):
    """Agents by agents (plus the target) with a cell cursor; ``enter`` selects the cell."""

    DEFAULT_CSS = """
    ConflictMatrix {
        height: auto;
        max-height: 60%;
        & > .datatable--cursor {
            text-style: bold reverse;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Trial resolution", id="conflicts.trial"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="cell", zebra_stripes=False)
        self._cells: list[list[MatrixCell]] = []

    @property
    def cells(self) -> list[list[MatrixCell]]:
        """The cells as shown, row by row."""
        return self._cells

    def show(self, report: ConflictReport) -> None:
        """Draw ``report``, keeping the cursor on the same pair when it is still there."""
        before = self.selected
        self._cells = matrix_cells(report)
        self.clear(columns=True)
        if not self._cells:
            return
        for cell in self._cells[0]:
            label = (
                Text(f"{cell.column} (target)", style="bold") if cell.against_target else Text(cell.column)
            )
            self.add_column(label, key=f"{'target:' if cell.against_target else ''}{cell.column}")
        for row in self._cells:
            self.add_row(*(mark(c) for c in row), label=Text(row[0].row, style="bold"), key=row[0].row)
        place = self._find(before) if before is not None else None
        self.cursor_coordinate = place or self._worst()

    def cell_at(self, coordinate: Coordinate) -> MatrixCell | None:
        """The cell at ``coordinate``, if there is one."""
        if 0 <= coordinate.row < len(self._cells) and 0 <= coordinate.column < len(
            self._cells[coordinate.row]
        ):
            return self._cells[coordinate.row][coordinate.column]
        return None

    @property
    def selected(self) -> MatrixCell | None:
        """The cell under the cursor."""
        return self.cell_at(self.cursor_coordinate)

    def select(self, row: str, column: str) -> bool:
        """Move the cursor to the cell of ``row`` and ``column``; False when there is no such cell."""
        for r, cells in enumerate(self._cells):
            for c, cell in enumerate(cells):
                if (cell.row, cell.column) == (row, column):
                    self.cursor_coordinate = Coordinate(r, c)
                    return True
        return False

    def _find(self, cell: MatrixCell) -> Coordinate | None:
        for r, cells in enumerate(self._cells):
            for c, other in enumerate(cells):
                if (other.row, other.column, other.against_target) == (
                    cell.row,
                    cell.column,
                    cell.against_target,
                ):
                    return Coordinate(r, c)
        return None

    def _worst(self) -> Coordinate:
        """The first cell of the worst severity present (the cell a user most likely wants to look at)."""
        rank = {name: i for i, name in enumerate(SEVERITIES)}
        best: tuple[int, Coordinate] | None = None
        for r, cells in enumerate(self._cells):
            for c, cell in enumerate(cells):
                if not cell.diagonal and cell.prediction is not None:
                    level = rank[cell.severity.name]
                    if best is None or level < best[0]:
                        best = (level, Coordinate(r, c))
        return best[1] if best is not None else Coordinate(0, 0)
