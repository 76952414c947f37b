"""The store thins out old history: raw for a week, then hourly, then daily — and the figures keep their shape."""

from __future__ import annotations

from pathlib import Path

from cdev_tui.store import AgentSnapshotRow, Store

DAY = 86400.0
NOW = 400 * DAY


def test_a_year_of_minutes_becomes_a_week_raw_then_hours_then_days(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    rows = []
    for minute in range(0, int(60 * DAY / 60), 10):  # 60 days, a snapshot every 10 minutes, two agents
        ts = NOW - 60 * DAY + minute * 60
        for agent in ("a", "b"):
            rows.append(AgentSnapshotRow(agent, "in progress", minute // 1000, 100, 0, 0, ts))
    store.record_snapshots(rows)
    for _ in range(10):
        store.record_timing("refresh", 0.1, "")  # timed just now: recent, all kept
    store.flush()
    before = store.snapshots(agent_id="a")
    result = store.compact(NOW).result()
    after = store.snapshots(agent_id="a")
    week = [r for r in after if r.ts >= NOW - 7 * DAY]
    month = [r for r in after if NOW - 30 * DAY <= r.ts < NOW - 7 * DAY]
    older = [r for r in after if r.ts < NOW - 30 * DAY]
    assert len(week) == len([r for r in before if r.ts >= NOW - 7 * DAY])  # the last week untouched
    assert len(month) == 23 * 24  # one an hour
    assert len(older) == 30  # one a day
    assert result.removed["agent_snapshots"] == 2 * (len(before) - len(after))
    assert result.removed["timings"] == 0
    assert after[-1] == before[-1] and after[0].ts < NOW - 59 * DAY  # the ends and the shape stay
    assert [r.done for r in older] == sorted(r.done for r in older)
    assert store.last_compaction() == NOW
    again = store.compact(NOW).result()
    assert again.total == 0  # compacting twice changes nothing
    store.close()
