"""Type stub for the compiled keyword prefilter (see ``_prefilter_py`` for the pure-Python twin and the rules)."""

from collections.abc import Sequence

__all__ = ["KeywordMatcher", "check_keywords"]

def check_keywords(keywords: Sequence[bytes]) -> list[bytes]: ...

class KeywordMatcher:
    @property
    def keywords(self) -> tuple[bytes, ...]: ...
    def __init__(self, keywords: Sequence[bytes]) -> None: ...
    def candidate_lines(
        self, data: bytes | bytearray | memoryview
    ) -> list[tuple[int, int, int, tuple[int, ...]]]: ...
