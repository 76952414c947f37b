"""The workspace model: the repository, its agent worktrees, and each agent's plan, checklist and git state.

Textual-free. :class:`WorkspaceLoader` reads cdev's files in every variant and asks git about each
worktree; :func:`derive_agents` turns those raw facts into statuses, blocked-by lists and ownership
violations, which depend on all agents at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdev_tui import gitops
from cdev_tui.checklist import CHECKLIST_NAME, Checklist, read_checklist
from cdev_tui.config import Config
from cdev_tui.errors import CdevError
from cdev_tui.gitops import GitCommandError, WorktreeInfo
from cdev_tui.plan import Plan, PlanAgent, find_plans, load_plan, plan_agent_from_dict
from cdev_tui.status import DONE_STATUSES, AgentStatus
from cdev_tui.structured import load_structured, read_text_lines

GIT_PARALLELISM = 4
"""At most this many agents are read (their git commands run) at the same time."""

BOOKKEEPING_PREFIXES = ("workspaces/", "shared/coordination/", "shared/reports/", "shared/deployment-plans/")
"""cdev's own coordination files: never an ownership violation, but a known source of merge conflicts."""


@dataclass(frozen=True)
class Commit:
    """A commit as shown in the agent table."""

    sha: str
    subject: str
    when: datetime


SCRATCH_PREFIXES = (".integration-", ".trial-")
"""Worktrees the app makes for itself (an integration run, a trial resolution): never agents."""

UNMERGED_CODES = frozenset({"DD", "AU", "UD", "UA", "DU", "AA", "UU"})
"""``git status`` codes of a path left in conflict."""


@dataclass(frozen=True)
class GitState:
    """What git says about one agent worktree."""

    branch: str | None
    head: str | None
    dirty: tuple[str, ...]
    ahead: int
    behind: int
    last_commit: Commit | None
    committed_changes: tuple[str, ...]
    has_own_commits: bool = False
    """The branch moved since it was created (from its reflog): work was committed on it at some point."""
    first_commit_at: datetime | None = None
    """When the first commit made on the branch was committed (from its reflog), if any."""
    unmerged: tuple[str, ...] = ()
    """Files left in conflict by a merge, rebase, cherry-pick or stash in progress (the merge editor's work)."""

    @property
    def changed_files(self) -> tuple[str, ...]:
        """Files changed since the merge base with the target, committed or not."""
        return tuple(dict.fromkeys((*self.committed_changes, *self.dirty)))


@dataclass(frozen=True)
class Violation:
    """A changed file that the agent does not own."""

    path: str
    owner: str | None  # None: owned by nobody
    uncommitted: bool


@dataclass(frozen=True)
class AgentFacts:
    """Everything read from disk and git for one agent, before anything is derived."""

    agent_id: str
    spec: PlanAgent
    task_id: str = ""
    branch: str | None = None
    worktree: Path | None = None
    git_dir: Path | None = None
    context_path: Path | None = None
    created_at: str | None = None
    checklist: Checklist | None = None
    git: GitState | None = None
    plain: bool = False
    problems: tuple[str, ...] = ()
    contracts: tuple[tuple[str, bool], ...] = ()
    """Each test contract and whether its file exists in the worktree."""
    last_activity: datetime | None = None
    """The latest of: the branch's own last commit, the newest uncommitted changed file, the checklist."""
    started_at: datetime | None = None
    """When work started: the coordination status's ``startedAt``, else the context's ``createdAt``, else
    the first commit on the branch."""
    started_from: str | None = None
    """Where ``started_at`` came from: ``"coordination"``, ``"context"`` or ``"first commit"``."""
    completed_at: datetime | None = None
    """The coordination status's ``completedAt``, if recorded."""


