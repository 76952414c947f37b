"""The Metrics pane's plots and replay, from a recorded timeline with fixed timestamps."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdev_tui.demo import build_demo
from cdev_tui.demo_history import seed_history, story_snapshots
from cdev_tui.metrics_history import WaitInterval, build_history, range_start, wait_intervals
from cdev_tui.store import AgentSnapshotRow, Store, TimingRow
from tests.apptools import FROZEN_NOW, frozen_app, table_rows, wait_for_everything, wait_until

NOW = 1_000_000.0
MIN = 60.0


def snap(agent: str, status: str, done: int, minutes_ago: float, total: int = 4) -> AgentSnapshotRow:
    return AgentSnapshotRow(agent, status, done, total, 0, 0, NOW - minutes_ago * MIN)


TIMELINE = [
    snap("a", "in progress", 0, 90),  # before the 1 h range: a's state when it begins
    snap("b", "blocked", 0, 70),
    snap("a", "in progress", 2, 50),
    snap("a", "complete", 4, 30),
    snap("b", "in progress", 1, 20),
    snap("a", "committed", 4, 10),
]


def test_series_of_an_hour_equal_what_the_timeline_says() -> None:
    start = range_start("1h", NOW, None)
    timings = [TimingRow("scan", 0.2, "", NOW - 40 * MIN), TimingRow("scan", 0.5, "", NOW - 5 * MIN)]
    waits = wait_intervals(TIMELINE, [("b", NOW - 25 * MIN, NOW - 15 * MIN), ("a", NOW - 5 * MIN, None)], NOW)
    view = build_history("1h", start, NOW, TIMELINE, timings, waits)

    assert view.start == NOW - 60 * MIN  # history began before the range: the plots span all of it
    burn = {s.label: s.points for s in view.burn_down}
    assert burn["a"] == (
        (NOW - 60 * MIN, 4.0),
        (NOW - 50 * MIN, 2.0),
        (NOW - 30 * MIN, 0.0),
        (NOW - 10 * MIN, 0.0),
        (NOW, 0.0),
    )
    assert burn["b"] == ((NOW - 60 * MIN, 4.0), (NOW - 20 * MIN, 3.0), (NOW, 3.0))
    status = {s.label: dict(s.points) for s in view.by_status}
    assert status["in progress"][NOW - 20 * MIN] == 1  # b started as a completed
    assert status["complete"][NOW - 10 * MIN] == 0 and status["committed"][NOW] == 1
    assert [p[1] for p in view.latency[0].points] == pytest.approx([200.0, 500.0])  # ms
    wait = {s.label: s.points[-1][1] for s in view.human_wait}
    assert wait == {
        "program": pytest.approx(15.0),
        "commit": pytest.approx(20.0),
    }  # 10 + 5 min; 30 → 10 min ago
    # replay: the agents as they were 40 minutes ago, and at the end
    assert [(r.agent_id, r.status, r.done) for r in view.agents_at(NOW - 40 * MIN)] == [
        ("a", "in progress", 2),
        ("b", "blocked", 0),
    ]
    assert [(r.agent_id, r.status) for r in view.agents_at(NOW)] == [("a", "committed"), ("b", "in progress")]
    assert view.moments == tuple(NOW - m * MIN for m in (50, 30, 20, 10))


def test_an_agent_whose_state_does_not_move_past_the_stall_time_waited_stalled() -> None:
    rows = [
        snap("a", "in progress", 1, 100),
        snap("a", "in progress", 2, 30),
        snap("b", "in progress", 0, 20),
    ]
    waits = wait_intervals(rows, [], NOW, stall_seconds=30 * MIN)
    stalled = sorted((w.agent_id, w.started, w.ended) for w in waits if w.reason == "stalled")
    # a: no move from 100 to 30 min ago (stalled from 70), nor from 30 min ago to now (stalled from now on)
    assert stalled == [("a", NOW - 70 * MIN, NOW - 30 * MIN)]
    assert wait_intervals(rows, [], NOW) == []  # no stall time given: no stalled spans


def test_a_short_history_is_plotted_over_its_own_span_and_waits_are_clipped_to_the_range() -> None:
    rows = [snap("a", "in progress", 0, 5), snap("a", "complete", 4, 2)]
    view = build_history("24h", range_start("24h", NOW, None), NOW, rows, [], wait_intervals(rows, [], NOW))
    assert view.start == NOW - 5 * MIN
    assert view.human_wait[0].points[-1] == (NOW, pytest.approx(2.0))
    tiny = build_history("24h", NOW - 86400, NOW, [snap("a", "ready", 0, 0)], [], [])
    assert tiny.start == NOW - 60  # never less than a minute across
    assert WaitInterval("a", "commit", 1.0, 2.0).reason == "commit"


def test_a_year_of_history_is_thinned_for_the_plots() -> None:
    rows = [AgentSnapshotRow("a", "in progress", i % 5, 5, 0, 0, NOW - 86400 + i * 60) for i in range(1440)]
    view = build_history("24h", NOW - 86400, NOW, rows, [], [])
    assert 100 < len(view.burn_down[0].points) <= 241
    assert len(view.moments) == 1440


def test_the_demo_story_unfolds_in_time_order_to_where_the_demo_stands() -> None:
    rows = story_snapshots(NOW)
    assert [r.ts for r in rows] == sorted(r.ts for r in rows)
    last = {r.agent_id: (r.status, r.done) for r in rows}
    assert last == {
        "db_agent": ("merged", 4),
        "catalog_agent": ("committed", 4),
        "api_agent": ("in progress", 3),
        "auth_agent": ("in progress", 2),
        "cart_agent": ("blocked", 0),
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


def seeded_store(path: Path) -> Path:
    store = Store(path)
    seed_history(store, FROZEN_NOW.timestamp())
    store.close()
    return path


async def test_replay_steps_back_through_the_recorded_moments(demo: Path, tmp_path: Path) -> None:
    app = frozen_app(demo, seeded_store(tmp_path / "c.db"))
    async with app.run_test(size=(130, 50)) as pilot:
        await wait_for_everything(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: len(table_rows(app, "#replay-table")) == 5)
        live = {row[0]: row[1] for row in table_rows(app, "#replay-table")}
        assert live["db_agent"] == "merged"
        for _ in range(40):
            await pilot.press("comma")
        await pilot.pause(0.2)
        early = {row[0]: row[1] for row in table_rows(app, "#replay-table")}
        assert early["db_agent"] in ("ready", "in progress"), early
        assert "api_agent" in early and early["api_agent"] == "blocked"
        await pilot.press("L")
        await pilot.pause(0.2)
        assert {row[0]: row[1] for row in table_rows(app, "#replay-table")} == live


async def test_the_range_selector_changes_what_the_plots_span(demo: Path, tmp_path: Path) -> None:
    app = frozen_app(demo, seeded_store(tmp_path / "c.db"))
    async with app.run_test(size=(130, 50)) as pilot:
        await wait_for_everything(pilot)
        await pilot.press("4")
        pane = app.main.query_one("#metrics-pane")
        await wait_until(pilot, lambda: pane.history is not None and pane.history.range_name == "24h")
        assert pane.history.end - pane.history.start == pytest.approx(185 * 60)  # the story's three hours
        await pilot.press("left_square_bracket", "left_square_bracket")
        await wait_until(pilot, lambda: pane.history.range_name == "1h")
        assert pane.history.end - pane.history.start == pytest.approx(3600)
        burn = {s.label: s.points[0][1] for s in pane.history.burn_down}
        assert (burn["db_agent"], burn["api_agent"], burn["auth_agent"]) == (0.0, 2.0, 4.0)  # an hour ago
