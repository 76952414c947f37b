"""The SQLite store: schema, migrations, the writer thread, and surviving a kill mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.store import AgentSnapshotRow, Store, default_db_path
from cdev_tui.store_schema import SCHEMA_VERSION


def test_round_trip_and_wal(tmp_path: Path) -> None:
    store = Store(tmp_path / "cdev" / "cdev.db")
    now = time.time()
    store.record_snapshots(
        [
            AgentSnapshotRow("a", "ready", 0, 4, 0, 0, now),
            AgentSnapshotRow("a", "in progress", 2, 4, 1, 1, now + 1),
        ]
    )
    store.record_timing("workspace.load", 0.25, "5 agents")
    store.record_event("status", "a: ready → in progress", "a")
    store.flush()
    assert store.latest_snapshots()["a"].done == 2
    assert [r.status for r in store.snapshots(agent_id="a")] == ["ready", "in progress"]
    assert store.timings("workspace.load")[0].seconds == 0.25
    assert store.events()[0].message.startswith("a: ready")
    assert store.schema_version() == SCHEMA_VERSION
    store.close()
    mode = sqlite3.connect(tmp_path / "cdev" / "cdev.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = Store(path)
    store.record_event("x", "kept")
    store.close()
    again = Store(path)
    assert [e.message for e in again.events()] == ["kept"]
    versions = sqlite3.connect(path).execute("SELECT count(*) FROM schema_version").fetchone()[0]
    assert versions == SCHEMA_VERSION
    again.close()


def test_a_failed_write_does_not_stop_the_writer(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    failed = store.submit(lambda conn: conn.execute("INSERT INTO nowhere VALUES (1)"))
    with pytest.raises(sqlite3.OperationalError):
        failed.result(5)
    store.record_event("ok", "still writing")
    store.flush()
    assert store.events()[-1].message == "still writing"
    store.close()


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CdevError, match="not a cdev-tui database"):
        Store(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Store(path).close()
    sqlite3.connect(path, isolation_level=None).execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(CdevError, match="newer than this cdev-tui"):
        Store(path)


def test_default_location_is_in_the_git_common_dir(tmp_path: Path) -> None:
    assert default_db_path(tmp_path / ".git") == tmp_path / ".git" / "cdev" / "cdev.db"


WRITER = """
import sys, time
from pathlib import Path
from cdev_tui.store import AgentSnapshotRow, Store
store = Store(Path(sys.argv[1]))
i = 0
while True:
    rows = [AgentSnapshotRow(f"agent{j}", "in progress", i % 7, 7, j, i, time.time()) for j in range(50)]
    store.record_snapshots(rows)
    store.record_event("tick", "x" * 2000)
    if i == 20:
        store.flush()
        print("writing", flush=True)
    i += 1
"""


def test_killing_a_writer_mid_write_leaves_a_readable_database(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(0.3)  # let it get deep into more transactions
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = conn.execute("SELECT count(*) FROM agent_snapshots").fetchone()[0]
    assert count >= 21 * 50 and count % 50 == 0  # whole transactions only
    conn.close()
    store = Store(path)
    assert len(store.latest_snapshots()) == 50
    store.close()


def test_a_store_path_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CdevError, match="is a directory"):
        Store(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CdevError, match="cannot create the store folder"):
        Store(blocker / "cdev.db")  # its folder cannot be created: a file is in the way


def test_the_voice_log_keeps_what_was_heard_never_audio(tmp_path: Path) -> None:
    from cdev_tui.metrics import summarize_voice
    from cdev_tui.store import VoiceRow

    store = Store(tmp_path / "voice.db")
    try:
        rows = [
            VoiceRow("show conflicts", "pane.conflicts", "{}", 0.97, 420.0, "run", 1.0),
            VoiceRow("open agent auth", "agent.open", '{"agent": "auth_agent"}', 0.95, 510.0, "run", 2.0),
            VoiceRow("what is the weather", None, "{}", 0.2, 380.0, "none", 3.0),
            VoiceRow("", None, "{}", 0.0, 0.0, "rejected", 4.0),
        ]
        for row in rows:
            store.record_voice(row)
        store.flush()
        assert store.voice_log() == rows
        columns = {r["name"] for r in store.query("PRAGMA table_info(voice_log)")}
        assert columns == {"id", "ts", "heard", "command_id", "args", "confidence", "latency_ms", "outcome"}
        summary = summarize_voice(store.voice_log())
        assert summary is not None
        assert (summary.utterances, summary.commands_run, summary.not_understood) == (3, 2, 1)
        assert summary.median_latency_ms == 420.0 and round(summary.understood, 2) == 0.67
        assert summarize_voice([]) is None
    finally:
        store.close()
