"""Agent sessions: keystroke latency while 20 programs print, idle CPU while 20 wait, and how soon a program
that starts waiting shows as waiting.

Builds the repository of ``bench_refresh.build`` with ``AGENTS`` agent worktrees once and runs the scripted
stand-in agent (``python -m cdev_tui.sessions.demo_agent``) in sessions of our private tmux server for that
repository (``TmuxServer.start``, program ``demo``, each in its agent's worktree), as the app would. Our
server is killed between the parts and at the end, whatever happened.

* ``sessions.keystroke``: the real app (``make_app``) in Textual's pilot at 160x50. Once the table holds
  every agent and the first load's background work is over, arrow keys in the Agents table are timed as
  ``bench_scale`` times them (``key_ms``: from handing the key to the driver to the last frame that drew
  its effect, each frame turned into terminal output), four downs then four ups, ``ARROW_ROUNDS`` times,
  after an untimed round. The pause between two keys steps through ``PHASES`` fractions of a frame period
  on top of ``GAP``: Textual draws on a fixed 1/60 s grid, and with one fixed gap every key would land at
  the same point of it, every median then a whole frame apart depending on a few ms of work. Then
  ``AGENTS`` sessions of the agent printing a line every 0.2 s (``work 600``) start; once every Session cell of the table says working and ``WARM_SECONDS`` more have passed, the same
  keys are timed again in the same app. The ratio is of the two medians.
* ``sessions.idle_cpu``: ``AGENTS`` sessions of the agent waiting on its terminal (``ask Go on?``), then
  ``python -m cdev_tui`` on the repository in a tmux terminal of its own (``bench_start.Terminal``).
  Once the screen says ``◐ 20 waiting for you``, it settles (``bench_idle.settle``) and then sits untouched
  for ``IDLE_SECONDS`` (env ``CDEV_BENCH_IDLE_SECONDS`` overrides it); the report gives the CPU time of the
  app's process tree (its tmux control client included) over that window as a share of one core, and, for
  information, that of our tmux server process (``#{pid}``) and of its whole tree (the waiting programs).
* ``sessions.wait_latency``: the app in the pilot again, on a fresh server. ``WAIT_ROUNDS`` times (after an
  untimed round, which also brings the server up for the monitor to find) a fresh session for the next
  agent runs ``work 1; ask Go on?`` with ``--marks``, the previous session being ended first. The agent
  notes the wall-clock time it printed its question; the table's Session cell of that agent is read every
  ``POLL`` seconds until it says waiting (and the pane's ``sessions`` has it). The moment the pane's
  ``show_sessions`` put it there is noted (the method is wrapped), and a sample runs from the question to
  the first frame the app drew of the Agents pane from that moment. The median and the maximum are
  reported.

Linux only (``/proc``), needs tmux. Run with ``python -m benchmarks sessions``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_idle import TICK, _stat, _tree, cpu_ticks, settle
from benchmarks.bench_scale import SETTLE_TIMEOUT, SIZE, Frames, _busy_workers, _touches, key_ms
from benchmarks.bench_start import Terminal, app_command

AGENTS = 20
RATIO_BUDGET = 1.3  # keystroke with AGENTS sessions printing against none
CPU_BUDGET_PERCENT = 1.0
WAIT_BUDGET_MS = 1000.0
IDLE_SECONDS = float(os.environ.get("CDEV_BENCH_IDLE_SECONDS", "30"))
ARROW_ROUNDS = 6  # four downs and four ups each
WAIT_ROUNDS = 8
PRINTING = "work 600"
ASKING = "ask Go on?"
ASKS_SOON = "work 1; ask Go on?"
WARM_SECONDS = 1.0  # after every session shows working: the interpreters' start-up is over
GAP = 0.05  # seconds between two keys, plus a fraction of a frame period (see _arrows)
PHASES = 8  # the fractions: keys land at as many points of the frame period in turn
POLL = 0.005  # seconds between two looks at the table cell
STATE_TIMEOUT = 60.0  # seconds for the app to show the sessions' states


def _agent(index: int) -> str:
    return f"agent_{index:02d}"


def _worktree(root: Path, agent_id: str) -> Path:
    return root / "proj-work-trees" / f"T-1-{agent_id}"


def _program(script: str, marks: Path | None = None) -> list[str]:
    """The scripted stand-in agent playing ``script`` (noting when it asks in ``marks``)."""
    argv = [sys.executable, "-m", "cdev_tui.sessions.demo_agent", "--script", script]
    return [*argv, "--marks", str(marks)] if marks is not None else argv


def _server(repo: Path) -> Any:
    from cdev_tui.sessions.tmux import TmuxServer, socket_name

    return TmuxServer(socket_name(repo / ".git"))


def _start_all(server: Any, root: Path, script: str) -> None:
    for index in range(AGENTS):
        agent_id = _agent(index)
        server.start(agent_id, "demo", _program(script), _worktree(root, agent_id))


def _kill(server: Any) -> None:
    """Kill our tmux server and wait for its process to be gone (a new one may start on the socket next)."""
    found = server.run(["display-message", "-p", "#{pid}"], check=False) if server.running() else None
    server.kill_server()
    pid = int(found.strip()) if found and found.strip().isdigit() else None
    deadline = time.monotonic() + 10
    while pid is not None and Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    server.socket_path.unlink(missing_ok=True)


def _end_session(server: Any, agent_id: str) -> None:
    """End one agent's session, keeping the server (its window is linked in the monitor session too)."""
    from cdev_tui.sessions.tmux import session_name

    name = session_name(agent_id)
    server.run(["kill-window", "-t", f"={name}:"], check=False)
    server.run(["kill-session", "-t", f"={name}"], check=False)


