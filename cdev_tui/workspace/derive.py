"""Statuses, blocked-by lists, ownership violations and times, derived from every agent's facts at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from cdev_tui.plan import Plan
from cdev_tui.status import DONE_STATUSES, AgentStatus
from cdev_tui.workspace.model import BOOKKEEPING_PREFIXES, Agent, AgentFacts, Violation, WorkspaceSnapshot


def last_activity(facts: AgentFacts) -> datetime | None:
    """Newest of the branch's own last commit, the mtimes of uncommitted changed files and the checklist."""
    times: list[datetime] = []
    state = facts.git
    if state is not None and state.last_commit is not None and (state.ahead > 0 or state.has_own_commits):
        times.append(state.last_commit.when)
    files = [facts.worktree / rel for rel in state.dirty] if state and facts.worktree else []
    if facts.checklist is not None:
        files.append(facts.checklist.path)
    stamps: list[float] = []
    for path in files:
        try:
            stamps.append(path.lstat().st_mtime)
        except OSError:  # deleted, or gone since git looked
            continue
    if stamps:
        times.append(datetime.fromtimestamp(max(stamps), UTC))
    return max(times) if times else None


def parse_time(value: object) -> datetime | None:
    """A cdev timestamp as an aware datetime: ``...Z`` or an offset is kept, a naive one is local time."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and value.strip():
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return when.astimezone(UTC)


def derive_agents(
    facts: Sequence[AgentFacts],
    plans: Sequence[Plan],
    *,
    now: datetime | None = None,
    stall_minutes: int = 0,
) -> tuple[Agent, ...]:
    """Statuses, blocked-by lists and ownership violations for every agent.

    With ``now`` also elapsed times, and with ``stall_minutes`` > 0 the stalled flag: an agent in progress
    whose last activity is more than ``stall_minutes`` before ``now``.
    """
    owners = _ownership(facts, plans)
    settled = {f.agent_id for f in facts if _settled(f)}
    agents = []
    for item in facts:
        violations, bookkeeping = _violations(item, owners)
        blocked_by = tuple(d for d in item.spec.dependencies if d not in settled)
        status = _status(item, blocked_by)
        agents.append(
            Agent(
                facts=item,
                status=status,
                blocked_by=blocked_by,
                violations=violations,
                bookkeeping=bookkeeping,
                stalled=_stalled(item, status, now, stall_minutes),
                elapsed_minutes=_elapsed_minutes(item, status, now),
            )
        )
    return tuple(agents)


def _stalled(item: AgentFacts, status: AgentStatus, now: datetime | None, stall_minutes: int) -> bool:
    if now is None or stall_minutes <= 0 or status is not AgentStatus.IN_PROGRESS:
        return False
    if item.last_activity is None:
        return False
    return (now - item.last_activity).total_seconds() > stall_minutes * 60


def _elapsed_minutes(item: AgentFacts, status: AgentStatus, now: datetime | None) -> int | None:
    """Working time: only for agents that started; stops at completion."""
    started = (AgentStatus.IN_PROGRESS, *DONE_STATUSES)
    if now is None or item.started_at is None or status not in started:
        return None
    end = now
    if status in DONE_STATUSES:
        end = min(now, item.completed_at or item.last_activity or now)
    return max(0, int((end - item.started_at).total_seconds() // 60))


def _settled(item: AgentFacts) -> bool:
    """Complete or merged: what a dependency must be before dependants may start."""
    return _status(item, ()) in DONE_STATUSES


def _status(item: AgentFacts, blocked_by: Sequence[str]) -> AgentStatus:
    if item.remote:
        return _remote_status(item, blocked_by)
    if item.worktree is None:
        return AgentStatus.PLANNED
    if not item.worktree.is_dir():
        return AgentStatus.MISSING
    state = item.git
    complete = bool(item.checklist and item.checklist.complete)
    if (
        state is not None
        and state.ahead == 0
        and state.has_own_commits
        and not any(not _is_bookkeeping(p) for p in state.dirty)
    ):
        return AgentStatus.MERGED
    if complete:
        clean = state is not None and not any(not _is_bookkeeping(p) for p in state.dirty)
        return AgentStatus.COMMITTED if clean and state.ahead > 0 else AgentStatus.COMPLETE
    if blocked_by:
        return AgentStatus.BLOCKED
    worked = bool(item.checklist and item.checklist.done) or (
        state is not None and (state.ahead > 0 or any(not _is_bookkeeping(p) for p in state.dirty))
    )
    return AgentStatus.IN_PROGRESS if worked else AgentStatus.READY


def _remote_status(item: AgentFacts, blocked_by: Sequence[str]) -> AgentStatus:
    """A branch on a remote: no worktree and no uncommitted work, only its commits and its tree's files.

    Merged: nothing ahead of the target although it had commits of its own, i.e. its tip is contained in
    the target and came in as a merged branch rather than lying on the target's own line where the branch
    was created (``has_own_commits``, see :func:`cdev_tui.workspace.git_facts.side_merged`). Committed: its
    checklist is complete and it has commits to merge; in progress: it has commits or ticked items; ready:
    neither. Blocked by unsettled dependencies as a local agent is.
    """
    state = item.git
    ahead = state.ahead if state is not None else 0
    if state is not None and ahead == 0 and state.has_own_commits:
        return AgentStatus.MERGED
    if item.checklist is not None and item.checklist.complete:
        return AgentStatus.COMMITTED if ahead > 0 else AgentStatus.COMPLETE
    if blocked_by:
        return AgentStatus.BLOCKED
    worked = ahead > 0 or bool(item.checklist and item.checklist.done)
    return AgentStatus.IN_PROGRESS if worked else AgentStatus.READY


def _ownership(facts: Sequence[AgentFacts], plans: Sequence[Plan]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for plan in plans:
        for spec in plan.agents:
            for path in spec.owned_files:
                owners.setdefault(path, spec.agent_id)
    for item in facts:
        for path in item.spec.owned_files:
            owners.setdefault(path, item.agent_id)
    return owners


def _violations(item: AgentFacts, owners: dict[str, str]) -> tuple[tuple[Violation, ...], tuple[str, ...]]:
    if item.plain or item.git is None:
        return (), ()
    own = set(item.spec.owned_files)
    committed = set(item.git.committed_changes)
    violations: list[Violation] = []
    bookkeeping: list[str] = []
    for path in item.git.changed_files:
        if _is_bookkeeping(path):
            if path in committed:
                bookkeeping.append(path)
            continue
        if path in own:
            continue
        violations.append(Violation(path, owners.get(path), uncommitted=path not in committed))
    return tuple(violations), tuple(bookkeeping)


def _is_bookkeeping(path: str) -> bool:
    return path.startswith(BOOKKEEPING_PREFIXES)


def agents_changed(before: WorkspaceSnapshot, after: WorkspaceSnapshot) -> set[str]:
    """The agents whose branch, branch tip or uncommitted work differ between two snapshots, added and removed
    ones included: what conflict prediction must look at again after a full read (the others' merges hold).

    Uncommitted work is compared by its paths and the newest modification time among them, so editing a file
    that was already modified counts as a change.
    """

    def state(agent: Agent) -> tuple[object, ...]:
        git = agent.facts.git
        work = (git.head, git.dirty) if git is not None else (None, None)
        return (agent.facts.worktree, agent.facts.branch, *work, agent.facts.last_activity)

    old = {a.agent_id: state(a) for a in before.agents}
    new = {a.agent_id: state(a) for a in after.agents}
    return {agent_id for agent_id in old.keys() | new.keys() if old.get(agent_id) != new.get(agent_id)}
