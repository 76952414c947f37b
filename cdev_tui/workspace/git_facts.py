"""What git says about the agents, in as few git processes as the facts allow.

A full read costs one ``git for-each-ref`` (every branch tip with its date and subject), one ``git worktree
list`` and one ``git status --porcelain=v2`` per worktree. How far a branch is ahead of and behind the
target, and which files it changed, come from the object cache under the two commit ids, so they cost git
only when the target or the branch moved. A branch's reflog is read from its file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdev_tui import gitops
from cdev_tui.gitops import WorktreeStatus, parse_status_v2
from cdev_tui.object_cache import ObjectCache
from cdev_tui.workspace.model import Commit, GitState

BRANCH_DELTA = "git.branch-delta"
"""Cache kind: ``<target>...<tip>`` → ahead, behind and the files changed since the merge base."""
COMMIT_INFO = "git.commit"
"""Cache kind: a commit id → its committer date and subject."""


def read_git(cwd: Path, *args: str, **options: Any) -> gitops.GitResult:
    """A read-only git command for the workspace reader, run without GitPython (see :func:`gitops.git`)."""
    return gitops.git(cwd, *args, direct=True, **options)


@dataclass(frozen=True)
class RefTip:
    """The commit a branch points at, with what the agent table shows of it."""

    sha: str
    when: datetime
    subject: str

    def commit(self) -> Commit:
        """As the table's last commit."""
        return Commit(self.sha, self.subject, self.when)


def read_ref_tips(repo: Path) -> dict[str, RefTip]:
    """Every local and remote-tracking branch (full ref name) and its tip, from one ``git for-each-ref``."""
    fields = "%(refname)%1f%(symref)%1f%(objectname)%1f%(committerdate:iso-strict)%1f%(subject)"
    out = read_git(repo, "for-each-ref", f"--format={fields}", "refs/heads", "refs/remotes").stdout
    tips: dict[str, RefTip] = {}
    for line in out.splitlines():
        parts = line.split("\x1f", 4)
        if len(parts) != 5 or parts[1]:  # symbolic refs such as origin/HEAD are not branches
            continue
        name, _symref, sha, when, subject = parts
        try:
            tips[name] = RefTip(sha, datetime.fromisoformat(when), subject)
        except ValueError:  # not a commit (a branch pointing at a tree or blob): not an agent either
            continue
    return tips


def tip_of(tips: Mapping[str, RefTip], name: str) -> RefTip | None:
    """The tip of a branch given as git would take it: ``main``, ``origin/main`` or a full ref name."""
    for ref in (name, f"refs/heads/{name}", f"refs/remotes/{name}"):
        if ref in tips:
            return tips[ref]
    return None


def read_worktree_status(worktree: Path) -> WorktreeStatus:
    """The worktree's HEAD, branch and changes, from one git process (raises GitCommandError)."""
    out = read_git(
        worktree,
        *gitops.STATUS_V2,
        "--untracked-files=all",
        strip=False,
    ).stdout
    return parse_status_v2(out)


@dataclass(frozen=True)
class BranchDelta:
    """A branch against the target: commits ahead and behind, files changed since their merge base."""

    ahead: int = 0
    behind: int = 0
    files: tuple[str, ...] = ()


def branch_deltas(
    repo: Path, target: str | None, tips: Iterable[str], cache: ObjectCache, pool: Executor | None = None
) -> dict[str, BranchDelta]:
    """Each tip against the ``target`` commit, from the cache or (two git processes per miss) from git; the
    subject and date of each tip that is ahead are kept too."""
    wanted = [tip for tip in dict.fromkeys(tips) if tip and target and tip != target]
    keys = {tip: f"{target}...{tip}" for tip in wanted}
    known = cache.get_many(BRANCH_DELTA, keys.values())
    deltas = {tip: BranchDelta() for tip in dict.fromkeys(tips) if tip}
    missing = []
    for tip in wanted:
        try:
            value = known[keys[tip]]
            deltas[tip] = BranchDelta(
                int(value["ahead"]), int(value["behind"]), tuple(map(str, value["files"]))
            )
        except (KeyError, TypeError, ValueError):  # not cached, or an entry of another shape: work it out
            missing.append(tip)

    def compute(tip: str) -> tuple[BranchDelta, list[str] | None] | None:
        return _branch_delta(repo, str(target), tip)

    fresh = list(pool.map(compute, missing) if pool is not None else map(compute, missing))
    found: dict[str, Any] = {}
    infos: dict[str, Any] = {}
    for tip, answer in zip(missing, fresh, strict=True):
        if answer is not None:
            delta, infos[tip] = answer
            deltas[tip] = delta
            found[keys[tip]] = {"ahead": delta.ahead, "behind": delta.behind, "files": list(delta.files)}
    cache.put_many(BRANCH_DELTA, found)
    cache.put_many(COMMIT_INFO, {tip: info for tip, info in infos.items() if info is not None})
    return deltas


