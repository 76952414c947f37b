"""Resolving a conflicted integration step instead of giving up on it.

When merging an agent conflicts and the caller passed a :data:`Resolver`, the run pauses with the merge in
progress in its temporary worktree and hands a :class:`ConflictStop` to the resolver: the merge editor in
the app, or :func:`auto_resolver` on the command line, which applies only provably right suggestions.
The resolver answers True once it has concluded the merge (committed it); anything else stops the run
there as before, with the merge undone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdev_tui.conflicts.learned import LearnedStore


@dataclass(frozen=True)
class ConflictStop:
    """An integration step waiting for its conflicts to be resolved."""

    index: int
    total: int
    agent: str
    branch: str
    worktree: Path
    """The integration's temporary worktree, with the merge in progress."""
    files: tuple[str, ...]
    integration_branch: str


Resolver = Callable[[ConflictStop], bool]


@dataclass
class AutoOutcome:
    """What :func:`auto_resolver` did at its last stop."""

    resolved: int = 0
    left: int = 0
    files: tuple[str, ...] = ()


def auto_resolver(
    sources: tuple[str, ...], learned: LearnedStore | None, outcome: AutoOutcome | None = None
) -> Resolver:
    """A resolver that applies the safe suggestions of ``sources`` and concludes when nothing is left."""
    from cdev_tui.conflicts.session import ResolveSession

    def resolve(stop: ConflictStop) -> bool:
        session = ResolveSession(stop.worktree, learned=learned)
        session.load()
        resolved = session.accept_safe(sources=sources)
        hunks_left, _ = session.remaining()
        if outcome is not None:
            outcome.resolved, outcome.left, outcome.files = resolved, hunks_left, stop.files
        if hunks_left:
            return False
        for state in session.files:
            session.write(state.path)
        session.conclude()
        return True

    return resolve
