"""Pane switch and keystroke latency with 200 agents against 5, and while a full refresh runs.

Builds two repositories with ``bench_refresh.build`` (``SMALL`` and ``LARGE`` agent worktrees, the same
shape otherwise) and runs the real app (``make_app``) on each in Textual's pilot at 160x50. Once the
agents table holds every agent and the background work of the first load (conflict prediction, scan,
metrics) is over, it times, one key at a time:

* a pane switch: ``2`` (Conflicts) then ``1`` (Agents), the round trip a sample (the report gives each
  key's median too), after one untimed round trip that mounts the Conflicts pane;
* an arrow key in the agents table (``#agents-table`` focused): four downs then four ups, ``ARROW_ROUNDS``
  times.

A sample runs from handing the key to the driver, as ``pilot.press`` does, to the last frame that drew
its effect, once the expected state is reached (the pane in front, the cursor on the expected row), every
widget of the screen has handled its pending messages and nothing is left to repaint. Only frames that
repainted the pane in front (a widget in it, or a container of it) count: the footer's key hints, the
tabs' underline and the scrollbars, which Textual redraws over the next few frames whatever the workspace,
do not. Each frame is turned into terminal output, as a real driver would, inside the timed path.
(``pilot.press`` itself waits until the process's CPU time stops advancing, which never happens while a
worker thread reads git, so it cannot time the refresh case.)

Then, with ``LARGE`` agents, it calls ``app.main.refresh_workspace()`` (a full re-read of every agent, off
the UI thread) and times arrow keys sent while that load worker runs, starting a new refresh whenever one
ends, and compares their median with the idle one. Medians throughout; ratios are within one run.
Run with ``python -m benchmarks scale``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SMALL, LARGE = 5, 200
BUDGET = 1.5  # LARGE against SMALL, and during a refresh against idle
SIZE = (160, 50)
PANE_ROUNDS = 10  # round trips 2 -> 1, two samples each
ARROW_ROUNDS = 4  # four downs and four ups each
REFRESH_SAMPLES = 16
MAX_REFRESHES = 20  # refreshes to get them in, before giving up (is the load worker's group still "load"?)
GAP = 0.05  # seconds between two keys, as a quick typist
KEY_TIMEOUT = 30.0
SETTLE_TIMEOUT = 600.0  # seconds for the first load's background work


class Frames:
    """The frames the app sends to its (headless) driver: when, and which widgets each one repainted.

    Each frame is rendered to terminal output on the way, as a real driver would.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.log: list[tuple[float, frozenset[Any]]] = []
        self._send = app._display
        app._display = self._display

    def _display(self, screen: Any, renderable: Any) -> None:
        dirty = frozenset(screen._dirty_widgets)  # cleared once the frame is sent
        self._send(screen, renderable)
        if renderable is None or self.app._batch_count:  # Textual drops frames rendered inside a batch
            return
        if hasattr(renderable, "render_segments"):
            renderable.render_segments(self.app.console)
        else:
            "".join(segment.text for segment in self.app.console.render(renderable))
        self.log.append((time.perf_counter(), dirty))


def _repaint_pending(screen: Any) -> bool:
    return bool(
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
    )


def _touches(pane: Any, widgets: frozenset[Any]) -> bool:
    """Whether a frame that repainted ``widgets`` drew ``pane``: a widget in it, or a container of it.

    Scrollbars don't count: every layout pass repaints them, the footer's too.
    """
    return any(
        widget is pane or pane in widget.ancestors or widget in pane.ancestors
        for widget in widgets
        if type(widget).__name__ not in ("ScrollBar", "ScrollBarCorner")
    )


async def key_ms(pilot: Any, frames: Frames, key: str, reached: Callable[[], bool], pane: str) -> float:
    """Milliseconds from sending ``key`` until the last frame that drew its effect in the pane ``pane``.

    The key's effect is over when ``reached()`` holds, every widget of the screen has handled its pending
    messages and nothing is left to repaint. Frames that repainted only what lies outside the pane in
    front (the footer's key hints, the tabs' underline) don't count.
    """
    from textual import events

    app = pilot.app
    first = len(frames.log)
    started = time.perf_counter()
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    while True:
        await asyncio.sleep(0.001)
        if time.perf_counter() - started > KEY_TIMEOUT:
            raise RuntimeError(f"key {key!r} never took effect")
        if not reached():
            continue
        await pilot._wait_for_screen()
        if not reached() or _repaint_pending(app.screen):
            continue
        target = app.screen.query_one(f"TabPane#{pane}")
        drawn = [at for at, widgets in frames.log[first:] if _touches(target, widgets)]
        if drawn:
            return (drawn[-1] - started) * 1000


def _busy_workers(app: Any, group: str | None = None) -> list[Any]:
    from textual.worker import WorkerState

    busy = (WorkerState.PENDING, WorkerState.RUNNING)
    return [w for w in app.workers if w.state in busy and (w.group == group if group else w.group != "watch")]


