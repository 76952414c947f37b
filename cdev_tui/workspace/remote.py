"""Remote agents: branches on a remote that match the ``remote_agents`` patterns, read from git alone.

An agent working on another machine pushes its branch; after a fetch its remote-tracking ref
(``refs/remotes/origin/agent/x``) is all there is of it here: no worktree, no uncommitted work. Its last
commit comes from the ref tips the loader read already, ahead/behind and changed files from the object
cache as for a local branch, and its context, checklist and files list from the branch's tree: one ``git
ls-tree`` per tip not seen before and one ``git cat-file --batch`` for all their blobs, kept in the cache
under the tip's commit id, so a tip seen before costs no git process at all. Nothing of ours runs on the
other machines: git carries everything.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any

from cdev_tui.checklist import CHECKLIST_NAME, COMPLETED_MARKER, MAX_CHECKLIST_BYTES, parse_checklist_text
from cdev_tui.gitops import parse_cat_file_batch
from cdev_tui.object_cache import ObjectCache
from cdev_tui.plan import Plan, PlanAgent
from cdev_tui.structured import parse_structured
from cdev_tui.workspace.cdev_files import (
    CONTEXT_NAMES,
    context_spec,
    parse_files_list,
    pick_context,
    plan_spec,
    planned_id_for_branch,
    prefer_context,
)
from cdev_tui.workspace.git_facts import BranchDelta, RefTip, branch_deltas, read_git, side_merged
from cdev_tui.workspace.model import AgentFacts, GitState

REMOTE_FILES = "remote.files"
"""Cache kind: a commit id → cdev's files in its tree (context, checklist, files list, ``COMPLETED``)."""

FILES_LIST = "files_to_work_on.txt"
_WANTED = {*CONTEXT_NAMES, CHECKLIST_NAME, FILES_LIST, COMPLETED_MARKER}
_TOP_LEVEL = (CHECKLIST_NAME, COMPLETED_MARKER)


@dataclass(frozen=True)
class RemoteBranch:
    """A remote-tracking branch that a ``remote_agents`` pattern picked."""

    remote: str
    branch: str
    """The branch's name on the remote (``agent/x``)."""
    tip: RefTip

    @property
    def name(self) -> str:
        """As git names the remote-tracking branch here: ``origin/agent/x``."""
        return f"{self.remote}/{self.branch}"


def remote_names(patterns: Iterable[str]) -> list[str]:
    """The remotes the patterns name, in order, each once."""
    return list(dict.fromkeys(p.partition("/")[0] for p in patterns if p.partition("/")[0]))


def remote_branches(
    tips: Mapping[str, RefTip], patterns: Sequence[str], local_branches: Collection[str] = ()
) -> list[RemoteBranch]:
    """The remote-tracking branches matching a pattern (``fnmatch`` on ``<remote>/<branch>``), by name.

    A branch checked out in a local agent worktree under the same name is that agent's own push, not
    another agent; symbolic refs (``origin/HEAD``) are not branches (the tips never hold them).
    """
    found: dict[str, RemoteBranch] = {}
    for ref, tip in tips.items():
        if not ref.startswith("refs/remotes/"):
            continue
        name = ref[len("refs/remotes/") :]
        for pattern in patterns:
            remote = pattern.partition("/")[0]
            if not name.startswith(f"{remote}/") or not fnmatchcase(name, pattern):
                continue
            branch = name[len(remote) + 1 :]
            if branch != "HEAD" and branch not in local_branches:
                found[name] = RemoteBranch(remote, branch, tip)
            break
    return [found[name] for name in sorted(found)]


