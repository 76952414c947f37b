"""Worktree snapshots: uncommitted and untracked work as a commit, without touching the real index.

Making a snapshot costs a few git processes; the commit it gives is kept in the object cache under a
signature of the worktree's state (HEAD and the stat data of every path status reports), so an unchanged
worktree costs only its ``git status`` the next time, in this process or the next.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cdev_tui.conflicts.plumbing import ANY_CODE, CountingGit
from cdev_tui.conflicts.report import AgentRef
from cdev_tui.errors import CdevError
from cdev_tui.gitops import STATUS_V2, parse_status_v2

if TYPE_CHECKING:
    from cdev_tui.object_cache import ObjectCache

WORKTREE_SNAPSHOT = "conflicts.worktree"
"""Cache kind: a worktree state's signature → the snapshot commit of that state (the tip when no change)."""

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
        *STATUS_V2,
        "--no-renames",
        "--untracked-files=normal",
        "--ignore-submodules=dirty",
        cwd=worktree,
        ok_codes=ANY_CODE,
    )
    if result.code != 0:
        return None
    status = parse_status_v2(result.stdout)
    return WorktreeStatus(head=status.head, branch=status.branch, changed=status.dirty)


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
    changed: tuple[str, ...] = ()  # what status reported, to make the snapshot again when needed
    signature: str | None = None  # the cache key the snapshot may be kept under (None: not to be kept)
    from_cache: bool = False  # the snapshot commit came from the cache: it may have been pruned since


def worktree_state(
    run: CountingGit, agent: AgentRef, tip: str, tip_tree: str, cache: ObjectCache | None = None
) -> WorktreeState:
    """The agent's uncommitted work as a snapshot commit (None when there is none), from its ``git status``.

    With ``cache``, a worktree whose state has the signature of one seen before gets the snapshot commit made
    then, without making it again; that commit may have been pruned since (``from_cache``).
    """
    assert agent.worktree is not None
    worktree = Path(agent.worktree)
    status = agent.status or worktree_status(run, worktree)
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
    signature = worktree_signature(worktree, status) if cache is not None else None
    # Only a settled state is kept: a file changed within one timestamp tick may change again unseen.
    keep = signature.key if signature is not None and signature.settled else None
    if cache is not None and signature is not None:
        known = cache.get(WORKTREE_SNAPSHOT, signature.key)
        if isinstance(known, str) and _OBJECT_ID.fullmatch(known):
            snapshot = None if known == tip else known
            return WorktreeState(snapshot, changed=status.changed, signature=keep, from_cache=bool(snapshot))
    return make_snapshot(
        run, worktree, tip, tip_tree, WorktreeState(changed=status.changed, signature=keep), cache
    )


def make_snapshot(
    run: CountingGit, worktree: Path, tip: str, tip_tree: str, state: WorktreeState, cache: ObjectCache | None
) -> WorktreeState:
    """``state`` with the snapshot of the ``state.changed`` paths made now (and kept under its signature)."""
    snapshot = snapshot_commit(run, worktree, tip, state.changed, tip_tree)
    if cache is not None and state.signature is not None:
        cache.put(WORKTREE_SNAPSHOT, state.signature, snapshot)
    return WorktreeState(snapshot=None if snapshot == tip else snapshot, changed=state.changed)


# -- signatures ------------------------------------------------------------------------------------------

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_SIGNATURE_FORMAT = "1"
_MAX_SIGNATURE_ENTRIES = 20_000
_RACY_NS = 100_000_000
"""Files changed this recently may change again with the same stat data (one timestamp tick)."""
_COARSE_RACY_NS = 3_000_000_000
"""The same for file systems that keep whole seconds (FAT keeps even ones)."""


@dataclass(frozen=True)
class Signature:
    """A worktree state's cache key; ``settled`` when no file in it changed too recently to tell by stat."""

    key: str
    settled: bool


def worktree_signature(worktree: Path, status: WorktreeStatus, now_ns: int | None = None) -> Signature | None:
    """The signature of the worktree state ``status`` describes, or None when stat data cannot tell it.

    SHA-256 over the worktree, HEAD and, for every path status reports (every file below an untracked
    folder reported as ``dir/``), the path and its ``lstat`` size, mode, mtime, ctime and inode, or
    "missing". An edit changes mtime/ctime/size, a new path changes what status reports and a commit changes
    HEAD; paths status does not report are as HEAD has them. A listed path that is a folder (a submodule)
    or more than 20,000 entries below untracked folders give None: no signature, no cache.
    """
    now_ns = time.time_ns() if now_ns is None else now_ns
    digest = hashlib.sha256()
    digest.update(
        f"{_SIGNATURE_FORMAT}\0{Path(worktree).absolute()}\0{status.head}\0".encode(errors="surrogateescape")
    )
    settled = True
    entries = 0
    for path in sorted(set(status.changed)):
        full = Path(worktree) / path
        if path.endswith("/"):
            found = _walk(full, _MAX_SIGNATURE_ENTRIES - entries)
            if found is None:
                return None
        else:
            found = [(path, _lstat(full))]
        for name, info in found:
            entries += 1
            if info is None:
                digest.update(f"{path}\0{name}\0missing\0".encode(errors="surrogateescape"))
                continue
            if stat.S_ISDIR(info.st_mode) and not path.endswith("/"):
                return None  # a submodule: its state is not in its folder's stat data
            newest = max(info.st_mtime_ns, info.st_ctime_ns)
            coarse = info.st_mtime_ns % 1_000_000_000 == 0 and info.st_ctime_ns % 1_000_000_000 == 0
            if newest > now_ns - (_COARSE_RACY_NS if coarse else _RACY_NS):
                settled = False
            fields = (info.st_size, info.st_mode, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
            digest.update(f"{path}\0{name}\0{fields}\0".encode(errors="surrogateescape"))
        if entries > _MAX_SIGNATURE_ENTRIES:
            return None
    return Signature(digest.hexdigest(), settled)


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _walk(folder: Path, limit: int) -> list[tuple[str, os.stat_result | None]] | None:
    """Every entry below ``folder`` (itself included) with its stat data; None past ``limit`` entries."""
    found: list[tuple[str, os.stat_result | None]] = [("", _lstat(folder))]
    for top, dirs, files in os.walk(folder, onerror=lambda error: None):
        dirs.sort()
        for name in (*dirs, *sorted(files)):
            full = os.path.join(top, name)
            found.append((os.path.relpath(full, folder), _lstat(Path(full))))
        if len(found) > limit:
            return None
    return found
