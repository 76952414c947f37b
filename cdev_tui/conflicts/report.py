"""What conflict prediction works on and what it finds: agents, pair predictions, the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class AgentRef:
    """What conflict prediction needs to know about one agent."""

    agent_id: str
    branch: str | None
    worktree: Path | None
    dependencies: tuple[str, ...] = ()
    owned_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairPrediction:
    """Predicted outcome of merging ``a`` with ``b`` (an agent or the target branch).

    ``conflicted_files`` and ``overlapping_files`` cover both the committed tips and, when it was included,
    the uncommitted work. Without uncommitted work on either side ``conflicts_with_uncommitted`` equals
    ``conflicts_committed``.
    """

    a: str
    b: str
    conflicted_files: tuple[str, ...]
    overlapping_files: tuple[str, ...]
    conflicts_committed: bool
    conflicts_with_uncommitted: bool

    @property
    def conflicts(self) -> bool:
        """Whether the pair conflicts at all (committed or with uncommitted work)."""
        return self.conflicts_committed or self.conflicts_with_uncommitted

    @property
    def uncommitted_only(self) -> bool:
        """Whether the conflict appears only once uncommitted work is included."""
        return self.conflicts_with_uncommitted and not self.conflicts_committed


@dataclass(frozen=True)
class DeclaredOverlap:
    """The same paths owned by two agents in the plan."""

    a: str
    b: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class ConflictReport:
    """Everything :func:`predict_conflicts` found, with its cost."""

    pairs: list[PairPrediction]
    vs_target: list[PairPrediction]
    declared_overlaps: list[DeclaredOverlap]
    merge_order: list[str]
    merge_order_conflicts: list[tuple[str, str]]
    git_calls: int
    seconds: float
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def has_conflicts(self) -> bool:
        """Whether any pair or any agent vs the target conflicts, or the plan gives a path to two agents."""
        return (
            any(p.conflicts for p in self.pairs)
            or any(p.conflicts for p in self.vs_target)
            or bool(self.declared_overlaps)
        )