async def _drive(repo: Path, db: Path, agents: int, during_refresh: bool) -> dict[str, Any]:
    from textual.widgets import DataTable, TabbedContent

    from cdev_tui.app import make_app

    app = make_app(repo, db=db)
    frames = Frames(app)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        started = time.perf_counter()

        def table() -> DataTable:
            return app.screen.query_one("#agents-table", DataTable)

        while not app.screen.query("#agents-table") or table().row_count < agents:
            await pilot.pause(0.05)
        result["shown"] = time.perf_counter() - started
        busy_until: dict[str, float] = {}  # worker group: when it was last seen busy
        while (busy := _busy_workers(app)) and time.perf_counter() - started < SETTLE_TIMEOUT:
            busy_until.update((worker.group, time.perf_counter() - started) for worker in busy)
            await pilot.pause(0.1)
        result["settled"] = time.perf_counter() - started
        result["busy_until"] = busy_until
        result["still_busy"] = sorted({w.group for w in _busy_workers(app)})

        panes = app.screen.query_one("#panes", TabbedContent)

        def front(pane: str) -> Callable[[], bool]:
            return lambda: panes.active == pane and bool(app.screen.query(f"#{pane}-pane"))

        for key, pane in (("2", "conflicts"), ("1", "agents")):  # mounts the Conflicts pane, untimed
            await key_ms(pilot, frames, key, front(pane), pane)
            await pilot.pause(0.2)
        switches: dict[str, list[float]] = {"conflicts": [], "agents": []}
        for _ in range(PANE_ROUNDS):
            for key, pane in (("2", "conflicts"), ("1", "agents")):
                switches[pane].append(await key_ms(pilot, frames, key, front(pane), pane))
                await asyncio.sleep(GAP)
        result["pane_switch"] = statistics.median(map(sum, zip(*switches.values(), strict=True)))
        result["to_conflicts"] = statistics.median(switches["conflicts"])
        result["to_agents"] = statistics.median(switches["agents"])

        table().focus()
        table().move_cursor(row=0)
        await pilot.pause(0.2)

        async def arrow(index: int) -> float:
            down = index % 8 < 4
            row = table().cursor_row + (1 if down else -1)
            moved = lambda: table().cursor_row == row  # noqa: E731
            return await key_ms(pilot, frames, "down" if down else "up", moved, "agents")

        result["keystroke"] = statistics.median([await arrow(i) for i in range(8 * ARROW_ROUNDS)])
        await asyncio.sleep(GAP)

        if during_refresh:
            table().move_cursor(row=0)
            await pilot.pause(0.2)
            during: list[float] = []
            refreshes: list[float] = []
            index = 0
            while len(during) < REFRESH_SAMPLES:
                if len(refreshes) >= MAX_REFRESHES:
                    raise RuntimeError(f"{len(refreshes)} refreshes gave {len(during)} keys inside one")
                app.main.refresh_workspace()
                began = time.perf_counter()
                await asyncio.sleep(0)  # the worker starts
                while _busy_workers(app, "load"):
                    latency = await arrow(index)
                    index += 1
                    if _busy_workers(app, "load"):  # the whole key fell inside the refresh
                        during.append(latency)
                    await asyncio.sleep(GAP)
                refreshes.append(time.perf_counter() - began)
            result["during_refresh"] = statistics.median(during)
            result["refresh_s"] = statistics.median(refreshes)
            result["refreshes"] = len(refreshes)
    return result


def measure() -> dict[int, dict[str, Any]]:
    """Build both workspaces (untimed) and drive the app on each."""
    from benchmarks.bench_refresh import build

    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="cdev-bench-scale-") as tmp:
        root = Path(tmp)
        for agents in (SMALL, LARGE):
            (root / str(agents)).mkdir()
            build_started = time.perf_counter()
            repo = build(root / str(agents), agents)
            built = time.perf_counter() - build_started
            results[agents] = asyncio.run(
                _drive(repo, root / f"{agents}.db", agents, during_refresh=agents == LARGE)
            )
            results[agents]["built"] = built
    return results


def main() -> list[str]:
    """Both latencies at both sizes, the refresh case, and how long the first load took (informational)."""
    results = measure()
    small, large = results[SMALL], results[LARGE]
    lines = [
        f"scale.pane_switch: {LARGE} agents {large['pane_switch']:.1f} ms vs {SMALL} agents "
        f"{small['pane_switch']:.1f} ms (2 to Conflicts then 1 back to Agents, each handled and redrawn: "
        f"{large['to_conflicts']:.0f} + {large['to_agents']:.0f} ms vs "
        f"{small['to_conflicts']:.0f} + {small['to_agents']:.0f} ms), "
        f"ratio {large['pane_switch'] / small['pane_switch']:.2f}x (budget <= {BUDGET:g}x)",
        f"scale.keystroke: {LARGE} agents {large['keystroke']:.1f} ms vs {SMALL} agents "
        f"{small['keystroke']:.1f} ms (arrow key in the agents table, handled and redrawn), "
        f"ratio {large['keystroke'] / small['keystroke']:.2f}x (budget <= {BUDGET:g}x)",
        f"scale.keystroke_during_refresh({LARGE} agents): {large['during_refresh']:.1f} ms while a full "
        f"refresh runs (median refresh {large['refresh_s']:.1f} s, {large['refreshes']} refreshes) vs "
        f"{large['keystroke']:.1f} ms idle, "
        f"ratio {large['during_refresh'] / large['keystroke']:.2f}x (budget <= {BUDGET:g}x)",
    ]
    for agents, result in results.items():
        last = sorted(result["busy_until"].items(), key=lambda item: -item[1])
        groups = ", ".join(f"{group} {at:.1f} s" for group, at in last)
        busy = f"; still busy: {', '.join(result['still_busy'])}" if result["still_busy"] else ""
        lines.append(
            f"scale.first_load({agents} agents): built in {result['built']:.1f} s (untimed); in the pilot "
            f"all rows at {result['shown']:.1f} s, background work over at {result['settled']:.1f} s "
            f"(workers last seen busy: {groups}){busy}"
        )
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
