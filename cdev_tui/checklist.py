"""Validation checklists (``validation_checklist.txt`` + optional ``COMPLETED`` marker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cdev_tui.cext.linescan import checklist_counts, checklist_items

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
    """A checklist's text and its completion state.

    ``done`` and ``total`` are counted when the checklist is created, which is all a workspace refresh needs;
    the items themselves are parsed only when ``items`` (or ``remaining``) is first read.
    """

    path: Path
    text: str = field(default="", repr=False)
    completed_marker: bool = False
    problem: str | None = None  # set when the file could not be read as text
    done: int = field(init=False)
    """How many items are ticked."""
    total: int = field(init=False)
    """How many items there are."""

    def __post_init__(self) -> None:
        done, total = checklist_counts(self.text)
        # Frozen: derived fields are set with object.__setattr__, as the generated __init__ does itself.
        object.__setattr__(self, "done", done)
        object.__setattr__(self, "total", total)

    @cached_property
    def items(self) -> tuple[ChecklistItem, ...]:
        """The checklist's items in file order, parsed on first access."""
        return tuple(ChecklistItem(line, checked, text) for line, checked, text in checklist_items(self.text))

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
    """A checklist from its text; lines that are not items (headings, notes, odd lines) are ignored."""
    return Checklist(path=path, text=text, completed_marker=completed_marker)


def read_checklist(path: Path) -> Checklist | None:
    """Read a checklist file; None when it does not exist. Binary or huge files give a checklist with a problem."""
    marker = (path.parent / COMPLETED_MARKER).exists()
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CHECKLIST_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return Checklist(path, "", marker, problem=f"{path}: cannot read ({exc.strerror})")
    if len(data) > MAX_CHECKLIST_BYTES:
        return Checklist(
            path, "", marker, problem=f"{path}: larger than {MAX_CHECKLIST_BYTES} bytes, not read"
        )
    if b"\0" in data[:8192]:
        return Checklist(path, "", marker, problem=f"{path}: binary file, not a checklist")
    return parse_checklist_text(data.decode("utf-8", errors="replace"), path, completed_marker=marker)
