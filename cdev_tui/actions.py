"""Agent actions: tick the checklist, mark complete, commit, remove a worktree, delete a merged branch, prune,
and the command that opens a worktree in an editor, a shell or an agent.

Textual-free and blocking (git and file I/O). Each action returns a small result with a one-line
``message``. A gate that says no raises :class:`ActionRefused` and changes nothing; bad input raises
:class:`CdevError`. Destructive actions do nothing without ``confirm=True``. Nothing here checks out
another branch, pushes, or deletes a branch that is not merged.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cdev_tui import gitops
from cdev_tui.checklist import CHECKLIST_NAME, COMPLETED_MARKER, Checklist, read_checklist
from cdev_tui.config import Config
from cdev_tui.errors import CdevError
from cdev_tui.gitops import GitCommandError
from cdev_tui.sessions.programs import split_command
from cdev_tui.structured import load_structured
from cdev_tui.workspace import BOOKKEEPING_PREFIXES, Agent
from cdev_tui.workspace_files import set_checklist, set_completed_marker

OpenWhat = Literal["editor", "shell", "agent"]
OPEN_TARGETS: tuple[OpenWhat, ...] = ("editor", "shell", "agent")


class ActionRefused(CdevError):
    """A gate said no (incomplete checklist, dirty worktree, unmerged branch, no confirmation); nothing changed."""


class NeedsConfirmation(ActionRefused):
    """Every gate passed; the action runs when called again with ``confirm=True``."""


@dataclass(frozen=True)
class ChecklistResult:
    """The checklist after an action."""

    agent_id: str
    path: Path
    done: int
    total: int
    completed_marker: bool
    message: str


@dataclass(frozen=True)
class CommitResult:
    """A commit made on an agent branch."""

    agent_id: str
    branch: str
    sha: str
    subject: str
    files: tuple[str, ...]
    """The paths the commit changed."""
    left_out: tuple[str, ...]
    """Untracked cdev bookkeeping files that were not staged."""
    message: str


@dataclass(frozen=True)
class RemoveResult:
    """A removed worktree; its branch stays."""

    agent_id: str
    worktree: Path
    branch: str | None
    head: str | None
    forced: bool
    message: str


@dataclass(frozen=True)
class BranchResult:
    """A deleted branch and the commit it pointed at (recreate it with ``git branch <name> <sha>``)."""

    branch: str
    sha: str
    target: str
    message: str


@dataclass(frozen=True)
class PruneResult:
    """What ``git worktree prune`` cleared."""

    pruned: tuple[str, ...]
    message: str


# --- checklist -----------------------------------------------------------------------------------------


def check_items(agent: Agent, numbers: Iterable[int]) -> ChecklistResult:
    """Tick checklist items (1-based numbers); the other items and the file's format stay as they were."""
    path = _checklist_path(agent)
    wanted = _numbers(agent, numbers)
    done, total = set_checklist(path, wanted, exclusive=False)
    ticked = ", ".join(map(str, sorted(wanted)))
    return _checklist_result(agent, path, done, total, f"ticked {ticked}")


def uncheck_items(agent: Agent, numbers: Iterable[int]) -> ChecklistResult:
    """Untick checklist items (1-based numbers); a ``COMPLETED`` marker is removed, as the work is not done."""
    path = _checklist_path(agent)
    wanted = _numbers(agent, numbers)
    checklist = _read_strict(path)
    items = checklist.items
    unknown = sorted(n for n in wanted if n > len(items))
    if unknown:
        raise CdevError(f"{path}: no checklist item {unknown[0]} (it has {len(items)})")
    keep = [n for n, item in enumerate(items, 1) if item.checked and n not in wanted]
    done, total = set_checklist(path, keep, exclusive=True)
    marker = path.parent / COMPLETED_MARKER
    note = ""
    if marker.exists():
        set_completed_marker(path.parent, completed=False)
        note = f"; removed {COMPLETED_MARKER}"
    unticked = ", ".join(map(str, sorted(wanted)))
    return _checklist_result(agent, path, done, total, f"unticked {unticked}{note}")


def mark_complete(agent: Agent) -> ChecklistResult:
    """Tick every checklist item and create the ``COMPLETED`` marker beside the checklist."""
    _worktree(agent)
    try:
        path = _checklist_path(agent)
    except CdevError:
        if agent.facts.context_path is None:
            raise
        folder = agent.facts.context_path.parent  # no checklist: the marker alone says complete
        set_completed_marker(folder)
        return _checklist_result(agent, folder / CHECKLIST_NAME, 0, 0, f"created {COMPLETED_MARKER}")
    count = len(_read_strict(path).items)
    done, total = set_checklist(path, range(1, count + 1), exclusive=True)
    set_completed_marker(path.parent)
    return _checklist_result(agent, path, done, total, f"ticked every item and created {COMPLETED_MARKER}")


