"""Thin git layer: plumbing commands run through GitPython's command wrapper.

GitPython is imported lazily (inside the first call) so that the first frame of the app never waits
for it. Every call opens its own command object; nothing long-lived holds file handles.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.errors import CdevError, NotAGitRepoError


@dataclass(frozen=True)
class GitResult:
    """Output of one git command."""

    code: int
    stdout: str
    stderr: str


class GitCommandError(CdevError):
    """A git command failed in a way the caller did not expect."""


def git(
    cwd: Path | str,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    ok_codes: Sequence[int] = (0,),
    strip: bool = True,
    direct: bool = False,
) -> GitResult:
    """Run ``git <args>`` in ``cwd`` and return its output.

    A return code outside ``ok_codes`` raises :class:`GitCommandError` with git's own message.
    ``env`` entries are added to the inherited environment (e.g. ``GIT_INDEX_FILE``). ``direct`` runs git
    without GitPython, whose import and its own ``git version`` checks cost about 100 ms: the workspace
    reader uses it, being what stands between a cold start and the agents on screen.
    """
    full_env = None
    if env:
        full_env = {**os.environ, **env}
    if direct:
        code, stdout, stderr = _run_direct(cwd, args, full_env, input, strip)
    else:
        code, stdout, stderr = _run_gitpython(cwd, args, full_env, input, strip)
    if code not in ok_codes:
        first = (stderr or stdout or "").strip().splitlines()
        reason = first[0] if first else f"exit code {code}"
        raise GitCommandError(f"git {' '.join(args[:2])} failed in {cwd}: {reason}")
    return GitResult(code, stdout, stderr)


def _run_gitpython(
    cwd: Path | str, args: Sequence[str], env: Mapping[str, str] | None, input: str | None, strip: bool
) -> tuple[int, str, str]:
    from git.cmd import Git  # lazy: GitPython costs ~100 ms to import

    with tempfile.TemporaryFile() if input is not None else contextlib.nullcontext() as stdin:
        if stdin is not None:
            stdin.write(input.encode())
            stdin.seek(0)
        return Git(str(cwd)).execute(
            ["git", *args],
            with_extended_output=True,
            with_exceptions=False,
            env=env,
            istream=stdin,
            strip_newline_in_stdout=strip,
        )


def run_raw(
    cwd: Path | str, *args: str, env: Mapping[str, str] | None = None, input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """git run directly, its output as bytes; the return code is the caller's to judge (only a git that
    cannot be started raises)."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, env=env, input=input, capture_output=True, check=False)
    except OSError as exc:
        raise GitCommandError(f"git {' '.join(args[:2])} cannot run in {cwd}: {exc.strerror}") from None


def _run_direct(
    cwd: Path | str, args: Sequence[str], env: Mapping[str, str] | None, input: str | None, strip: bool
) -> tuple[int, str, str]:
    """As GitPython runs it: text decoded as UTF-8 (undecodable bytes escaped), one final newline taken off."""
    done = run_raw(cwd, *args, env=env, input=input.encode() if input is not None else None)
    stdout = done.stdout.decode("utf-8", "surrogateescape")
    stderr = done.stderr.decode("utf-8", "surrogateescape")
    if strip and stdout.endswith("\n"):
        stdout = stdout[:-1]
    return done.returncode, stdout, stderr.removesuffix("\n")


def repo_root(path: Path | str) -> Path:
    """The top of the working tree that contains ``path`` (a worktree's own top for a linked worktree)."""
    path = Path(path)
    if not path.exists():
        raise CdevError(f"{path}: no such directory")
    result = git(path, "rev-parse", "--show-toplevel", ok_codes=(0, 128), direct=True)
    if result.code != 0:
        raise NotAGitRepoError(f"{path}: not a git repository")
    return Path(result.stdout)


def find_worktree_root(path: Path | str) -> Path:
    """The nearest folder at or above ``path`` that holds a ``.git`` entry, found without running git."""
    path = Path(path).absolute()
    if not path.exists():
        raise CdevError(f"{path}: no such directory")
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    raise NotAGitRepoError(f"{path}: not a git repository")


def locate_common_dir(path: Path | str) -> Path:
    """The git common directory of the repository around ``path``, found by reading files (no git).

    The main worktree's ``.git`` folder, or for a linked worktree the folder its ``.git`` file points to
    followed by that folder's ``commondir``. Resolved, so it compares equal to :func:`common_dir`'s.
    """
    dot_git = find_worktree_root(path) / ".git"
    if dot_git.is_dir():
        return dot_git.resolve()
    text = dot_git.read_text(errors="replace").strip()
    if not text.startswith("gitdir:"):
        raise NotAGitRepoError(f"{dot_git}: not a git worktree link")
    git_dir = (dot_git.parent / text[len("gitdir:") :].strip()).resolve()
    common = git_dir / "commondir"
    if common.is_file():
        return (git_dir / common.read_text().strip()).resolve()
    return git_dir


