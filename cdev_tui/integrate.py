"""Validate and integrate: pre-flight checks, real merges into a new integration branch, reports, finish.

Textual-free. :func:`integrate` never touches the target branch, the main worktree or any agent worktree or
branch: it creates ``integration-<YYYYmmdd-HHMMSS>`` from the target in a temporary worktree of its own,
merges each agent branch there (``--no-ff``) and runs the test command after each merge. Only
:func:`finish`, called with ``confirm=True``, moves the target.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdev_tui import gitops
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git
from cdev_tui.plan import Plan
from cdev_tui.status import DONE_STATUSES, AgentStatus
from cdev_tui.workspace import BOOKKEEPING_PREFIXES, Agent, WorkspaceSnapshot
from cdev_tui.workspace_files import atomic_write_text, dump_yaml, iso_utc

BRANCH_PREFIX = "integration-"
WORKTREE_PREFIX = ".integration-"
REPORTS_DIR = Path("shared") / "reports"
STATUS_PATH = Path("shared") / "coordination" / "integration-status.yaml"
TAIL_LINES = 40
_ANY_CODE = tuple(range(-255, 256))
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "cdev-tui",
    "GIT_AUTHOR_EMAIL": "cdev-tui@localhost",
    "GIT_COMMITTER_NAME": "cdev-tui",
    "GIT_COMMITTER_EMAIL": "cdev-tui@localhost",
}
_SETTLED = DONE_STATUSES

OutputCallback = Callable[[int, str], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class Problem:
    """One reason not to integrate yet.

    ``kind`` is one of ``nothing``, ``missing-branch``, ``incomplete``, ``empty``, ``dirty``, ``violation``,
    ``dependency`` or ``order``; ``files`` names the paths involved (uncommitted or not owned).
    """

    kind: str
    message: str
    agent: str | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepResult:
    """One agent branch merged (or not) into the integration branch, and the tests after it."""

    agent: str
    commit: str | None
    """The integration branch after this step (the merge commit); None when the step did not merge."""
    merged: bool
    conflicted_files: tuple[str, ...] = ()
    test_passed: bool | None = None
    """None when no test command ran."""
    test_output_tail: str = ""
    seconds: float = 0.0
    branch: str = ""
    source_commit: str = ""
    """The agent branch's tip that was merged."""
    files_changed: tuple[str, ...] = ()
    """What this merge changed on the integration branch."""
    message: str = ""
    """Why the step stopped, or a note such as "already contained"."""
    index: int = 0
    """The step's position in the merge order (0-based)."""


@dataclass(frozen=True)
class StepEvent:
    """Progress of a run, for ``on_step``: ``phase`` is ``merging``, ``testing`` or ``done`` (with ``result``)."""

    index: int
    total: int
    agent: str
    phase: str
    result: StepResult | None = None


@dataclass(frozen=True)
class IntegrationResult:
    """What an integration run did. The integration branch stays; its temporary worktree is gone."""

    branch: str
    steps: list[StepResult]
    ok: bool
    report_md: Path
    report_yaml: Path
    stopped_reason: str | None
    order: tuple[str, ...] = ()
    target: str = ""
    target_commit: str = ""
    """The target's commit the integration branch was created from (the target itself is never moved)."""
    head: str = ""
    """The integration branch's commit at the end of the run."""
    status_path: Path | None = None
    cancelled: bool = False
    notices: tuple[str, ...] = ()

    @property
    def conflict(self) -> StepResult | None:
        """The step that stopped on a merge conflict, if any (for the merge editor)."""
        return next((s for s in self.steps if s.conflicted_files), None)

    @property
    def pending(self) -> tuple[str, ...]:
        """Agents of the order that were not reached."""
        return self.order[len(self.steps) :]

    @property
    def agents_integrated(self) -> list[str]:
        """Agents whose branch is merged into the integration branch."""
        return [s.agent for s in self.steps if s.merged]


# --- selection, order and pre-flight ---------------------------------------------------------------------


def _is_integration_worktree(agent: Agent) -> bool:
    worktree = agent.facts.worktree
    branch = agent.facts.branch or ""
    return (worktree is not None and worktree.name.startswith(WORKTREE_PREFIX)) or branch.startswith(
        BRANCH_PREFIX
    )


