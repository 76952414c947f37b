"""A year of history: what the Metrics pane computes when it opens, with that history against an empty store,
and how big the store stays once compacted.

Builds the repository of ``bench_refresh.build`` with ``AGENTS`` agents, then a store holding a year of
progress snapshots at one per agent per minute (``AGENTS`` x 525,600 rows, written straight with sqlite3 in one
transaction), compacted as the app compacts (``cdev_tui.retention``: a week raw, then hourly, then daily).
The figure is the median time of ``service.metrics(snapshot, series=False)`` plus
``service.metrics_history("24h")`` — the
work behind the Metrics pane: its figures, then its plots and replay over the default range — over
``REPEAT`` runs with that store, as a ratio to the same with an empty store, and in milliseconds against the
100 ms budget. Sizes are reported before and after compaction (and after VACUUM, which the app leaves to
SQLite's reuse of freed pages). Run with ``python -m benchmarks history``.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

AGENTS = 20
MINUTES = 365 * 24 * 60
REPEAT = 7
BUDGET_MS = 100.0


def _year_of_snapshots(db: Path, agents: list[str], now: float) -> None:
    from cdev_tui.store import Store

    Store(db).close()  # the schema
    conn = sqlite3.connect(db)
    rows = (
        (agent, "in progress", minute * 30 // MINUTES, 30, 0, 0, now - (MINUTES - minute) * 60)
        for minute in range(MINUTES)
        for agent in agents
    )
    conn.executemany(
        "INSERT INTO agent_snapshots (agent_id, status, done, total, dirty, ahead, ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()


def _metrics_ms(repo: Path, db: Path, ranges: tuple[str, ...] = ("24h",)) -> float:
    """Median milliseconds of the pane's figures and its plots over ``ranges`` (no range: figures alone)."""
    from cdev_tui.service import open_service

    service = open_service(repo, db=db)

    def open_pane() -> None:  # what the Metrics pane asks for when it opens
        service.metrics(snapshot, series=False)
        for name in ranges:
            service.metrics_history(name, snapshot)

    try:
        snapshot = service.load()
        open_pane()  # warm: imports, the store's connection
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            open_pane()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)
    finally:
        service.close()


def measure() -> dict[str, Any]:
    """Store sizes and the metrics' median time with an empty store and with a compacted year."""
    from benchmarks.bench_refresh import build
    from cdev_tui.retention import compact

    with tempfile.TemporaryDirectory(prefix="cdev-bench-history-") as tmp:
        root = Path(tmp)
        repo = build(root, AGENTS)
        agents = [f"agent_{i:02d}" for i in range(AGENTS)]
        empty = _metrics_ms(repo, root / "empty.db")
        year = root / "year.db"
        now = time.time()
        started = time.perf_counter()
        _year_of_snapshots(year, agents, now)
        written = time.perf_counter() - started
        raw_mb = year.stat().st_size / 1e6
        conn = sqlite3.connect(year)
        started = time.perf_counter()
        result = compact(conn, now)
        conn.commit()
        compacted_s = time.perf_counter() - started
        kept = conn.execute("SELECT count(*) FROM agent_snapshots").fetchone()[0]
        compacted_mb = year.stat().st_size / 1e6
        conn.execute("VACUUM")
        conn.close()
        vacuumed_mb = year.stat().st_size / 1e6
        with_year = _metrics_ms(repo, year)
        plots_all = _metrics_ms(repo, year, ("all",)) - _metrics_ms(repo, year, ())
    return {
        "rows": AGENTS * MINUTES,
        "written_s": written,
        "raw_mb": raw_mb,
        "removed": result.removed["agent_snapshots"],
        "kept": kept,
        "compacted_s": compacted_s,
        "compacted_mb": compacted_mb,
        "vacuumed_mb": vacuumed_mb,
        "empty_ms": empty,
        "year_ms": with_year,
        "all_ms": plots_all,
    }


def main() -> list[str]:
    m = measure()
    return [
        f"history.store: a year at one snapshot per agent per minute for {AGENTS} agents, {m['rows']:,} rows, "
        f"{m['raw_mb']:.0f} MB written in {m['written_s']:.0f} s; compacted in {m['compacted_s']:.1f} s to "
        f"{m['kept']:,} rows ({m['removed']:,} removed), {m['vacuumed_mb']:.1f} MB after VACUUM "
        f"({m['compacted_mb']:.0f} MB file before it: freed pages are reused)",
        f"history.plots_all: plotting and replaying the whole year (range all) {m['all_ms']:.0f} ms in a worker "
        "(informational, no budget)",
        f"history.metrics_open: the Metrics pane's figures and 24 h plots with that year {m['year_ms']:.1f} ms vs an empty store "
        f"{m['empty_ms']:.1f} ms (median of {REPEAT}), ratio {m['year_ms'] / m['empty_ms']:.2f}x "
        "(informational, no budget)",
        f"history.metrics_open(a year, {AGENTS} agents): median {m['year_ms']:.1f} ms (budget <= {BUDGET_MS:g} ms)",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