def _branch_delta(repo: Path, target: str, tip: str) -> tuple[BranchDelta, list[str] | None] | None:
    """The delta, and the tip's ``[date, subject]`` when it is ahead (read on the way, so a refresh after a
    commit need not ask for it); None when git cannot compare them (an object gone since the refs were read).
    """
    log = read_git(
        repo,
        "log",
        "--left-right",
        "--format=%m%x1f%H%x1f%cI%x1f%s",
        f"{target}...{tip}",
        "--",
        ok_codes=(0, 128),
    )
    diff = read_git(repo, "diff", "--name-only", "-z", f"{target}...{tip}", ok_codes=(0, 128), strip=False)
    if log.code != 0 or diff.code != 0:
        return None
    ahead = behind = 0
    info = None
    for line in log.stdout.splitlines():
        mark, sha, when, subject = (*line.split("\x1f", 3), "", "", "")[:4]
        if mark == ">":
            ahead += 1
            if sha == tip:
                info = [when, subject]
        elif mark == "<":
            behind += 1
    return BranchDelta(ahead, behind, tuple(p for p in diff.stdout.split("\0") if p)), info


SIDE_MERGED = "git.side-merged"
"""Cache kind: ``<target>..<tip>`` → whether the tip reached the target as the side of a merge."""


def side_merged(
    repo: Path, target: str | None, tips: Iterable[str], cache: ObjectCache, pool: Executor | None = None
) -> dict[str, bool]:
    """For tips already contained in the ``target`` commit: whether each came in through a merge.

    A branch that was merged (cdev's integration merges with ``--no-ff``, as a pull request usually is)
    has its tip as the second parent of a merge, off the target's first-parent line; a branch that never
    got a commit of its own still points at a commit on that line, where it was created. One ``git
    rev-list`` per tip not seen before, answered from the cache afterwards. (A fast-forwarded branch
    cannot be told from an untouched one this way: it counts as not merged.)
    """
    wanted = [tip for tip in dict.fromkeys(tips) if tip and target and tip != target]
    keys = {tip: f"{target}..{tip}" for tip in wanted}
    known = cache.get_many(SIDE_MERGED, keys.values())
    found = {tip: bool(known[keys[tip]]) for tip in wanted if keys[tip] in known}
    missing = [tip for tip in wanted if tip not in found]

    def compute(tip: str) -> bool | None:
        # The target's first-parent line down to the tip's parents: the tip is on it, or it is not.
        out = read_git(
            repo, "rev-list", "--first-parent", str(target), "--not", f"{tip}^@", ok_codes=(0, 128)
        )
        return None if out.code != 0 else tip not in out.stdout.split()

    fresh = list(pool.map(compute, missing) if pool is not None else map(compute, missing))
    computed = {tip: value for tip, value in zip(missing, fresh, strict=True) if value is not None}
    cache.put_many(SIDE_MERGED, {keys[tip]: value for tip, value in computed.items()})
    return {**found, **computed}


def commit_info(repo: Path, sha: str, cache: ObjectCache) -> Commit | None:
    """A commit's date and subject, from the cache or one ``git log -1``."""
    commit = _as_commit(sha, cache.get(COMMIT_INFO, sha))
    if commit is None:
        out = read_git(repo, "log", "-1", "--format=%cI%x1f%s", sha, "--", ok_codes=(0, 128))
        if out.code != 0 or "\x1f" not in out.stdout:
            return None
        when_subject = out.stdout.split("\x1f", 1)
        cache.put(COMMIT_INFO, sha, when_subject)
        commit = _as_commit(sha, when_subject)
    return commit


def _as_commit(sha: str, when_subject: object) -> Commit | None:
    """A cached ``[date, subject]`` as a commit; None when absent or of another shape."""
    try:
        when, subject = when_subject  # type: ignore[misc]
        return Commit(sha, str(subject), datetime.fromisoformat(when))
    except (TypeError, ValueError):
        return None


def branch_reflog(common_dir: Path, branch: str) -> list[tuple[str, datetime | None]]:
    """``(commit, when)`` of each entry of the branch's reflog, newest first (read from its file, no git)."""
    try:
        text = (common_dir / "logs" / "refs" / "heads" / branch).read_text(errors="replace")
    except OSError:
        return []
    entries = []
    for line in text.splitlines():
        head = line.partition("\t")[0].split()
        if len(head) >= 4:
            stamp = head[-2]
            entries.append((head[1], datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None))
    entries.reverse()
    return entries


def git_state(
    status: WorktreeStatus,
    last: Commit | None,
    delta: BranchDelta,
    reflog: Sequence[tuple[str, datetime | None]],
) -> GitState:
    """The agent's git state from its status, last commit, delta against the target and reflog."""
    moved = last is not None and len(reflog) > 1 and reflog[-1][0] != last.sha
    return GitState(
        branch=status.branch,
        head=last.sha if last else None,
        dirty=status.dirty,
        unmerged=status.unmerged,
        ahead=delta.ahead,
        behind=delta.behind,
        last_commit=last,
        committed_changes=delta.files,
        has_own_commits=moved,
        first_commit_at=reflog[-2][1] if len(reflog) > 1 else None,
    )