def common_dir(path: Path | str) -> Path:
    """The git common directory shared by the main repository and all of its worktrees."""
    out = git(path, "rev-parse", "--path-format=absolute", "--git-common-dir").stdout
    return Path(out)


def main_worktree(path: Path | str) -> Path:
    """The main working tree of the repository (not a linked worktree)."""
    return common_dir(path).parent


@dataclass(frozen=True)
class WorktreeInfo:
    """One entry of ``git worktree list --porcelain``."""

    path: Path
    head: str | None
    branch: str | None  # short name, None when detached
    bare: bool = False
    detached: bool = False
    prunable: bool = False
    locked: bool = False


def list_worktrees(repo: Path | str) -> list[WorktreeInfo]:
    """Every worktree of the repository, the main one first."""
    out = git(repo, "worktree", "list", "--porcelain", direct=True).stdout
    return parse_worktree_porcelain(out)


def parse_worktree_porcelain(text: str) -> list[WorktreeInfo]:
    """Parse ``git worktree list --porcelain`` output."""
    entries: list[WorktreeInfo] = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, _, value = line.partition(" ")
            fields[key] = value
        if "worktree" not in fields:
            continue
        branch = fields.get("branch")
        if branch and branch.startswith("refs/heads/"):
            branch = branch[len("refs/heads/") :]
        entries.append(
            WorktreeInfo(
                path=Path(fields["worktree"]),
                head=fields.get("HEAD"),
                branch=branch,
                bare="bare" in fields,
                detached="detached" in fields,
                prunable="prunable" in fields,
                locked="locked" in fields,
            )
        )
    return entries


STATUS_V2 = ("--no-optional-locks", "status", "--porcelain=v2", "-z", "--branch", "--no-ahead-behind")
"""``git status`` as every reader asks it: machine-readable, HEAD and branch included, without taking the
index lock or counting ahead/behind (answered elsewhere)."""


UNMERGED_CODES = frozenset({"DD", "AU", "UD", "UA", "DU", "AA", "UU"})
"""``git status`` codes of a path left in conflict."""


@dataclass(frozen=True)
class WorktreeStatus:
    """One ``git status --porcelain=v2 --branch`` of a worktree."""

    head: str | None
    """The commit checked out; None on an unborn branch."""
    branch: str | None
    """The branch checked out; None when detached."""
    changes: tuple[tuple[str, str], ...]
    """``(XY code, path)`` of every changed, untracked or conflicted path (the new path of a rename)."""

    @property
    def dirty(self) -> tuple[str, ...]:
        """Every path that differs from HEAD."""
        return tuple(path for _code, path in self.changes)

    @property
    def unmerged(self) -> tuple[str, ...]:
        """Paths left in conflict by a merge, rebase, cherry-pick or stash."""
        return tuple(path for code, path in self.changes if code in UNMERGED_CODES)


def parse_status_v2(text: str) -> WorktreeStatus:
    """Parse ``git status --porcelain=v2 -z --branch`` output."""
    head = branch = None
    changes: list[tuple[str, str]] = []
    tokens = iter(text.split("\0"))
    for entry in tokens:
        if entry.startswith("# branch.oid "):
            head = entry[len("# branch.oid ") :]
        elif entry.startswith("# branch.head "):
            branch = entry[len("# branch.head ") :]
        elif entry[:2] in ("1 ", "2 ", "u "):
            fields = {"1": 8, "2": 9, "u": 10}[entry[0]]
            parts = entry.split(" ", fields)
            code = parts[1].replace(".", " ")
            changes.append((code, parts[fields]))
            if entry[0] == "2":
                next(tokens, None)  # the original path of a rename or copy
        elif entry.startswith("? "):
            changes.append(("??", entry[2:]))
    return WorktreeStatus(
        head=None if head in (None, "(initial)") else head,
        branch=None if branch in (None, "(detached)") else branch,
        changes=tuple(changes),
    )


