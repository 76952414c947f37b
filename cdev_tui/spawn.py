"""Spawning a plan: one branch and worktree per agent, its workspace files, and cdev's coordination status.

Textual-free and blocking (git and file I/O): call it from a worker thread. Each agent is handled on its
own: one that fails is cleaned up (what this run created for it is removed, so a retry starts clean) and
the others continue. Existing worktrees are skipped, existing branches get a worktree attached, and the
coordination status is written once at the end listing every agent that has a worktree.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from cdev_tui import gitops
from cdev_tui.errors import CdevError
from cdev_tui.gitops import WorktreeInfo, git
from cdev_tui.plan import Plan, PlanAgent
from cdev_tui.planner.serialise import agent_to_dict
from cdev_tui.structured import load_structured
from cdev_tui.workspace import WorkspacePaths
from cdev_tui.workspace_files import (
    CHECKLIST_NAME,
    CONTEXT_NAME,
    CONTRACTS_NAME,
    COORDINATION_STATUS_NAME,
    FILES_LIST_NAME,
    AgentState,
    agent_context,
    atomic_write_text,
    branch_name,
    checklist_text,
    coordination_status,
    dump_json,
    dump_yaml,
    files_to_work_on_text,
    iso_utc,
    write_agent_workspace,
    write_coordination_status,
)

ENV_DIRS = (".claude", ".cursor", ".vscode")
"""Editor and agent folders that ``copy_env`` copies along with the ``.env`` files."""

_ENV_TEMPLATES = {"example", "sample", "template"}
_VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Outcome(StrEnum):
    """What spawning did for one agent."""

    CREATED = "created"
    """New branch and worktree from the base."""
    RESUMED = "resumed"
    """Existing branch or worktree continued: a worktree attached, or missing workspace files written."""
    SKIPPED = "skipped"
    """The worktree and its workspace files were already there; nothing changed."""
    FAILED = "failed"
    """Nothing of this run is left behind for the agent; ``error`` says why."""
    CANCELLED = "cancelled"
    """The run was cancelled before this agent was reached."""


@dataclass(frozen=True)
class AgentOutcome:
    """One agent's result."""

    agent_id: str
    branch: str
    worktree: Path
    outcome: Outcome
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        """The agent has its worktree after this run."""
        return self.outcome in (Outcome.CREATED, Outcome.RESUMED, Outcome.SKIPPED)


@dataclass(frozen=True)
class SpawnProgress:
    """Reported after each agent; ``eta_s`` is the mean time per agent so far times the agents left."""

    done: int
    total: int
    agent_id: str
    step: str
    elapsed_s: float
    eta_s: float


@dataclass(frozen=True)
class SpawnReport:
    """Everything one spawn run did."""

    task_id: str
    base: str
    base_commit: str
    agents: tuple[AgentOutcome, ...]
    warnings: tuple[str, ...] = ()
    coordination: tuple[Path, ...] = ()
    """The coordination status files (YAML, JSON) when they list the spawned agents."""
    coordination_error: str | None = None
    cancelled: bool = False

    @property
    def failed(self) -> tuple[AgentOutcome, ...]:
        """The agents that failed."""
        return tuple(a for a in self.agents if a.outcome is Outcome.FAILED)

    @property
    def ok(self) -> bool:
        """No agent failed and the coordination status was written."""
        return not self.failed and self.coordination_error is None


# --- checking the plan ---------------------------------------------------------------------------------


def plan_problems(plan: Plan) -> list[str]:
    """Why ``plan`` cannot be spawned (empty when it can).

    Ids that cannot name a branch or folder, then the planner's errors (``cdev_tui.planner.validate_plan``:
    duplicate ids, unknown dependencies, cycles, shared ownership, ...) or, without the planner,
    :func:`basic_plan_problems`.
    """
    problems = []
    if not _valid_name(plan.task_id):
        problems.append(f"taskId {plan.task_id!r} cannot be part of a branch name")
    problems += [
        f"agent id {a.agent_id!r} cannot be part of a branch or folder name"
        for a in plan.agents
        if not _valid_name(a.agent_id)
    ]
    try:
        from cdev_tui.planner import validate_plan
    except ImportError:
        return problems + basic_plan_problems(plan)
    return problems + [p.message for p in validate_plan(plan) if p.severity == "error"]