def _session_cell(table: Any, agent_id: str) -> str:
    try:
        return str(getattr(cell := table.get_cell(agent_id, "session"), "plain", cell))
    except Exception:  # the row is not there (yet)
        return ""


async def _until(condition: Callable[[], bool], what: str, timeout: float = STATE_TIMEOUT) -> float:
    """Wait (letting the app run) until ``condition()`` holds; seconds waited."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def _loaded(app: Any) -> Any:
    """Wait for the table to hold every agent and the first load's background work to end; the table."""
    from textual.widgets import DataTable

    def table() -> Any:
        return app.screen.query_one("#agents-table", DataTable)

    await _until(lambda: bool(app.screen.query("#agents-table")) and table().row_count >= AGENTS, "rows")
    started = time.perf_counter()
    while [w for w in _busy_workers(app) if w.group != "peek"]:
        if time.perf_counter() - started > SETTLE_TIMEOUT:
            break
        await asyncio.sleep(0.1)
    return table()


async def _arrows(pilot: Any, frames: Frames, table: Any, rounds: int) -> list[float]:
    """Arrow keys in the agents table, four downs then four ups per round; milliseconds each.

    Textual draws on a fixed grid of 1/MAX_FPS s; a fixed gap after the last frame would land every key at
    the same point of that grid, and a few milliseconds more or less work would move every sample by a
    whole frame. The gaps step through ``PHASES`` points of the frame period instead.
    """
    from textual.constants import MAX_FPS

    table.focus()
    table.move_cursor(row=0)
    await pilot.pause(0.2)
    samples = []
    for index in range(8 * rounds):
        down = index % 8 < 4
        row = table.cursor_row + (1 if down else -1)
        moved = lambda row=row: table.cursor_row == row  # noqa: E731
        samples.append(await key_ms(pilot, frames, "down" if down else "up", moved, "agents"))
        await asyncio.sleep(GAP + (index % PHASES) / PHASES / MAX_FPS)
    return samples


async def _keystrokes(repo: Path, root: Path, db: Path, server: Any) -> dict[str, Any]:
    from cdev_tui.app import make_app

    app = make_app(repo, db=db)
    frames = Frames(app)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        table = await _loaded(app)
        await _arrows(pilot, frames, table, 1)  # untimed
        result["none"] = statistics.median(await _arrows(pilot, frames, table, ARROW_ROUNDS))

        started = time.perf_counter()
        _start_all(server, root, PRINTING)
        pane = app.main.query_one("AgentsPane")

        def all_working() -> bool:
            cells = [_session_cell(table, _agent(i)) for i in range(AGENTS)]
            return all("working" in cell for cell in cells) and len(pane.sessions) >= AGENTS

        await _until(all_working, f"{AGENTS} sessions shown working")
        result["shown"] = time.perf_counter() - started
        await pilot.pause(WARM_SECONDS)
        result["printing"] = statistics.median(await _arrows(pilot, frames, table, ARROW_ROUNDS))
        result["still_working"] = sum("working" in _session_cell(table, _agent(i)) for i in range(AGENTS))
    return result


def _idle_cpu(repo: Path, root: Path, db: Path, server: Any) -> dict[str, Any]:
    _start_all(server, root, ASKING)
    ours = Terminal(app_command(repo, db), root, label="cdev-tui")
    waiting = f"{AGENTS} waiting for you"
    try:
        ours.start()
        shown = ours.wait_for(lambda screen: waiting in screen, timeout=120)
        pid = ours.pane_pid()
        settled, calm = settle(pid)
        server_pid = int((server.run(["display-message", "-p", "#{pid}"]) or "0").strip())

        def server_ticks() -> int:
            stat = _stat(server_pid)
            return sum(int(value) for value in stat[1][11:15]) if stat is not None else 0

        began = time.monotonic()
        before = (cpu_ticks(pid), server_ticks(), cpu_ticks(server_pid))
        time.sleep(IDLE_SECONDS)
        after = (cpu_ticks(pid), server_ticks(), cpu_ticks(server_pid))
        window = time.monotonic() - began
        app_share, server_share, tree_share = (
            100 * (b - a) / TICK / window for a, b in zip(before, after, strict=True)
        )
        processes = len(_tree(pid))
        still = waiting in ours.screen()
    finally:
        ours.quit("q")
    return {
        "shown": shown,
        "settled": settled,
        "calm": calm,
        "app": app_share,
        "server": server_share,
        "tree": tree_share,
        "processes": processes,
        "still": still,
    }


