"""Trial resolutions: settle a predicted conflict before the real merge meets it.

The two sides (an agent's work, uncommitted changes included, or the target branch) are merged in a scratch
worktree of their own, detached, outside every agent's worktree; the merge editor resolves it there and
every hunk written is learned. When integration later meets the same conflict, the learned resolutions are
offered (and ``--resolve learned`` applies them). The scratch worktree is removed afterwards; no branch is
created and nothing of the user's changes.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cdev_tui.conflicts.operation import ANY_CODE, detect_operation
from cdev_tui.errors import CdevError
from cdev_tui.gitops import commit_env, git, remove_worktree

TRIAL_PREFIX = ".trial-"


@dataclass(frozen=True)
class TrialSide:
    """One side of a trial merge: a name to show and the commit that holds its work."""

    name: str
    commit: str


@dataclass(frozen=True)
class Trial:
    """A trial merge in progress in its scratch worktree."""

    worktree: Path
    ours: TrialSide
    theirs: TrialSide
    files: tuple[str, ...]
    """The conflicted files (empty: the two sides merge cleanly)."""


def side_of(name: str, branch: str | None, worktree: Path | None, repo: Path) -> TrialSide:
    """The commit for an agent (its worktree's state, uncommitted work included) or a branch."""
    from cdev_tui.conflicts.snapshot import snapshot_worktree

    if worktree is not None and worktree.is_dir():
        return TrialSide(name, snapshot_worktree(worktree))
    ref = branch or name
    found = git(
        repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok_codes=ANY_CODE
    ).stdout.strip()
    if not found:
        raise CdevError(f"{name}: neither a worktree nor a branch to merge")
    return TrialSide(name, found)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:40] or "side"


def start_trial(
    repo: Path, root: Path, ours: TrialSide, theirs: TrialSide, now: datetime | None = None
) -> Trial:
    """Merge ``theirs`` into ``ours`` in a new scratch worktree under ``root`` and leave the merge open."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    worktree = root / f"{TRIAL_PREFIX}{_slug(ours.name)}-{_slug(theirs.name)}-{stamp}"
    n = 2
    while worktree.exists():
        worktree = worktree.with_name(f"{worktree.name.rsplit('~', 1)[0]}~{n}")
        n += 1
    root.mkdir(parents=True, exist_ok=True)
    git(repo, "worktree", "add", "--quiet", "--detach", str(worktree), ours.commit)
    try:
        message = f"Trial merge of {theirs.name} into {ours.name} (cdev-tui)"
        git(
            worktree,
            "merge",
            "--no-ff",
            "--no-commit",
            "-m",
            message,
            theirs.commit,
            env={**commit_env(repo), "GIT_MERGE_AUTOEDIT": "no"},
            ok_codes=ANY_CODE,
        )
        files = tuple(e.path for e in detect_operation(worktree).entries)
    except BaseException:
        remove_trial(repo, worktree)
        raise
    return Trial(worktree, ours, theirs, files)


def remove_trial(repo: Path, worktree: Path) -> None:
    """Remove a trial's scratch worktree (its merge, whatever its state, goes with it)."""
    remove_worktree(repo, worktree)
    with contextlib.suppress(OSError):
        worktree.parent.rmdir()  # only when it is empty (the root made for this trial)
