"""What is in progress in a worktree (merge, rebase, cherry-pick, revert, or unmerged files after a stash),
its conflicted index entries, and how to conclude or abort it with git's own commands.

The app never starts, restarts or resets an operation on its own: these functions only read, except
:func:`conclude` and :func:`abort`, which the user asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdev_tui.errors import CdevError
from cdev_tui.gitops import GitResult, commit_env, git

ANY_CODE = tuple(range(-255, 256))
_EDITOR_ENV = {"GIT_EDITOR": "true", "GIT_SEQUENCE_EDITOR": "true", "GIT_TERMINAL_PROMPT": "0"}


@dataclass(frozen=True)
class StageEntry:
    """One index stage of a conflicted path: file mode and blob (or commit, for a submodule) id."""

    mode: str
    oid: str


@dataclass(frozen=True)
class ConflictEntry:
    """A path with unmerged index entries: stage 1 is the base, 2 ours, 3 theirs (any may be missing)."""

    path: str
    stages: dict[int, StageEntry]

    @property
    def code(self) -> str:
        """git status's two-letter code: UU, AA, UD, DU, AU, UA or DD."""
        has = tuple(n in self.stages for n in (1, 2, 3))
        return {
            (True, True, True): "UU",
            (False, True, True): "AA",
            (True, True, False): "UD",
            (True, False, True): "DU",
            (False, True, False): "AU",
            (False, False, True): "UA",
            (True, False, False): "DD",
        }.get(has, "UU")


@dataclass(frozen=True)
class Operation:
    """The operation in progress in one worktree.

    ``kind`` is ``merge``, ``rebase``, ``cherry-pick``, ``revert``, ``stash`` (unmerged files with no
    operation recorded, as ``git stash pop`` or ``git checkout -m`` leave them) or ``""`` (nothing).
    """

    kind: str
    worktree: Path
    git_dir: Path
    """The worktree's own git directory (where MERGE_HEAD is)."""
    common_dir: Path
    """The repository's git directory, shared by its worktrees (where rr-cache is)."""
    head: str | None
    head_label: str
    other: str | None
    """MERGE_HEAD, CHERRY_PICK_HEAD, REVERT_HEAD or the commit being rebased."""
    other_label: str
    entries: tuple[ConflictEntry, ...]

    @property
    def in_progress(self) -> bool:
        """Whether anything is in progress (a merge whose conflicts are all staged still is)."""
        return bool(self.kind)

    @property
    def key(self) -> str:
        """Identifies this operation for backups and the resolution journal."""
        return f"{self.kind}-{(self.head or 'unborn')[:12]}-{(self.other or 'none')[:12]}"

    def describe(self) -> str:
        """A short phrase such as ``merging auth_agent into main``."""
        verb = {
            "merge": "merging",
            "rebase": "rebasing",
            "cherry-pick": "cherry-picking",
            "revert": "reverting",
            "stash": "applying changes (stash or checkout -m)",
        }.get(self.kind, "nothing in progress")
        if self.kind in ("merge", "cherry-pick", "revert"):
            return f"{verb} {self.other_label} into {self.head_label}"
        if self.kind == "rebase":
            return f"{verb} {self.head_label} (at {self.other_label})"
        return verb


def _run(worktree: Path, *args: str, env: dict[str, str] | None = None) -> GitResult:
    return git(worktree, *args, env=env, ok_codes=ANY_CODE, strip=False)


def parse_unmerged(text: str) -> tuple[ConflictEntry, ...]:
    """Parse ``git ls-files -u -z``: ``<mode> <oid> <stage>\\t<path>`` records."""
    stages: dict[str, dict[int, StageEntry]] = {}
    for record in text.split("\0"):
        if not record:
            continue
        info, _, path = record.partition("\t")
        mode, oid, stage = info.split(" ")
        stages.setdefault(path, {})[int(stage)] = StageEntry(mode, oid)
    return tuple(ConflictEntry(path, found) for path, found in stages.items())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _short(worktree: Path, commit: str | None) -> str:
    if not commit:
        return "-"
    names = _run(worktree, "name-rev", "--name-only", "--no-undefined", "--exclude=refs/tags/*", commit)
    name = names.stdout.strip() if names.code == 0 else ""
    return name.removeprefix("remotes/") if name and "~" not in name and "^" not in name else commit[:12]


