"""Run the benchmarks and summarise them against their budgets.

``python -m benchmarks`` runs every ``bench_<name>.py`` here: first_frame, linescan and conflicts first, then
any others alphabetically. ``python -m benchmarks NAME...`` runs only those (``first_frame`` or
``bench_first_frame``). Lines are printed as each benchmark finishes, then one summary line. Benchmarks
report, they don't gate: the exit code is 0 even when a figure is over budget, 1 when a benchmark crashed
and 2 for an unknown name.
"""

from __future__ import annotations

import importlib
import re
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

FIRST = ("first_frame", "linescan", "conflicts")
HERE = Path(__file__).parent
FIGURE = re.compile(
    r"(?:ratio|median|mean)\s+(\d+(?:\.\d*)?)\s*(x|ms|%)(?!\w).*\(budget\s*(>=|<=)\s*(\d+(?:\.\d*)?)\s*(?:x|ms|%)\)"
)


def available() -> list[str]:
    """Names of the benchmark modules present, without the ``bench_`` prefix."""
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def run_order(present: Sequence[str]) -> list[str]:
    """The fixed order (even for names not written yet), then the other present names alphabetically."""
    return [*FIRST, *sorted(n for n in present if n not in FIRST)]


def within_budget(line: str) -> bool | None:
    """Whether the figure on ``line`` meets its budget, or None when the line states no figure."""
    match = FIGURE.search(line)
    if match is None:
        return None
    value, op, budget = float(match[1]), match[3], float(match[4])
    return value >= budget if op == ">=" else value <= budget


def say(line: str) -> None:
    print(line, flush=True)


def main(argv: Sequence[str]) -> int:
    present = available()
    wanted = [name.removesuffix(".py").removeprefix("bench_") for name in argv]
    unknown = [name for name in wanted if name not in present and name not in FIRST]
    if unknown:
        print(f"unknown benchmark: {', '.join(unknown)} (have: {', '.join(present)})", file=sys.stderr)
        return 2
    names = [n for n in run_order(present) if not wanted or n in wanted]

    lines: list[str] = []
    crashed: list[str] = []
    for name in names:
        if name not in present:
            say(f"{name}: skipped, benchmarks/bench_{name}.py does not exist yet")
            continue
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            result = module.main()
        except Exception as exc:
            crashed.append(name)
            traceback.print_exc(file=sys.stderr)
            say(f"{name}: CRASHED after {time.perf_counter() - start:.1f} s: {type(exc).__name__}: {exc}")
            continue
        for line in result:
            say(line)
            lines.append(line)

    verdicts = [v for v in map(within_budget, lines) if v is not None]
    ok = sum(verdicts)
    say(f"{len(verdicts)} figures, {ok} within budget, {len(verdicts) - ok} over budget")
    if crashed:
        say(f"crashed: {', '.join(crashed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