@dataclass(frozen=True)
class Agent:
    """An agent with its derived status."""

    facts: AgentFacts
    status: AgentStatus
    blocked_by: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = ()
    bookkeeping: tuple[str, ...] = ()
    stalled: bool = False
    """In progress, but no file or commit activity for the configured ``stall_minutes``."""
    elapsed_minutes: int | None = None
    """Minutes from ``facts.started_at`` to now (to completion for complete and merged agents); None for an
    agent that has not started (ready, blocked, planned, missing)."""

    @property
    def agent_id(self) -> str:
        """The agent's id (the worktree's branch or folder name in plain mode)."""
        return self.facts.agent_id

    @property
    def spec(self) -> PlanAgent:
        """The agent's plan entry (role, dependencies, files, criteria)."""
        return self.facts.spec

    @property
    def progress(self) -> tuple[int, int]:
        """Checklist items done and total."""
        checklist = self.facts.checklist
        return (checklist.done, checklist.total) if checklist else (0, 0)

    @property
    def fraction(self) -> float:
        """Checklist completion in 0..1."""
        checklist = self.facts.checklist
        return checklist.fraction if checklist else 0.0

    @property
    def estimated_minutes(self) -> int | None:
        """The plan's estimate for this agent."""
        return self.spec.estimated_minutes

    @property
    def over_estimate(self) -> bool:
        """More time has passed than the plan estimated."""
        estimate = self.spec.estimated_minutes
        return bool(estimate) and self.elapsed_minutes is not None and self.elapsed_minutes > estimate


@dataclass(frozen=True)
class WorkspacePaths:
    """Where everything is, worked out once from the repository and the configuration."""

    repo: Path  # the main worktree
    common_dir: Path
    worktrees_root: Path
    coordination_dir: Path
    target: str


@dataclass(frozen=True)
class WorkspaceSnapshot:
    """The whole workspace at one moment."""

    paths: WorkspacePaths
    agents: tuple[Agent, ...]
    plans: tuple[Plan, ...] = ()
    """Where agent specs come from: the task plans, then cdev's coordination status."""
    notices: tuple[str, ...] = ()
    taken_at: float = field(default_factory=time.time)

    def agent(self, agent_id: str) -> Agent | None:
        """The agent with this id, or None."""
        return next((a for a in self.agents if a.agent_id == agent_id), None)

    @property
    def task_plans(self) -> tuple[Plan, ...]:
        """The deployment plans alone (without the coordination status)."""
        return tuple(p for p in self.plans if p.path is None or p.path.parent != self.paths.coordination_dir)

    @property
    def facts(self) -> tuple[AgentFacts, ...]:
        """The raw facts of every agent, for re-deriving after a partial refresh."""
        return tuple(a.facts for a in self.agents)


def resolve_paths(start: Path, config: Config) -> WorkspacePaths:
    """Find the repository around ``start`` and apply the configuration's locations."""
    gitops.repo_root(start)  # raises a clear error outside a repository
    common = gitops.common_dir(start)
    repo = common.parent if common.name == ".git" else gitops.repo_root(start)
    worktrees_root = config.worktrees_root or repo.parent / f"{repo.name}-work-trees"
    coordination = config.coordination_dir or worktrees_root / "coordination"
    target = config.target_branch or gitops.detect_target_branch(repo)
    if not gitops.ref_exists(repo, target):
        raise CdevError(f"{repo}: target branch {target!r} does not exist")
    return WorkspacePaths(repo, common, worktrees_root, coordination, target)


Clock = Callable[[], float] | datetime | None
"""What the loader takes as ``now``: a wall clock (seconds since the epoch), a fixed moment, or None for the
current time."""


