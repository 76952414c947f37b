"""Line and word diffs and the 3-way alignment for the merge editor, over the compiled module or its twin.

``CDEV_TUI_PURE=1`` selects the twin; if the extension was not built the twin is used too, unless
``CDEV_TUI_REQUIRE_EXT=1`` is set, in which case importing this module fails. Both variables are read once,
at import time. ``diff_ids`` and ``merge3_ids`` work on interned ids; the functions here intern hashable
items (lines, word tokens) with one table shared by all sides and give the results readable tags.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from itertools import accumulate, count
from typing import Final, Literal, NamedTuple

from cdev_tui.cext._dispatch import load

__all__ = [
    "IMPLEMENTATION",
    "KINDS",
    "MAX_EDIT_COST",
    "TAGS",
    "Chunk3",
    "diff_ids",
    "line_opcodes",
    "merge3",
    "merge3_ids",
    "tokenize_words",
    "word_opcodes",
]

_module, _implementation = load("_diff")

IMPLEMENTATION: Final[Literal["compiled", "pure"]] = _implementation
MAX_EDIT_COST: Final[int] = _module.MAX_EDIT_COST
diff_ids = _module.diff_ids
merge3_ids = _module.merge3_ids

Tag = Literal["equal", "replace", "delete", "insert"]
Kind = Literal["stable", "ours", "theirs", "both", "conflict"]
Opcode = tuple[Tag, int, int, int, int]

TAGS: Final[tuple[Tag, ...]] = ("equal", "replace", "delete", "insert")
KINDS: Final[tuple[Kind, ...]] = ("stable", "ours", "theirs", "both", "conflict")

# Runs of ASCII word characters, runs of whitespace, or any single other character.
_TOKEN = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)


class Chunk3(NamedTuple):
    """One aligned region of a 3-way merge: half-open index ranges into base, ours and theirs."""

    kind: Kind
    base_start: int
    base_end: int
    ours_start: int
    ours_end: int
    theirs_start: int
    theirs_end: int


def _intern(*sides: Sequence[Hashable]) -> list[list[int]]:
    """Each side as a list of ids; equal items get equal ids, across all sides.

    An item's id is the running position where it first occurs, so ids are unique but not contiguous.
    """
    table: dict[Hashable, int] = {}
    positions = count()
    return [list(map(table.setdefault, side, positions)) for side in sides]


def line_opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """Return difflib-style opcodes ``(tag, i1, i2, j1, j2)`` of a minimal diff turning lines ``a`` into ``b``."""
    ids_a, ids_b = _intern(a, b)
    return [(TAGS[tag], i1, i2, j1, j2) for tag, i1, i2, j1, j2 in diff_ids(ids_a, ids_b)]


def merge3(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[Chunk3]:
    """Return the diff3 chunks aligning ``base``, ``ours`` and ``theirs``, covering all three in order.

    Changes whose base ranges overlap or touch (and insertions at the same base position) form one chunk;
    it is ``"both"`` when the two sides made it identically and ``"conflict"`` otherwise.
    """
    ids = _intern(base, ours, theirs)
    return [Chunk3(KINDS[kind], *spans) for kind, *spans in merge3_ids(*ids)]


def tokenize_words(text: str) -> list[str]:
    """Split ``text`` into runs of ``[A-Za-z0-9_]``, runs of whitespace and single other characters."""
    return _TOKEN.findall(text)


def _offsets(tokens: list[str]) -> list[int]:
    """Character offset of every token, then the total length."""
    return [0, *accumulate(map(len, tokens))]


def word_opcodes(a: str, b: str) -> list[Opcode]:
    """Return opcodes of a minimal word-level diff of ``a`` and ``b``, as character offsets into each string."""
    tokens_a, tokens_b = tokenize_words(a), tokenize_words(b)
    ids_a, ids_b = _intern(tokens_a, tokens_b)
    at, bt = _offsets(tokens_a), _offsets(tokens_b)
    return [(TAGS[tag], at[i1], at[i2], bt[j1], bt[j2]) for tag, i1, i2, j1, j2 in diff_ids(ids_a, ids_b)]
