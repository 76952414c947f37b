"""The Conflicts pane on the real demo workspace: the matrix, the selected cell's files and hunks, enter, refresh."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate

from cdev_tui.app import make_app
from cdev_tui.conflicts import ConflictReport
from cdev_tui.conflicts.hunk_counts import FileHunks
from cdev_tui.conflicts.report import SideCommits
from cdev_tui.demo import build_demo
from cdev_tui.screens.conflicts import ConflictsPane
from cdev_tui.service import open_service
from cdev_tui.widgets.conflict_matrix import ConflictMatrix
from tests.apptools import FROZEN_NOW, summary_text, wait_for_everything, wait_until

SIZE = (130, 40)
API, AUTH, CATALOG, CART = "api_agent", "auth_agent", "catalog_agent", "cart_agent"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


@pytest.fixture(scope="module")
def report(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> ConflictReport:
    service = open_service(demo, db=tmp_path_factory.mktemp("db") / "c.db")
    try:
        return service.predict_conflicts(service.load())
    finally:
        service.close()


class PaneHarness(App[None]):
    """The pane alone, showing one report, recording the trial resolutions it asks for."""

    def __init__(self, report: ConflictReport, hunk_counter: Callable | None = None) -> None:
        super().__init__()
        self.report = report
        self.hunk_counter = hunk_counter
        self.trials: list[tuple[str, str, bool]] = []

    def compose(self) -> ComposeResult:
        yield ConflictsPane(hunk_counter=self.hunk_counter, id="conflicts-pane")

    def on_mount(self) -> None:
        pane = self.query_one(ConflictsPane)
        pane.show_report(self.report)
        pane.matrix.focus()

    def on_conflicts_pane_trial_requested(self, message: ConflictsPane.TrialRequested) -> None:
        self.trials.append((message.a, message.b, message.against_target))


def matrix(app: App) -> ConflictMatrix:
    return app.screen.query_one("#conflicts-matrix", ConflictMatrix)


def detail(app: App) -> str:
    return summary_text(app, "#conflicts-detail")  # type: ignore[arg-type]


def git_hunks(repo: Path, a: SideCommits, b: SideCommits, path: str) -> int:
    """Conflict regions of ``path`` in git's own merge of the two sides' current commits."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False).stdout

    tree = git("merge-tree", "--write-tree", a.current, b.current).splitlines()[0]
    return sum(1 for line in git("show", f"{tree}:{path}").splitlines() if line.startswith("<<<<<<< "))


async def test_matrix_marks_every_pair_by_severity(report: ConflictReport) -> None:
    app = PaneHarness(report)
    async with app.run_test(size=SIZE):
        table = matrix(app)
        rows = [str(row.label) for row in table.ordered_rows]
        columns = [str(column.label) for column in table.ordered_columns]
        assert rows == report.merge_order == [API, AUTH, CATALOG, CART]
        assert columns == [*rows, "main (target)"]

        def cell(row: str, column: str):
            return table.get_cell_at(Coordinate(rows.index(row), [*rows, "main"].index(column)))

        for a, b in ((API, AUTH), (AUTH, API), (API, CATALOG), (CATALOG, API)):
            assert cell(a, b).plain == "✖ 1" and "red" in str(cell(a, b).style)
        for a, b in ((CATALOG, CART), (CART, CATALOG)):
            assert cell(a, b).plain == "◐ 1" and "yellow" in str(cell(a, b).style)
        assert cell(API, CART).plain == "✓" and "green" in str(cell(API, CART).style)
        assert cell(API, "main").plain == "✓"
        assert all(cell(a, a).plain == "" for a in rows)
        assert "conflict (uncommitted work)" in summary_text(app, "#conflicts-legend")  # type: ignore[arg-type]
        assert "3 conflicting of 10 checked" in summary_text(app, "#conflicts-summary")  # type: ignore[arg-type]


async def test_arrow_keys_move_the_cell_and_show_its_files_and_hunk_counts(
    demo: Path, report: ConflictReport
) -> None:
    app = PaneHarness(report)
    async with app.run_test(size=SIZE) as pilot:
        # The worst cell is selected first: the committed api/auth conflict.
        assert (matrix(app).selected.row, matrix(app).selected.column) == (API, AUTH)  # type: ignore[union-attr]
        routes = "src/shopfront/api/routes.py"
        expected = git_hunks(demo, report.sides[API], report.sides[AUTH], routes)
        assert expected > 0
        await wait_until(pilot, lambda: f"{routes}  {expected} hunk" in detail(app))
        assert "api_agent × auth_agent: conflict" in detail(app)

        await pilot.press("down", "down", "right", "right")

        cell = matrix(app).selected
        assert cell is not None and (cell.row, cell.column) == (CATALOG, CART)
        pricing = "src/shopfront/catalog/pricing.py"
        expected = git_hunks(demo, report.sides[CATALOG], report.sides[CART], pricing)
        await wait_until(pilot, lambda: f"{pricing}  {expected} hunk" in detail(app))
        assert "catalog_agent × cart_agent: conflict (uncommitted work)" in detail(app)

        await pilot.press("left", "left", "left")  # catalog/api: an add/add conflict
        await wait_until(pilot, lambda: "validation-status.yaml  1 hunk" in detail(app))

        await pilot.press("up", "right", "right")  # auth/catalog: a clean pair
        assert "auth_agent × catalog_agent: clean" in detail(app)
        assert "Also changed on both sides: -" in detail(app)


