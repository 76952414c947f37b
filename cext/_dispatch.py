"""Pick a hot loop's implementation: the compiled module, or its pure-Python twin.

``CDEV_TUI_PURE=1`` selects the twin; if the extension was not built the twin is used too, unless
``CDEV_TUI_REQUIRE_EXT=1`` is set, in which case importing fails with a message that says how to build it.
Both variables are read when the dispatcher module is first imported.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Literal

Implementation = Literal["compiled", "pure"]


def load(name: str) -> tuple[ModuleType, Implementation]:
    """``cdev_tui.cext.<name>`` (compiled) or ``cdev_tui.cext.<name>_py``, and which one it is."""
    if os.environ.get("CDEV_TUI_PURE") == "1":
        return importlib.import_module(f"cdev_tui.cext.{name}_py"), "pure"
    try:
        return importlib.import_module(f"cdev_tui.cext.{name}"), "compiled"
    except ImportError as error:
        if os.environ.get("CDEV_TUI_REQUIRE_EXT") == "1":
            raise ImportError(
                f"CDEV_TUI_REQUIRE_EXT=1 but the compiled module cdev_tui.cext.{name} is not available "
                f"({error}); build it with `pip install -e .` (a C compiler and Cython are needed) "
                "or unset CDEV_TUI_REQUIRE_EXT to use the pure-Python fallback"
            ) from error
        return importlib.import_module(f"cdev_tui.cext.{name}_py"), "pure"