def tree_files(
    repo: Path, commits: Iterable[str], cache: ObjectCache, pool: Executor | None = None
) -> dict[str, dict[str, Any]]:
    """cdev's files in each commit's tree: ``{"files": {path: text}, "markers": [...], "problems": [...]}``.

    From the cache, else one ``git ls-tree`` per commit and one ``git cat-file --batch`` for every blob
    wanted; kept under the commit id (a commit's tree never changes). A commit git cannot read is left out.
    """
    wanted = list(dict.fromkeys(c for c in commits if c))
    known: dict[str, dict[str, Any]] = cache.get_many(REMOTE_FILES, wanted)
    missing = [c for c in wanted if c not in known]
    if not missing:
        return known
    if pool is not None:
        listings = list(pool.map(lambda commit: _list_tree(repo, commit), missing))
    else:
        listings = [_list_tree(repo, commit) for commit in missing]
    small = [oid for entries in listings for path, oid, size in entries or () if _readable(path, size)]
    blobs = _read_blobs(repo, small)
    fresh: dict[str, dict[str, Any]] = {}
    for commit, entries in zip(missing, listings, strict=True):
        if entries is None:
            continue
        files: dict[str, str] = {}
        markers: list[str] = []
        problems: list[str] = []
        for path, oid, size in entries:
            if PurePosixPath(path).name == COMPLETED_MARKER:
                markers.append(path)
            elif not _readable(path, size):
                problems.append(f"{path}: larger than {MAX_CHECKLIST_BYTES} bytes, not read")
            elif oid in blobs and b"\0" in blobs[oid][:8192]:
                problems.append(f"{path}: binary file, not read")
            elif oid in blobs:
                files[path] = blobs[oid].decode("utf-8", errors="replace")
        fresh[commit] = {"files": files, "markers": markers, "problems": problems}
    if len(blobs) == len(set(small)):  # a blob git could not give back is asked for again next time
        cache.put_many(REMOTE_FILES, fresh)
    return {**known, **fresh}


def _readable(path: str, size: int) -> bool:
    return PurePosixPath(path).name != COMPLETED_MARKER and size <= MAX_CHECKLIST_BYTES


def _list_tree(repo: Path, commit: str) -> list[tuple[str, str, int]] | None:
    """``(path, blob id, size)`` of cdev's files in the commit's tree; None when git cannot read it."""
    out = read_git(
        repo,
        "ls-tree",
        "-r",
        "-l",
        "-z",
        commit,
        "--",
        "workspaces",
        *_TOP_LEVEL,
        ok_codes=(0, 128),
        strip=False,
    )
    if out.code != 0:
        return None
    entries = []
    for record in out.stdout.split("\0"):
        info, _, path = record.partition("\t")
        fields = info.split()
        if len(fields) != 4 or fields[1] != "blob" or not _wanted(path):
            continue
        entries.append((path, fields[2], int(fields[3]) if fields[3].isdigit() else 0))
    return entries


def _wanted(path: str) -> bool:
    parts = PurePosixPath(path).parts
    if len(parts) == 1:
        return parts[0] in _TOP_LEVEL
    return len(parts) == 3 and parts[0] == "workspaces" and parts[2] in _WANTED


def _read_blobs(repo: Path, oids: Sequence[str]) -> dict[str, bytes]:
    """The content of each blob, from one ``git cat-file --batch`` (missing ones are left out)."""
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    result = read_git(
        repo,
        "cat-file",
        "--batch",
        input="".join(f"{oid}\n" for oid in wanted),
        ok_codes=(0, 128),
        strip=False,
    )
    return parse_cat_file_batch(os.fsencode(result.stdout), wanted)  # git's bytes again


def read_remote_agents(
    repo: Path,
    tips: Mapping[str, RefTip],
    patterns: Sequence[str],
    *,
    target: str | None,
    plans: Sequence[Plan],
    cache: ObjectCache,
    pool: Executor | None = None,
    local_branches: Collection[str] = (),
    taken: Collection[str] = (),
) -> list[AgentFacts]:
    """The facts of every remote agent (before times are added), by branch name.

    An agent id that ``taken`` (the local agents) or an earlier remote branch holds already becomes the
    branch's full name (``origin/codex/fix``), so that neither hides the other.
    """
    branches = remote_branches(tips, patterns, local_branches)
    if not branches:
        return []
    shas = [b.tip.sha for b in branches]
    deltas = branch_deltas(repo, target, shas, cache, pool)
    contained = [sha for sha in shas if deltas.get(sha, BranchDelta()).ahead == 0]
    merged = side_merged(repo, target, contained, cache, pool)
    files = tree_files(repo, shas, cache, pool)
    used = set(taken)
    facts = []
    for branch in branches:
        sha = branch.tip.sha
        delta = deltas.get(sha, BranchDelta())
        state = GitState(
            branch=branch.name,
            head=sha,
            dirty=(),
            ahead=delta.ahead,
            behind=delta.behind,
            last_commit=branch.tip.commit(),
            committed_changes=delta.files,
            # Work of its own: commits beyond the target, or a tip merged into it (see side_merged).
            has_own_commits=delta.ahead > 0 or merged.get(sha, False),
        )
        found = files.get(sha)
        problems = [] if found is not None else [f"{branch.name}: git could not read the branch's tree"]
        item = remote_facts(branch, state, found or {}, plans, problems)
        if item.agent_id in used:
            item = replace(item, agent_id=branch.name)
        used.add(item.agent_id)
        facts.append(item)
    return facts


