"""Benchmark the compiled line scanners against their pure-Python twin on large, realistic input.

Run with ``python benchmarks/bench_linescan.py``; prints one line per function with both medians and the
speed-up against the budget.
"""

from __future__ import annotations

import random
import statistics
import timeit
from collections.abc import Callable

from benchmarks.synthetic import WORDS, code_line
from cdev_tui.cext import _linescan, _linescan_py

BUDGET = 10.0
REPEAT = 7
CONFLICT_LINES = 50_000
CHECKLIST_ITEMS = 20_000


def conflicted_file(lines: int = CONFLICT_LINES, seed: int = 1) -> str:
    """A source file of about ``lines`` lines with a conflict region every ~40 lines, a third of them diff3."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < lines:
        out.extend(code_line(rng, shapes=6) for _ in range(rng.randint(10, 50)))
        out.append("<<<<<<< HEAD")
        out.extend(code_line(rng, shapes=6) for _ in range(rng.randint(1, 8)))
        if rng.random() < 1 / 3:
            out.append("||||||| merged common ancestors")
            out.extend(code_line(rng, shapes=6) for _ in range(rng.randint(1, 8)))
        out.append("=======")
        out.extend(code_line(rng, shapes=6) for _ in range(rng.randint(1, 8)))
        out.append(f">>>>>>> agent/{rng.choice(WORDS)}-{rng.randint(1, 999)}")
    return "\n".join(out[:lines]) + "\n"


def checklist(items: int = CHECKLIST_ITEMS, seed: int = 2) -> str:
    """A markdown task list with ``items`` items in sections, with notes and nested sub-items."""
    rng = random.Random(seed)
    out: list[str] = []
    count = 0
    while count < items:
        if count % 25 == 0:
            out.extend(["", f"## {rng.choice(WORDS).title()} {count // 25 + 1}", ""])
        words = " ".join(rng.choices(WORDS, k=rng.randint(3, 12)))
        box = "[x]" if rng.random() < 0.4 else "[ ]"
        marker = rng.choice(["-", "-", "*", f"{count % 9 + 1}."])
        indent = "  " * rng.choice([0, 0, 0, 1, 2])
        out.append(f"{indent}{marker} {box} {words.capitalize()}")
        count += 1
        if rng.random() < 0.2:
            out.append(f"{indent}  {' '.join(rng.choices(WORDS, k=rng.randint(4, 14)))}.")
    return "\n".join(out) + "\n"


def _median_ms(func: Callable[[str], object], text: str) -> float:
    """Median wall time of one call, in milliseconds."""
    number = 5
    runs = timeit.repeat(lambda: func(text), number=number, repeat=REPEAT)
    return statistics.median(runs) / number * 1000


def main() -> list[str]:
    """Time each scanner compiled vs pure and return one report line per function."""
    tasks = checklist()
    cases = [
        ("checklist_items", tasks),
        ("checklist_counts", tasks),
        ("conflict_regions", conflicted_file()),
    ]
    report: list[str] = []
    for name, text in cases:
        compiled_func = getattr(_linescan, name)
        pure_func = getattr(_linescan_py, name)
        if compiled_func(text) != pure_func(text):
            raise AssertionError(f"{name}: compiled and pure results differ")
        compiled = _median_ms(compiled_func, text)
        pure = _median_ms(pure_func, text)
        report.append(
            f"linescan.{name}: compiled {compiled:.2f} ms, pure {pure:.1f} ms, "
            f"ratio {pure / compiled:.1f}x (budget >= {BUDGET:g}x)"
        )
    return report


if __name__ == "__main__":
    for line in main():
        print(line)
