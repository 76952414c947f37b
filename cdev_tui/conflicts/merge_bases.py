"""Exact bases for a merge written without diff3 sections: git's own merge, redone with them.

``git merge-tree`` runs the same ort merge as ``git merge`` without touching the worktree; asked for diff3
markers it writes, for every conflicted file, the very hunks on disk with their base sections. Hunks are
matched by their ours and theirs text; the ones that do not match keep the base found from the stages.
"""

from __future__ import annotations

from dataclasses import replace

from cdev_tui.conflicts.hunks import Hunk, MarkerError, parse_conflicts
from cdev_tui.conflicts.operation import Operation
from cdev_tui.conflicts.stages import FileConflict, read_blobs
from cdev_tui.gitops import git


def bases_from_merge_tree(operation: Operation, conflicts: list[FileConflict]) -> list[FileConflict]:
    """``conflicts`` with the bases of a merge's hunks replaced by git's own, where the hunks match."""
    wanted = [c for c in conflicts if c.is_text and any(h.base_source != "markers" for h in c.hunks)]
    if operation.kind != "merge" or not wanted or not operation.head or not operation.other:
        return conflicts
    result = git(
        operation.worktree,
        "-c",
        "merge.conflictStyle=diff3",
        "merge-tree",
        "--write-tree",
        "--no-messages",
        operation.head,
        operation.other,
        ok_codes=(0, 1),
    )
    tree = result.stdout.split("\n", 1)[0].strip()
    if not tree:
        return conflicts
    names = {c.path: f"{tree}:{c.path}" for c in wanted}
    blobs = read_blobs(operation.worktree, names.values())
    exact: dict[str, FileConflict] = {}
    for conflict in wanted:
        data = blobs.get(names[conflict.path])
        text = conflict.text
        if data is None or text is None:
            continue
        try:
            redone = parse_conflicts(data.decode("utf-8"), marker_size=text.marker_size)
        except (UnicodeDecodeError, MarkerError):
            continue
        matched = _match(text.hunks, redone.hunks)
        if matched:
            exact[conflict.path] = replace(conflict, text=text.with_hunks(matched))
    return [exact.get(c.path, c) for c in conflicts]


def _match(on_disk: tuple[Hunk, ...], redone: tuple[Hunk, ...]) -> dict[int, Hunk]:
    found: dict[int, Hunk] = {}
    position = 0
    for hunk in on_disk:
        if hunk.base_source == "markers":
            continue
        for n in range(position, len(redone)):
            other = redone[n]
            if (other.ours, other.theirs) == (hunk.ours, hunk.theirs) and other.base is not None:
                if hunk.base != other.base:
                    found[hunk.index] = replace(hunk, base=other.base, base_source="index")
                position = n + 1
                break
    return found