def remote_facts(
    branch: RemoteBranch, state: GitState, tree: Mapping[str, Any], plans: Sequence[Plan], problems: list[str]
) -> AgentFacts:
    """One remote agent from its git state and the cdev files in its tree (read as the worktree's would be)."""
    texts: Mapping[str, str] = tree.get("files", {})
    markers = set(tree.get("markers", ()))
    problems = [*problems, *(f"{branch.name}:{p}" for p in tree.get("problems", ()))]

    def label(path: str) -> Path:
        return Path(f"{branch.name}:{path}")

    candidates: list[tuple[PlanAgent, Path, str]] = []
    raw: dict[Path, tuple[str, dict]] = {}
    folders = sorted({PurePosixPath(p).parts[1] for p in texts if p.startswith("workspaces/")})
    for folder in folders:
        for name in CONTEXT_NAMES:
            path = f"workspaces/{folder}/{name}"
            if path not in texts:
                continue
            found = context_spec(
                lambda path=path: parse_structured(texts[path], label(path)), label(path), problems
            )
            if found is None:
                continue
            spec, data = found
            candidates.append((spec, label(path), str(data.get("branchName") or "")))
            raw[label(path)] = (path, data)
            break
    context, context_path = pick_context(candidates, branch.branch)
    if context is None or context_path is None:
        agent_id = planned_id_for_branch(plans, branch.branch) or PurePosixPath(branch.branch).name
        known = plan_spec(plans, agent_id)
        return AgentFacts(
            agent_id=agent_id,
            spec=known or PlanAgent(agent_id),
            task_id=next((p.task_id for p in plans if p.agent(agent_id) is not None), ""),
            branch=branch.name,
            checklist=_checklist(texts, markers, "", label),
            git=state,
            plain=known is None,
            problems=tuple(problems),
            remote=True,
        )
    spec = plan_spec(plans, context.agent_id)
    merged_spec = context if spec is None else prefer_context(spec, context)
    tree_path, data = raw[context_path]
    folder = str(PurePosixPath(tree_path).parent)
    files_text = texts.get(f"{folder}/{FILES_LIST}")
    if files_text is not None and not (merged_spec.files_to_create or merged_spec.files_to_modify):
        lines = [line.strip() for line in files_text.splitlines() if line.strip()]
        create, modify = parse_files_list(lines)
        merged_spec = replace(merged_spec, files_to_create=create, files_to_modify=modify)
    checklist = _checklist(texts, markers, f"{folder}/", label) or _checklist(texts, markers, "", label)
    return AgentFacts(
        agent_id=context.agent_id,
        spec=merged_spec,
        task_id=str(data.get("taskId") or ""),
        branch=branch.name,
        context_path=context_path,
        created_at=data.get("createdAt"),
        checklist=checklist,
        git=state,
        problems=tuple(problems),
        remote=True,
    )


def _checklist(texts: Mapping[str, str], markers: Collection[str], folder: str, label: Any) -> Any:
    path = f"{folder}{CHECKLIST_NAME}"
    if path not in texts:
        return None
    return parse_checklist_text(
        texts[path], label(path), completed_marker=f"{folder}{COMPLETED_MARKER}" in markers
    )