class WorkspaceLoader:
    """Reads the workspace. Blocking (git and file I/O): call it from a worker thread.

    ``now`` and ``stall_minutes`` drive the stalled flag and elapsed times (``stall_minutes=0`` turns the
    stalled flag off).
    """

    def __init__(
        self, paths: WorkspacePaths, *, now: Clock = None, stall_minutes: int = Config.stall_minutes
    ) -> None:
        self.paths = paths
        self.now = now
        self.stall_minutes = stall_minutes

    def current_time(self) -> datetime:
        """The loader's idea of now, as an aware UTC datetime."""
        if self.now is None:
            return datetime.now(UTC)
        if isinstance(self.now, datetime):
            return self.now if self.now.tzinfo else self.now.replace(tzinfo=UTC)
        return datetime.fromtimestamp(self.now(), UTC)

    def _derive(self, facts: Sequence[AgentFacts], plans: Sequence[Plan]) -> tuple[Agent, ...]:
        return derive_agents(facts, plans, now=self.current_time(), stall_minutes=self.stall_minutes)

    def load(self) -> WorkspaceSnapshot:
        """Read every agent from scratch."""
        notices: list[str] = []
        plans = self._load_plans(notices)
        try:
            worktrees = [
                w
                for w in gitops.list_worktrees(self.paths.repo)[1:]
                if not w.bare and not w.path.name.startswith(SCRATCH_PREFIXES)  # our own integrations, trials
            ]
        except GitCommandError as exc:
            raise CdevError(str(exc)) from None
        # git runs in subprocesses, so a few at a time overlap well; the bound keeps the machine responsive.
        with ThreadPoolExecutor(max_workers=GIT_PARALLELISM) as pool:
            facts = list(pool.map(lambda w: self._read_agent(w, plans), worktrees))
        facts.extend(self._planned_only(plans, facts))
        plan_order = {spec.agent_id: i for plan in plans for i, spec in enumerate(plan.agents)}
        facts.sort(key=lambda f: (plan_order.get(f.agent_id, len(plan_order)), f.agent_id))
        if not worktrees:
            notices.append(f"{self.paths.repo}: no agent worktrees yet (git worktree list shows none)")
        return WorkspaceSnapshot(self.paths, self._derive(facts, plans), tuple(plans), tuple(notices))

    def refresh(self, snapshot: WorkspaceSnapshot, agent_ids: Iterable[str]) -> WorkspaceSnapshot:
        """Re-read only the given agents and re-derive every status (dependencies cross agents)."""
        wanted = set(agent_ids)
        facts = []
        for old in snapshot.facts:
            if old.agent_id in wanted and old.worktree is not None:
                info = WorktreeInfo(path=old.worktree, head=None, branch=old.branch)
                facts.append(self._read_agent(info, list(snapshot.plans), known_id=old.agent_id))
            else:
                facts.append(old)
        agents = self._derive(facts, list(snapshot.plans))
        return replace(snapshot, agents=agents, taken_at=time.time())

    def agents_touched(self, snapshot: WorkspaceSnapshot, changed: Iterable[Path]) -> set[str] | None:
        """The agents whose files or git state a set of changed paths touches; None means reload everything."""
        touched: set[str] = set()
        for path in changed:
            if _is_within(path, self.paths.coordination_dir) or _is_within(
                path, self.paths.repo / "shared" / "deployment-plans"
            ):
                return None
            for agent in snapshot.agents:
                facts = agent.facts
                if _belongs_to(path, facts, self.paths.common_dir):
                    touched.add(facts.agent_id)
            if _is_within(path, self.paths.common_dir / "worktrees") and not any(
                a.facts.git_dir and _is_within(path, a.facts.git_dir) for a in snapshot.agents
            ):
                return None  # a worktree was added or removed
            if path in (self.paths.common_dir / "packed-refs",) or _is_within(
                path, self.paths.common_dir / "refs" / "heads"
            ):
                target_ref = self.paths.common_dir / "refs" / "heads" / self.paths.target
                if path in (target_ref, self.paths.common_dir / "packed-refs"):
                    return None  # the target moved: ahead/behind and merged change for everyone
        return touched

    def watch_roots(self, snapshot: WorkspaceSnapshot) -> list[Path]:
        """The folders to watch for changes: every worktree, the coordination dir, plans and git's refs."""
        roots = {self.paths.common_dir, self.paths.repo / "shared"}
        roots.add(self.paths.coordination_dir)
        for agent in snapshot.agents:
            if agent.facts.worktree and agent.facts.worktree.is_dir():
                roots.add(agent.facts.worktree)
        return sorted(p for p in roots if p.exists())

    # -- reading -----------------------------------------------------------------------------------

    def _load_plans(self, notices: list[str]) -> list[Plan]:
        """Task plans, then cdev's coordination status (it lists spawned agents, so it acts as a plan too)."""
        plans = []
        for path in find_plans(self.paths.repo):
            try:
                plans.append(load_plan(path))
            except CdevError as exc:
                if "per-agent deployment plan" not in str(exc):
                    notices.append(str(exc))
        status = self._coordination_status_path()
        if status is not None:
            try:
                plans.append(load_plan(status))
            except CdevError as exc:
                notices.append(str(exc))
        return plans

    def _coordination_status_path(self) -> Path | None:
        for name in ("parallel-agent-status.yaml", "parallel-agent-status.yml", "parallel-agent-status.json"):
            path = self.paths.coordination_dir / name
            if path.is_file():
                return path
        return None

    def _planned_only(self, plans: Sequence[Plan], facts: Sequence[AgentFacts]) -> list[AgentFacts]:
        present = {f.agent_id for f in facts}
        result = []
        for plan in plans:
            spawned = plan.path is not None and plan.path.parent == self.paths.coordination_dir
            for spec in plan.agents:
                if spec.agent_id in present:
                    continue
                present.add(spec.agent_id)
                branch = f"{plan.task_id}-{spec.agent_id}"
                if not spawned:
                    result.append(
                        AgentFacts(agent_id=spec.agent_id, spec=spec, task_id=plan.task_id, branch=branch)
                    )
                    continue
                expected = self.paths.worktrees_root / branch
                problem = (
                    f"{plan.path}: lists {spec.agent_id} as spawned, but there is no worktree at {expected}"
                )
                result.append(
                    AgentFacts(
                        agent_id=spec.agent_id,
                        spec=spec,
                        task_id=plan.task_id,
                        branch=branch,
                        worktree=expected,
                        problems=(problem,),
                    )
                )
        return result

    def _read_agent(
        self, info: WorktreeInfo, plans: Sequence[Plan], known_id: str | None = None
    ) -> AgentFacts:
        return self._with_times(self._read_agent_files(info, plans, known_id), plans)

    def _with_times(self, facts: AgentFacts, plans: Sequence[Plan]) -> AgentFacts:
        """Add the last activity and the start and completion times (file stats only, no git)."""
        coordination = self._coordination_entry(plans, facts.agent_id)
        started, source = _parse_time(coordination.get("startedAt")), "coordination"
        if started is None:
            started, source = _parse_time(facts.created_at), "context"
        if started is None and facts.git is not None:
            started, source = facts.git.first_commit_at, "first commit"
        return replace(
            facts,
            last_activity=_last_activity(facts),
            started_at=started,
            started_from=source if started is not None else None,
            completed_at=_parse_time(coordination.get("completedAt")),
        )

    def _coordination_entry(self, plans: Sequence[Plan], agent_id: str) -> Mapping[str, Any]:
        for plan in plans:
            if plan.path is None or plan.path.parent != self.paths.coordination_dir:
                continue
            entries = plan.extras.get("agents")
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, Mapping) and str(entry.get("agentId")) == agent_id:
                    return entry
        return {}

    def _read_agent_files(
        self, info: WorktreeInfo, plans: Sequence[Plan], known_id: str | None = None
    ) -> AgentFacts:
        worktree = info.path
        if not worktree.is_dir():
            # The context file went with the folder; the branch name still says which planned agent it was.
            agent_id = known_id or _planned_id_for_branch(plans, info.branch) or info.branch or worktree.name
            return AgentFacts(
                agent_id=agent_id,
                task_id=next((p.task_id for p in plans if p.agent(agent_id) is not None), ""),
                spec=_plan_spec(plans, agent_id) or PlanAgent(agent_id),
                branch=info.branch,
                worktree=worktree,
                plain=_plan_spec(plans, agent_id) is None,
                problems=(f"{worktree}: worktree folder is missing (git worktree prune clears it)",),
            )
        problems: list[str] = []
        context, context_path = self._read_context(worktree, info.branch, problems)
        git_state = self._read_git(worktree, problems)
        branch = git_state.branch if git_state else info.branch
        if context is None:
            agent_id = known_id or branch or worktree.name
            spec = _plan_spec(plans, agent_id) or PlanAgent(agent_id)
            return AgentFacts(
                agent_id=agent_id,
                spec=spec,
                branch=branch,
                worktree=worktree,
                git_dir=_git_dir(worktree),
                checklist=read_checklist(worktree / CHECKLIST_NAME),
                git=git_state,
                plain=_plan_spec(plans, agent_id) is None,
                problems=tuple(problems),
            )
        spec = _plan_spec(plans, context.agent_id)
        merged_spec = context if spec is None else _prefer(spec, context)
        workspace = context_path.parent if context_path else worktree
        files = _read_files_list(workspace / "files_to_work_on.txt")
        if files and not (merged_spec.files_to_create or merged_spec.files_to_modify):
            merged_spec = replace(merged_spec, files_to_create=files[0], files_to_modify=files[1])
        checklist = read_checklist(workspace / CHECKLIST_NAME) or read_checklist(worktree / CHECKLIST_NAME)
        if checklist and checklist.problem:
            problems.append(checklist.problem)
        raw = _context_raw(context_path)
        return AgentFacts(
            agent_id=context.agent_id,
            spec=merged_spec,
            task_id=str(raw.get("taskId") or ""),
            branch=branch,
            worktree=worktree,
            git_dir=_git_dir(worktree),
            context_path=context_path,
            created_at=raw.get("createdAt"),
            checklist=checklist,
            git=git_state,
            problems=tuple(problems),
            contracts=tuple((c, _contract_present(worktree, c)) for c in merged_spec.test_contracts),
        )

    def _read_context(
        self, worktree: Path, branch: str | None, problems: list[str]
    ) -> tuple[PlanAgent | None, Path | None]:
        base = worktree / "workspaces"
        if not base.is_dir():
            return None, None
        candidates: list[tuple[PlanAgent, Path, str]] = []
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            for name in ("agent_context.json", "agent_context.yaml", "agent_context.yml"):
                path = folder / name
                if not path.is_file():
                    continue
                try:
                    data = load_structured(path)
                    if not isinstance(data, dict):
                        raise CdevError(f"{path}: expected a mapping at the top level")
                    spec = plan_agent_from_dict(data)
                except (CdevError, ValueError) as exc:
                    problems.append(str(exc) if isinstance(exc, CdevError) else f"{path}: {exc}")
                    continue
                candidates.append((spec, path, str(data.get("branchName") or "")))
                break
        if not candidates:
            return None, None
        for spec, path, branch_name in candidates:
            if branch and branch_name == branch:
                return spec, path
        for spec, path, _ in candidates:
            if branch and branch.endswith(spec.agent_id):
                return spec, path
        return candidates[0][0], candidates[0][1]

    def _read_git(self, worktree: Path, problems: list[str]) -> GitState | None:
        target = self.paths.target
        try:
            entries = gitops.status_entries(worktree)
            dirty = tuple(path for _code, path in entries)
            unmerged = tuple(path for code, path in entries if code in UNMERGED_CODES)
            branch = gitops.current_branch(worktree)
            counts = gitops.git(
                worktree, "rev-list", "--left-right", "--count", f"{target}...HEAD", ok_codes=(0, 128)
            )
            log = gitops.git(worktree, "log", "-1", "--format=%H%x1f%s%x1f%cI", ok_codes=(0, 128))
            diff = gitops.git(worktree, "diff", "--name-only", "-z", f"{target}...HEAD", ok_codes=(0, 128))
            reflog = (
                gitops.git(
                    worktree,
                    "reflog",
                    "show",
                    "--format=%H %ct",
                    f"refs/heads/{branch}",
                    "--",
                    ok_codes=(0, 128),
                )
                if branch
                else None
            )
        except GitCommandError as exc:
            problems.append(str(exc))
            return None
        behind, ahead = 0, 0
        if counts.code == 0 and counts.stdout:
            left, _, right = counts.stdout.partition("\t")
            behind, ahead = int(left), int(right)
        last = None
        if log.code == 0 and log.stdout:
            sha, subject, when = log.stdout.split("\x1f", 2)
            last = Commit(sha, subject, datetime.fromisoformat(when))
        committed = tuple(p for p in diff.stdout.split("\0") if p) if diff.code == 0 else ()
        entries = _reflog_entries(reflog.stdout if reflog and reflog.code == 0 else "")
        return GitState(
            branch=branch,
            head=last.sha if last else None,
            dirty=dirty,
            unmerged=unmerged,
            ahead=ahead,
            behind=behind,
            last_commit=last,
            committed_changes=committed,
            has_own_commits=_moved_since_created(entries, last),
            first_commit_at=entries[-2][1] if len(entries) > 1 else None,
        )


