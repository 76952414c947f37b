"""What the workspace is made of: agents, their facts from disk and git, and the snapshot of them all."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cdev_tui import gitops
from cdev_tui.checklist import Checklist
from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent
from cdev_tui.status import AgentStatus

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

UNMERGED_CODES = gitops.UNMERGED_CODES


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
    remote: bool = False
    """A branch on a remote (an agent working on another machine): no worktree here, facts from its tree."""

    @property
    def ref(self) -> str | None:
        """The branch's full ref: ``refs/remotes/origin/agent/x`` for a remote agent, else ``refs/heads/...``."""
        if not self.branch:
            return None
        return f"refs/remotes/{self.branch}" if self.remote else f"refs/heads/{self.branch}"


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
    target_head: str | None = None
    """The commit the target branch pointed at when the agents were read."""

    def agent(self, agent_id: str) -> Agent | None:
        """The agent with this id, or None."""
        return next((a for a in self.agents if a.agent_id == agent_id), None)

    def require_agent(self, agent_id: str) -> Agent:
        """The agent with this id; a one-line error naming the known ones when there is none."""
        agent = self.agent(agent_id)
        if agent is None:
            known = ", ".join(a.agent_id for a in self.agents) or "none"
            raise CdevError(f"unknown agent {agent_id!r} (known: {known})")
        return agent

    @property
    def task_plans(self) -> tuple[Plan, ...]:
        """The deployment plans alone (without the coordination status)."""
        return tuple(p for p in self.plans if p.path is None or p.path.parent != self.paths.coordination_dir)

    @property
    def facts(self) -> tuple[AgentFacts, ...]:
        """The raw facts of every agent, for re-deriving after a partial refresh."""
        return tuple(a.facts for a in self.agents)
