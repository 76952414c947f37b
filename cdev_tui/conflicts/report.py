"""What conflict prediction works on and what it finds: agents, pair predictions, the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdev_tui.conflicts.snapshot import WorktreeStatus


@dataclass(frozen=True)
class AgentRef:
    """What conflict prediction needs to know about one agent."""

    agent_id: str
    branch: str | None
    worktree: Path | None
    dependencies: tuple[str, ...] = ()
    owned_files: tuple[str, ...] = ()
    status: WorktreeStatus | None = None
    """The worktree's ``git status`` when the caller has just read it (the workspace loader has): then the
    prediction does not run it again."""


@dataclass(frozen=True)
class SideCommits:
    """The commits one side of a prediction was read from: immutable ids, so a result keyed by them stays true.

    ``snapshot`` is a commit holding the uncommitted work on top of ``tip`` (None when there is none or it was
    not included); ``note`` says why uncommitted work was left out, when it was.
    """

    tip: str
    snapshot: str | None = None
    note: str | None = None

    @property
    def current(self) -> str:
        """The commit with everything on this side: the snapshot when there is one, else the tip."""
        return self.snapshot or self.tip

    @property
    def key(self) -> tuple[str, str]:
        """What a pair result depends on for this side."""
        return (self.tip, self.current)


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
class OrderStep:
    """One agent's place in the merge order, and why it is there."""

    agent_id: str
    reason: str
    dependencies: tuple[str, ...] = ()
    conflicts_before: tuple[str, ...] = ()
    """Agents merged earlier that this one conflicts with: its merge needs a resolution against them."""
    deferred: bool = False
    """Passed over at an earlier step because another ready agent conflicted with less."""


@dataclass(frozen=True)
class ConflictReport:
    """Everything :func:`predict_conflicts` found, with its cost.

    ``sides`` holds the commits every agent (and the target) was predicted from; a later prediction given
    this report as ``previous`` reuses the pairs whose two sides have the same commits (``reused_pairs``).
    """

    pairs: list[PairPrediction]
    vs_target: list[PairPrediction]
    declared_overlaps: list[DeclaredOverlap]
    merge_order: list[str]
    merge_order_conflicts: list[tuple[str, str]]
    git_calls: int
    seconds: float
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False
    merge_steps: list[OrderStep] = field(default_factory=list)
    """The merge order with the reason for each agent's place."""
    repo: Path | None = None
    target: str = ""
    sides: dict[str, SideCommits] = field(default_factory=dict)
    """Agent id (and the target's name) → the commits it was predicted from."""
    uncommitted_included: bool = True
    reused_pairs: int = 0
    """Pairs (agent pairs and against the target) taken from the previous report instead of merged again."""

    def prediction(self, a: str, b: str) -> PairPrediction | None:
        """The prediction between ``a`` and ``b`` (an agent or the target), in either order."""
        for p in (*self.pairs, *self.vs_target):
            if (p.a, p.b) in ((a, b), (b, a)):
                return p
        return None

    @property
    def has_conflicts(self) -> bool:
        """Whether any pair or any agent vs the target conflicts, or the plan gives a path to two agents."""
        return (
            any(p.conflicts for p in self.pairs)
            or any(p.conflicts for p in self.vs_target)
            or bool(self.declared_overlaps)
        )
