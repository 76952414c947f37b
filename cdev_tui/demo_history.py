"""The demo's past, as the store would have recorded it: each agent's progress snapshots and status changes
over the three hours its story spans (from :mod:`cdev_tui.demo_story`), so that the Metrics pane of a fresh
demo has history to plot and replay. Textual-free."""

from __future__ import annotations

from collections.abc import Iterator

from cdev_tui.demo_story import PLAN_AGENTS, SCRIPTS, AgentScript
from cdev_tui.store import AgentSnapshotRow, Store

STORY_START = 185
"""Minutes before the build at which the story begins (the repository's first commit)."""


def story_snapshots(now: float) -> list[AgentSnapshotRow]:
    """Every agent's snapshots as its story unfolded, in time order, ending at ``now``."""
    rows = [row for script in SCRIPTS for row in _agent_rows(script, now)]
    return sorted(rows, key=lambda r: (r.ts, r.agent_id))


def seed_history(store: Store, now: float) -> int:
    """Write the story's snapshots and status changes into ``store``; returns how many snapshots."""
    rows = story_snapshots(now)
    store.record_snapshots(rows)
    previous: dict[str, str] = {}
    events = []
    for row in rows:
        if row.agent_id in previous and previous[row.agent_id] != row.status:
            message = f"{row.agent_id}: {previous[row.agent_id]} → {row.status}"
            events.append((row.ts, "status", row.agent_id, message))
        previous[row.agent_id] = row.status
    store.submit(
        lambda conn: conn.executemany(
            "INSERT INTO events (ts, kind, agent_id, message) VALUES (?, ?, ?, ?)", events
        )
    )
    store.flush()
    return len(rows)


def _agent_rows(script: AgentScript, now: float) -> Iterator[AgentSnapshotRow]:
    plan = next(a for a in PLAN_AGENTS if a["agentId"] == script.agent_id)
    total = len(plan["validationCriteria"])

    def at(minutes_ago: float, status: str, done: int, ahead: int = 0) -> AgentSnapshotRow:
        return AgentSnapshotRow(script.agent_id, status, done, total, 0, ahead, now - minutes_ago * 60)

    waiting = "blocked" if plan["dependencies"] else "ready"
    yield at(STORY_START, waiting, 0)
    if script.started is None:
        return
    yield at(script.started, "in progress", 0)
    commits = sorted((c.minutes_ago for c in script.commits), reverse=True)
    finished = script.completed if script.completed is not None else (script.idle_since or 5)
    for item in range(1, script.ticked + 1):  # items ticked evenly from the start to the finish
        minutes_ago = script.started - (script.started - finished) * item / max(script.ticked, 1)
        ahead = sum(1 for c in commits if c >= minutes_ago)
        yield at(minutes_ago, "in progress", item, ahead)
    if script.completed is not None:
        yield at(script.completed, "complete", total, len(commits))
        yield at(script.completed - 1, "committed", total, len(commits))
    if script.merged_at is not None:
        yield at(script.merged_at, "merged", total)
