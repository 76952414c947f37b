"""Agents on screen in a real terminal: cdev-tui until every agent id shows, against a bare Textual app.

Each run starts a fresh tmux server on a private socket with one session of 160x45 running one fresh
interpreter: ``python -m cdev_tui --repo <demo> --db <store>`` on the demo workspace (built beforehand,
untimed), or a bare Textual app that yields one ``Static("hello")``. The clock starts just before
``tmux new-session`` and stops at the first ``tmux capture-pane -p`` (polled every 10 ms) that shows every
agent id of the workspace (the ids come from one untimed ``cdev-tui status --format json``) or, for the
bare app, ``hello``. Then the app is quit (``q``) and the tmux server killed.

cdev-tui runs in two variants: "warm", whose store already holds a previous session's state (the app ran
once on it beforehand, untimed, loaded the workspace and quit with ``q``), and "cold", with a fresh empty
store path each run. The three variants alternate, ``RUNS`` each, nothing discarded; the report compares
the medians of each cdev-tui variant with the bare app's. Run with ``python -m benchmarks start``.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BUDGETS = {"warm": 1.3, "cold": 2.0}
RUNS = 7
SIZE = (160, 45)
POLL = 0.01  # seconds between two captures of the pane
RUN_TIMEOUT = 60.0  # seconds for the screen to show what a run waits for
QUIT_TIMEOUT = 15.0  # seconds for the app to exit after ``q``

BARE = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    "        yield Static('hello')\n"
    "Bare().run()\n"
)

_sockets = itertools.count()


def app_command(repo: Path, db: Path) -> list[str]:
    """The real app on ``repo`` with its store at ``db``, as a fresh interpreter."""
    return [sys.executable, "-m", "cdev_tui", "--repo", str(repo), "--db", str(db)]


def bare_command() -> list[str]:
    """The yardstick: a Textual app showing one Static, as a fresh interpreter."""
    return [sys.executable, "-c", BARE]


def terminal_env() -> dict[str, str]:
    """The environment for tmux and what it runs: no Textual switches, no inherited COLUMNS/LINES."""
    from benchmarks.bench_first_frame import _child_env

    env = _child_env()
    for name in ("COLUMNS", "LINES", "TMUX", "TMUX_PANE"):
        env.pop(name, None)
    return env


class Terminal:
    """A tmux server of its own (private socket) running ``command`` in one session of ``size``."""

    def __init__(
        self, command: Sequence[str], cwd: Path, size: tuple[int, int] = SIZE, label: str = ""
    ) -> None:
        self.label = label or " ".join(command[1:3])
        self.socket = f"cdev-bench-{os.getpid()}-{next(_sockets)}"
        self.command = list(command)
        self.cwd = cwd
        self.size = size
        self.env = terminal_env()
        self.started = 0.0

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=self.env, cwd=self.cwd
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self) -> None:
        """Start the server and the command; ``started`` is the clock reading just before."""
        width, height = self.size
        self.started = time.perf_counter()
        # tmux sets the pane's TERM from its own default-terminal: ``env`` sets ours and execs the command.
        self.tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height),
            "--", "env", "TERM=xterm-256color", *self.command,
        )  # fmt: skip

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "bench", check=False)

    def alive(self) -> bool:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "has-session", "-t", "bench"], capture_output=True, env=self.env
        )
        return result.returncode == 0

    def pane_pid(self) -> int:
        return int(self.tmux("list-panes", "-t", "bench", "-F", "#{pane_pid}").split()[0])

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "bench", *keys, check=False)

    def wait_for(self, check: Callable[[str], bool], timeout: float = RUN_TIMEOUT) -> float:
        """Seconds from ``start`` to the first capture for which ``check`` holds."""
        deadline = time.perf_counter() + timeout
        screen = ""
        while time.perf_counter() < deadline:
            screen = self.screen()
            if check(screen):
                return time.perf_counter() - self.started
            if not self.alive():
                raise RuntimeError(f"{self.label}: exited; last screen:\n{screen}")
            time.sleep(POLL)
        raise RuntimeError(f"{self.label}: never got there in {timeout:g} s; last screen:\n{screen}")

    def quit(self, key: str | None = "q") -> None:
        """Press ``key`` and give the app time to exit by itself, then kill the server whatever happened."""
        try:
            if key is not None and self.alive():
                self.press(key)
                deadline = time.perf_counter() + QUIT_TIMEOUT
                while self.alive() and time.perf_counter() < deadline:
                    time.sleep(0.05)
        finally:
            self.close()

    def close(self) -> None:
        """Kill the server, and remove its socket file, which a killed server leaves behind."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, env=self.env)
        folder = Path(self.env.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)

    def __enter__(self) -> Terminal:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def agent_ids(repo: Path, db: Path) -> list[str]:
    """The ids of the workspace's agents, from ``cdev-tui status --format json``."""
    command = ["status", "--repo", str(repo), "--db", str(db), "--format", "json"]
    result = subprocess.run(
        [sys.executable, "-m", "cdev_tui", *command],
        capture_output=True,
        text=True,
        check=True,
        env=terminal_env(),
    )
    return [agent["id"] for agent in json.loads(result.stdout)["agents"]]


def all_visible(words: Sequence[str]) -> Callable[[str], bool]:
    return lambda screen: all(word in screen for word in words)


def _run_ms(
    label: str, command: list[str], cwd: Path, ready: Callable[[str], bool], quit_key: str | None
) -> float:
    terminal = Terminal(command, cwd, label=label)
    try:
        terminal.start()
        elapsed = terminal.wait_for(ready)
    finally:
        terminal.quit(quit_key)
    return elapsed * 1000


def measure(runs: int = RUNS) -> tuple[list[str], dict[str, list[float]]]:
    """Build the demo once, warm one store, then time ``runs`` starts of each variant, alternating."""
    from benchmarks.bench_first_frame import _compile_sources
    from cdev_tui.demo import build_demo

    times: dict[str, list[float]] = {"bare": [], "warm": [], "cold": []}
    with tempfile.TemporaryDirectory(prefix="cdev-bench-start-") as tmp:
        root = Path(tmp)
        repo = build_demo(root / "demo").repo
        _compile_sources()
        ids = agent_ids(repo, root / "ids.db")
        ours = all_visible(ids)
        warm_db = root / "warm.db"
        _run_ms("previous session", app_command(repo, warm_db), root, ours, "q")  # untimed
        for run in range(runs):
            cold_db = root / f"cold-{run}.db"
            times["bare"].append(_run_ms(f"bare {run}", bare_command(), root, all_visible(["hello"]), None))
            times["warm"].append(_run_ms(f"warm {run}", app_command(repo, warm_db), root, ours, "q"))
            times["cold"].append(_run_ms(f"cold {run}", app_command(repo, cold_db), root, ours, "q"))
    return ids, times


def main() -> list[str]:
    """Time the three variants and return one line per cdev-tui variant."""
    ids, times = measure()
    bare = statistics.median(times["bare"])
    lines = []
    for variant, budget in BUDGETS.items():
        ours = statistics.median(times[variant])
        lines.append(
            f"start.{variant}({len(ids)} agents): all {len(ids)} agent ids visible in tmux {ours:.0f} ms vs "
            f'bare textual "hello" {bare:.0f} ms, ratio {ours / bare:.2f}x (budget <= {budget:g}x)'
        )
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
