"""Conflicts: prediction between agents and against the target, the merge order, and resolution.

Textual-free. Prediction runs real ``git merge-tree`` merges (:mod:`.prediction`); resolution reads a
conflicted worktree into hunks (:mod:`.hunks`), suggests results (:mod:`.suggestions`), remembers what the
user wrote (:mod:`.learned`) and writes it back safely (:mod:`.apply`).
"""

from typing import TYPE_CHECKING

from cdev_tui.lazy_exports import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "declared_overlaps": "order",
        "merge_order": "order",
        "predict_conflicts": "prediction",
        "AgentRef": "report",
        "ConflictReport": "report",
        "DeclaredOverlap": "report",
        "PairPrediction": "report",
        "snapshot_worktree": "snapshot",
    },
)

if TYPE_CHECKING:
    from cdev_tui.conflicts.order import declared_overlaps, merge_order
    from cdev_tui.conflicts.prediction import predict_conflicts
    from cdev_tui.conflicts.report import AgentRef, ConflictReport, DeclaredOverlap, PairPrediction
    from cdev_tui.conflicts.snapshot import snapshot_worktree

__all__ = [
    "AgentRef",
    "ConflictReport",
    "DeclaredOverlap",
    "PairPrediction",
    "declared_overlaps",
    "merge_order",
    "predict_conflicts",
    "snapshot_worktree",
]