def _checklist_result(agent: Agent, path: Path, done: int, total: int, what: str) -> ChecklistResult:
    marker = (path.parent / COMPLETED_MARKER).exists()
    return ChecklistResult(
        agent.agent_id, path, done, total, marker, f"{agent.agent_id}: {what} ({done}/{total} done)"
    )


def _numbers(agent: Agent, numbers: Iterable[int]) -> set[int]:
    wanted = set(numbers)
    if not wanted:
        raise CdevError(f"{agent.agent_id}: no checklist item numbers given")
    bad = sorted(n for n in wanted if n < 1)
    if bad:
        raise CdevError(f"{agent.agent_id}: checklist items are numbered from 1, got {bad[0]}")
    return wanted


def _checklist_path(agent: Agent) -> Path:
    worktree = _worktree(agent)
    facts = agent.facts
    candidates = [facts.checklist.path] if facts.checklist else []
    if facts.context_path is not None:
        candidates.append(facts.context_path.parent / CHECKLIST_NAME)
    candidates.append(worktree / CHECKLIST_NAME)
    for path in candidates:
        if path.is_file():
            return path
    where = facts.context_path.parent if facts.context_path else worktree
    raise CdevError(f"{agent.agent_id}: no {CHECKLIST_NAME} in {where}")


def _read_strict(path: Path) -> Checklist:
    checklist = read_checklist(path)
    if checklist is None:
        raise CdevError(f"{path}: checklist not found")
    if checklist.problem:
        raise CdevError(checklist.problem)
    return checklist


# --- commit --------------------------------------------------------------------------------------------


def commit_message(agent: Agent) -> str:
    """The message cdev's agent-commit would write: title, completed items, role, file counts, task id."""
    facts, spec = agent.facts, agent.spec
    title = _task_title(agent) or spec.role or "agent work"
    lines = [f"feat({agent.agent_id}): {title}"]
    checklist = _current_checklist(agent)
    done = [item.text for item in checklist.items if item.checked] if checklist else []
    if done:
        lines += ["", *(f"✅ {text}" for text in done)]
    lines.append("")
    if spec.role:
        lines.append(f"Agent role: {spec.role}")
    lines.append(f"Files: {len(spec.files_to_create)} created, {len(spec.files_to_modify)} modified")
    if facts.task_id:
        lines.append(f"Task: {facts.task_id}")
    return "\n".join(lines) + "\n"


def commit_agent(agent: Agent, *, message: str | None = None, allow_incomplete: bool = False) -> CommitResult:
    """Commit everything the agent changed, on its own branch, in its own worktree.

    Gates (unless ``allow_incomplete``, which lifts both for a work-in-progress commit): the checklist is
    complete and every CREATE file exists. Untracked files under cdev's bookkeeping folders (``workspaces/``,
    ``shared/coordination/``, ...) are left out; ignored files are never added. Refuses a worktree that is not
    on the agent branch, has unresolved conflicts, or has nothing to commit. A failed commit (e.g. a hook)
    restores the index exactly as it was.
    """
    worktree = _worktree(agent)
    facts = agent.facts
    branch = gitops.current_branch(worktree)
    if branch is None:
        raise ActionRefused(f"{agent.agent_id}: {worktree} has a detached HEAD, not a branch to commit on")
    if facts.branch and branch != facts.branch:
        raise ActionRefused(
            f"{agent.agent_id}: {worktree} is on {branch}, not the agent branch {facts.branch}"
        )
    if not allow_incomplete:
        _commit_gates(agent, worktree)
    text = commit_message(agent) if message is None else message.strip()
    if not text:
        raise CdevError(f"{agent.agent_id}: the commit message is empty")

    entries = gitops.status_entries(worktree)
    conflicted = [path for code, path in entries if "U" in code or code in ("AA", "DD")]
    if conflicted:
        raise ActionRefused(f"{agent.agent_id}: unresolved merge conflicts in {_some(conflicted)}")
    stage = [p for code, p in entries if code[1] not in " ?" or (code == "??" and not _bookkeeping(p))]
    left_out = tuple(p for code, p in entries if code == "??" and _bookkeeping(p))
    already_staged = any(code[0] not in " ?" for code, _ in entries)
    if not stage and not already_staged:
        why = f" (only untracked cdev bookkeeping files changed: {_some(left_out)})" if left_out else ""
        raise ActionRefused(f"{agent.agent_id}: nothing to commit in {worktree}{why}")

    saved_index = gitops.git(worktree, "write-tree").stdout
    try:
        if stage:
            gitops.git(
                worktree,
                "--literal-pathspecs",
                "add",
                "--all",
                "--pathspec-from-file=-",
                "--pathspec-file-nul",
                input="\0".join(stage),
            )
        gitops.git(worktree, "commit", "--quiet", "--file=-", input=text)
    except GitCommandError as exc:
        gitops.git(worktree, "read-tree", saved_index)
        raise ActionRefused(f"{agent.agent_id}: nothing committed, {exc}") from None
    sha = gitops.git(worktree, "rev-parse", "HEAD").stdout
    changed = gitops.git(
        worktree, "diff-tree", "-r", "--root", "--no-commit-id", "--name-only", "-z", "HEAD", strip=False
    ).stdout
    files = tuple(p for p in changed.split("\0") if p)
    subject = text.splitlines()[0]
    skipped = f"; left out {len(left_out)} untracked bookkeeping file(s)" if left_out else ""
    return CommitResult(
        agent_id=agent.agent_id,
        branch=branch,
        sha=sha,
        subject=subject,
        files=files,
        left_out=left_out,
        message=f"{agent.agent_id}: committed {sha[:8]} on {branch} ({len(files)} files): {subject}{skipped}",
    )


