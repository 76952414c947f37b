"""Reading the workspace: every agent's cdev files and git state, in as few git processes as possible.

Textual-free. :class:`WorkspaceLoader` reads cdev's files in every variant and asks git about each
worktree (see :mod:`cdev_tui.workspace.git_facts` for the process budget); :func:`derive_agents` turns the
raw facts into statuses, blocked-by lists and ownership violations, which depend on all agents at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdev_tui import gitops
from cdev_tui.checklist import CHECKLIST_NAME, read_checklist
from cdev_tui.config import Config
from cdev_tui.errors import CdevError
from cdev_tui.executor import shared_pool
from cdev_tui.gitops import GitCommandError, WorktreeInfo
from cdev_tui.object_cache import ObjectCache
from cdev_tui.plan import Plan, PlanAgent, find_plans, load_plan
from cdev_tui.workspace.cdev_files import (
    context_raw,
    contract_present,
    git_dir_of,
    plan_spec,
    planned_id_for_branch,
    prefer_context,
    read_context,
    read_files_list,
)
from cdev_tui.workspace.derive import derive_agents, last_activity, parse_time
from cdev_tui.workspace.git_facts import (
    BranchDelta,
    RefTip,
    WorktreeStatus,
    branch_deltas,
    branch_reflog,
    commit_info,
    git_state,
    read_git,
    read_ref_tips,
    read_worktree_status,
    tip_of,
)
from cdev_tui.workspace.model import (
    SCRATCH_PREFIXES,
    Agent,
    AgentFacts,
    Commit,
    GitState,
    WorkspacePaths,
    WorkspaceSnapshot,
)


def resolve_paths(start: Path, config: Config) -> WorkspacePaths:
    """Find the repository around ``start`` and apply the configuration's locations.

    The repository is found by reading its ``.git`` files; one ``git for-each-ref`` tells the target.
    """
    common = gitops.locate_common_dir(start)  # raises a clear error outside a repository
    repo = common.parent if common.name == ".git" else gitops.repo_root(start)
    worktrees_root = config.worktrees_root or repo.parent / f"{repo.name}-work-trees"
    coordination = config.coordination_dir or worktrees_root / "coordination"
    try:
        refs = gitops.branch_refs(repo)
    except GitCommandError as exc:
        raise CdevError(str(exc)) from None
    target = config.target_branch or gitops.detect_target_branch(repo, refs)
    if not gitops.branch_exists(repo, target, refs):
        raise CdevError(f"{repo}: target branch {target!r} does not exist")
    return WorkspacePaths(repo, common, worktrees_root, coordination, target)


Clock = Callable[[], float] | datetime | None
"""What the loader takes as ``now``: a wall clock (seconds since the epoch), a fixed moment, or None for the
current time."""


class WorkspaceLoader:
    """Reads the workspace. Blocking (git and file I/O): call it from a worker thread.

    ``now`` and ``stall_minutes`` drive the stalled flag and elapsed times (``stall_minutes=0`` turns the
    stalled flag off). ``remote_patterns`` (the ``remote_agents`` setting, e.g. ``origin/agent/*``) make the
    matching remote-tracking branches agents too (see :mod:`cdev_tui.workspace.remote`).
    """

    def __init__(
        self,
        paths: WorkspacePaths,
        *,
        now: Clock = None,
        stall_minutes: int = Config.stall_minutes,
        cache: ObjectCache | None = None,
        pool: Executor | None = None,
        remote_patterns: Sequence[str] = (),
    ) -> None:
        self.paths = paths
        self.remote_patterns = tuple(remote_patterns)
        self.now = now
        self.stall_minutes = stall_minutes
        self.cache = cache if cache is not None else ObjectCache()
        """Answers keyed by commit ids (ahead/behind, changed files, commit subjects) shared across reads."""
        self.pool = pool if pool is not None else shared_pool()

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
        """Read every agent from scratch: ``N + 2`` git processes for ``N`` worktrees, plus two for each
        branch or target tip not seen before."""
        notices: list[str] = []
        plans = self._load_plans(notices)
        try:
            worktrees = [
                w
                for w in gitops.list_worktrees(self.paths.repo)[1:]
                if not w.bare and not w.path.name.startswith(SCRATCH_PREFIXES)  # our own integrations, trials
            ]
            tips = read_ref_tips(self.paths.repo)
        except GitCommandError as exc:
            raise CdevError(str(exc)) from None
        target = self._target_head(tips)
        statuses = list(self.pool.map(self._status_of, worktrees))
        heads = [s.head for s in statuses if isinstance(s, WorktreeStatus) and s.head]
        deltas = branch_deltas(self.paths.repo, target, heads, self.cache, self.pool)

        def read(item: tuple[WorktreeInfo, WorktreeStatus | str | None]) -> AgentFacts:
            info, status = item
            problems: list[str] = []
            state = self._git_state(status, tips, deltas, problems)
            return self._read_agent(info, plans, state, problems)

        facts = list(self.pool.map(read, zip(worktrees, statuses, strict=True)))
        local_branches = {w.branch for w in worktrees if w.branch}
        facts.extend(self._remote_agents(tips, target, plans, facts, local_branches))
        facts.extend(self._planned_only(plans, facts))
        plan_order = {spec.agent_id: i for plan in plans for i, spec in enumerate(plan.agents)}
        facts.sort(key=lambda f: (plan_order.get(f.agent_id, len(plan_order)), f.agent_id))
        if not worktrees and not any(f.remote for f in facts):
            notices.append(f"{self.paths.repo}: no agent worktrees yet (git worktree list shows none)")
        self.cache.flush()
        return WorkspaceSnapshot(
            self.paths, self._derive(facts, plans), tuple(plans), tuple(notices), target_head=target
        )

    def refresh(self, snapshot: WorkspaceSnapshot, agent_ids: Iterable[str]) -> WorkspaceSnapshot:
        """Re-read only the given agents and re-derive every status (dependencies cross agents).

        One git process per agent when only its files changed; a new commit on its branch adds up to
        three (its subject, ahead/behind, changed files), answered from the cache when seen before. Remote
        agents stay as they are: only a fetch changes them, and a fetch reloads everything.
        """
        wanted = set(agent_ids)
        plans = list(snapshot.plans)
        targets = [f for f in snapshot.facts if f.agent_id in wanted and f.worktree is not None]
        statuses = dict(
            zip(targets, self.pool.map(lambda f: self._status_of(f.worktree), targets), strict=True)
        )
        heads = [s.head for s in statuses.values() if isinstance(s, WorktreeStatus) and s.head]
        deltas = branch_deltas(self.paths.repo, snapshot.target_head, heads, self.cache, self.pool)
        facts = []
        for old in snapshot.facts:
            if old not in statuses:
                facts.append(old)
                continue
            problems: list[str] = []
            status = statuses[old]
            known = {old.git.head: old.git.last_commit} if old.git and old.git.last_commit else {}
            state = self._git_state(status, {}, deltas, problems, known)
            info = WorktreeInfo(path=old.worktree, head=None, branch=old.branch)  # type: ignore[arg-type]
            facts.append(self._read_agent(info, plans, state, problems, known_id=old.agent_id))
        self.cache.flush()
        agents = self._derive(facts, plans)
        return replace(snapshot, agents=agents, taken_at=time.time())

    # -- git -------------------------------------------------------------------------------------

    def _remote_agents(
        self,
        tips: Mapping[str, RefTip],
        target: str | None,
        plans: Sequence[Plan],
        local: Sequence[AgentFacts],
        local_branches: set[str],
    ) -> list[AgentFacts]:
        """The remote-tracking branches the patterns pick, as agents (no git for a tip seen before)."""
        if not self.remote_patterns:
            return []
        from cdev_tui.workspace.remote import read_remote_agents

        facts = read_remote_agents(
            self.paths.repo,
            tips,
            self.remote_patterns,
            target=target,
            plans=plans,
            cache=self.cache,
            pool=self.pool,
            local_branches=local_branches,
            taken={f.agent_id for f in local},
        )
        return [self._with_times(f, plans) for f in facts]

    def _target_head(self, tips: Mapping[str, RefTip]) -> str | None:
        tip = tip_of(tips, self.paths.target)
        if tip is not None:
            return tip.sha
        found = read_git(
            self.paths.repo,
            "rev-parse",
            "--verify",
            "--quiet",
            f"{self.paths.target}^{{commit}}",
            ok_codes=(0, 1, 128),
        )
        return found.stdout.strip() or None if found.code == 0 else None

    @staticmethod
    def _status_of(worktree: WorktreeInfo | Path) -> WorktreeStatus | str | None:
        """The worktree's status; None for a missing folder, git's message when git refused."""
        path = worktree.path if isinstance(worktree, WorktreeInfo) else worktree
        if not path.is_dir():
            return None
        try:
            return read_worktree_status(path)
        except GitCommandError as exc:
            return str(exc)

    def _git_state(
        self,
        status: WorktreeStatus | str | None,
        tips: Mapping[str, RefTip],
        deltas: Mapping[str, BranchDelta],
        problems: list[str],
        known: Mapping[str | None, Commit] | None = None,
    ) -> GitState | None:
        if status is None:
            return None
        if isinstance(status, str):
            problems.append(status)
            return None
        last = None
        if status.head is not None:
            tip = tip_of(tips, status.branch) if status.branch else None
            if tip is not None and tip.sha == status.head:
                last = tip.commit()
            elif known and status.head in known:
                last = known[status.head]
            else:
                last = commit_info(self.paths.repo, status.head, self.cache)
        reflog = branch_reflog(self.paths.common_dir, status.branch) if status.branch else []
        return git_state(status, last, deltas.get(status.head or "", BranchDelta()), reflog)

    def agents_touched(self, snapshot: WorkspaceSnapshot, changed: Iterable[Path]) -> set[str] | None:
        """The agents whose files or git state a set of changed paths touches; None means reload everything.

        Each path is matched by walking up its folders against a table of every agent's worktree and git
        folder, so a storm of thousands of changed files costs milliseconds, not paths times agents.
        """
        common = self.paths.common_dir
        owners: dict[Path, str] = {}
        branch_refs: dict[Path, str] = {}
        for agent in snapshot.agents:
            facts = agent.facts
            for folder in (facts.worktree, facts.git_dir):
                if folder is not None:
                    owners[folder] = facts.agent_id
            if facts.branch and not facts.remote:
                branch_refs[common / "refs" / "heads" / facts.branch] = facts.agent_id
        reload_folders = {self.paths.coordination_dir, self.paths.repo / "shared" / "deployment-plans"}
        reload_folders.add(
            common / "worktrees"
        )  # reached only outside every agent's git folder: added or removed
        if self.remote_patterns:
            reload_folders.add(common / "refs" / "remotes")  # a fetch: remote agents appear, move or go
        reload_files = {common / "packed-refs", common / "refs" / "heads" / self.paths.target}
        if self.remote_patterns:
            reload_files.add(common / "FETCH_HEAD")
        touched: set[str] = set()
        for path in changed:
            if path in reload_files:
                return None  # the target moved (ahead/behind and merged change for everyone), or a fetch
            if path in branch_refs:
                touched.add(branch_refs[path])
                continue
            for folder in (path, *path.parents):
                owner = owners.get(folder)
                if owner is not None:
                    touched.add(owner)
                    break
                if folder in reload_folders:
                    return None
        return touched

    def watch_roots(self, snapshot: WorkspaceSnapshot) -> list[Path]:
        """The folders to watch for changes: every worktree, the coordination dir, plans, git's refs and its
        per-worktree folders (HEAD, index, merge state).

        Not the whole git folder: conflict prediction and every commit write objects there by the thousand,
        and each event would cost the UI thread a look.
        """
        common = self.paths.common_dir
        roots = {common / "refs", common / "worktrees", self.paths.repo / "shared"}
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
        self,
        info: WorktreeInfo,
        plans: Sequence[Plan],
        git: GitState | None,
        problems: list[str],
        known_id: str | None = None,
    ) -> AgentFacts:
        return self._with_times(self._read_agent_files(info, plans, git, problems, known_id), plans)

    def _with_times(self, facts: AgentFacts, plans: Sequence[Plan]) -> AgentFacts:
        """Add the last activity and the start and completion times (file stats only, no git)."""
        coordination = self._coordination_entry(plans, facts.agent_id)
        started, source = parse_time(coordination.get("startedAt")), "coordination"
        if started is None:
            started, source = parse_time(facts.created_at), "context"
        if started is None and facts.git is not None:
            started, source = facts.git.first_commit_at, "first commit"
        return replace(
            facts,
            last_activity=last_activity(facts),
            started_at=started,
            started_from=source if started is not None else None,
            completed_at=parse_time(coordination.get("completedAt")),
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
        self,
        info: WorktreeInfo,
        plans: Sequence[Plan],
        git_state: GitState | None,
        problems: list[str],
        known_id: str | None = None,
    ) -> AgentFacts:
        worktree = info.path
        if not worktree.is_dir():
            # The context file went with the folder; the branch name still says which planned agent it was.
            agent_id = known_id or planned_id_for_branch(plans, info.branch) or info.branch or worktree.name
            return AgentFacts(
                agent_id=agent_id,
                task_id=next((p.task_id for p in plans if p.agent(agent_id) is not None), ""),
                spec=plan_spec(plans, agent_id) or PlanAgent(agent_id),
                branch=info.branch,
                worktree=worktree,
                plain=plan_spec(plans, agent_id) is None,
                problems=(f"{worktree}: worktree folder is missing (git worktree prune clears it)",),
            )
        context, context_path = read_context(worktree, info.branch, problems)
        branch = git_state.branch if git_state else info.branch
        if context is None:
            agent_id = known_id or branch or worktree.name
            spec = plan_spec(plans, agent_id) or PlanAgent(agent_id)
            return AgentFacts(
                agent_id=agent_id,
                spec=spec,
                branch=branch,
                worktree=worktree,
                git_dir=git_dir_of(worktree),
                checklist=read_checklist(worktree / CHECKLIST_NAME),
                git=git_state,
                plain=plan_spec(plans, agent_id) is None,
                problems=tuple(problems),
            )
        spec = plan_spec(plans, context.agent_id)
        merged_spec = context if spec is None else prefer_context(spec, context)
        workspace = context_path.parent if context_path else worktree
        files = read_files_list(workspace / "files_to_work_on.txt")
        if files and not (merged_spec.files_to_create or merged_spec.files_to_modify):
            merged_spec = replace(merged_spec, files_to_create=files[0], files_to_modify=files[1])
        checklist = read_checklist(workspace / CHECKLIST_NAME) or read_checklist(worktree / CHECKLIST_NAME)
        if checklist and checklist.problem:
            problems.append(checklist.problem)
        raw = context_raw(context_path)
        return AgentFacts(
            agent_id=context.agent_id,
            spec=merged_spec,
            task_id=str(raw.get("taskId") or ""),
            branch=branch,
            worktree=worktree,
            git_dir=git_dir_of(worktree),
            context_path=context_path,
            created_at=raw.get("createdAt"),
            checklist=checklist,
            git=git_state,
            problems=tuple(problems),
            contracts=tuple((c, contract_present(worktree, c)) for c in merged_spec.test_contracts),
        )