async def test_counting_shows_until_the_worker_answers(report: ConflictReport) -> None:
    release = threading.Event()
    asked: list[tuple[SideCommits, SideCommits, Sequence[str]]] = []

    def slow_counter(repo: Path, a: SideCommits, b: SideCommits, files: Sequence[str]) -> list[FileHunks]:
        asked.append((a, b, files))
        release.wait(10)
        return [FileHunks(path, 4) for path in files]

    app = PaneHarness(report, hunk_counter=slow_counter)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(asked))
        assert "src/shopfront/api/routes.py  counting…" in detail(app)
        assert asked == [(report.sides[API], report.sides[AUTH], ("src/shopfront/api/routes.py",))]
        release.set()
        await wait_until(pilot, lambda: "src/shopfront/api/routes.py  4 hunks" in detail(app))
        # Back and forth: the counts of a pair are read once.
        await pilot.press("right", "left")
        assert len(asked) == 2 and "4 hunks" in detail(app)


async def test_a_failed_count_is_shown_not_raised(report: ConflictReport) -> None:
    def broken(*_args: object) -> list[FileHunks]:
        raise OSError("git vanished")

    app = PaneHarness(report, hunk_counter=broken)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "hunks not counted: git vanished" in detail(app))
        assert "src/shopfront/api/routes.py  ?" in detail(app)


async def test_enter_asks_for_a_trial_resolution_of_the_cell(report: ConflictReport) -> None:
    app = PaneHarness(report)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.press("right", "right", "right", "enter")  # api/main
        await pilot.press("left", "left", "left", "left", "enter")  # api/api: nothing to try
        await pilot.pause()
        assert app.trials == [(API, AUTH, False), (API, "main", True)]


async def test_clicking_a_cell_selects_it(report: ConflictReport) -> None:
    app = PaneHarness(report)
    async with app.run_test(size=SIZE) as pilot:
        table = matrix(app)
        region = table._get_cell_region(Coordinate(3, 2))  # cart/catalog
        await pilot.click("#conflicts-matrix", offset=(region.x + 1, region.y))
        cell = table.selected
        assert cell is not None and (cell.row, cell.column) == (CART, CATALOG)
        assert "cart_agent × catalog_agent: conflict (uncommitted work)" in detail(app)
        assert app.trials == []  # a click selects; it does not start a trial


async def test_an_edit_in_one_worktree_repredicts_only_its_pairs(tmp_path: Path) -> None:
    repo = build_demo(tmp_path / "live", now=FROZEN_NOW).repo
    app = make_app(repo, db=tmp_path / "c.db")
    calls: list[tuple[set[str] | None, ConflictReport]] = []
    predict = app.service.predict_conflicts

    def recording(snapshot, cancel=None, *, previous=None, changed_agents=None, **options):
        result = predict(snapshot, cancel, previous=previous, changed_agents=changed_agents, **options)
        calls.append((changed_agents, result))
        return result

    app.service.predict_conflicts = recording  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_everything(pilot)
        await pilot.press("2")
        await pilot.pause(0.5)  # let the watcher start
        assert calls[0][0] is None and calls[0][1].reused_pairs == 0
        cart = app.main.snapshot.agent(CART).facts.worktree
        (cart / "src/shopfront/api/routes.py").write_text("# rewritten by cart_agent, not committed\n")

        def cart_conflicts_with_api() -> bool:
            """the matrix shows cart/api as a conflict with uncommitted work"""
            cells = {(c.row, c.column): c.severity.name for row in matrix(app).cells for c in row}
            return cells.get((CART, API)) == "uncommitted"

        await wait_until(pilot, cart_conflicts_with_api, timeout=10)
        refresh = next(report for changed, report in calls[1:] if changed == {CART})
        assert refresh.reused_pairs == 6  # api, auth, catalog among themselves and against main
        assert refresh.git_calls < calls[0][1].git_calls
        assert "unchanged since the last prediction" in summary_text(app, "#conflicts-summary")


def test_a_large_workspace_matrix_keeps_the_agents_that_conflict_or_overlap() -> None:
    from cdev_tui.conflicts import PairPrediction
    from cdev_tui.widgets.conflict_matrix import MATRIX_LIMIT, involved_agents, matrix_agents, matrix_cells

    names = [f"agent_{i:03d}" for i in range(200)]

    def pair(a: str, b: str, *, conflict: bool = False, overlap: bool = False) -> PairPrediction:
        files = ("shared.py",) if conflict else ()
        return PairPrediction(a, b, files, ("x.py",) if overlap else (), conflict, conflict)

    pairs = [pair(names[i], names[i + 1]) for i in range(0, 199, 2)]
    pairs += [pair("agent_010", "agent_150", conflict=True), pair("agent_020", "agent_030", overlap=True)]
    report = ConflictReport(pairs, [], [], names, [], 0, 0.0, target="main")
    assert matrix_agents(report) == ["agent_010", "agent_020", "agent_030", "agent_150"]  # merge order
    assert involved_agents(report)[:2] == ["agent_010", "agent_150"]  # the conflict before the overlap
    assert len(matrix_cells(report)) == 4
    few = ConflictReport(pairs[:5], [], [], names[:10], [], 0, 0.0)
    assert len(matrix_agents(few)) == 10 <= MATRIX_LIMIT  # a small workspace shows everyone
    assert matrix_agents(report, limit=2) == ["agent_010", "agent_150"]