def _commit_gates(agent: Agent, worktree: Path) -> None:
    checklist = _current_checklist(agent)
    if checklist is None:
        raise ActionRefused(
            f"{agent.agent_id}: no {CHECKLIST_NAME}, so the work cannot be checked as complete"
        )
    if checklist.problem:
        raise ActionRefused(checklist.problem)
    if not checklist.complete:
        remaining = checklist.remaining
        raise ActionRefused(
            f"{agent.agent_id}: checklist incomplete ({checklist.done}/{checklist.total}); "
            f"remaining: {_some(remaining)}"
        )
    missing = [p for p in agent.spec.files_to_create if not (worktree / p).exists()]
    if missing:
        raise ActionRefused(f"{agent.agent_id}: planned files not created yet: {_some(missing)}")


def _current_checklist(agent: Agent) -> Checklist | None:
    """The checklist as it is on disk now (the snapshot may be older)."""
    try:
        return read_checklist(_checklist_path(agent))
    except CdevError:
        return None


def _task_title(agent: Agent) -> str:
    path = agent.facts.context_path
    if path is None:
        return ""
    try:
        data = load_structured(path)
    except CdevError:
        return ""
    return str(data.get("taskTitle") or "") if isinstance(data, Mapping) else ""


def _bookkeeping(path: str) -> bool:
    return path.startswith(BOOKKEEPING_PREFIXES)


def _some(items: Iterable[str], limit: int = 3) -> str:
    items = list(items)
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


# --- cleanup -------------------------------------------------------------------------------------------


def remove_worktree(agent: Agent, *, confirm: bool, force: bool = False) -> RemoveResult:
    """Remove the agent's worktree (``git worktree remove``); its branch and commits stay.

    Refuses a worktree with uncommitted or untracked changes unless ``force`` (which discards them), and a
    locked worktree always.
    """
    facts = agent.facts
    if facts.remote:
        raise ActionRefused(remote_refusal(agent))
    if facts.worktree is None:
        raise CdevError(f"{agent.agent_id}: has no worktree (planned, not spawned)")
    worktree = facts.worktree
    if not worktree.is_dir():
        raise ActionRefused(f"{agent.agent_id}: {worktree} is already gone; prune clears git's record of it")
    repo = gitops.main_worktree(worktree)
    entry = next(
        (w for w in gitops.list_worktrees(repo)[1:] if _same_path(w.path, worktree)),
        None,
    )
    if entry is None:
        raise CdevError(f"{worktree}: not a linked worktree of {repo}")
    if entry.locked:
        raise ActionRefused(f"{agent.agent_id}: {worktree} is locked (git worktree unlock it first)")
    dirty = [path for _, path in gitops.status_entries(worktree)]
    if dirty and not force:
        raise ActionRefused(
            f"{agent.agent_id}: {worktree} has {len(dirty)} uncommitted change(s) ({_some(dirty)}); "
            "commit them first or force"
        )
    if not confirm:
        raise NeedsConfirmation(f"{agent.agent_id}: removing {worktree} needs confirmation")
    gitops.git(repo, "worktree", "remove", *(("--force",) if force else ()), str(worktree))
    kept = f"; branch {entry.branch} kept at {entry.head[:8]}" if entry.branch and entry.head else ""
    lost = f", discarding {len(dirty)} uncommitted change(s)" if dirty else ""
    return RemoveResult(
        agent_id=agent.agent_id,
        worktree=worktree,
        branch=entry.branch,
        head=entry.head,
        forced=force,
        message=f"{agent.agent_id}: removed worktree {worktree}{lost}{kept}",
    )