def detect_operation(worktree: Path) -> Operation:
    """What is in progress in ``worktree``; raises :class:`CdevError` when it is not a usable worktree."""
    worktree = Path(worktree)
    if not worktree.is_dir():
        raise CdevError(f"{worktree}: no such directory (was the worktree removed?)")
    found = _run(worktree, "rev-parse", "--absolute-git-dir", "--show-toplevel", "--git-common-dir")
    if found.code != 0 or len(found.stdout.splitlines()) < 3:
        raise CdevError(f"{worktree}: not a git worktree")
    git_dir_text, top_text, common_text = found.stdout.splitlines()[:3]
    git_dir, top = Path(git_dir_text), Path(top_text)
    common_dir = (
        (worktree / common_text).resolve() if not Path(common_text).is_absolute() else Path(common_text)
    )
    head = _run(top, "rev-parse", "-q", "--verify", "HEAD^{commit}").stdout.strip() or None
    branch = _run(top, "symbolic-ref", "-q", "--short", "HEAD").stdout.strip()
    entries = parse_unmerged(_run(top, "ls-files", "-u", "-z").stdout)
    kind, other = "", None
    if (git_dir / "MERGE_HEAD").is_file():
        kind, other = "merge", _read(git_dir / "MERGE_HEAD").split("\n")[0] or None
    elif (git_dir / "rebase-merge").is_dir() or (git_dir / "rebase-apply").is_dir():
        kind = "rebase"
        state = git_dir / ("rebase-merge" if (git_dir / "rebase-merge").is_dir() else "rebase-apply")
        other = _read(state / "stopped-sha") or _read(git_dir / "REBASE_HEAD") or None
        branch = _read(state / "head-name").removeprefix("refs/heads/") or branch
    elif (git_dir / "CHERRY_PICK_HEAD").is_file():
        kind, other = "cherry-pick", _read(git_dir / "CHERRY_PICK_HEAD") or None
    elif (git_dir / "REVERT_HEAD").is_file():
        kind, other = "revert", _read(git_dir / "REVERT_HEAD") or None
    elif entries:
        kind = "stash"
    head_label = branch or (f"detached HEAD {head[:12]}" if head else "an unborn branch")
    return Operation(
        kind=kind,
        worktree=top,
        git_dir=git_dir,
        common_dir=common_dir,
        head=head,
        head_label=head_label,
        other=other,
        other_label=_short(top, other) if other else "-",
        entries=entries,
    )


def _message(result: GitResult) -> str:
    lines = [x.strip() for x in f"{result.stderr}\n{result.stdout}".splitlines() if x.strip()]
    hints = [x for x in lines if not x.startswith("hint:")]
    return (hints or lines or [f"exit code {result.code}"])[0]


@dataclass(frozen=True)
class Concluded:
    """What concluding did: the new HEAD, and whether git stopped again (a rebase's next commit)."""

    head: str | None
    message: str
    stopped_again: bool = False


def conclude(operation: Operation) -> Concluded:
    """Finish the operation with git (commit the merge, continue the rebase/cherry-pick/revert).

    Every conflict must be staged first; git's refusal becomes a :class:`CdevError`.
    """
    worktree = operation.worktree
    current = detect_operation(worktree)
    if current.entries:
        raise CdevError(f"{worktree}: {len(current.entries)} files are still unmerged; write them first")
    commands = {
        "merge": ("commit", "--no-edit", "--no-verify"),
        "rebase": ("rebase", "--continue"),
        "cherry-pick": ("cherry-pick", "--continue"),
        "revert": ("revert", "--continue"),
    }
    if current.kind == "stash" or not current.kind:
        return Concluded(current.head, "resolved and staged; nothing to commit (a stash entry stays listed)")
    result = _run(worktree, *commands[current.kind], env=commit_env(worktree))
    after = detect_operation(worktree)
    if result.code != 0 and after.kind == current.kind and not after.entries:
        raise CdevError(f"{worktree}: git {commands[current.kind][0]} failed: {_message(result)}")
    if after.kind == "rebase" and after.entries:
        return Concluded(after.head, "the rebase stopped again with new conflicts", stopped_again=True)
    what = {"merge": "merge committed", "rebase": "rebase continued"}.get(
        current.kind, f"{current.kind} done"
    )
    return Concluded(after.head, f"{what} at {(after.head or '-')[:12]}")


def abort(operation: Operation) -> str:
    """Abort the operation with git, back to the state before it started; returns a one-line message."""
    worktree = operation.worktree
    current = detect_operation(worktree)
    commands = {
        "merge": ("merge", "--abort"),
        "rebase": ("rebase", "--abort"),
        "cherry-pick": ("cherry-pick", "--abort"),
        "revert": ("revert", "--abort"),
        "stash": ("reset", "--merge"),
    }
    if current.kind not in commands:
        raise CdevError(f"{worktree}: nothing to abort (no merge, rebase, cherry-pick or revert in progress)")
    result = _run(worktree, *commands[current.kind], env=dict(_EDITOR_ENV))
    if result.code != 0:
        raise CdevError(f"{worktree}: git {' '.join(commands[current.kind])} failed: {_message(result)}")
    return f"{current.kind} aborted; {current.head_label} is back at {(current.head or '-')[:12]}"
