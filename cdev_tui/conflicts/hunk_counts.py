"""Conflict hunks per file for one predicted pair, counted in the conflicted tree ``merge-tree`` writes.

Prediction only knows which files conflict; how much work each one is shows in the tree that
``git merge-tree --write-tree`` writes, whose conflicted files hold the conflict markers. Computed on demand,
for one pair at a time: two git processes whatever the number of files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.cext.linescan import conflict_regions
from cdev_tui.conflicts.plumbing import CountingGit, Merge, merge_chunk
from cdev_tui.conflicts.report import SideCommits
from cdev_tui.conflicts.stages import read_blobs
from cdev_tui.errors import CdevError


@dataclass(frozen=True)
class FileHunks:
    """How many conflict hunks one file has in a predicted merge."""

    path: str
    hunks: int
    """Conflict regions in the merged file; 0 for a whole-file conflict (binary, deleted, renamed…)."""


def count_hunks(repo: Path, a: SideCommits, b: SideCommits, files: Sequence[str]) -> list[FileHunks]:
    """The conflict hunks of each of ``files`` when ``a`` and ``b`` merge, uncommitted work included.

    The merge of the current commits (snapshots when there is uncommitted work) counts first; a file that
    conflicts only between the committed tips is counted in their merge. Raises :class:`CdevError` when git
    cannot merge the two sides at all.
    """
    if not files:
        return []
    run = CountingGit(Path(repo))
    pairs = list(dict.fromkeys([(a.current, b.current), (a.tip, b.tip)]))
    merged = merge_chunk(run, pairs)
    trees = [m.tree for m in (merged[p] for p in pairs) if isinstance(m, Merge) and m.tree]
    if not trees:
        failure = next((m for m in merged.values() if isinstance(m, str)), "no tree written")
        raise CdevError(f"git merge-tree {a.current[:12]} {b.current[:12]}: {failure}")
    blobs = read_blobs(Path(repo), [f"{tree}:{path}" for tree in trees for path in files])
    counts = []
    for path in files:
        found = (_regions(blobs.get(f"{tree}:{path}")) for tree in trees)
        counts.append(FileHunks(path, next((n for n in found if n), 0)))
    return counts


def _regions(blob: bytes | None) -> int:
    """Conflict regions in a merged file's content (none in a missing or binary one)."""
    if blob is None or b"\0" in blob[:8000]:
        return 0
    return len(conflict_regions(blob.decode("utf-8", errors="replace")))
