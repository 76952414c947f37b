"""Instant start: the last known workspace from the store in the first frame, then the live one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo
from cdev_tui.errors import CdevError
from cdev_tui.service import open_service
from cdev_tui.workspace.last_known import LastKnownError, load_last_known
from tests.apptools import summary_text, table_rows, wait_until
from tests.conftest import run_git

SIZE = (140, 42)
DEMO_AGENTS = {"db_agent", "catalog_agent", "api_agent", "auth_agent", "cart_agent"}


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return build_demo(tmp_path / "demo").repo


def save_last_known(repo: Path, db: Path):
    """What any read does (the app, ``cdev-tui status``): the snapshot goes to the store."""
    service = open_service(repo, db=db)
    snapshot = service.load()
    service.close()
    return snapshot


def progress(app, agent_id: str) -> str:
    return next(row[3] for row in table_rows(app, "#agents-table") if row[0] == agent_id)


def tick_everything(repo: Path, agent_id: str) -> None:
    worktree = next((repo.parent / f"{repo.name}-work-trees").glob(f"*-{agent_id}"))
    checklist = worktree / "workspaces" / agent_id / "validation_checklist.txt"
    checklist.write_text(checklist.read_text().replace("[ ]", "[x]"))


def test_the_snapshot_read_back_equals_the_one_saved(demo: Path, tmp_path: Path) -> None:
    saved = save_last_known(demo, tmp_path / "c.db")
    found = open_service(demo, db=tmp_path / "c.db").last_known()
    assert found is not None and found.snapshot == saved
    assert found.taken_at == saved.taken_at


async def test_first_frame_shows_the_last_known_agents_marked_then_the_live_ones(
    demo: Path, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    save_last_known(demo, db)
    tick_everything(demo, "api_agent")  # the workspace moved on while the app was closed
    app = make_app(demo, db=db)
    async with app.run_test(size=SIZE) as pilot:
        assert {row[0] for row in table_rows(app, "#agents-table")} == DEMO_AGENTS
        assert "refreshing: last known state from" in summary_text(app, "#agents-summary")
        assert progress(app, "api_agent").endswith("3/4")  # as it was, and said to be so
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.pause()
        assert "refreshing" not in summary_text(app, "#agents-summary")
        assert progress(app, "api_agent").endswith("4/4")


async def test_actions_wait_for_the_live_state(demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    save_last_known(demo, db)
    run_git(demo, "branch", "-m", "main", "trunk")  # the live read now fails: the target is gone
    app = make_app(demo, db=db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "does not exist" in summary_text(app, "#agents-summary"))
        summary = summary_text(app, "#agents-summary")
        assert "The rows below are the last known state" in summary  # never passed off as fresh
        app.screen.query_one("#agents-table").focus()
        await pilot.press("c")  # commit: refused, nothing run on stale facts
        await wait_until(pilot, lambda: any("Still reading" in n.message for n in app._notifications))


def test_a_snapshot_of_another_repository_is_refused(demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    save_last_known(demo, db)
    other = tmp_path / "other"
    run_git(tmp_path, "init", "-q", "-b", "main", str(other))
    run_git(other, "commit", "-q", "--allow-empty", "-m", "first")
    with pytest.raises(CdevError, match="another repository"):
        open_service(other, db=db).last_known()


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("data", '{"paths": 42}', "damaged"),
        ("data", "not json", "damaged"),
        ("format", "0" * 16, "another version"),
    ],
)
def test_a_damaged_or_foreign_version_snapshot_is_refused(
    demo: Path, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    db = tmp_path / "c.db"
    save_last_known(demo, db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE last_known SET {column} = ? WHERE name = 'workspace'", (value,))
    with pytest.raises(LastKnownError, match=reason):
        load_last_known(db, (demo / ".git").resolve())


async def test_the_app_reads_afresh_when_the_snapshot_is_damaged(demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    save_last_known(demo, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE last_known SET data = 'garbage'")
    app = make_app(demo, db=db)
    async with app.run_test(size=SIZE) as pilot:
        assert "refreshing" not in summary_text(app, "#agents-summary")
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        assert {row[0] for row in table_rows(app, "#agents-table")} == DEMO_AGENTS
        assert any("damaged" in n.message for n in app._notifications)


def test_no_store_yet_means_no_last_known(demo: Path, tmp_path: Path) -> None:
    assert open_service(demo, db=tmp_path / "fresh.db").last_known() is None
    assert load_last_known(tmp_path / "missing.db", demo / ".git") is None


async def test_the_conflicts_pane_shows_the_last_known_prediction_marked(demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    service = open_service(demo, db=db)
    report = service.predict_conflicts(service.load())
    service.close()
    conflicting = sum(1 for p in [*report.pairs, *report.vs_target] if p.conflicts)
    run_git(demo, "branch", "-m", "main", "trunk")  # no live prediction can replace it in this test
    app = make_app(demo, db=db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await wait_until(pilot, lambda: "conflicting" in summary_text(app, "#conflicts-summary"))
        summary = summary_text(app, "#conflicts-summary")
        assert "predicting again: last known result from" in summary
        assert f"{conflicting} conflicting" in summary


@pytest.mark.parametrize("warm", [False, True])
async def test_quitting_at_once_closes_cleanly(demo: Path, tmp_path: Path, warm: bool) -> None:
    """q pressed before the panes behind the tabs have mounted: no crash, exit code 0."""
    db = tmp_path / "c.db"
    if warm:
        save_last_known(demo, db)
    app = make_app(demo, db=db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
    assert app.return_code == 0
