"""Keyword prefilter for the secret scanner: the compiled Aho-Corasick matcher, or its pure-Python twin.

``KeywordMatcher(keywords).candidate_lines(data)`` gives, for every line of ``data`` holding a keyword (ASCII
case ignored), ``(line index, start offset, end offset, sorted distinct keyword indexes)`` in line order; see
``_prefilter_py`` for the exact rules (lines split on ``\\n`` only, so a CRLF line keeps its ``\\r`` before
``end``). ``CDEV_TUI_PURE=1`` selects the twin; if the extension was not built the twin is used too, unless
``CDEV_TUI_REQUIRE_EXT=1`` is set, in which case importing this module fails. Both variables are read once,
at import time.
"""

from __future__ import annotations

from typing import Final, Literal

from cdev_tui.cext._dispatch import load

__all__ = ["IMPLEMENTATION", "KeywordMatcher", "check_keywords"]

_module, _implementation = load("_prefilter")

IMPLEMENTATION: Final[Literal["compiled", "pure"]] = _implementation
KeywordMatcher = _module.KeywordMatcher
check_keywords = _module.check_keywords
