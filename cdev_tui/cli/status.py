"""``cdev-tui status``: the Agents pane as a table or JSON."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from typing import Any

from cdev_tui.cli.common import EXIT_OK, add_format, print_json, with_service

HELP = "agents with status, progress and violations"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "--fetch",
        action="store_true",
        help="fetch the remotes of the remote_agents setting first (a failed fetch is a notice, not an error)",
    )
    add_format(sub)


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    snapshot, sessions = with_service(args, lambda service: _load(service, args.fetch))
    for notice in snapshot.notices:
        print(f"cdev-tui: {notice}", file=sys.stderr)
    if args.format == "json":
        print_json(status_json(snapshot, sessions))
    else:
        _print_status_table(snapshot, sessions)
    return EXIT_OK


def _load(service: Any, fetch: bool) -> Any:
    """The workspace, after fetching the remote agents' remotes when asked (their failures go to stderr)."""
    if fetch:
        if not service.config.remote_agents:
            print("cdev-tui: --fetch: no remote_agents configured, nothing to fetch", file=sys.stderr)
        for notice in service.fetch_remotes():
            print(f"cdev-tui: {notice}", file=sys.stderr)
    snapshot = service.load()
    return snapshot, service.session_states(snapshot)


def status_json(snapshot: Any, sessions: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``status --format json`` document; ``sessions``: agent id → its program session, if any."""
    sessions = sessions or {}
    paths = snapshot.paths
    agents = []
    for agent in snapshot.agents:
        facts = agent.facts
        state = facts.git
        done, total = agent.progress
        agents.append(
            {
                "id": agent.agent_id,
                "task": facts.task_id or None,
                "role": agent.spec.role or None,
                "status": str(agent.status),
                "progress": {"done": done, "total": total, "fraction": round(agent.fraction, 4)},
                "remaining": list(facts.checklist.remaining) if facts.checklist else [],
                "branch": facts.branch,
                "worktree": str(facts.worktree) if facts.worktree else None,
                "remote": facts.remote,
                "dependencies": list(agent.spec.dependencies),
                "blocked_by": list(agent.blocked_by),
                "violations": [
                    {"path": v.path, "owner": v.owner, "uncommitted": v.uncommitted} for v in agent.violations
                ],
                "coordination_files_committed": list(agent.bookkeeping),
                "ahead": state.ahead if state else None,
                "behind": state.behind if state else None,
                "uncommitted": list(state.dirty) if state else [],
                "last_commit": (
                    {
                        "sha": state.last_commit.sha,
                        "subject": state.last_commit.subject,
                        "when": state.last_commit.when.isoformat(),
                    }
                    if state and state.last_commit
                    else None
                ),
                "estimated_minutes": agent.spec.estimated_minutes,
                "elapsed_minutes": agent.elapsed_minutes,
                "over_estimate": agent.over_estimate,
                "started_at": facts.started_at.isoformat() if facts.started_at else None,
                "stalled": agent.stalled,
                "last_activity": facts.last_activity.isoformat() if facts.last_activity else None,
                "plain": facts.plain,
                "problems": list(facts.problems),
                "session": sessions[agent.agent_id].to_json() if agent.agent_id in sessions else None,
            }
        )
    return {
        "repo": str(paths.repo),
        "target": paths.target,
        "worktrees_root": str(paths.worktrees_root),
        "plans": [
            {"task_id": p.task_id, "title": p.task_title, "path": str(p.path)} for p in snapshot.task_plans
        ],
        "agents": agents,
        "notices": list(snapshot.notices),
    }


def _print_status_table(snapshot: Any, sessions: Mapping[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from cdev_tui.widgets.cells import progress_bar, session_text, status_text

    table = Table(title=f"{snapshot.paths.repo.name} → {snapshot.paths.target}", expand=False)
    columns = ["Agent", "Status", "Progress", "Elapsed / est.", "Branch", "Depends on", "Violations"]
    if sessions:  # a Session column once any agent's program runs in a session of ours
        columns.insert(2, "Session")
    now = time.time()
    for column in columns:
        table.add_column(column)
    for agent in snapshot.agents:
        done, total = agent.progress
        blocked = f"on {', '.join(agent.blocked_by)}" if agent.status == "blocked" else ""
        status = status_text(agent.status, blocked)
        if agent.stalled:
            status.append(" stalled", style="bold red")
        violations = Text(
            ", ".join(f"{v.path} ({v.owner or 'nobody'})" for v in agent.violations) or "-",
            style="red" if agent.violations else "dim",
        )
        cells = [
            Text.assemble(agent.agent_id, ("  ⇅ remote", "cyan")) if agent.facts.remote else agent.agent_id,
            status,
            progress_bar(agent.fraction, done, total),
            _elapsed_text(agent),
            agent.facts.branch or "-",
            ", ".join(agent.spec.dependencies) or "-",
            violations,
        ]
        if sessions:
            cells.insert(2, session_text(sessions.get(agent.agent_id), now))
        table.add_row(*cells)
    Console().print(table)


def _elapsed_text(agent: Any) -> Any:
    """``1h05m / 40m``, red when over the estimate."""
    from rich.text import Text

    elapsed = _minutes(agent.elapsed_minutes)
    estimate = _minutes(agent.estimated_minutes)
    return Text(f"{elapsed} / {estimate}", style="red" if agent.over_estimate else "default")


def _minutes(value: int | None) -> str:
    if value is None:
        return "-"
    return f"{value // 60}h{value % 60:02d}m" if value >= 60 else f"{value}m"
