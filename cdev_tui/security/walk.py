"""Which files of a root are scanned: git's view of a work tree (tracked plus untracked-not-ignored), else a
plain walk that skips tool folders."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.errors import CdevError
from cdev_tui.gitops import run_raw

SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "__pycache__"})


@dataclass(frozen=True)
class Listing:
    files: list[str]
    in_git: bool  # the root lies inside a git work tree (even when git's listing was not used)


def run_git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """git run directly (not through GitPython, whose import alone costs more than a small scan), its output
    as bytes; a failing command is the caller's to judge by its return code."""
    return run_raw(root, *args)


def _git(root: Path, *args: str) -> tuple[int, str]:
    """:func:`run_git`'s return code and its output as text."""
    result = run_git(root, *args)
    return result.returncode, result.stdout.decode("utf-8", "surrogateescape")


def git_common_dir(root: Path) -> Path | None:
    """The git common directory of the repository ``root`` lies in, or None outside git."""
    code, out = _git(root, "rev-parse", "--path-format=absolute", "--git-common-dir")
    return Path(out.strip()) if code == 0 and out.strip() else None


def _git_prefix(root: Path) -> str | None:
    """The root's path inside its work tree ("" at the top), or None outside any work tree."""
    code, out = _git(root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
    lines = out.split("\n")
    if code != 0 or lines[0] != "true":
        return None
    return lines[1] if len(lines) > 1 else ""


def _walk(root: Path) -> list[str]:
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        # a symlinked folder is listed like a file, so the scan reports it as a symlink it does not follow
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and d not in linked)
        rel_dir = os.path.relpath(dirpath, root)
        prefix = "" if rel_dir == "." else Path(rel_dir).as_posix() + "/"
        files.extend(prefix + name for name in sorted([*filenames, *linked]))
    return files


def list_root(root: Path) -> Listing:
    if not root.is_dir():
        raise CdevError(f"{root}: no such directory")
    prefix = _git_prefix(root)
    if prefix is None:
        return Listing(_walk(root), in_git=False)
    # A root inside an ignored directory (say a vendored tree) is scanned as plain files.
    if prefix and _git(root, "check-ignore", "-q", ".")[0] == 0:
        return Listing(_walk(root), in_git=True)
    listed = run_git(root, "ls-files", "-z", "-co", "--exclude-standard")
    if listed.returncode != 0:
        message = listed.stderr.decode(errors="replace").strip()
        raise CdevError(f"{root}: git ls-files failed: {message or listed.returncode}")
    out = listed.stdout.decode("utf-8", "surrogateescape")
    return Listing(sorted(set(filter(None, out.split("\0")))), in_git=True)


def list_scan_files(root: Path) -> list[str]:
    """Files to scan under ``root`` as sorted POSIX relative paths.

    In a git work tree (a linked worktree too): tracked plus untracked-not-ignored files, from one
    ``git ls-files`` call. Elsewhere: a walk that skips ``.git``, ``node_modules``, ``.venv``, ``__pycache__``.
    """
    return list_root(Path(root)).files