def parse_cat_file_batch(out: bytes, wanted: Sequence[str]) -> dict[str, bytes]:
    """The objects in ``git cat-file --batch`` output, asked for in the order of ``wanted``; missing ones and
    any cut short are left out."""
    blobs: dict[str, bytes] = {}
    pos = 0
    for oid in wanted:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split()
        if len(header) < 3 or header[1] == b"missing":
            pos = end + 1
            continue
        size = int(header[2])
        if end + 1 + size > len(out):
            break
        blobs[oid] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def parse_status_z(text: str) -> list[tuple[str, str]]:
    """``(XY code, path)`` from ``git status --porcelain=v1 -z``; for a rename or copy, the new path."""
    entries: list[tuple[str, str]] = []
    parts = text.split("\0")
    index = 0
    while index < len(parts):
        entry = parts[index]
        index += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        entries.append((code, path))
        if "R" in code or "C" in code:
            index += 1  # the original path of a rename/copy follows
    return entries


def status_entries(worktree: Path | str) -> list[tuple[str, str]]:
    """Every change ``git status`` reports in ``worktree`` (untracked files listed one by one, ignored never)."""
    out = git(
        worktree,
        "--no-optional-locks",
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        strip=False,
    ).stdout
    return parse_status_z(out)


def current_branch(path: Path | str) -> str | None:
    """The branch checked out at ``path``, or None when detached or unborn."""
    result = git(path, "symbolic-ref", "--quiet", "--short", "HEAD", ok_codes=(0, 1, 128))
    return result.stdout or None if result.code == 0 else None


FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "cdev-tui",
    "GIT_AUTHOR_EMAIL": "cdev-tui@localhost",
    "GIT_COMMITTER_NAME": "cdev-tui",
    "GIT_COMMITTER_EMAIL": "cdev-tui@localhost",
}
"""Who commits when git knows nobody (a fresh machine, CI): merges must still be able to commit."""


def commit_env(cwd: Path | str) -> dict[str, str]:
    """Environment for git commands that may commit: no editor or prompt; the fallback identity if needed."""
    env = {"GIT_EDITOR": "true", "GIT_SEQUENCE_EDITOR": "true", "GIT_TERMINAL_PROMPT": "0"}
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if git(cwd, "var", var, ok_codes=tuple(range(-255, 256))).code != 0:
            env.update(FALLBACK_IDENTITY)
            break
    return env


def remove_worktree(repo: Path | str, worktree: Path) -> None:
    """Remove a worktree this app created (whatever is in it), its folder and git's record of it."""
    import shutil

    any_code = tuple(range(-255, 256))
    git(repo, "worktree", "remove", "--force", "--force", str(worktree), ok_codes=any_code)
    if worktree.exists():
        shutil.rmtree(worktree, ignore_errors=True)
    git(repo, "worktree", "prune", ok_codes=any_code)


def ref_exists(path: Path | str, ref: str) -> bool:
    """Whether ``ref`` resolves to a commit."""
    verify = git(
        path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok_codes=(0, 1, 128), direct=True
    )
    return verify.code == 0


def branch_refs(repo: Path | str) -> dict[str, str]:
    """Every local and remote-tracking branch ref, each mapped to the ref it points to when symbolic (such
    as ``refs/remotes/origin/HEAD``), else ``""``: one git process."""
    out = git(
        repo, "for-each-ref", "--format=%(refname)%1f%(symref)", "refs/heads", "refs/remotes", direct=True
    ).stdout
    return dict(line.partition("\x1f")[::2] for line in out.splitlines() if line)


def branch_exists(repo: Path | str, name: str, refs: Mapping[str, str]) -> bool:
    """Whether ``name`` names a commit: a branch or remote branch in ``refs``, else asked of git."""
    if any(ref in refs for ref in (name, f"refs/heads/{name}", f"refs/remotes/{name}")):
        return True
    return ref_exists(repo, name)  # a tag, a commit id, ...


def detect_target_branch(repo: Path | str, refs: Mapping[str, str] | None = None) -> str:
    """The branch agents integrate into: origin's HEAD, else main/master/trunk, else the main worktree's branch.

    ``refs`` is :func:`branch_refs`'s answer when the caller has it; the main worktree's branch is read
    from its HEAD file.
    """
    refs = branch_refs(repo) if refs is None else refs
    origin_head = refs.get("refs/remotes/origin/HEAD", "")
    if origin_head.startswith("refs/remotes/origin/"):
        name = origin_head.removeprefix("refs/remotes/origin/")
        if f"refs/heads/{name}" in refs:
            return name
    for name in ("main", "master", "trunk", "develop"):
        if f"refs/heads/{name}" in refs:
            return name
    try:
        head = (locate_common_dir(repo) / "HEAD").read_text().strip()
    except OSError:
        head = ""
    if head.startswith("ref: refs/heads/"):
        return head.removeprefix("ref: refs/heads/")
    raise CdevError(f"{repo}: cannot tell the target branch; set target_branch in .cdev/config.toml")