def delete_branch(repo: Path, branch: str, target: str, *, confirm: bool) -> BranchResult:
    """Delete ``branch`` only when every commit on it is in ``target`` and no worktree has it checked out."""
    if branch == target:
        raise ActionRefused(f"{branch}: is the target branch itself")
    ref = f"refs/heads/{branch}"
    if not gitops.ref_exists(repo, ref):
        raise CdevError(f"{repo}: no branch {branch!r}")
    if not gitops.ref_exists(repo, target):
        raise CdevError(f"{repo}: target branch {target!r} does not exist")
    holder = next((w for w in gitops.list_worktrees(repo) if w.branch == branch), None)
    if holder is not None:
        raise ActionRefused(f"{branch}: checked out in {holder.path}; remove that worktree first")
    sha = gitops.git(repo, "rev-parse", ref).stdout
    merged = gitops.git(repo, "merge-base", "--is-ancestor", ref, target, ok_codes=(0, 1)).code == 0
    if not merged:
        count = gitops.git(repo, "rev-list", "--count", f"{target}..{ref}").stdout
        raise ActionRefused(f"{branch}: not merged into {target} ({count} commit(s) would be lost)")
    if not confirm:
        raise NeedsConfirmation(f"{branch}: deleting the branch needs confirmation")
    gitops.git(repo, "branch", "--delete", "--force", branch)
    return BranchResult(branch, sha, target, f"deleted {branch} (was {sha[:8]}, merged into {target})")


def prune_worktrees(repo: Path) -> PruneResult:
    """``git worktree prune``: forget worktrees whose folders are gone; reports each one."""
    result = gitops.git(repo, "worktree", "prune", "--verbose")
    pruned = tuple(
        line.removeprefix("Removing ").removeprefix("worktrees/")
        for line in (result.stderr + "\n" + result.stdout).splitlines()
        if line.startswith("Removing ")
    )
    message = f"pruned {len(pruned)} stale worktree(s)" if pruned else "no stale worktrees to prune"
    if pruned:
        message += ": " + _some(p.split(":", 1)[0] for p in pruned)
    return PruneResult(pruned, message)


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


# --- open ----------------------------------------------------------------------------------------------


def open_command(
    agent: Agent, what: OpenWhat, config: Config, env: Mapping[str, str] | None = None
) -> list[str]:
    """The argv that opens the agent's worktree in ``$EDITOR``, ``$SHELL`` or the configured agent command.

    Inside tmux (``$TMUX`` set) it is wrapped in ``tmux new-window -c <worktree>``; otherwise run the plain
    argv with the worktree as the working directory.
    """
    worktree = _worktree(agent)
    env = os.environ if env is None else env
    if what == "editor":
        argv = [*editor_argv(env), str(worktree)]
    elif what == "shell":
        argv = split_command(env.get("SHELL") or "/bin/sh", "$SHELL")
    elif what == "agent":
        argv = split_command(config.agent_command, "agent_command")
    else:
        raise CdevError(f"cannot open {what!r}: choose one of {', '.join(OPEN_TARGETS)}")
    if env.get("TMUX"):
        return ["tmux", "new-window", "-c", str(worktree), "-n", agent.agent_id, shlex.join(argv)]
    return argv


def editor_argv(env: Mapping[str, str] | None = None) -> list[str]:
    """The user's editor command (``$EDITOR``, else ``$VISUAL``, else ``vi``) as an argv."""
    env = os.environ if env is None else env
    return split_command(env.get("EDITOR") or env.get("VISUAL") or "vi", "$EDITOR")


def remote_refusal(agent: Agent) -> str:
    """Why an action that needs a worktree cannot run on a remote agent."""
    return (
        f"{agent.agent_id}: remote branch {agent.facts.branch} — no worktree here; it is worked on "
        "elsewhere (fetch to see its progress, integrate to merge it)"
    )


def _worktree(agent: Agent) -> Path:
    if agent.facts.remote:
        raise ActionRefused(remote_refusal(agent))
    worktree = agent.facts.worktree
    if worktree is None:
        raise CdevError(f"{agent.agent_id}: has no worktree (planned, not spawned)")
    if not worktree.is_dir():
        raise CdevError(f"{agent.agent_id}: worktree folder {worktree} is missing")
    return worktree