def select_agents(
    snapshot: WorkspaceSnapshot, agents: Iterable[str] | None = None, plan: Plan | None = None
) -> list[str]:
    """The agents to integrate: ``agents`` as given, else the plan's (or every planned) agents not yet merged.

    An explicitly named agent that the workspace and the plan do not know raises :class:`CdevError`.
    """
    if agents is not None:
        chosen = list(dict.fromkeys(a.strip() for a in agents if a and a.strip()))
        if not chosen:
            raise CdevError("no agents named: pass agent ids like --agents auth_agent,api_agent")
        known = {a.agent_id for a in snapshot.agents} | ({a.agent_id for a in plan.agents} if plan else set())
        for agent_id in chosen:
            if agent_id not in known:
                names = ", ".join(sorted(known)) or "none"
                raise CdevError(f"unknown agent {agent_id!r} (known: {names})")
        return chosen
    if plan is not None:
        ids = [a.agent_id for a in plan.agents]
    else:
        with_plan = bool(snapshot.task_plans)
        ids = [
            a.agent_id
            for a in snapshot.agents
            if not _is_integration_worktree(a) and not (with_plan and a.facts.plain)
        ]
    result = []
    for agent_id in ids:
        agent = snapshot.agent(agent_id)
        if agent is None or agent.status is not AgentStatus.MERGED:
            result.append(agent_id)
    return result


def _dependencies(snapshot: WorkspaceSnapshot, plan: Plan | None, agent_id: str) -> tuple[str, ...]:
    spec = plan.agent(agent_id) if plan is not None else None
    if spec is None:
        agent = snapshot.agent(agent_id)
        return agent.spec.dependencies if agent else ()
    return spec.dependencies


def integration_order(
    snapshot: WorkspaceSnapshot, agents: Iterable[str] | None = None, plan: Plan | None = None
) -> list[str]:
    """The merge order for the selected agents: the plan's merge order when it covers them, else derived.

    Dependencies among the selected agents come first either way. Raises :class:`CdevError` when the plan's
    order contradicts a dependency or the dependencies form a cycle.
    """
    from cdev_tui.conflicts import AgentRef, merge_order

    selection = select_agents(snapshot, agents, plan)
    chosen = set(selection)
    deps = {i: tuple(d for d in _dependencies(snapshot, plan, i) if d in chosen) for i in selection}
    plans = [plan] if plan is not None else list(snapshot.task_plans)
    planned = list(dict.fromkeys(i for p in plans for i in p.merge_order))
    if selection and chosen <= set(planned):
        order = [i for i in planned if i in chosen]
        position = {agent_id: n for n, agent_id in enumerate(order)}
        for agent_id in order:
            for dep in deps[agent_id]:
                if position[dep] > position[agent_id]:
                    source = next((p.path for p in plans if agent_id in p.merge_order and p.path), None)
                    where = f"{source}: " if source else ""
                    raise CdevError(f"{where}merge order puts {agent_id} before its dependency {dep}")
        return order
    return merge_order([AgentRef(i, None, None, deps[i]) for i in selection], [])


def preflight(
    snapshot: WorkspaceSnapshot,
    *,
    agents: Iterable[str] | None = None,
    allow_violations: bool = False,
    allow_incomplete: bool = False,
    plan: Plan | None = None,
) -> list[Problem]:
    """Everything that stands in the way of integrating the selected agents (empty: ready).

    Checks that each agent is complete (or merged), has a branch with commits, a clean worktree and no
    ownership violations, that its dependencies are merged or selected, and that a merge order exists.
    Unknown agent names raise :class:`CdevError`. Reads only; changes nothing.
    """
    paths = snapshot.paths
    selection = select_agents(snapshot, agents, plan)
    if not selection:
        return [
            Problem("nothing", f"nothing to integrate: every agent is already merged into {paths.target}")
        ]
    chosen = set(selection)
    problems: list[Problem] = []
    for agent_id in selection:
        agent = snapshot.agent(agent_id)
        if agent is None:
            problems.append(
                Problem("missing-branch", f"{agent_id}: not spawned (no branch, no worktree)", agent_id)
            )
            continue
        problems.extend(_agent_problems(snapshot, agent, allow_violations, allow_incomplete))
        for dep in _dependencies(snapshot, plan, agent_id):
            if dep in chosen:
                continue
            found = snapshot.agent(dep)
            if found is None and (plan is None or plan.agent(dep) is None):
                problems.append(Problem("dependency", f"{agent_id}: unknown dependency {dep}", agent_id))
            elif found is None or found.status is not AgentStatus.MERGED:
                problems.append(
                    Problem(
                        "dependency",
                        f"{agent_id}: depends on {dep}, which is neither merged into {paths.target} nor "
                        "selected for this integration",
                        agent_id,
                    )
                )
    try:
        integration_order(snapshot, selection, plan)
    except CdevError as exc:
        problems.append(Problem("order", f"no usable merge order: {exc}"))
    return problems


