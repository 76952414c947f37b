"""Keeping cdev's coordination status (``parallel-agent-status.{yaml,json}``, §2.9) current as agents move on.

cdev's spawn wrote ``status: spawned`` and never touched the file again; here each agent's ``status``,
``startedAt``, ``completedAt`` and ``lastUpdated`` follow the derived statuses. Keys and agents this module
does not know are kept as they are.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.status import DONE_STATUSES, AgentStatus
from cdev_tui.structured import load_structured
from cdev_tui.workspace import Agent, WorkspaceSnapshot
from cdev_tui.workspace_files import (
    COORDINATION_STATUS_NAME,
    coordination_status,
    iso_utc,
    write_coordination_status,
)

STATUS_VALUES: Mapping[AgentStatus, str] = {
    AgentStatus.READY: "ready",
    AgentStatus.BLOCKED: "blocked",
    AgentStatus.IN_PROGRESS: "in_progress",
    AgentStatus.COMPLETE: "complete",
    AgentStatus.COMMITTED: "committed",
    AgentStatus.MERGED: "merged",
}
"""The ``agents[].status`` written for each derived status; planned and missing agents are left alone."""

_WORKED = (AgentStatus.IN_PROGRESS, *DONE_STATUSES)
_DONE = DONE_STATUSES


@dataclass(frozen=True)
class SyncResult:
    """What a sync wrote, and why."""

    written: tuple[Path, ...]
    """The files written (both formats), empty when nothing changed."""
    changes: tuple[str, ...]
    message: str


def status_files(coord_dir: Path) -> list[Path]:
    """The coordination status files present in ``coord_dir``."""
    names = (".yaml", ".yml", ".json")
    return [p for p in (Path(coord_dir) / (COORDINATION_STATUS_NAME + n) for n in names) if p.is_file()]


def sync_coordination_status(snapshot: WorkspaceSnapshot, coord_dir: Path, now: datetime) -> SyncResult:
    """Bring ``parallel-agent-status.{yaml,json}`` in line with the snapshot's agents.

    Reads the most recently modified of the existing files; writes both formats (identical, atomically) only
    when an agent's entry changed or the two formats are missing or disagree. Without a file, one is created
    only when a task id is known (from the agents' contexts or a task plan). A malformed file raises a
    one-line CdevError and is left untouched.
    """
    coord_dir = Path(coord_dir)
    stamp = iso_utc(now)
    present = status_files(coord_dir)
    if present:
        source = max(present, key=lambda p: p.stat().st_mtime_ns)
        data = _plain(load_structured(source))
        if not isinstance(data, dict) or not isinstance(data.get("agents"), list):
            raise CdevError(f"{source}: expected a mapping with an 'agents' list")
        document = copy.deepcopy(data)
        changes = _apply(document, snapshot, stamp, now)
        if not changes and _formats_agree(coord_dir, data):
            return SyncResult((), (), f"{source.name} is up to date")
    else:
        created = _new_document(snapshot, stamp)
        if created is None:
            return SyncResult((), (), "no coordination status, and no task id to create one from")
        document = created
        changes = [f"created for {document['taskId']}", *_apply(document, snapshot, stamp, now)]
    if changes:
        document["lastUpdated"] = stamp
    written = write_coordination_status(coord_dir, document)
    what = "; ".join(changes) if changes else "wrote both formats"
    return SyncResult(written, tuple(changes), f"{COORDINATION_STATUS_NAME}: {what}")


def _apply(document: dict[str, Any], snapshot: WorkspaceSnapshot, stamp: str, now: datetime) -> list[str]:
    entries: list[Any] = document["agents"]
    by_id = {str(e.get("agentId")): e for e in entries if isinstance(e, dict)}
    task_id = str(document.get("taskId") or "")
    changes: list[str] = []
    for agent in snapshot.agents:
        value = STATUS_VALUES.get(agent.status)
        if value is None:
            continue
        entry = by_id.get(agent.agent_id)
        if entry is None:
            if not task_id or agent.facts.task_id != task_id:
                continue  # another task's agent, or one whose task is unknown
            entry = _new_entry(agent, task_id)
            entries.append(entry)
            by_id[agent.agent_id] = entry
            document["totalAgents"] = len(entries)
            changes.append(f"{agent.agent_id} added")
        changes.extend(_update_entry(entry, agent, value, stamp, now))
    return changes


def _update_entry(entry: dict[str, Any], agent: Agent, value: str, stamp: str, now: datetime) -> list[str]:
    changes = []
    if entry.get("status") != value:
        changes.append(f"{agent.agent_id} {entry.get('status') or '-'} → {value}")
        entry["status"] = value
    if agent.status in _WORKED and not entry.get("startedAt"):
        entry["startedAt"] = _started(agent, stamp, now)
        changes.append(f"{agent.agent_id} started")
    if agent.status in _DONE and not entry.get("completedAt"):
        entry["completedAt"] = stamp
        changes.append(f"{agent.agent_id} completed")
    elif agent.status not in _DONE and entry.get("completedAt"):
        entry["completedAt"] = None  # reopened: a completion time would now be wrong
        changes.append(f"{agent.agent_id} reopened")
    if changes:
        entry["lastUpdated"] = stamp
    return changes


def _started(agent: Agent, stamp: str, now: datetime) -> str:
    """The first commit on the branch when there is one (work began then), else now."""
    first = agent.facts.git.first_commit_at if agent.facts.git else None
    return iso_utc(first) if first is not None and first <= now else stamp


def _new_entry(agent: Agent, task_id: str) -> dict[str, Any]:
    dependencies = list(agent.spec.dependencies)
    can_start = agent.spec.can_start_immediately
    return {
        "agentId": agent.agent_id,
        "branchName": agent.facts.branch or f"{task_id}-{agent.agent_id}",
        "status": "spawned",
        "canStartImmediately": (not dependencies) if can_start is None else can_start,
        "dependencies": dependencies,
        "startedAt": None,
        "completedAt": None,
    }


def _new_document(snapshot: WorkspaceSnapshot, stamp: str) -> dict[str, Any] | None:
    spawned = [a for a in snapshot.agents if a.facts.worktree is not None and a.facts.worktree.is_dir()]
    counts = Counter(a.facts.task_id for a in spawned if a.facts.task_id)
    if not counts:
        return None
    task_id = counts.most_common(1)[0][0]
    title = next((p.task_title for p in snapshot.task_plans if p.task_id == task_id), "")
    members = [a for a in spawned if a.facts.task_id == task_id]
    plan = {
        "taskId": task_id,
        "taskTitle": title,
        "parallelAgents": [
            {"agentId": a.agent_id, "dependencies": list(a.spec.dependencies)} for a in members
        ],
    }
    document = coordination_status(plan, created_at=stamp)
    for entry, agent in zip(document["agents"], members, strict=True):
        entry.update(_new_entry(agent, task_id))
    return document


def _formats_agree(coord_dir: Path, data: Any) -> bool:
    stem = Path(coord_dir) / COORDINATION_STATUS_NAME
    for path in (stem.with_name(stem.name + ".yaml"), stem.with_name(stem.name + ".json")):
        try:
            if _plain(load_structured(path)) != data:
                return False
        except CdevError:
            return False
    return True


def _plain(value: Any) -> Any:
    """Dates that a hand-written YAML file left unquoted become ISO strings, so JSON can hold them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
