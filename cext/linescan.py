"""Line scanners for checklists and conflict-marked files: the compiled module, or its pure-Python twin.

``CDEV_TUI_PURE=1`` selects the twin; if the extension was not built the twin is used too, unless
``CDEV_TUI_REQUIRE_EXT=1`` is set, in which case importing this module fails. Both variables are read once,
at import time.
"""

from __future__ import annotations

from typing import Final, Literal

from cdev_tui.cext._dispatch import load

__all__ = ["IMPLEMENTATION", "checklist_counts", "checklist_items", "conflict_regions"]

_module, _implementation = load("_linescan")

IMPLEMENTATION: Final[Literal["compiled", "pure"]] = _implementation
checklist_counts = _module.checklist_counts
checklist_items = _module.checklist_items
conflict_regions = _module.conflict_regions
