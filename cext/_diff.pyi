"""Type stub for the compiled diffs (see ``_diff_py`` for the pure-Python twin and the algorithm)."""

__all__ = ["MAX_EDIT_COST", "diff_ids", "merge3_ids"]

MAX_EDIT_COST: int

def diff_ids(a: list[int], b: list[int]) -> list[tuple[int, int, int, int, int]]: ...
def merge3_ids(
    base: list[int], ours: list[int], theirs: list[int]
) -> list[tuple[int, int, int, int, int, int, int]]: ...
