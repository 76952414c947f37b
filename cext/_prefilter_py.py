"""Pure-Python twin of ``_prefilter``: which lines of a file hold which keywords, case-insensitively.

``KeywordMatcher(keywords).candidate_lines(data)`` returns, for every line of ``data`` that contains at least
one keyword, ``(line index, start offset, end offset, keyword indexes)`` in line order:

- lines are split on ``b"\\n"`` only, and a final line without a newline counts. The end offset excludes the
  ``\\n`` but nothing else: with CRLF line endings the ``\\r`` stays inside ``data[start:end]``;
- a keyword matches regardless of ASCII case (``b"token"`` finds ``TOKEN`` and ``ToKeN``); bytes ``>= 0x80``
  are matched exactly, so non-ASCII text and invalid UTF-8 are fine;
- the keyword indexes are the sorted, distinct indexes into ``keywords`` of every keyword occurring in the
  line, overlapping occurrences included (``b"sk-ant-"`` also holds ``b"sk-"``). A keyword given twice is
  reported under both of its indexes.

Keywords must be non-empty, lower-case and free of ``\\n`` (a keyword never spans lines); anything else is a
``ValueError``. This twin lower-cases the data once and runs one ``bytes.find`` loop per distinct keyword; the
compiled module runs one pass of an Aho-Corasick automaton instead.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["KeywordMatcher", "check_keywords"]

CandidateLine = tuple[int, int, int, tuple[int, ...]]


def check_keywords(keywords: Sequence[bytes]) -> list[bytes]:
    """``keywords`` as a list; ``ValueError`` if one is empty or holds upper-case ASCII or a newline,
    ``TypeError`` if one is not ``bytes``."""
    checked: list[bytes] = []
    for index, keyword in enumerate(keywords):
        if not isinstance(keyword, bytes):
            raise TypeError(f"keyword {index} must be bytes, not {type(keyword).__name__}")
        if not keyword:
            raise ValueError(f"keyword {index} is empty")
        if keyword != keyword.lower():
            raise ValueError(f"keyword {index} ({keyword!r}) must be lower-case: matching ignores ASCII case")
        if b"\n" in keyword:
            raise ValueError(f"keyword {index} ({keyword!r}) holds a newline: keywords never span lines")
        checked.append(keyword)
    return checked


class KeywordMatcher:
    """Finds the lines of a file that hold any of a fixed set of keywords, and which keywords they hold."""

    __slots__ = ("_owners", "keywords")

    def __init__(self, keywords: Sequence[bytes]) -> None:
        self.keywords: tuple[bytes, ...] = tuple(check_keywords(keywords))
        owners: dict[bytes, list[int]] = {}
        for index, keyword in enumerate(self.keywords):
            owners.setdefault(keyword, []).append(index)
        # Each distinct keyword with the indexes it stands for.
        self._owners: tuple[tuple[bytes, tuple[int, ...]], ...] = tuple(
            (keyword, tuple(indexes)) for keyword, indexes in owners.items()
        )

    def __repr__(self) -> str:
        return f"KeywordMatcher({len(self.keywords)} keywords)"

    def candidate_lines(self, data: bytes) -> list[CandidateLine]:
        """``(line index, start, end, keyword indexes)`` of every line of ``data`` holding a keyword."""
        lowered = (data if isinstance(data, bytes) else memoryview(data).tobytes()).lower()
        hits: list[tuple[int, tuple[int, ...]]] = []
        for keyword, indexes in self._owners:
            find = lowered.find
            pos = find(keyword)
            while pos >= 0:
                hits.append((pos, indexes))
                pos = find(keyword, pos + 1)
        if not hits:
            return []
        hits.sort()
        lines: list[tuple[int, int, int, set[int]]] = []
        line_no = counted_to = 0
        end = -1
        for pos, indexes in hits:
            if pos > end:  # the first hit on a new line
                line_no += lowered.count(b"\n", counted_to, pos)
                counted_to = pos
                end = lowered.find(b"\n", pos)
                if end < 0:
                    end = len(lowered)
                lines.append((line_no, lowered.rfind(b"\n", 0, pos) + 1, end, set()))
            lines[-1][3].update(indexes)
        return [(line_no, start, end, tuple(sorted(found))) for line_no, start, end, found in lines]