def _agent_problems(
    snapshot: WorkspaceSnapshot, agent: Agent, allow_violations: bool, allow_incomplete: bool
) -> list[Problem]:
    facts = agent.facts
    agent_id = agent.agent_id
    problems: list[Problem] = []
    branch = facts.branch
    if not branch or not gitops.ref_exists(snapshot.paths.repo, f"refs/heads/{branch}"):
        what = f"branch {branch} does not exist" if branch else "no branch (detached or missing worktree)"
        problems.append(Problem("missing-branch", f"{agent_id}: {what}", agent_id))
    if not allow_incomplete:
        if agent.status not in _SETTLED:
            done, total = agent.progress
            detail = f"{done}/{total} checklist items done" if total else "no checklist"
            if agent.blocked_by:
                detail += f", blocked by {', '.join(agent.blocked_by)}"
            problems.append(Problem("incomplete", f"{agent_id}: {agent.status} ({detail})", agent_id))
        elif agent.status is AgentStatus.COMPLETE and facts.git is not None and facts.git.ahead == 0:
            problems.append(
                Problem(
                    "empty",
                    f"{agent_id}: marked complete but {branch} has no commits beyond {snapshot.paths.target}",
                    agent_id,
                )
            )
    dirty = tuple(p for p in (facts.git.dirty if facts.git else ()) if not p.startswith(BOOKKEEPING_PREFIXES))
    if dirty:
        problems.append(
            Problem(
                "dirty",
                f"{agent_id}: uncommitted changes in {facts.worktree} would be left out: "
                f"{_listing(dirty)} (commit or stash them)",
                agent_id,
                dirty,
            )
        )
    if agent.violations and not allow_violations:
        described = [
            f"{v.path} ({'owned by ' + v.owner if v.owner else 'owned by nobody'})" for v in agent.violations
        ]
        problems.append(
            Problem(
                "violation",
                f"{agent_id}: changes files it does not own: {_listing(described)}",
                agent_id,
                tuple(v.path for v in agent.violations),
            )
        )
    return problems


