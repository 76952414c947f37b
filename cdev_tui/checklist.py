"""Validation checklists (``validation_checklist.txt`` + optional ``COMPLETED`` marker)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdev_tui.cext.linescan import checklist_items

CHECKLIST_NAME = "validation_checklist.txt"
COMPLETED_MARKER = "COMPLETED"
MAX_CHECKLIST_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ChecklistItem:
    """One ``N. [ ] text`` line."""

    line: int  # 0-based line index in the file
    checked: bool
    text: str


@dataclass(frozen=True)
class Checklist:
    """A parsed checklist and its completion state."""

    path: Path
    items: tuple[ChecklistItem, ...]
    completed_marker: bool = False
    problem: str | None = None  # set when the file could not be read as text

    @property
    def done(self) -> int:
        """How many items are ticked."""
        return sum(1 for item in self.items if item.checked)

    @property
    def total(self) -> int:
        """How many items there are."""
        return len(self.items)

    @property
    def complete(self) -> bool:
        """All items ticked (at least one), or the ``COMPLETED`` marker exists."""
        return self.completed_marker or (self.total > 0 and self.done == self.total)

    @property
    def fraction(self) -> float:
        """Progress in 0..1 (1 when complete by marker)."""
        if self.complete:
            return 1.0
        return self.done / self.total if self.total else 0.0

    @property
    def remaining(self) -> tuple[str, ...]:
        """The texts of the unticked items."""
        return tuple(item.text for item in self.items if not item.checked)


def parse_checklist_text(text: str, path: Path, *, completed_marker: bool = False) -> Checklist:
    """Parse checklist text; lines that are not items (headings, notes, odd lines) are ignored."""
    items = tuple(ChecklistItem(line, checked, item) for line, checked, item in checklist_items(text))
    return Checklist(path=path, items=items, completed_marker=completed_marker)


def read_checklist(path: Path) -> Checklist | None:
    """Read a checklist file; None when it does not exist. Binary or huge files give a checklist with a problem."""
    marker = (path.parent / COMPLETED_MARKER).exists()
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CHECKLIST_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return Checklist(path, (), marker, problem=f"{path}: cannot read ({exc.strerror})")
    if len(data) > MAX_CHECKLIST_BYTES:
        return Checklist(
            path, (), marker, problem=f"{path}: larger than {MAX_CHECKLIST_BYTES} bytes, not read"
        )
    if b"\0" in data[:8192]:
        return Checklist(path, (), marker, problem=f"{path}: binary file, not a checklist")
    return parse_checklist_text(data.decode("utf-8", errors="replace"), path, completed_marker=marker)
