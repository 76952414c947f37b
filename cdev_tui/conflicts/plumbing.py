"""Batched git plumbing for prediction: ref resolution, ``merge-tree --stdin``, merge bases, changed files.

Each helper costs one or a few git processes whatever the number of pairs; :class:`CountingGit` counts them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.gitops import GitResult, git

ANY_CODE = tuple(range(-255, 256))


class CountingGit:
    """Runs git plumbing in one repository, directly (see :func:`gitops.git`), and counts it (thread-safe)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(
        self,
        *args: str,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        ok_codes: Sequence[int] = (0,),
    ) -> GitResult:
        with self._lock:
            self.calls += 1
        return git(cwd or self.cwd, *args, env=env, input=input, ok_codes=ok_codes, strip=False, direct=True)


def resolve_refs(run: CountingGit, names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Map each branch name to (commit, tree); names that do not resolve are left out."""
    names = list(dict.fromkeys(names))
    queries = []
    for name in names:
        for ref in (f"refs/heads/{name}", name):
            queries += [f"{ref}^{{commit}}", f"{ref}^{{tree}}"]
    out = run("cat-file", "--batch-check", input="".join(q + "\n" for q in queries)).stdout.splitlines()
    found: dict[str, tuple[str, str]] = {}
    for i, name in enumerate(names):
        lines = out[4 * i : 4 * i + 4]
        for commit_line, tree_line in ((lines[0:1], lines[1:2]), (lines[2:3], lines[3:4])):
            commit = commit_line[0].split() if commit_line else []
            tree = tree_line[0].split() if tree_line else []
            if len(commit) == 3 and commit[1] == "commit" and len(tree) == 3:
                found[name] = (commit[0], tree[0])
                break
    return found


@dataclass(frozen=True)
class Merge:
    """One ``merge-tree`` result: clean or not, the conflicted paths, and the (conflicted) tree it wrote."""

    clean: bool
    files: tuple[str, ...]
    tree: str = ""


def merge_chunk(run: CountingGit, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Merge | str]:
    """Merge each commit pair; a pair git refuses (e.g. unrelated histories) maps to git's message."""
    results: dict[tuple[str, str], Merge | str] = {}
    pending = pairs
    while pending:
        result = run(
            "merge-tree",
            "--write-tree",
            "--name-only",
            "--no-messages",
            "-z",
            "--stdin",
            input="".join(f"{a} {b}\n" for a, b in pending),
            ok_codes=ANY_CODE,
        )
        merges = parse_merge_stream(result.stdout)
        results.update(zip(pending, merges, strict=False))
        if len(merges) >= len(pending):
            break
        # git stops at the first pair it cannot merge at all: record it and go on with the rest.
        lines = (result.stderr or "").strip().splitlines()
        results[pending[len(merges)]] = lines[-1] if lines else f"git merge-tree exit code {result.code}"
        pending = pending[len(merges) + 1 :]
    return results


def parse_merge_stream(text: str) -> list[Merge]:
    """Parse ``merge-tree --stdin -z --name-only --no-messages``: status, tree, paths, empty terminator."""
    tokens = text.split("\0")
    merges: list[Merge] = []
    i = 0
    while i + 1 < len(tokens) and tokens[i] in ("0", "1"):
        clean = tokens[i] == "1"  # in --stdin mode 1 means clean
        tree = tokens[i + 1]
        i += 2
        files: list[str] = []
        while i < len(tokens) and tokens[i] != "":
            files.append(tokens[i])
            i += 1
        if i >= len(tokens) - 1:
            break  # the terminator is missing: git died while writing this record
        i += 1
        merges.append(Merge(clean, tuple(files), tree))
    return merges


def merge_bases(run: CountingGit, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """One best merge base per commit pair, from a single ``rev-list`` over the commits since the fork."""
    tips = sorted({c for pair in pairs for c in pair})
    if len(tips) < 2:
        return {pair: pair[0] for pair in pairs}
    octopus = run("merge-base", "--octopus", "--all", *tips, ok_codes=(0, 1)).stdout.split()
    if not octopus:  # some tips share no history with the others: ask per pair
        bases: dict[tuple[str, str], str | None] = {}
        for x, y in pairs:
            found = run("merge-base", x, y, ok_codes=(0, 1)).stdout.split()
            bases[(x, y)] = found[0] if found else None
        return bases
    parents: dict[str, list[str]] = {}
    for line in run("rev-list", "--parents", *tips, "--not", *octopus).stdout.splitlines():
        commit, *commit_parents = line.split()
        parents[commit] = commit_parents
    # Every best base of a pair is one of the octopus bases or a listed commit: anything else is an ancestor
    # of an octopus base, itself a common ancestor. Common ancestors are closed under "parent of", so a
    # common ancestor is a best one exactly when it is no other common ancestor's parent.
    allowed = set(parents) | set(octopus)
    ancestors: dict[str, frozenset[str]] = {}

    def reach(tip: str) -> frozenset[str]:
        seen: set[str] = set()
        stack = [tip]
        while stack:
            commit = stack.pop()
            if commit not in seen:
                seen.add(commit)
                stack.extend(parents.get(commit, ()))
        return frozenset(seen)

    result: dict[tuple[str, str], str | None] = {}
    for x, y in pairs:
        for tip in (x, y):
            if tip not in ancestors:
                ancestors[tip] = reach(tip)
        common = ancestors[x] & ancestors[y]
        below = {p for c in common for p in parents.get(c, ())}
        best = sorted((common & allowed) - below)
        result[(x, y)] = best[0] if best else None
    return result


def changed_files(run: CountingGit, queries: set[tuple[str, str]]) -> dict[tuple[str, str], frozenset[str]]:
    """Paths changed from ``base`` to ``side`` for each (base, side), in one ``diff-tree --stdin``."""
    ordered = sorted((base, side) for base, side in queries if base != side)
    changed: dict[tuple[str, str], frozenset[str]] = {q: frozenset() for q in queries}
    if not ordered:
        return changed
    out = run(
        "diff-tree",
        "--stdin",
        "-r",
        "--name-only",
        "--no-renames",
        "--always",
        "-z",
        input="".join(f"{side} {base}\n" for base, side in ordered),
    ).stdout
    index = -1
    files: dict[int, list[str]] = defaultdict(list)
    for token in out.split("\0"):
        if index + 1 < len(ordered) and token == ordered[index + 1][1]:
            index += 1  # the header line naming the next queried commit
        elif token and index >= 0:
            files[index].append(token)
    for i, query in enumerate(ordered):
        changed[query] = frozenset(files[i])
    return changed