def _listing(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --- running ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    agent_id: str
    branch: str
    commit: str


@dataclass(frozen=True)
class CommandRun:
    """The outcome of one test command run."""

    passed: bool
    exit_code: int | None
    timed_out: bool
    cancelled: bool
    tail: tuple[str, ...]
    seconds: float


def _rev(cwd: Path, ref: str) -> str | None:
    result = git(cwd, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok_codes=_ANY_CODE)
    return result.stdout.strip() if result.code == 0 and result.stdout.strip() else None


def _identity_env(repo: Path) -> dict[str, str]:
    """The user's identity when git has one; otherwise a fixed cdev-tui identity so merges can commit."""
    env = {"GIT_EDITOR": "true", "GIT_TERMINAL_PROMPT": "0"}
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if git(repo, "var", var, ok_codes=_ANY_CODE).code != 0:
            env.update(_FALLBACK_IDENTITY)
            break
    return env


def _free_token(repo: Path, worktrees_root: Path, when: datetime) -> str:
    """``YYYYmmdd-HHMMSS`` (UTC), with ``-2``, ``-3``... when a branch, worktree or report already uses it."""
    base = when.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        token = base if n == 1 else f"{base}-{n}"
        taken = (
            gitops.ref_exists(repo, f"refs/heads/{BRANCH_PREFIX}{token}")
            or (worktrees_root / f"{WORKTREE_PREFIX}{token}").exists()
            or (repo / REPORTS_DIR / f"integration-report-{token}.md").exists()
            or (repo / REPORTS_DIR / f"integration-report-{token}.yaml").exists()
        )
        if not taken:
            return token
    raise CdevError(f"{repo}: too many integration branches named {BRANCH_PREFIX}{base}-*")


def _test_env() -> dict[str, str]:
    # A git hook environment would point the tests' own git calls at the wrong repository.
    drop = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the command and anything it started (they share its new session's process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5.0)
    # Children that outlived the shell (e.g. a background ``sleep``) still belong to its process group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_test_command(
    command: str,
    cwd: Path,
    *,
    timeout: float,
    on_line: Callable[[str], None] | None = None,
    cancel: Cancel | None = None,
) -> CommandRun:
    """Run ``command`` in a shell in ``cwd``, streaming its output lines; killed at ``timeout`` seconds.

    ``on_line`` is called from the calling thread. A timeout or a cancel kills the whole process group and
    counts as a failure.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        shell=True,
        cwd=cwd,
        env=_test_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for raw in iter(lambda: proc.stdout.readline(65536), b""):
                lines.put(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        lines.put(None)

    tail: deque[str] = deque(maxlen=TAIL_LINES)

    def deliver(line: str) -> None:
        tail.append(line)
        if on_line is not None:
            on_line(line)

    reader = threading.Thread(target=pump, name="cdev-test-output", daemon=True)
    reader.start()
    deadline = started + timeout
    exited_at: float | None = None
    eof = timed_out = cancelled = False
    try:
        while True:
            try:
                item = lines.get(timeout=0.05)
            except queue.Empty:
                pass
            else:
                if item is None:
                    eof = True
                else:
                    deliver(item)
                    continue
            now = time.monotonic()
            if proc.poll() is not None:
                exited_at = exited_at or now
                # A background child may keep the pipe open after the command ended: do not wait for it long.
                if eof or now - exited_at > 1.0:
                    break
            elif now >= deadline:
                timed_out = True
                break
            elif cancel is not None and cancel():
                cancelled = True
                break
    finally:
        _kill_group(proc)
        reader.join(timeout=2.0)
        # A process that left the group may still hold the pipe: closing it would block on the reader's lock.
        if proc.stdout is not None and not reader.is_alive():
            proc.stdout.close()
    while True:
        try:
            item = lines.get_nowait()
        except queue.Empty:
            break
        if item is not None:
            deliver(item)
    if timed_out:
        deliver(f"[cdev-tui: killed after the {timeout:g} s test timeout]")
    elif cancelled:
        deliver("[cdev-tui: cancelled]")
    code = None if timed_out or cancelled else proc.returncode
    return CommandRun(
        passed=code == 0,
        exit_code=code,
        timed_out=timed_out,
        cancelled=cancelled,
        tail=tuple(tail),
        seconds=time.monotonic() - started,
    )


def _unmerged(worktree: Path) -> tuple[str, ...]:
    out = git(worktree, "diff", "--name-only", "--diff-filter=U", "-z", strip=False).stdout
    return tuple(dict.fromkeys(p for p in out.split("\0") if p))


def _restore(worktree: Path, commit: str) -> None:
    """Put our temporary worktree back exactly at ``commit`` (a merge in progress is aborted)."""
    if _rev(worktree, "MERGE_HEAD") is not None:
        git(worktree, "merge", "--abort", ok_codes=_ANY_CODE)
    clean = not git(worktree, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if _rev(worktree, "HEAD") != commit or not clean:
        # Only the integration branch, which this run created, is reset.
        git(worktree, "reset", "--hard", "--quiet", commit)
    if _rev(worktree, "HEAD") != commit:
        raise CdevError(f"{worktree}: could not return the integration branch to {commit[:12]}")


def _git_message(result: gitops.GitResult) -> str:
    text = "\n".join(x for x in (result.stdout, result.stderr) if x).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {result.code}"


@dataclass(frozen=True)
class _Run:
    worktree: Path
    branch: str
    env: dict[str, str]
    test_command: str | None
    test_timeout: float
    total: int
    on_output: OutputCallback | None
    on_step: Callable[[StepEvent], None] | None
    cancel: Cancel | None

    def emit(self, index: int, agent: str, phase: str, result: StepResult | None = None) -> None:
        if self.on_step is not None:
            self.on_step(StepEvent(index, self.total, agent, phase, result))


def _step(run: _Run, index: int, source: _Source, head: str) -> tuple[StepResult, str | None, bool]:
    """Merge one agent and test; returns the step, why the run stops (None: go on) and whether cancelled."""
    started = time.monotonic()
    agent = source.agent_id
    base: dict[str, Any] = {
        "agent": agent,
        "branch": source.branch,
        "source_commit": source.commit,
        "index": index,
    }
    run.emit(index, agent, "merging")
    message = (
        f"Integrate {agent} ({source.branch})\n\n"
        f"cdev-tui integration step {index + 1}/{run.total} on {run.branch}."
    )
    merge = git(
        run.worktree,
        "merge",
        "--no-ff",
        "--no-edit",
        "-m",
        message,
        source.commit,
        env=run.env,
        ok_codes=_ANY_CODE,
    )
    if merge.code != 0:
        conflicted = _unmerged(run.worktree)
        detail = _git_message(merge)
        _restore(run.worktree, head)
        if conflicted:
            reason = (
                f"merge conflict at step {index + 1} ({agent}) in {_listing(conflicted)}; "
                f"{run.branch} stays at step {index} ({head[:12]})"
            )
        else:
            reason = f"git could not merge {agent} at step {index + 1}: {detail}; {run.branch} stays at {head[:12]}"
        step = StepResult(
            **base,
            commit=None,
            merged=False,
            conflicted_files=conflicted,
            seconds=time.monotonic() - started,
            message=detail,
        )
        return step, reason, False
    commit = _rev(run.worktree, "HEAD") or head
    note = "already contained in the integration branch" if commit == head else ""
    changed = git(run.worktree, "diff", "--name-only", "-z", head, commit, strip=False).stdout
    files = tuple(p for p in changed.split("\0") if p)
    if not run.test_command:
        step = StepResult(
            **base,
            commit=commit,
            merged=True,
            seconds=time.monotonic() - started,
            files_changed=files,
            message=note,
        )
        return step, None, False
    run.emit(index, agent, "testing")
    tests = run_test_command(
        run.test_command,
        run.worktree,
        timeout=run.test_timeout,
        on_line=(lambda line: run.on_output(index, line)) if run.on_output else None,
        cancel=run.cancel,
    )
    tail = "\n".join(tests.tail)
    if tests.cancelled:
        _restore(run.worktree, head)
        step = StepResult(
            **base,
            commit=None,
            merged=False,
            test_output_tail=tail,
            seconds=time.monotonic() - started,
            message="cancelled while its tests ran; the merge was undone",
        )
        reason = f"cancelled while testing {agent}; {run.branch} stays at step {index} ({head[:12]})"
        return step, reason, True
    step = StepResult(
        **base,
        commit=commit,
        merged=True,
        test_passed=tests.passed,
        test_output_tail=tail,
        seconds=time.monotonic() - started,
        files_changed=files,
        message=note,
    )
    if tests.passed:
        return step, None, False
    why = f"timed out after {run.test_timeout:g} s" if tests.timed_out else f"exit code {tests.exit_code}"
    reason = (
        f"tests failed after merging {agent} at step {index + 1} ({why}); the merge stays on {run.branch}"
    )
    return step, reason, False


def _remove_worktree(repo: Path, worktree: Path) -> None:
    git(repo, "worktree", "remove", "--force", "--force", str(worktree), ok_codes=_ANY_CODE)
    if worktree.exists():
        shutil.rmtree(worktree, ignore_errors=True)
    git(repo, "worktree", "prune", ok_codes=_ANY_CODE)


def _sources(snapshot: WorkspaceSnapshot, order: Sequence[str]) -> list[_Source]:
    repo = snapshot.paths.repo
    if len(set(order)) != len(order):
        raise CdevError(f"merge order names an agent twice: {', '.join(order)}")
    sources = []
    for agent_id in order:
        agent = snapshot.agent(agent_id)
        if agent is None:
            known = ", ".join(a.agent_id for a in snapshot.agents) or "none"
            raise CdevError(f"unknown agent {agent_id!r} (known: {known})")
        branch = agent.facts.branch
        commit = _rev(repo, f"refs/heads/{branch}") if branch else None
        if branch is None or commit is None:
            raise CdevError(f"{agent_id}: branch {branch or '(none)'} does not exist")
        sources.append(_Source(agent_id, branch, commit))
    return sources


def _plan_for(snapshot: WorkspaceSnapshot, order: Sequence[str], plan: Plan | None) -> Plan | None:
    if plan is not None:
        return plan
    for candidate in snapshot.task_plans:
        if any(candidate.agent(a) for a in order):
            return candidate
    return None


def integrate(
    snapshot: WorkspaceSnapshot,
    *,
    order: Sequence[str] | None = None,
    test_command: str | None = None,
    test_timeout: float = 600,
    on_output: OutputCallback | None = None,
    on_step: Callable[[StepEvent], None] | None = None,
    cancel: Cancel | None = None,
    now: datetime | None = None,
    plan: Plan | None = None,
) -> IntegrationResult:
    """Merge the agents' branches, in ``order`` (default: :func:`integration_order`), into a new branch.

    The branch ``integration-<YYYYmmdd-HHMMSS>`` starts at the target and is built in a temporary worktree
    ``<worktrees_root>/.integration-<ts>``, removed at the end. After each merge ``test_command`` runs there
    (``on_output(step_index, line)`` streams it). A conflict is aborted and stops the run with the branch at
    the previous step; failing or hanging tests stop it with the merge kept. ``cancel`` is checked between
    steps and while tests run. The report (Markdown + YAML) and ``integration-status.yaml`` are written under
    ``shared/`` in the main worktree. Bad input (unknown agent, missing branch) raises :class:`CdevError`.
    """
    paths = snapshot.paths
    repo = paths.repo
    if test_timeout <= 0:
        raise CdevError(f"test timeout must be a positive number of seconds, got {test_timeout:g}")
    order = list(order) if order is not None else integration_order(snapshot, plan=plan)
    if not order:
        raise CdevError(f"nothing to integrate into {paths.target}")
    sources = _sources(snapshot, order)
    target_commit = _rev(repo, f"refs/heads/{paths.target}") or _rev(repo, paths.target)
    if target_commit is None:
        raise CdevError(f"{repo}: target branch {paths.target!r} does not exist")
    when = now or datetime.now(UTC)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when  # naive means UTC, as in iso_utc
    token = _free_token(repo, paths.worktrees_root, when)
    branch = f"{BRANCH_PREFIX}{token}"
    worktree = paths.worktrees_root / f"{WORKTREE_PREFIX}{token}"
    created_root = not paths.worktrees_root.exists()
    env = _identity_env(repo)
    try:
        git(repo, "worktree", "add", "--quiet", "--no-track", "-b", branch, str(worktree), target_commit)
    except CdevError:
        if _rev(repo, f"refs/heads/{branch}") == target_commit:  # ours, and nothing on it yet
            git(repo, "branch", "-D", branch, ok_codes=_ANY_CODE)
        raise
    run = _Run(worktree, branch, env, test_command, test_timeout, len(sources), on_output, on_step, cancel)
    steps: list[StepResult] = []
    stopped: str | None = None
    cancelled = False
    head = target_commit
    try:
        for index, source in enumerate(sources):
            if cancel is not None and cancel():
                cancelled = True
                stopped = f"cancelled before {source.agent_id}; {branch} stays at step {index} ({head[:12]})"
                break
            step, stop, cancelled = _step(run, index, source, head)
            steps.append(step)
            run.emit(index, source.agent_id, "done", step)
            if step.commit is not None:
                head = step.commit
            if stop is not None:
                stopped = stop
                break
    except CdevError as exc:
        stopped = f"stopped by an error: {exc}"
    finally:
        _remove_worktree(repo, worktree)
        if created_root:
            with contextlib.suppress(OSError):
                paths.worktrees_root.rmdir()
    head = _rev(repo, f"refs/heads/{branch}") or head
    ok = stopped is None and all(s.merged and s.test_passed is not False for s in steps)
    return _write_reports(
        snapshot,
        IntegrationResult(
            branch=branch,
            steps=steps,
            ok=ok,
            report_md=repo / REPORTS_DIR / f"integration-report-{token}.md",
            report_yaml=repo / REPORTS_DIR / f"integration-report-{token}.yaml",
            stopped_reason=stopped,
            order=tuple(order),
            target=paths.target,
            target_commit=target_commit,
            head=head,
            cancelled=cancelled,
        ),
        when=when,
        test_command=test_command,
        plan=_plan_for(snapshot, order, plan),
    )


# --- reports ---------------------------------------------------------------------------------------------


def _relative(path: Path | None, repo: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(repo).as_posix()
    except ValueError:
        return str(path)


def _tests_quality(steps: Sequence[StepResult]) -> bool | None:
    ran = [s.test_passed for s in steps if s.test_passed is not None]
    return None if not ran else all(ran)


def _step_data(step: StepResult) -> dict[str, Any]:
    return {
        "agent": step.agent,
        "branch": step.branch,
        "source_commit": step.source_commit,
        "merged": step.merged,
        "commit": step.commit,
        "files_changed": list(step.files_changed),
        "conflicted_files": list(step.conflicted_files),
        "test_passed": step.test_passed,
        "seconds": round(step.seconds, 3),
        "message": step.message or None,
        "test_output_tail": step.test_output_tail.split("\n") if step.test_output_tail else [],
    }


def _is_tracked(repo: Path, rel: Path) -> bool:
    return git(repo, "ls-files", "--error-unmatch", "--", rel.as_posix(), ok_codes=_ANY_CODE).code == 0


def _write_reports(
    snapshot: WorkspaceSnapshot,
    result: IntegrationResult,
    *,
    when: datetime,
    test_command: str | None,
    plan: Plan | None,
) -> IntegrationResult:
    repo = snapshot.paths.repo
    date = iso_utc(when)
    report_rel = _relative(result.report_md, repo)
    plan_rel = _relative(plan.path, repo) if plan is not None else None
    cdev_keys = {
        "agents_integrated": result.agents_integrated,
        "branch": result.branch,
        "date": date,
        "deployment_plan": plan_rel,
        "quality_results": {"tests": _tests_quality(result.steps)},
        "report_path": report_rel,
    }
    ours = {
        "head_commit": result.head,
        "integration_order": list(result.order),
        "ok": result.ok,
        "steps": [_step_data(s) for s in result.steps],
        "not_reached": list(result.pending),
        "stopped_reason": result.stopped_reason,
        "target": result.target,
        "target_commit": result.target_commit,
        "test_command": test_command,
    }
    # cdev's sidecar was yaml.dump with sorted keys.
    atomic_write_text(result.report_yaml, dump_yaml(dict(sorted({**cdev_keys, **ours}.items()))))
    atomic_write_text(
        result.report_md, render_markdown(result, date=date, plan=plan_rel, test_command=test_command)
    )
    notices = list(result.notices)
    status_path: Path | None = repo / STATUS_PATH
    if _is_tracked(repo, STATUS_PATH):
        notices.append(f"{repo / STATUS_PATH} is tracked by git; left unchanged (the report has the result)")
        status_path = None
    else:
        status = {
            "integrated_at": date,
            "integration_branch": result.branch,
            "integration_complete": result.ok,
            "report": report_rel,
            "agents_integrated": result.agents_integrated,
            "stopped_reason": result.stopped_reason,
        }
        atomic_write_text(repo / STATUS_PATH, dump_yaml(status))
    return replace(result, status_path=status_path, notices=tuple(notices))


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}\n{text}\n{ticks}"


def _mark(value: bool | None) -> str:
    return "– not run" if value is None else "✅ Passed" if value else "❌ Failed"


def render_markdown(
    result: IntegrationResult, *, date: str, plan: str | None, test_command: str | None
) -> str:
    """The integration report in cdev's section layout, with the real per-step results."""
    merged = result.agents_integrated
    headline = (
        f"✅ all {len(result.order)} agents merged" + (", tests passed" if test_command else "")
        if result.ok
        else f"❌ stopped: {result.stopped_reason}"
    )
    lines = [
        "# Integration Report",
        "",
        f"**Date**: {date}",
        f"**Branch**: {result.branch}",
        f"**Deployment Plan**: {plan or '-'}",
        f"**Target**: {result.target} at {result.target_commit[:12]} (not changed by this run)",
        f"**Result**: {headline}",
        "",
        "## Integration Summary",
        "",
        f"- **Agents Integrated**: {len(merged)} of {len(result.order)}",
        f"- **Integration Order**: {' → '.join(result.order)}",
        f"- **Tests**: {_mark(_tests_quality(result.steps))}"
        + (f" (`{test_command}`)" if test_command else ""),
        "- **Method**: `git merge --no-ff` of each agent branch into the integration branch, in a temporary "
        "worktree; tests after each merge",
        "",
        "## Agent Integration Details",
        "",
    ]
    for number, step in enumerate(result.steps, 1):
        if step.merged:
            status = "✅ Integrated" + (f" ({step.message})" if step.message else "")
        elif step.conflicted_files:
            status = "❌ Merge conflict (merge aborted)"
        else:
            status = f"❌ Not merged: {step.message}"
        lines += [
            f"### {step.agent}",
            f"- Step: {number} of {len(result.order)}",
            f"- Status: {status}",
            f"- Branch: {step.branch} at {step.source_commit[:12]}",
        ]
        if step.commit:
            lines.append(f"- Merge commit: {step.commit[:12]}")
        if step.files_changed:
            lines.append(f"- Files: {', '.join(step.files_changed)}")
        if step.conflicted_files:
            lines.append(f"- Conflicted files: {', '.join(step.conflicted_files)}")
        if step.merged:
            lines.append(f"- Tests: {_mark(step.test_passed)}")
        lines.append(f"- Time: {step.seconds:.1f} s")
        if step.test_output_tail and step.test_passed is not True:
            lines += ["", "Test output (last lines):", "", _fence(step.test_output_tail)]
        lines.append("")
    for agent in result.pending:
        lines += [f"### {agent}", "- Status: ⏸ Not reached", ""]
    tests_ok = _tests_quality(result.steps)
    lines += [
        "## Quality Gates",
        "",
        f"- [{'x' if len(merged) == len(result.order) else ' '}] Every agent branch merged",
        f"- [{'x' if tests_ok else ' '}] Tests pass after every merge"
        + ("" if test_command else " (no test command)"),
        "",
        "## Next Steps",
        "",
    ]
    if result.ok:
        lines += [
            f"1. Inspect the result: `git log --oneline {result.target}..{result.branch}`",
            f"2. Merge it into {result.target}: `cdev-tui integrate --finish` (runs the integration again and "
            f"finishes it), or `git merge --ff-only {result.branch}` with {result.target} checked out",
        ]
    elif result.conflict is not None:
        step = result.conflict
        lines += [
            f"1. Resolve the conflict between {step.agent} and the agents merged before it in "
            f"{', '.join(step.conflicted_files)} (merge editor, or on {step.agent}'s branch)",
            "2. Run the integration again",
        ]
    elif result.cancelled:
        lines += ["1. Run the integration again when ready"]
    else:
        lines += [
            "1. Read the failure above and fix it on the agent's branch",
            f"2. Inspect the failing state: `git switch --detach {result.branch}` in a scratch worktree",
            "3. Run the integration again",
        ]
    lines += [
        "",
        "## Metrics",
        "",
        f"- Steps run: {len(result.steps)} of {len(result.order)}",
        f"- Total time: {sum(s.seconds for s in result.steps):.1f} s",
        f"- Integration branch head: {result.head[:12]}",
    ]
    return "\n".join(lines) + "\n"


# --- finishing -------------------------------------------------------------------------------------------


def _main_worktree_changes(main: Path) -> list[str]:
    """Changed tracked files and untracked files, except cdev's own untracked bookkeeping files."""
    return [
        path
        for code, path in gitops.status_entries(main)
        if not (code == "??" and path.startswith(BOOKKEEPING_PREFIXES))
    ]


def finish(repo: Path, integration_branch: str, target: str, *, confirm: bool = False) -> str:
    """Merge ``integration_branch`` into ``target`` in the main worktree and return the target's new commit.

    Needs ``confirm=True``, the target checked out in the main worktree and that worktree clean. Fast-forwards
    when possible, else makes a merge commit; a conflict is aborted and nothing changes.
    """
    if not confirm:
        raise CdevError(
            f"merging {integration_branch} into {target} changes {target}: it needs an explicit confirmation"
        )
    main = gitops.main_worktree(repo)
    branch_commit = _rev(main, f"refs/heads/{integration_branch}")
    if branch_commit is None:
        raise CdevError(f"{main}: integration branch {integration_branch} does not exist")
    before = _rev(main, f"refs/heads/{target}")
    if before is None:
        raise CdevError(f"{main}: target branch {target} does not exist")
    current = gitops.current_branch(main)
    if current != target:
        raise CdevError(
            f"{main}: {target} is not checked out in the main worktree ({current or 'detached HEAD'} is); "
            f"run `git switch {target}` there, then finish again"
        )
    changes = _main_worktree_changes(main)
    if changes:
        raise CdevError(
            f"{main}: the main worktree has uncommitted changes ({_listing(changes, 5)}); commit or stash them, "
            "then finish again"
        )
    if git(main, "merge-base", "--is-ancestor", branch_commit, before, ok_codes=(0, 1)).code == 0:
        return before  # the target already contains the integration branch
    fast_forward = git(main, "merge-base", "--is-ancestor", before, branch_commit, ok_codes=(0, 1)).code == 0
    if fast_forward:
        args = ("merge", "--ff-only", branch_commit)
    else:
        message = f"Merge {integration_branch} into {target}"
        args = ("merge", "--no-ff", "--no-edit", "-m", message, branch_commit)
    result = git(main, *args, env=_identity_env(main), ok_codes=_ANY_CODE)
    if result.code != 0:
        conflicted = _unmerged(main)
        if _rev(main, "MERGE_HEAD") is not None:
            git(main, "merge", "--abort", ok_codes=_ANY_CODE)
        what = f"conflicts in {_listing(conflicted, 5)}" if conflicted else _git_message(result)
        raise CdevError(
            f"{main}: merging {integration_branch} into {target} failed ({what}); {target} is unchanged"
        )
    after = _rev(main, f"refs/heads/{target}")
    assert after is not None
    return after