def basic_plan_problems(plan: Plan) -> list[str]:
    """The structural checks spawning cannot do without: agents present, unique ids, known deps, no cycle."""
    problems: list[str] = []
    if not plan.agents:
        problems.append("the plan has no agents")
    seen: set[str] = set()
    for agent in plan.agents:
        if agent.agent_id in seen:
            problems.append(f"agent id {agent.agent_id} is used twice")
        seen.add(agent.agent_id)
    for agent in plan.agents:
        for dep in agent.dependencies:
            if dep not in seen:
                problems.append(f"{agent.agent_id} depends on unknown agent {dep}")
    cycle = _find_cycle(plan.agents)
    if cycle:
        problems.append(f"dependency cycle: {' → '.join(cycle)}")
    return problems


def _valid_name(text: str) -> bool:
    return bool(_VALID_ID.match(text)) and ".." not in text and not text.endswith((".", ".lock"))


def _find_cycle(agents: Sequence[PlanAgent]) -> list[str]:
    deps = {a.agent_id: list(a.dependencies) for a in agents}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    trail: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        trail.append(node)
        for dep in deps.get(node, ()):
            if state.get(dep) == 1:
                return [*trail[trail.index(dep) :], dep]
            if dep in deps and dep not in state:
                found = visit(dep)
                if found:
                    return found
        trail.pop()
        state[node] = 2
        return []

    for agent_id in deps:
        if agent_id not in state:
            found = visit(agent_id)
            if found:
                return found
    return []


def _refuse_bad_plan(plan: Plan) -> None:
    problems = list(dict.fromkeys(plan_problems(plan)))
    if problems:
        where = plan.path or f"plan {plan.task_id}"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CdevError(f"{where}: {problems[0]}{more}; nothing was spawned")


# --- the plan as cdev's raw format ---------------------------------------------------------------------


def plan_document(plan: Plan, agents: Iterable[PlanAgent] | None = None) -> dict[str, Any]:
    """The §2.2 ``parallelAgents`` document for ``plan`` (only ``agents`` when given), as the writers take it."""
    entries = []
    for agent in plan.agents if agents is None else agents:
        entry = agent_to_dict(agent)
        entry.setdefault("canStartImmediately", not agent.dependencies)
        entries.append(entry)
    return {"taskId": plan.task_id, "taskTitle": plan.task_title, "parallelAgents": entries}


# --- spawning ------------------------------------------------------------------------------------------


