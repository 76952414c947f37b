"""Helpers for driving the real app in tests: a demo built once, frozen clocks, waiting for workers."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from cdev_tui.app import CdevApp, make_app

FROZEN_NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


def frozen_app(repo: Path, db: Path) -> CdevApp:
    """The real app with wall clock and timer frozen, so what it shows is the same on every run."""
    app = make_app(repo, db=db)
    app.service.wall_clock = FROZEN_NOW.timestamp
    app.service.timer = lambda: 0.0
    app.alert_seconds = 0  # alerts depend on real time: tests/test_alerts_app.py shows them
    return app


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds; fail with a clear message after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {condition.__doc__ or condition}")
        await pilot.pause(0.05)


def summary_text(app: CdevApp, selector: str) -> str:
    """The plain text a Static shows (rendered the way a terminal would, without colour); "" until mounted."""
    found = app.screen.query(selector)
    if not found:
        return ""
    content = found.first(Static).content
    if isinstance(content, str):
        return content
    console = Console(width=200, color_system=None, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def table_rows(app: CdevApp, selector: str) -> list[list[str]]:
    """A DataTable's cells as plain strings (none while the table is not mounted yet)."""
    tables = app.screen.query(selector)
    if not tables:
        return []
    table = tables.first(DataTable)
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def wait_for_everything(pilot: Pilot) -> None:
    """Wait for the first load, conflict prediction, secret scan and metrics to be on screen."""
    app = pilot.app
    main = app.main  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: main.snapshot is not None)
    await wait_until(pilot, lambda: "conflicting" in summary_text(app, "#conflicts-summary"))
    await wait_until(pilot, lambda: "found" in summary_text(app, "#security-summary"))
    await wait_until(
        pilot, lambda: not [w for w in app.workers if w.group == "metrics" and not w.is_finished]
    )
    await wait_until(pilot, lambda: "Estimate" in summary_text(app, "#metrics-summary"))
    await asyncio.sleep(0)