async def _wait_latency(repo: Path, root: Path, db: Path, server: Any) -> list[float]:
    from cdev_tui.app import make_app

    app = make_app(repo, db=db)
    frames = Frames(app)
    samples: list[float] = []
    async with app.run_test(size=SIZE):
        table = await _loaded(app)
        agents = app.main.query_one("AgentsPane")
        pane = app.screen.query_one("TabPane#agents")
        changed: dict[str, float] = {}  # agent id: when the Session cell first said waiting (perf_counter)
        show_sessions = agents.show_sessions

        def noting(sessions: Any) -> None:
            show_sessions(sessions)
            for agent_id, info in sessions.items():
                if str(info.state) == "waiting" and "waiting" in _session_cell(table, agent_id):
                    changed.setdefault(agent_id, time.perf_counter())

        agents.show_sessions = noting
        wall_minus_perf = time.time() - time.perf_counter()
        previous: str | None = None
        for round_ in range(WAIT_ROUNDS + 1):  # the first one untimed: the monitor finds the new server
            agent_id = _agent(round_ % AGENTS)
            marks = root / f"marks-{round_}"
            if previous is not None:
                _end_session(server, previous)
            changed.pop(agent_id, None)
            server.start(agent_id, "demo", _program(ASKS_SOON, marks), _worktree(root, agent_id))
            previous = agent_id
            started = time.perf_counter()
            while "waiting" not in _session_cell(table, agent_id) or agent_id not in agents.sessions:
                if time.perf_counter() - started > STATE_TIMEOUT:
                    raise RuntimeError(f"{agent_id}: never shown waiting")
                await asyncio.sleep(POLL)
            at = changed.get(agent_id, time.perf_counter())
            drawn = None
            while drawn is None and time.perf_counter() - at < 1.0:
                drawn = next((t for t, widgets in frames.log if t >= at and _touches(pane, widgets)), None)
                await asyncio.sleep(POLL)
            asked = float(marks.read_text().split()[1])
            if round_:
                samples.append(((drawn or at) + wall_minus_perf - asked) * 1000)
        if previous is not None:
            _end_session(server, previous)
    return samples


def measure() -> dict[str, Any]:
    """Build the repository once, then the three parts, our tmux server killed after each."""
    from benchmarks.bench_first_frame import _compile_sources
    from benchmarks.bench_refresh import build

    with tempfile.TemporaryDirectory(prefix="cdev-bench-sessions-") as tmp:
        root = Path(tmp)
        repo = build(root, AGENTS)
        _compile_sources()
        server = _server(repo)
        try:
            keys = asyncio.run(_keystrokes(repo, root, root / "keys.db", server))
            _kill(server)
            idle = _idle_cpu(repo, root, root / "idle.db", server)
            _kill(server)
            waits = asyncio.run(_wait_latency(repo, root, root / "wait.db", server))
        finally:
            _kill(server)
    return {"keys": keys, "idle": idle, "waits": waits}


def main() -> list[str]:
    """One line per part, and one about our tmux server's CPU (informational)."""
    result = measure()
    keys, idle, waits = result["keys"], result["idle"], result["waits"]
    shown = f"the sessions showed waiting at {idle['shown']:.1f} s"
    settled = (
        f"settled {idle['settled']:.0f} s after"
        if idle["calm"]
        else f"still busy {idle['settled']:.0f} s after"
    )
    still = "" if idle["still"] else "; NOT all shown waiting at the end"
    return [
        f"sessions.keystroke: {AGENTS} sessions printing {keys['printing']:.1f} ms vs none {keys['none']:.1f} ms "
        f"(arrow key in the {AGENTS}-agent table, handled and redrawn; all shown working "
        f"{keys['shown']:.1f} s after starting them, {keys['still_working']} still working at the end), "
        f"ratio {keys['printing'] / keys['none']:.2f}x (budget <= {RATIO_BUDGET:g}x)",
        f"sessions.idle_cpu: {AGENTS} sessions waiting, mean {idle['app']:.2f} % of a core over "
        f"{IDLE_SECONDS:g} s, {idle['processes']} processes ({settled} {shown}{still}) "
        f"(budget <= {CPU_BUDGET_PERCENT:g}%)",
        f"sessions.idle_cpu(our tmux server): {idle['server']:.2f}% of a core over the same {IDLE_SECONDS:g} s "
        f"({idle['tree']:.2f}% with the {AGENTS} waiting programs under it)",
        f"sessions.wait_latency: median {statistics.median(waits):.0f} ms, max {max(waits):.0f} ms over "
        f"{len(waits)} programs (from the program asking to the frame showing it waiting) "
        f"(budget <= {WAIT_BUDGET_MS:g} ms)",
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