def spawn_plan(
    plan: Plan,
    paths: WorkspacePaths,
    *,
    base: str | None = None,
    copy_env: bool = False,
    progress: Callable[[SpawnProgress], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> SpawnReport:
    """Create a branch ``<taskId>-<agentId>`` and a worktree for every agent of ``plan``, from ``base``.

    ``base`` defaults to the target branch (not the main worktree's HEAD). A bad plan, an unknown base or an
    unusable worktrees root raise :class:`CdevError` before anything is created; per-agent problems are
    reported in the result and the other agents continue. ``cancel`` is asked before each agent.
    """
    _refuse_bad_plan(plan)
    base_name = base or paths.target
    if not gitops.ref_exists(paths.repo, base_name):
        raise CdevError(f"{paths.repo}: unknown base {base_name!r} (no such branch, tag or commit)")
    base_commit = git(paths.repo, "rev-parse", "--verify", f"{base_name}^{{commit}}").stdout
    run = _Run(plan, paths, base_commit, copy_env)
    root_created = _prepare_root(paths.worktrees_root)
    outcomes: list[AgentOutcome] = []
    cancelled = False
    started = time.monotonic()
    try:
        for agent in plan.agents:
            if cancel is not None and cancel():
                cancelled = True
                break
            outcome = run.spawn_agent(agent)
            outcomes.append(outcome)
            if progress is not None:
                elapsed = time.monotonic() - started
                done, total = len(outcomes), len(plan.agents)
                eta = elapsed / done * (total - done)
                progress(SpawnProgress(done, total, agent.agent_id, outcome.outcome.value, elapsed, eta))
    except BaseException:
        with contextlib.suppress(Exception):
            run.write_coordination(outcomes)
        raise
    if cancelled:
        handled = {o.agent_id for o in outcomes}
        outcomes += [
            AgentOutcome(a.agent_id, run.branch(a), run.worktree(a), Outcome.CANCELLED)
            for a in plan.agents
            if a.agent_id not in handled
        ]
        run.warnings.append(f"cancelled after {len(handled)} of {len(plan.agents)} agents")
    coordination, coordination_error = run.write_coordination(outcomes)
    if root_created and not any(paths.worktrees_root.iterdir()):
        paths.worktrees_root.rmdir()
    return SpawnReport(
        task_id=plan.task_id,
        base=base_name,
        base_commit=base_commit,
        agents=tuple(outcomes),
        warnings=tuple(run.env_warnings() + run.warnings),
        coordination=coordination,
        coordination_error=coordination_error,
        cancelled=cancelled,
    )


def _prepare_root(root: Path) -> bool:
    """Make sure the worktrees root is a folder; True when this call created it."""
    if root.is_dir():
        return False
    if root.exists() or root.is_symlink():
        raise CdevError(f"{root}: the worktrees root exists but is not a folder")
    try:
        root.mkdir(parents=True)
    except OSError as exc:
        raise CdevError(f"{root}: cannot create the worktrees root ({exc.strerror})") from None
    return True


def _key(path: Path) -> str:
    return os.path.realpath(path)


@dataclass
class _Run:
    """The state of one spawn run."""

    plan: Plan
    paths: WorkspacePaths
    base_commit: str
    copy_env: bool
    now: str = field(default_factory=iso_utc)
    warnings: list[str] = field(default_factory=list)
    env_sources: list[str] = field(default_factory=list)
    env_copied: dict[str, list[str]] = field(default_factory=dict)
    by_path: dict[str, WorktreeInfo] = field(default_factory=dict)
    by_branch: dict[str, WorktreeInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.document = plan_document(self.plan)
        self._refresh_worktrees()
        if self.copy_env:
            self.env_sources = env_files(self.paths.repo)
            if not self.env_sources:
                self.warnings.append(f"--copy-env: {self.paths.repo} has no .env files or editor folders")

    def _refresh_worktrees(self) -> None:
        worktrees = gitops.list_worktrees(self.paths.repo)
        self.by_path = {_key(w.path): w for w in worktrees}
        self.by_branch = {w.branch: w for w in worktrees if w.branch}

    def branch(self, agent: PlanAgent) -> str:
        return branch_name(self.plan.task_id, agent.agent_id)

    def worktree(self, agent: PlanAgent) -> Path:
        return self.paths.worktrees_root / self.branch(agent)

    # -- one agent ----------------------------------------------------------------------------------

    def spawn_agent(self, agent: PlanAgent) -> AgentOutcome:
        branch, path = self.branch(agent), self.worktree(agent)
        try:
            registered = self.by_path.get(_key(path))
            if registered is not None:
                return self._existing(agent, branch, path, registered)
            if path.exists() or path.is_symlink():
                raise CdevError(f"{path} exists but is not a git worktree of {self.paths.repo}")
            holder = self.by_branch.get(branch)
            if holder is not None:
                raise CdevError(f"branch {branch} is already checked out at {holder.path}")
            if gitops.ref_exists(self.paths.repo, f"refs/heads/{branch}"):
                return self._attach(agent, branch, path)
            return self._create(agent, branch, path)
        except (CdevError, OSError) as exc:
            return AgentOutcome(agent.agent_id, branch, path, Outcome.FAILED, error=_one_line(exc))
        finally:
            self._refresh_worktrees()

    def _existing(self, agent: PlanAgent, branch: str, path: Path, info: WorktreeInfo) -> AgentOutcome:
        if info.branch != branch:
            on = f"branch {info.branch}" if info.branch else "a detached HEAD"
            raise CdevError(f"{path} is a worktree on {on}, expected branch {branch}")
        if not path.is_dir():
            raise CdevError(
                f"{path} is a registered worktree whose folder is missing; "
                "run `git worktree prune`, then spawn again"
            )
        written = self._write_missing(agent, branch, path)
        if not written:
            return AgentOutcome(agent.agent_id, branch, path, Outcome.SKIPPED, notes=("worktree exists",))
        names = ", ".join(p.name for p in written)
        note = f"worktree exists; wrote its missing workspace files: {names}"
        return AgentOutcome(agent.agent_id, branch, path, Outcome.RESUMED, notes=(note,))

    def _attach(self, agent: PlanAgent, branch: str, path: Path) -> AgentOutcome:
        notes = [
            f"branch {branch} already existed: attached a worktree to it (its commits kept, base not applied)"
        ]
        try:
            git(self.paths.repo, "worktree", "add", "--quiet", str(path), branch)
            written = self._write_missing(agent, branch, path, rollback=False)
            if written:
                notes.append(f"wrote its missing workspace files: {', '.join(p.name for p in written)}")
            self._copy_env(path)
        except BaseException as exc:
            raise self._undo(exc, path, branch, remove_branch=False) from None
        return AgentOutcome(agent.agent_id, branch, path, Outcome.RESUMED, notes=tuple(notes))

    def _create(self, agent: PlanAgent, branch: str, path: Path) -> AgentOutcome:
        try:
            git(self.paths.repo, "worktree", "add", "--quiet", "-b", branch, str(path), self.base_commit)
            write_agent_workspace(path, self._context(agent, branch, path))
            self._copy_env(path)
        except BaseException as exc:
            raise self._undo(exc, path, branch, remove_branch=True) from None
        return AgentOutcome(agent.agent_id, branch, path, Outcome.CREATED)

    def _undo(self, exc: BaseException, path: Path, branch: str, *, remove_branch: bool) -> BaseException:
        """Remove the worktree (and the branch) this run made for an agent; returns the error to raise."""
        problems = []
        try:
            git(self.paths.repo, "worktree", "remove", "--force", str(path), ok_codes=(0, 128))
            if path.exists():  # the path did not exist before this run, so all of it is ours
                shutil.rmtree(path)
            if _key(path) in {_key(w.path) for w in gitops.list_worktrees(self.paths.repo)}:
                git(self.paths.repo, "worktree", "prune")
            if remove_branch and gitops.ref_exists(self.paths.repo, f"refs/heads/{branch}"):
                git(self.paths.repo, "branch", "-D", branch)
        except (CdevError, OSError) as cleanup:
            problems.append(_one_line(cleanup))
        if not isinstance(exc, CdevError | OSError):
            return exc  # an interrupt: cleaned up, and it goes on
        message = _one_line(exc)
        if problems:
            message += f" (cleanup incomplete: {problems[0]})"
        return CdevError(message)

    # -- workspace files ----------------------------------------------------------------------------

    def _context(self, agent: PlanAgent, branch: str, path: Path) -> dict[str, Any]:
        entry = next(e for e in self.document["parallelAgents"] if e["agentId"] == agent.agent_id)
        return agent_context(self.document, entry, branch=branch, worktree=path, created_at=self.now)

    def _write_missing(
        self, agent: PlanAgent, branch: str, path: Path, *, rollback: bool = True
    ) -> list[Path]:
        """Write only the workspace files that are missing; a context half is copied from its twin."""
        folder = path / "workspaces" / agent.agent_id
        context = self._context(agent, branch, path)
        yaml_path, json_path = folder / f"{CONTEXT_NAME}.yaml", folder / f"{CONTEXT_NAME}.json"
        twin = _load_mapping(json_path) or _load_mapping(yaml_path)
        contracts = context["allTestContracts"]
        contents = {
            yaml_path: dump_yaml(twin or context),
            json_path: dump_json(twin or context),
            folder / FILES_LIST_NAME: files_to_work_on_text(
                context["allFilesToCreate"], context["allFilesToModify"]
            ),
            folder / CONTRACTS_NAME: "\n".join(contracts) + "\n" if contracts else "",
            folder / CHECKLIST_NAME: checklist_text(context["allValidationCriteria"]),
        }
        missing = [p for p in contents if not p.exists()]
        new_dirs = [d for d in (folder.parent, folder) if not d.exists()]
        written: list[Path] = []
        try:
            for target in missing:
                atomic_write_text(target, contents[target])
                written.append(target)
        except BaseException:
            if rollback:
                for target in written:
                    target.unlink(missing_ok=True)
                for folder_made in reversed(new_dirs):
                    with contextlib.suppress(OSError):
                        folder_made.rmdir()
            raise
        return written

    # -- env files ----------------------------------------------------------------------------------

    def _copy_env(self, worktree: Path) -> None:
        if self.env_sources:
            copied = copy_env_files(self.paths.repo, worktree, self.env_sources)
            if copied:
                self.env_copied[str(worktree)] = copied

    def env_warnings(self) -> list[str]:
        if not self.env_copied:
            return []
        names = sorted({name.split("/", 1)[0] for copied in self.env_copied.values() for name in copied})
        warnings = [
            f"secrets copied into {_count(len(self.env_copied), 'worktree')}: {', '.join(names)} "
            f"(local files from {self.paths.repo}; keep them out of commits)"
        ]
        env_names = [n for n in names if n.startswith(".env")]
        first = next(iter(self.env_copied))
        if env_names:
            result = git(first, "check-ignore", "--stdin", input="\n".join(env_names), ok_codes=(0, 1))
            ignored = set(result.stdout.split())
            exposed = [n for n in env_names if n not in ignored]
            if exposed:
                warnings.append(f"not ignored by git, so an agent could commit them: {', '.join(exposed)}")
        return warnings

    # -- coordination status ------------------------------------------------------------------------

    def write_coordination(self, outcomes: Sequence[AgentOutcome]) -> tuple[tuple[Path, ...], str | None]:
        """Write the status listing every agent with a worktree, unless it already says exactly that."""
        folder = self.paths.coordination_dir
        yaml_path = folder / f"{COORDINATION_STATUS_NAME}.yaml"
        json_path = folder / f"{COORDINATION_STATUS_NAME}.json"
        old = _load_mapping(json_path) or _load_mapping(yaml_path)
        old_exists = yaml_path.exists() or json_path.exists()
        same_task = old is not None and str(old.get("taskId")) == self.plan.task_id
        old_entries = {
            str(e.get("agentId")): e
            for e in (old.get("agents") or [] if same_task and old else [])
            if isinstance(e, Mapping)
        }
        self._refresh_worktrees()
        handled = {o.agent_id: o for o in outcomes if o.outcome is not Outcome.CANCELLED}
        listed = [
            a
            for a in self.plan.agents
            if (a.agent_id in handled and handled[a.agent_id].present)
            or (
                a.agent_id not in handled and a.agent_id in old_entries and self._has_worktree(self.branch(a))
            )
        ]
        planned = {a.agent_id for a in self.plan.agents}
        extras = [
            dict(e)
            for agent_id, e in old_entries.items()
            if agent_id not in planned and self._has_worktree(str(e.get("branchName") or ""))
        ]
        if not listed and not extras:
            return (tuple(p for p in (yaml_path, json_path) if p.is_file()) if same_task else ()), None
        if old_exists and not same_task:
            what = f"task {old.get('taskId')}" if old is not None else "an unreadable file"
            self.warnings.append(f"{json_path}: replaced the coordination status of {what}")
        states = [_state(a.agent_id, old_entries.get(a.agent_id)) for a in listed]
        created = str(old.get("createdAt") or self.now) if same_task and old else self.now
        status = coordination_status(
            plan_document(self.plan, listed),
            states,
            created_at=created,
            last_updated=str(old.get("lastUpdated") or created) if same_task and old else created,
        )
        status["agents"] += extras
        status["totalAgents"] = len(status["agents"])
        both = yaml_path.is_file() and json_path.is_file()
        if both and _load_mapping(yaml_path) == status and _load_mapping(json_path) == status:
            return (yaml_path, json_path), None
        status["lastUpdated"] = self.now
        try:
            return write_coordination_status(folder, status), None
        except OSError as exc:
            return (), f"{folder}: cannot write the coordination status ({exc.strerror or exc})"

    def _has_worktree(self, branch: str) -> bool:
        info = self.by_path.get(_key(self.paths.worktrees_root / branch)) if branch else None
        return info is not None and info.branch == branch


def _state(agent_id: str, entry: Mapping[str, Any] | None) -> AgentState:
    if entry is None:
        return AgentState(agent_id)
    return AgentState(
        agent_id,
        status=str(entry.get("status") or "spawned"),
        started_at=entry.get("startedAt"),
        completed_at=entry.get("completedAt"),
    )


def _load_mapping(path: Path) -> dict[str, Any] | None:
    """A YAML/JSON mapping as plain JSON data (YAML timestamps become ISO strings); None when unreadable."""
    try:
        data = load_structured(path)
    except CdevError:
        return None
    if not isinstance(data, dict):
        return None
    return json.loads(json.dumps(data, default=_plain))


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- .env files and editor folders ---------------------------------------------------------------------


def env_files(repo: Path) -> list[str]:
    """The names ``copy_env`` copies from ``repo``: ``.env``, ``.env.*`` (not templates) and editor folders."""
    names = []
    for entry in sorted(repo.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name == ".env" or name.startswith(".env."):
            if entry.is_file() and not _ENV_TEMPLATES & set(name.split(".")[2:]):
                names.append(name)
        elif name in ENV_DIRS and entry.is_dir():
            names.append(name)
    return names


def copy_env_files(repo: Path, worktree: Path, names: Iterable[str]) -> list[str]:
    """Copy ``names`` from ``repo`` into ``worktree`` without replacing files it has; returns what was copied."""
    copied = []
    for name in names:
        source = repo / name
        if source.is_dir() and not source.is_symlink():
            for folder, _dirs, files in os.walk(source):
                for file_name in files:
                    src = Path(folder) / file_name
                    rel = src.relative_to(repo)
                    if _copy_one(src, worktree / rel):
                        copied.append(rel.as_posix())
        elif _copy_one(source, worktree / name):
            copied.append(name)
    return copied


def _copy_one(source: Path, target: Path) -> bool:
    if target.exists() or target.is_symlink():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target, follow_symlinks=False)
    return True
