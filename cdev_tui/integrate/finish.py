"""Finishing: the confirmed merge of an integration branch into the target, in the main worktree."""

from __future__ import annotations

from pathlib import Path

from cdev_tui import gitops
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git
from cdev_tui.integrate.gitutil import ANY_CODE, git_message, identity_env, listing, rev, unmerged_paths
from cdev_tui.workspace import BOOKKEEPING_PREFIXES


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
    branch_commit = rev(main, f"refs/heads/{integration_branch}")
    if branch_commit is None:
        raise CdevError(f"{main}: integration branch {integration_branch} does not exist")
    before = rev(main, f"refs/heads/{target}")
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
            f"{main}: the main worktree has uncommitted changes ({listing(changes, 5)}); commit or stash them, "
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
    result = git(main, *args, env=identity_env(main), ok_codes=ANY_CODE)
    if result.code != 0:
        conflicted = unmerged_paths(main)
        if rev(main, "MERGE_HEAD") is not None:
            git(main, "merge", "--abort", ok_codes=ANY_CODE)
        what = f"conflicts in {listing(conflicted, 5)}" if conflicted else git_message(result)
        raise CdevError(
            f"{main}: merging {integration_branch} into {target} failed ({what}); {target} is unchanged"
        )
    after = rev(main, f"refs/heads/{target}")
    assert after is not None
    return after
