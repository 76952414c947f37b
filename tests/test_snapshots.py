"""How each pane looks, at a fixed terminal size, on the demo workspace with frozen clocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from cdev_tui.demo import build_demo
from cdev_tui.demo_history import seed_history
from cdev_tui.store import Store
from tests.apptools import FROZEN_NOW, frozen_app, wait_for_everything, wait_until

SIZE = (130, 40)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo"), now=FROZEN_NOW).repo


def press_after_loading(*keys: str):
    async def run_before(pilot: Pilot) -> None:
        await wait_for_everything(pilot)
        if keys:
            await pilot.press(*keys)
        app = pilot.app
        main = app.main

        def settled() -> bool:
            """no worker but the file watcher is busy and no refresh is queued"""
            busy = [w for w in app.workers if w.group != "watch" and not w.is_finished]
            return not busy and not main._pending and not main._refreshing

        await wait_until(pilot, settled)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.5)  # tables size their columns when idle

    return run_before


@pytest.mark.parametrize(
    ("pane", "keys"),
    [
        ("agents", ("1",)),
        ("agents_detail_of_auth", ("1", "down", "down", "down", "enter")),
        ("conflicts", ("2",)),
        ("security", ("3",)),
        ("metrics", ("4",)),
        ("help", ("question_mark",)),
    ],
)
def test_pane_looks(pane: str, keys: tuple[str, ...], demo: Path, tmp_path: Path, snap_compare) -> None:
    """Each pane renders the demo's real data the same way every time."""
    app = frozen_app(demo, tmp_path / "c.db")
    assert snap_compare(app, terminal_size=SIZE, run_before=press_after_loading(*keys))


def test_replay_shows_the_agents_as_they_were(demo: Path, tmp_path: Path, snap_compare) -> None:
    """Stepping the replay back 12 recorded moments shows the demo's agents as the store saw them then."""
    store = Store(tmp_path / "c.db")
    seed_history(store, FROZEN_NOW.timestamp())
    store.close()
    app = frozen_app(demo, tmp_path / "c.db")
    keys = ("4", *["comma"] * 12)
    assert snap_compare(app, terminal_size=SIZE, run_before=press_after_loading(*keys))
