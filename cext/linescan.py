"""Line scanners for checklists and conflict-marked files: the compiled module, or its pure-Python twin.

``CDEV_TUI_PURE=1`` selects the twin; if the extension was not built the twin is used too, unless
``CDEV_TUI_REQUIRE_EXT=1`` is set, in which case importing this module fails. Both variables are read once,
at import time.
"""

from __future__ import annotations

import os
from typing import Final, Literal

__all__ = ["IMPLEMENTATION", "checklist_counts", "checklist_items", "conflict_regions"]

IMPLEMENTATION: Final[Literal["compiled", "pure"]]

if os.environ.get("CDEV_TUI_PURE") == "1":
    from cdev_tui.cext._linescan_py import checklist_counts, checklist_items, conflict_regions

    IMPLEMENTATION = "pure"
else:
    try:
        from cdev_tui.cext._linescan import checklist_counts, checklist_items, conflict_regions
    except ImportError as error:
        if os.environ.get("CDEV_TUI_REQUIRE_EXT") == "1":
            raise ImportError(
                "CDEV_TUI_REQUIRE_EXT=1 but the compiled module cdev_tui.cext._linescan is not available "
                f"({error}); build it with `pip install -e .` (a C compiler and Cython are needed) "
                "or unset CDEV_TUI_REQUIRE_EXT to use the pure-Python fallback"
            ) from error
        from cdev_tui.cext._linescan_py import checklist_counts, checklist_items, conflict_regions

        IMPLEMENTATION = "pure"
    else:
        IMPLEMENTATION = "compiled"
