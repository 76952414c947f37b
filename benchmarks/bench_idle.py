"""Idle CPU of the real app with 50 agents in a real terminal (tmux), and of a bare Textual app beside it.

Builds the 50-agent repository of ``bench_refresh`` and starts ``python -m cdev_tui`` on it in a tmux
session of its own (160x45, as ``bench_start`` does), and a bare Textual app showing one Static in
another. Once the app shows its agents, it waits ``SETTLE_AFTER`` seconds and then until the app's CPU
time has grown by at most ``SETTLE_TICKS`` clock ticks over the last ``SETTLE_WINDOW`` seconds (the first
load, scan and conflict prediction are over), ``SETTLE_TIMEOUT`` at most. Then both sit untouched for
``IDLE_SECONDS`` (env ``CDEV_BENCH_IDLE_SECONDS`` overrides it for a quick run) and the report gives
each one's CPU time over that window as a share of one core.

A process's CPU time is utime + stime + cutime + cstime from ``/proc/<pid>/stat``, summed over the
pane's process (``tmux list-panes -F '#{pane_pid}'``) and all its live descendants: every thread counts,
and so does every child (git) that ran and was reaped inside the window. Linux only.
Run with ``python -m benchmarks idle``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.bench_start import Terminal, all_visible, app_command, bare_command

BUDGET_PERCENT = 0.5
AGENTS = 50
IDLE_SECONDS = float(os.environ.get("CDEV_BENCH_IDLE_SECONDS", "60"))
SETTLE_AFTER = 5.0  # seconds to wait once the agents show, before watching the CPU time settle
SETTLE_WINDOW = 3.0  # seconds of (almost) no CPU time that count as settled
SETTLE_TICKS = 3  # clock ticks allowed over that window (10 ms each at 100 Hz: 1% of a core over 3 s)
SETTLE_TIMEOUT = 120.0
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, list[str]] | None:
    """The parent pid and the fields after the command name of ``/proc/<pid>/stat``, or None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses
    return int(fields[1]), fields


def _tree(root: int) -> list[int]:
    """``root`` and its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            children.setdefault(stat[0], []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_ticks(root: int) -> int:
    """CPU clock ticks used so far by ``root``, its live descendants and the children they reaped."""
    total = 0
    for pid in _tree(root):
        stat = _stat(pid)
        if stat is not None:
            # fields[11:15] are utime, stime, cutime and cstime (stat fields 14 to 17).
            total += sum(int(value) for value in stat[1][11:15])
    return total


def settle(pid: int, after: float = SETTLE_AFTER) -> tuple[float, bool]:
    """Wait ``after`` seconds, then for ``pid``'s tree to stop using CPU; seconds waited, whether it did."""
    started = time.monotonic()
    time.sleep(after)
    samples: list[tuple[float, int]] = []
    while time.monotonic() - started < SETTLE_TIMEOUT:
        now = time.monotonic()
        samples.append((now, cpu_ticks(pid)))
        window = [ticks for at, ticks in samples if at >= now - SETTLE_WINDOW - 1e-3]
        if now - samples[0][0] >= SETTLE_WINDOW and window[-1] - window[0] <= SETTLE_TICKS:
            return time.monotonic() - started, True
        time.sleep(0.5)
    return time.monotonic() - started, False


def measure(seconds: float = IDLE_SECONDS) -> dict[str, object]:
    """Start both apps, let them settle, then their CPU share (percent of one core) over ``seconds``."""
    from benchmarks.bench_first_frame import _compile_sources
    from benchmarks.bench_refresh import build

    with tempfile.TemporaryDirectory(prefix="cdev-bench-idle-") as tmp:
        root = Path(tmp)
        repo = build(root, AGENTS)
        _compile_sources()
        ours = Terminal(app_command(repo, root / "cdev.db"), root, label="cdev-tui")
        bare = Terminal(bare_command(), root, label="bare textual")
        try:
            ours.start()
            # The table shows what fits: its first rows, in the loader's order.
            shown = ours.wait_for(all_visible(["agent_00", "agent_01", "agent_02"]), timeout=120)
            bare.start()
            bare.wait_for(all_visible(["hello"]))
            pids = {"ours": ours.pane_pid(), "bare": bare.pane_pid()}
            settled, calm = settle(pids["ours"])
            settle(pids["bare"], after=0)  # it started with ours: it has waited as long already
            before = {name: (time.monotonic(), cpu_ticks(pid)) for name, pid in pids.items()}
            time.sleep(seconds)
            share = {}
            for name, pid in pids.items():
                at, ticks = before[name]
                used = (cpu_ticks(pid) - ticks) / TICK
                share[name] = 100 * used / (time.monotonic() - at)
            processes = len(_tree(pids["ours"]))
        finally:
            ours.quit("q")
            bare.close()
    return {"shown": shown, "settled": settled, "calm": calm, "processes": processes, **share}


def main() -> list[str]:
    """Idle CPU of both apps, one line each."""
    result = measure()
    shown = f"the agents showed at {result['shown']:.1f} s"
    if result["calm"]:
        settled = f"settled {result['settled']:.0f} s after {shown}"
    else:
        settled = f"still busy {result['settled']:.0f} s after {shown}"
    processes = f"{result['processes']} process" + ("es" if result["processes"] != 1 else "")
    return [
        f"idle_cpu({AGENTS} agents): mean {result['ours']:.2f}% of one core over {IDLE_SECONDS:g} s, "
        f"{processes} ({settled}) (budget <= {BUDGET_PERCENT:g}%)",
        f"idle_cpu(bare textual): {result['bare']:.2f}% of one core over the same {IDLE_SECONDS:g} s",
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
