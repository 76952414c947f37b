"""Keeping the store small: raw history for a week, then one row an hour, then one a day.

Agent progress snapshots keep, per agent, the last row of each hour once older than ``RAW_DAYS`` and of each day
once older than ``HOURLY_DAYS``; operation timings the same per operation. A year of history for twenty
agents then stays a few megabytes, and the figures read from it (progress over time, burn-down, durations)
keep their shape. Events, session states and usage are small and kept whole.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

RAW_DAYS = 7
HOURLY_DAYS = 30
COMPACT_EVERY_HOURS = 6
"""The service compacts at most this often (a compaction is recorded as a ``store.compact`` event)."""
_TABLES = (("agent_snapshots", "agent_id"), ("timings", "op"))


@dataclass(frozen=True)
class Compaction:
    """How many rows a compaction removed, per table."""

    removed: dict[str, int]

    @property
    def total(self) -> int:
        """Rows removed in all."""
        return sum(self.removed.values())


def compact(
    conn: sqlite3.Connection, now: float, progress: Callable[[int, int], None] | None = None
) -> Compaction:
    """Thin out history older than a week to hourly, older than a month to daily (one transaction).

    ``progress(done, total)`` counts the (table, period) passes, after each one.
    """
    removed: dict[str, int] = {}
    done, total = 0, 2 * len(_TABLES)
    if progress is not None:
        progress(0, total)
    for table, key in _TABLES:
        count = 0
        for older_than, bucket in ((now - HOURLY_DAYS * 86400, 86400), (now - RAW_DAYS * 86400, 3600)):
            cursor = conn.execute(
                f"DELETE FROM {table} WHERE ts < ? AND id NOT IN ("
                f"SELECT max(id) FROM {table} WHERE ts < ? GROUP BY {key}, CAST(ts / ? AS INTEGER))",
                (older_than, older_than, bucket),
            )
            count += cursor.rowcount
            done += 1
            if progress is not None:
                progress(done, total)
        removed[table] = count
    return Compaction(removed)
