"""Worktree snapshots: uncommitted and untracked work as a commit, without touching the real index."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.conflicts.plumbing import ANY_CODE, CountingGit
from cdev_tui.conflicts.report import AgentRef
from cdev_tui.errors import CdevError

# Fixed identity and dates: the same worktree state always gives the same snapshot commit id,
# and a machine without a configured git identity can still make one.
_SNAPSHOT_ENV = {
    "GIT_AUTHOR_NAME": "cdev-tui",
    "GIT_AUTHOR_EMAIL": "cdev-tui@localhost",
    "GIT_AUTHOR_DATE": "@0 +0000",
    "GIT_COMMITTER_NAME": "cdev-tui",
    "GIT_COMMITTER_EMAIL": "cdev-tui@localhost",
    "GIT_COMMITTER_DATE": "@0 +0000",
}
_MAX_PATHSPECS = 500


@dataclass(frozen=True)
class WorktreeStatus:
    head: str | None  # None on an unborn branch
    branch: str | None  # None when detached
    changed: tuple[str, ...]  # paths (from the top) that differ from HEAD, untracked ones included


def worktree_status(run: CountingGit, worktree: Path) -> WorktreeStatus | None:
    """The worktree's HEAD and changed paths, or None when it is not a git worktree (real index untouched)."""
    result = run(
        "--no-optional-locks",
        "status",
        "--porcelain=v2",
        "-z",
        "--branch",
        "--no-ahead-behind",
        "--no-renames",
        "--untracked-files=normal",
        "--ignore-submodules=dirty",
        cwd=worktree,
        ok_codes=ANY_CODE,
    )
    if result.code != 0:
        return None
    head = branch = None
    changed: list[str] = []
    tokens = iter(result.stdout.split("\0"))
    for entry in tokens:
        kind = entry[:1]
        if entry.startswith("# branch.oid "):
            head = entry[len("# branch.oid ") :]
        elif entry.startswith("# branch.head "):
            branch = entry[len("# branch.head ") :]
        elif kind == "1":
            changed.append(entry.split(" ", 8)[8])
        elif kind == "2":
            changed += [entry.split(" ", 9)[9], next(tokens, "")]
        elif kind == "u":
            changed.append(entry.split(" ", 10)[10])
        elif kind in ("?", "!"):
            changed.append(entry[2:])
    return WorktreeStatus(
        head=None if head in (None, "(initial)") else head,
        branch=None if branch in (None, "(detached)") else branch,
        changed=tuple(p for p in changed if p),
    )


def snapshot_worktree(worktree: Path) -> str:
    """A commit id for ``worktree`` including uncommitted and untracked (not ignored) changes.

    HEAD itself when nothing differs from it. The real index, HEAD, refs and files are left untouched;
    only new objects are written.
    """
    worktree = Path(worktree)
    if not worktree.is_dir():
        raise CdevError(f"{worktree}: no such directory")
    run = CountingGit(worktree)
    status = worktree_status(run, worktree)
    if status is None:
        raise CdevError(f"{worktree}: not a git worktree")
    if status.head is None:
        raise CdevError(f"{worktree}: no commit checked out")
    return snapshot_commit(run, worktree, status.head, status.changed)


def snapshot_commit(
    run: CountingGit, worktree: Path, head: str, changed: Sequence[str], head_tree: str | None = None
) -> str:
    """Commit the worktree state on top of ``head`` through a temporary index.

    The temporary index starts as a copy of the real one: its cached stat data means only the ``changed``
    paths reported by status need hashing (``read-tree HEAD`` + a full ``add -A`` re-hashes every file,
    5x slower on 5,000 files), and sparse-checkout/skip-worktree entries stay as they are.
    """
    if not changed:
        return head
    with tempfile.TemporaryDirectory(prefix="cdev-snapshot-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        real_index = index_path(worktree)
        if real_index is not None and real_index.is_file():
            shutil.copy2(real_index, env["GIT_INDEX_FILE"])
        else:
            run("read-tree", head, cwd=worktree, env=env)
        add = ("-c", "core.splitIndex=false", "add", "-A")
        if len(changed) <= _MAX_PATHSPECS:
            pathspecs = "".join(f":(top,literal){path}\0" for path in changed)
            run(*add, "--pathspec-from-file=-", "--pathspec-file-nul", cwd=worktree, env=env, input=pathspecs)
        else:  # matching thousands of pathspecs costs more than one full pass
            run(*add, cwd=worktree, env=env)
        tree = run("write-tree", cwd=worktree, env=env).stdout.strip()
    if head_tree is None:
        head_tree = run("rev-parse", f"{head}^{{tree}}", cwd=worktree).stdout.strip()
    if tree == head_tree:
        return head
    commit = ("commit-tree", tree, "-p", head, "-m", "cdev-tui snapshot")
    return run(*commit, cwd=worktree, env=_SNAPSHOT_ENV).stdout.strip()


def index_path(worktree: Path) -> Path | None:
    dotgit = worktree / ".git"
    if dotgit.is_dir():
        return dotgit / "index"
    if dotgit.is_file():
        text = dotgit.read_text(errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text[len("gitdir:") :].strip())
            return (gitdir if gitdir.is_absolute() else worktree / gitdir) / "index"
    return None


@dataclass(frozen=True)
class WorktreeState:
    snapshot: str | None = None  # a commit differing from the branch tip, None when clean
    error: str | None = None
    skip: bool = False  # the worktree is unusable: leave the agent out


def worktree_state(run: CountingGit, agent: AgentRef, tip: str, tip_tree: str) -> WorktreeState:
    assert agent.worktree is not None
    worktree = Path(agent.worktree)
    status = worktree_status(run, worktree)
    if status is None:
        return WorktreeState(error=f"agent {agent.agent_id}: {worktree} is not a git worktree", skip=True)
    if not status.changed:
        return WorktreeState()
    if status.head != tip:
        checked_out = status.branch or status.head or "no commit"
        return WorktreeState(
            error=(
                f"agent {agent.agent_id}: worktree {worktree} has {checked_out} checked out, not the tip of "
                f"{agent.branch}; its uncommitted work is ignored"
            )
        )
    snapshot = snapshot_commit(run, worktree, tip, status.changed, tip_tree)
    return WorktreeState(snapshot=None if snapshot == tip else snapshot)
