"""Pure-Python twin of ``_linescan``: checklist items and counts, and git conflict regions, one line at a time."""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["checklist_counts", "checklist_items", "conflict_regions"]

# Indent, optional list marker ("12." / "3)" / "-" / "*" / "+"), spaces, then the box and the rest.
_ITEM = re.compile(r"[ \t]*(?:[0-9]+[.)]|[-*+])? *\[([ xX])\](.*)", re.DOTALL)

_MARKER_CHARS = "<|=>"
_OPEN, _BASE, _MIDDLE, _CLOSE = "<", "|", "=", ">"


def _item_matches(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """``(line index, match)`` for every checklist line in ``text``; group 1 is the box mark, group 2 the rest."""
    for index, line in enumerate(text.split("\n")):
        match = _ITEM.match(line.removesuffix("\r"))
        if match is not None:
            yield index, match


def checklist_items(text: str) -> list[tuple[int, bool, str]]:
    """Return ``(line index, checked, item text)`` for every ``[ ]`` / ``[x]`` checklist line in ``text``."""
    return [(index, match[1] != " ", match[2].strip()) for index, match in _item_matches(text)]


def checklist_counts(text: str) -> tuple[int, int]:
    """Return ``(done, total)``: how many checklist items in ``text`` are ticked, and how many there are."""
    done = total = 0
    for _, match in _item_matches(text):
        total += 1
        done += match[1] != " "
    return done, total


def _marker(line: str) -> str | None:
    """The marker character if ``line`` (without its ``\\r``) is a conflict marker line, else ``None``."""
    if len(line) < 7:
        return None
    char = line[0]
    if char not in _MARKER_CHARS or line[:7] != char * 7:
        return None
    if len(line) == 7:
        return char
    if char != _MIDDLE and line[7] == " ":
        return char
    return None


def conflict_regions(text: str) -> list[tuple[int, int, int, int]]:
    """Return ``(start, base, middle, end)`` line indices of every complete conflict region in ``text``.

    ``base`` is -1 when the region has no ``|||||||`` section.
    """
    regions: list[tuple[int, int, int, int]] = []
    start = base = middle = -1
    for index, line in enumerate(text.split("\n")):
        if not line or line[0] not in _MARKER_CHARS:
            continue
        marker = _marker(line.removesuffix("\r"))
        if marker == _OPEN:
            start, base, middle = index, -1, -1
        elif start < 0:
            continue
        elif marker == _BASE:
            if base < 0 and middle < 0:
                base = index
        elif marker == _MIDDLE:
            if middle < 0:
                middle = index
        elif marker == _CLOSE and middle >= 0:
            regions.append((start, base, middle, index))
            start = base = middle = -1
    return regions
