"""The store's schema: forward migrations, one per version, applied in order (Textual-free)."""

from __future__ import annotations

import sqlite3

from cdev_tui.errors import CdevError

SCHEMA_VERSION = 7

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE agent_snapshots (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, agent_id TEXT NOT NULL, status TEXT NOT NULL,
        done INTEGER NOT NULL, total INTEGER NOT NULL, dirty INTEGER NOT NULL, ahead INTEGER NOT NULL
    );
    CREATE INDEX agent_snapshots_agent_ts ON agent_snapshots (agent_id, ts);
    CREATE TABLE timings (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, op TEXT NOT NULL, seconds REAL NOT NULL, detail TEXT
    );
    CREATE INDEX timings_op_ts ON timings (op, ts);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, kind TEXT NOT NULL, agent_id TEXT, message TEXT
    );
    CREATE INDEX events_ts ON events (ts);
    """,
    """
    CREATE TABLE learned_resolutions (
        key TEXT PRIMARY KEY, sides_key TEXT NOT NULL, result TEXT NOT NULL, path TEXT NOT NULL,
        source TEXT NOT NULL, created REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0, last_used REAL
    );
    CREATE INDEX learned_resolutions_sides ON learned_resolutions (sides_key);
    """,
    """
    CREATE TABLE voice_log (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, heard TEXT NOT NULL, command_id TEXT, args TEXT NOT NULL,
        confidence REAL NOT NULL, latency_ms REAL NOT NULL, outcome TEXT NOT NULL
    );
    CREATE INDEX voice_log_ts ON voice_log (ts);
    """,
    """
    CREATE TABLE scan_files (
        root TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
        ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, blob TEXT NOT NULL, binary INTEGER NOT NULL,
        PRIMARY KEY (root, path)
    ) WITHOUT ROWID;
    CREATE TABLE scan_blobs (
        ruleset TEXT NOT NULL, blob TEXT NOT NULL, context TEXT NOT NULL, findings TEXT NOT NULL,
        PRIMARY KEY (ruleset, blob, context)
    ) WITHOUT ROWID;
    """,
    """
    CREATE TABLE object_cache (
        kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, stored REAL NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    CREATE TABLE cache_stats (
        op TEXT PRIMARY KEY, hits INTEGER NOT NULL, misses INTEGER NOT NULL, updated REAL NOT NULL
    );
    CREATE TABLE last_known (
        name TEXT PRIMARY KEY, repo TEXT NOT NULL, format TEXT NOT NULL, taken_at REAL NOT NULL,
        data TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE session_states (
        id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL, state TEXT NOT NULL, started REAL NOT NULL,
        ended REAL, program TEXT NOT NULL, exit_code INTEGER
    );
    CREATE INDEX session_states_agent ON session_states (agent_id, started);
    CREATE TABLE agent_usage (
        agent_id TEXT PRIMARY KEY, task_id TEXT NOT NULL, program TEXT NOT NULL, input INTEGER NOT NULL,
        output INTEGER NOT NULL, cache_write INTEGER NOT NULL, cache_read INTEGER NOT NULL,
        cost_usd REAL NOT NULL, models TEXT NOT NULL, updated REAL NOT NULL
    );
    """,
    """
    CREATE TABLE outcomes (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, kind TEXT NOT NULL, run TEXT NOT NULL, subject TEXT NOT NULL,
        other TEXT NOT NULL, outcome TEXT NOT NULL, files TEXT NOT NULL
    );
    CREATE INDEX outcomes_kind_ts ON outcomes (kind, ts);
    """,
)
"""Forward migrations: ``MIGRATIONS[n - 1]`` takes the schema from version n - 1 to n."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION`, one transaction per step; returns the version."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    current = row[0] or 0
    if current > SCHEMA_VERSION:
        raise CdevError(f"database schema {current} is newer than this cdev-tui ({SCHEMA_VERSION}); upgrade")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[version - 1]}\nINSERT INTO schema_version VALUES ({version});\nCOMMIT;"
        try:
            conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION
