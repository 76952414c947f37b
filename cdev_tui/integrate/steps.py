"""Running an integration: real merges, one agent at a time, into a new branch in a temporary worktree.

:func:`integrate` never touches the target branch, the main worktree or any agent worktree or branch: it
creates ``integration-<YYYYmmdd-HHMMSS>`` from the target in a temporary worktree of its own, merges each
agent branch there (``--no-ff``) and runs the test command after each merge.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdev_tui import gitops
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git
from cdev_tui.integrate.gitutil import ANY_CODE, git_message, identity_env, listing, rev, unmerged_paths
from cdev_tui.integrate.preflight import integration_order
from cdev_tui.integrate.report import write_reports
from cdev_tui.integrate.resolution import ConflictStop, Resolver
from cdev_tui.integrate.results import (
    BRANCH_PREFIX,
    REPORTS_DIR,
    WORKTREE_PREFIX,
    IntegrationResult,
    StepEvent,
    StepResult,
)
from cdev_tui.integrate.testrun import Cancel, run_test_command
from cdev_tui.plan import Plan
from cdev_tui.workspace import WorkspaceSnapshot

OutputCallback = Callable[[int, str], None]


@dataclass(frozen=True)
class _Source:
    agent_id: str
    branch: str
    commit: str


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


def _restore(worktree: Path, commit: str) -> None:
    """Put our temporary worktree back exactly at ``commit`` (a merge in progress is aborted)."""
    if rev(worktree, "MERGE_HEAD") is not None:
        git(worktree, "merge", "--abort", ok_codes=ANY_CODE)
    clean = not git(worktree, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if rev(worktree, "HEAD") != commit or not clean:
        # Only the integration branch, which this run created, is reset.
        git(worktree, "reset", "--hard", "--quiet", commit)
    if rev(worktree, "HEAD") != commit:
        raise CdevError(f"{worktree}: could not return the integration branch to {commit[:12]}")


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
    resolver: Resolver | None = None

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
        # By name while the branch is still at the commit chosen for this run: conflict markers then say
        # which agent's side is which.
        source.branch if rev(run.worktree, source.branch) == source.commit else source.commit,
        env=run.env,
        ok_codes=ANY_CODE,
    )
    resolved: tuple[str, ...] = ()
    if merge.code != 0:
        conflicted = unmerged_paths(run.worktree)
        detail = git_message(merge)
        if conflicted and _resolved(run, index, source, head, conflicted):
            resolved = conflicted
        else:
            _restore(run.worktree, head)
    if merge.code != 0 and not resolved:
        if conflicted:
            reason = (
                f"merge conflict at step {index + 1} ({agent}) in {listing(conflicted)}; "
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
    commit = rev(run.worktree, "HEAD") or head
    note = "already contained in the integration branch" if commit == head else ""
    if resolved:
        note = f"conflicts resolved in {listing(resolved)}"
        base["resolved_files"] = resolved
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


def _resolved(run: _Run, index: int, source: _Source, head: str, conflicted: tuple[str, ...]) -> bool:
    """Hand the conflicted merge to the resolver; True only when it left a real merge commit of this step."""
    if run.resolver is None:
        return False
    run.emit(index, source.agent_id, "resolving")
    stop = ConflictStop(
        index, run.total, source.agent_id, source.branch, run.worktree, conflicted, run.branch
    )
    try:
        concluded = run.resolver(stop)
    except CdevError:
        concluded = False
    if not concluded or rev(run.worktree, "MERGE_HEAD") is not None or unmerged_paths(run.worktree):
        return False
    parents = git(run.worktree, "rev-list", "--parents", "-n", "1", "HEAD").stdout.split()
    return parents[1:] == [head, source.commit]


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
        branch = agent.facts.branch  # origin/agent/x for a remote agent: merged like a local branch
        commit = rev(repo, agent.facts.ref) if agent.facts.ref else None
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
    resolver: Resolver | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IntegrationResult:
    """Merge the agents' branches, in ``order`` (default: :func:`integration_order`), into a new branch.

    The branch ``integration-<YYYYmmdd-HHMMSS>`` starts at the target and is built in a temporary worktree
    ``<worktrees_root>/.integration-<ts>``, removed at the end. After each merge ``test_command`` runs there
    (``on_output(step_index, line)`` streams it). A conflict goes to ``resolver`` when one is given (see
    :mod:`cdev_tui.integrate.resolution`); unresolved, it is aborted and stops the run with the branch at
    the previous step; failing or hanging tests stop it with the merge kept. ``cancel`` is checked between
    steps and while tests run; ``progress(done, total)`` counts the agents whose step ended (a run that
    stops early ends short of the total). The report (Markdown + YAML) and ``integration-status.yaml`` are
    written under ``shared/`` in the main worktree. Bad input (unknown agent, missing branch) raises
    :class:`CdevError`.
    """
    paths = snapshot.paths
    repo = paths.repo
    if test_timeout <= 0:
        raise CdevError(f"test timeout must be a positive number of seconds, got {test_timeout:g}")
    order = list(order) if order is not None else integration_order(snapshot, plan=plan)
    if not order:
        raise CdevError(f"nothing to integrate into {paths.target}")
    sources = _sources(snapshot, order)
    target_commit = rev(repo, f"refs/heads/{paths.target}") or rev(repo, paths.target)
    if target_commit is None:
        raise CdevError(f"{repo}: target branch {paths.target!r} does not exist")
    when = now or datetime.now(UTC)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when  # naive means UTC, as in iso_utc
    token = _free_token(repo, paths.worktrees_root, when)
    branch = f"{BRANCH_PREFIX}{token}"
    worktree = paths.worktrees_root / f"{WORKTREE_PREFIX}{token}"
    created_root = not paths.worktrees_root.exists()
    env = identity_env(repo)
    try:
        git(repo, "worktree", "add", "--quiet", "--no-track", "-b", branch, str(worktree), target_commit)
    except CdevError:
        if rev(repo, f"refs/heads/{branch}") == target_commit:  # ours, and nothing on it yet
            git(repo, "branch", "-D", branch, ok_codes=ANY_CODE)
        raise
    run = _Run(
        worktree, branch, env, test_command, test_timeout, len(sources), on_output, on_step, cancel, resolver
    )
    steps: list[StepResult] = []
    stopped: str | None = None
    cancelled = False
    head = target_commit
    if progress is not None:
        progress(0, len(sources))
    try:
        for index, source in enumerate(sources):
            if cancel is not None and cancel():
                cancelled = True
                stopped = f"cancelled before {source.agent_id}; {branch} stays at step {index} ({head[:12]})"
                break
            step, stop, cancelled = _step(run, index, source, head)
            steps.append(step)
            run.emit(index, source.agent_id, "done", step)
            if progress is not None:
                progress(index + 1, len(sources))
            if step.commit is not None:
                head = step.commit
            if stop is not None:
                stopped = stop
                break
    except CdevError as exc:
        stopped = f"stopped by an error: {exc}"
    finally:
        gitops.remove_worktree(repo, worktree)
        if created_root:
            with contextlib.suppress(OSError):
                paths.worktrees_root.rmdir()
    head = rev(repo, f"refs/heads/{branch}") or head
    ok = stopped is None and all(s.merged and s.test_passed is not False for s in steps)
    return write_reports(
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
