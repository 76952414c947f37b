"""Small git helpers shared by the integration modules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cdev_tui import gitops
from cdev_tui.gitops import git

ANY_CODE = tuple(range(-255, 256))


def rev(cwd: Path, ref: str) -> str | None:
    result = git(cwd, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok_codes=ANY_CODE)
    return result.stdout.strip() if result.code == 0 and result.stdout.strip() else None


def identity_env(repo: Path) -> dict[str, str]:
    """The user's identity when git has one; otherwise a fixed cdev-tui identity so merges can commit."""
    return gitops.commit_env(repo)


def unmerged_paths(worktree: Path) -> tuple[str, ...]:
    out = git(worktree, "diff", "--name-only", "--diff-filter=U", "-z", strip=False).stdout
    return tuple(dict.fromkeys(p for p in out.split("\0") if p))


def git_message(result: gitops.GitResult) -> str:
    text = "\n".join(x for x in (result.stdout, result.stderr) if x).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {result.code}"


def listing(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
