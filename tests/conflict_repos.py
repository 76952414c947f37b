"""Real repositories with a merge, rebase, cherry-pick or stash conflict in progress, for the resolver tests."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from tests.conftest import commit_files, run_git


def git_ok(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run git without failing on a non-zero exit (a conflicting merge exits 1)."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def two_branches(
    tmp_path: Path,
    base: dict[str, str],
    ours: dict[str, str],
    theirs: dict[str, str],
    *,
    style: str = "merge",
    name: str = "project",
) -> Path:
    """A repo on ``main`` (base then ``ours`` committed) with branch ``feature`` (base then ``theirs``)."""
    repo = tmp_path / name
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    run_git(repo, "config", "merge.conflictStyle", style)
    commit_files(repo, base, "base")
    run_git(repo, "switch", "-q", "-c", "feature")
    commit_files(repo, theirs, "theirs")
    run_git(repo, "switch", "-q", "main")
    commit_files(repo, ours, "ours")
    return repo


def merge_conflict(
    tmp_path: Path, base, ours, theirs, *, style: str = "merge", name: str = "project"
) -> Path:
    """:func:`two_branches`, then ``git merge feature`` left in conflict."""
    repo = two_branches(tmp_path, base, ours, theirs, style=style, name=name)
    result = git_ok(repo, "merge", "feature")
    assert result.returncode == 1, result.stdout + result.stderr
    return repo


def fingerprint(repo: Path) -> dict[str, str]:
    """Everything an abort must restore: HEAD, refs, index entries, merge state files, every file's bytes."""
    git_dir = Path(run_git(repo, "rev-parse", "--absolute-git-dir"))
    files = {}
    for path in sorted(repo.rglob("*")):
        if ".git" in path.relative_to(repo).parts or not path.is_file():
            continue
        files[str(path.relative_to(repo))] = hashlib.sha1(path.read_bytes()).hexdigest()
    state = {
        name: (git_dir / name).read_text()
        for name in ("MERGE_HEAD", "MERGE_MSG")
        if (git_dir / name).exists()
    }
    return {
        "head": run_git(repo, "rev-parse", "HEAD"),
        "refs": run_git(repo, "for-each-ref"),
        "index": run_git(repo, "ls-files", "-s"),
        "status": run_git(repo, "status", "--porcelain=v2"),
        "state": repr(state),
        "files": repr(files),
    }


CLIENT_BASE = "def connect(host):\n    timeout = 10\n    return open_socket(host, timeout)\n"
CLIENT_OURS = "def connect(host):\n    timeout = 30\n    return open_socket(host, timeout)\n"
CLIENT_THEIRS = "def connect(host):\n    timeout = 5\n    return open_socket(host, timeout)\n"
