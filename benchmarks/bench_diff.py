"""Benchmark the compiled diffs against difflib and against their pure-Python twin on a realistic file.

Run with ``python benchmarks/bench_diff.py``; prints one line per comparison with both medians and the
speed-up against the budget.
"""

from __future__ import annotations

import difflib
import random
import statistics
import timeit
from collections.abc import Callable

from benchmarks.synthetic import code_line
from cdev_tui.cext import _diff, _diff_py, diff

BUDGET = 10.0
REPEAT = 7
LINES = 5_000
EDITS = 40


def source_file(lines: int = LINES, seed: int = 3) -> list[str]:
    """A Python-like source file of ``lines`` lines."""
    rng = random.Random(seed)
    return [code_line(rng) for _ in range(lines)]


def edited(lines: list[str], edits: int = EDITS, seed: int = 4) -> list[str]:
    """A copy of ``lines`` with ``edits`` scattered edits: replaced, inserted and deleted runs of 1-4 lines."""
    rng = random.Random(seed)
    out = list(lines)
    for at in sorted(rng.sample(range(len(lines) - 5), edits), reverse=True):
        size = rng.randint(1, 4)
        action = rng.randrange(3)
        if action == 0:
            out[at : at + size] = [code_line(rng) for _ in range(rng.randint(1, 4))]
        elif action == 1:
            out[at:at] = [code_line(rng) for _ in range(size)]
        else:
            del out[at : at + size]
    return out


def _median_ms(func: Callable[[], object]) -> float:
    """Median wall time of one call, in milliseconds."""
    number = 5
    runs = timeit.repeat(func, number=number, repeat=REPEAT)
    return statistics.median(runs) / number * 1000


def _line(label: str, fast_name: str, fast: float, slow_name: str, slow: float, budget: bool = True) -> str:
    """One report line; without ``budget`` the ratio is informational and not counted against a budget."""
    verdict = f"budget >= {BUDGET:g}x" if budget else "informational, no budget"
    return (
        f"{label}: {fast_name} {fast:.2f} ms, {slow_name} {slow:.1f} ms, ratio {slow / fast:.1f}x ({verdict})"
    )


def _check(a: list[str], b: list[str], theirs: list[str]) -> None:
    """The figures are only worth printing if the implementations agree and the opcodes rebuild ``b``."""
    ids_a, ids_b, ids_t = diff._intern(a, b, theirs)
    if _diff.diff_ids(ids_a, ids_b) != _diff_py.diff_ids(ids_a, ids_b):
        raise AssertionError("diff_ids: compiled and pure results differ")
    if _diff.merge3_ids(ids_a, ids_b, ids_t) != _diff_py.merge3_ids(ids_a, ids_b, ids_t):
        raise AssertionError("merge3_ids: compiled and pure results differ")
    rebuilt = [
        line
        for tag, i1, i2, j1, j2 in diff.line_opcodes(a, b)
        for line in (a[i1:i2] if tag == "equal" else b[j1:j2])
    ]
    if rebuilt != b:
        raise AssertionError("line_opcodes does not rebuild the edited file")


def main() -> list[str]:
    """Time the line diff against difflib and the pure twin, and merge3 against the pure twin."""
    a = source_file()
    b = edited(a)
    theirs = edited(a, seed=5)
    _check(a, b, theirs)
    ids_a, ids_b, ids_t = diff._intern(a, b, theirs)

    def line_opcodes(diff_ids: Callable[[list[int], list[int]], object]) -> Callable[[], object]:
        """``diff.line_opcodes`` over the given ``diff_ids``: interning, the diff and the tag names."""
        tags = diff.TAGS
        return lambda: [(tags[op[0]], *op[1:]) for op in diff_ids(*diff._intern(a, b))]

    compiled = _median_ms(line_opcodes(_diff.diff_ids))
    pure = _median_ms(line_opcodes(_diff_py.diff_ids))
    reference = _median_ms(lambda: difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    compiled_ids = _median_ms(lambda: _diff.diff_ids(ids_a, ids_b))
    pure_ids = _median_ms(lambda: _diff_py.diff_ids(ids_a, ids_b))
    compiled_merge = _median_ms(lambda: _diff.merge3_ids(ids_a, ids_b, ids_t))
    pure_merge = _median_ms(lambda: _diff_py.merge3_ids(ids_a, ids_b, ids_t))
    size = f"{LINES} lines, {EDITS} edits"
    return [
        _line(f"diff.line_opcodes({size})", "compiled", compiled, "difflib.SequenceMatcher", reference),
        _line(
            f"diff.line_opcodes({size}) compiled vs pure twin, interning included",
            "compiled",
            compiled,
            "pure",
            pure,
            budget=False,
        ),
        _line(f"diff.diff_ids({size}) compiled vs pure twin", "compiled", compiled_ids, "pure", pure_ids),
        _line(
            f"diff.merge3_ids({size} per side) compiled vs pure twin",
            "compiled",
            compiled_merge,
            "pure",
            pure_merge,
        ),
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