def _reflog_entries(text: str) -> list[tuple[str, datetime | None]]:
    """``(sha, commit time)`` of each reflog line (``%H %ct``), newest first."""
    entries = []
    for line in text.splitlines():
        sha, _, stamp = line.strip().partition(" ")
        if sha:
            when = datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None
            entries.append((sha, when))
    return entries


def _moved_since_created(entries: Sequence[tuple[str, datetime | None]], last: Commit | None) -> bool:
    return last is not None and len(entries) > 1 and entries[-1][0] != last.sha


def _last_activity(facts: AgentFacts) -> datetime | None:
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


def _parse_time(value: object) -> datetime | None:
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


def _belongs_to(path: Path, facts: AgentFacts, common_dir: Path) -> bool:
    """Whether a changed path is in the agent's worktree, its git admin folder, or its branch ref."""
    return bool(
        (facts.worktree and _is_within(path, facts.worktree))
        or (facts.git_dir and _is_within(path, facts.git_dir))
        or (facts.branch and path == common_dir / "refs" / "heads" / facts.branch)
    )


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _planned_id_for_branch(plans: Sequence[Plan], branch: str | None) -> str | None:
    """The agent a plan gives the branch ``<taskId>-<agentId>`` to, matched whole (never by splitting)."""
    for plan in plans:
        for spec in plan.agents:
            if branch == f"{plan.task_id}-{spec.agent_id}":
                return spec.agent_id
    return None


