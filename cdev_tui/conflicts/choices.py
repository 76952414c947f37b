"""What the user chose for a conflicted file: choices per hunk, file actions, and what writing did."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdev_tui.conflicts.hunks import Hunk
from cdev_tui.conflicts.stages import FileConflict
from cdev_tui.conflicts.suggestions import Suggestion
from cdev_tui.errors import CdevError

PICKS = ("ours", "theirs", "both", "both-reversed", "base")
"""Choices made from the hunk's own sections."""


class MarkersLeft(CdevError):
    """Writing would leave conflict markers in the file; the user must confirm."""

    def __init__(self, path: str, count: int) -> None:
        super().__init__(
            f"{path}: {count} hunks are not resolved yet; their conflict markers would be written"
        )
        self.count = count


class ChangedOnDisk(CdevError):
    """The file changed on disk since it was read: reload it, or keep the choices made here."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: changed on disk since it was opened")
        self.path = path


@dataclass(frozen=True)
class Choice:
    """How a hunk was resolved: ``how`` is a pick (ours, theirs, both, both-reversed, base), ``suggestion``
    (``source`` says which), or ``edit``."""

    result: str
    how: str
    source: str = ""
    proven: bool = False
    """Taken from a safe suggestion (it comes back by itself; no need to learn it)."""

    @property
    def accepted_from(self) -> str:
        """Where the result came from, for the metrics: the suggestion's source (``trivial``,
        ``structural``, ``learned``, ``llm``), ``hand-edited``, or the pick (``both`` for either order)."""
        if self.how == "suggestion":
            return self.source or "suggestion"
        if self.how == "edit":
            return "hand-edited"
        return "both" if self.how == "both-reversed" else self.how


@dataclass
class FileState:
    """One conflicted file in the session."""

    conflict: FileConflict
    disk_hash: str
    choices: dict[int, Choice] = field(default_factory=dict)
    action: str | None = None
    """For a file that is not resolved hunk by hunk: the chosen action (ours, theirs, keep, delete)."""
    content: bytes | None = None
    """Whole-file content edited outside the hunks ($EDITOR on a file that cannot be parsed)."""
    written: bool = False
    suggestions: dict[int, list[Suggestion]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The path from the worktree's top."""
        return self.conflict.path

    @property
    def hunks(self) -> tuple[Hunk, ...]:
        """The file's hunks (none when it is not a text conflict)."""
        return self.conflict.hunks

    @property
    def unresolved(self) -> int:
        """Hunks without a choice (or 1 for a file still waiting for an action)."""
        if self.written:
            return 0
        if self.conflict.is_text:
            return sum(1 for h in self.hunks if h.index not in self.choices)
        return 0 if (self.action or self.content is not None) else 1

    def rendered(self) -> str:
        """The text with every choice applied (unresolved hunks keep their markers)."""
        assert self.conflict.text is not None
        return self.conflict.text.render({i: c.result for i, c in self.choices.items()})


@dataclass(frozen=True)
class WriteResult:
    """What writing a file did."""

    path: str
    staged: bool
    markers_left: int
    learned: int
    """Hunks stored as learned resolutions."""
    not_learned: int
    """Hunks not stored because their result holds a secret."""


Step = tuple[str, int, Any, Any]
"""One undoable change: (path, hunk index or -1 for a file action, before, after)."""


def digest(data: bytes | None) -> str:
    return hashlib.sha1(data if data is not None else b"\0missing").hexdigest()


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def join_sides(first: str, second: str, newline: str) -> str:
    if first and second and not first.endswith("\n"):
        return first + newline + second
    return first + second