def _plan_spec(plans: Sequence[Plan], agent_id: str) -> PlanAgent | None:
    for plan in plans:
        spec = plan.agent(agent_id)
        if spec is not None:
            return spec
    return None


def _prefer(plan_spec: PlanAgent, context: PlanAgent) -> PlanAgent:
    """The context file is what the agent works from; the plan fills anything it lacks."""
    return PlanAgent(
        agent_id=context.agent_id,
        role=context.role or plan_spec.role,
        focus_area=context.focus_area or plan_spec.focus_area,
        dependencies=context.dependencies or plan_spec.dependencies,
        files_to_create=context.files_to_create or plan_spec.files_to_create,
        files_to_modify=context.files_to_modify or plan_spec.files_to_modify,
        test_contracts=context.test_contracts or plan_spec.test_contracts,
        validation_criteria=context.validation_criteria or plan_spec.validation_criteria,
        estimated_minutes=context.estimated_minutes or plan_spec.estimated_minutes,
        can_start_immediately=(
            context.can_start_immediately
            if context.can_start_immediately is not None
            else plan_spec.can_start_immediately
        ),
    )


def _read_files_list(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    lines = read_text_lines(path)
    if lines is None:
        return None
    create: list[str] = []
    modify: list[str] = []
    for line in lines:
        kind, _, rest = line.partition(":")
        if kind.strip().upper() == "CREATE" and rest.strip():
            create.append(rest.strip())
        elif kind.strip().upper() == "MODIFY" and rest.strip():
            modify.append(rest.strip())
    return tuple(create), tuple(modify)


def _context_raw(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = load_structured(path)
    except CdevError:
        return {}
    return data if isinstance(data, dict) else {}


def _contract_present(worktree: Path, contract: str) -> bool:
    """A contract names a path, or (cdev's pattern decomposer) a bare file name found anywhere in the tree."""
    if (worktree / contract).exists():
        return True
    if "/" in contract:
        return False
    seen = 0
    for _folder, dirs, files in os.walk(worktree):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", ".venv", "__pycache__")]
        if contract in files:
            return True
        seen += len(files)
        if seen > 20_000:  # give up on huge trees rather than stall a refresh
            return False
    return False


def _git_dir(worktree: Path) -> Path | None:
    marker = worktree / ".git"
    if marker.is_file():
        text = marker.read_text(errors="replace").strip()
        if text.startswith("gitdir:"):
            path = Path(text[len("gitdir:") :].strip())
            return path if path.is_absolute() else (worktree / path).resolve()
    return None
